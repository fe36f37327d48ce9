"""``calcli import``: an existing schedule (Hootsuite or Buffer bulk CSV, calcli CSV, .ics) into a calendar.

Each source row becomes one planned item at the row's time: an instant when the source
gives one (an offset, ``Z`` or a TZID), else a wall-clock time in the calendar's zone — a
time in a DST gap moves forward by the gap (reported), an ambiguous one is its first
occurrence, as everywhere in calcli. Each item's idempotency key comes from the source row
(``import.SOURCE/VIDEO/PLATFORM``), so importing a file again adds nothing. Rows that
cannot be imported are reported as ``FILE:LINE:COL: field: why`` and skipped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from calcli import files, operations
from calcli.core.errors import Finding, UsageError
from calcli.core.model import ContentCalendar, ContentScheduleItem, Platform, ScheduleStatus, item_id_for
from calcli.core.times import exists, iso, shift_gap, zone
from calcli.core.times import now as current_time
from calcli.core.timing import TimingTable
from calcli.exchange.readers import VIDEO_ID, SourceRow, read_source, skipped_row


@dataclass
class ImportOutcome:
    calendar: ContentCalendar
    items: list[tuple[int, ContentScheduleItem]]  # (source line, new item)
    already: list[tuple[int, str]]  # (source line, item id) already on the calendar
    skipped: list[Finding]
    warnings: list[str]
    other_platforms: int
    created: bool
    written: bool


# ---------------------------------------------------------------- reading


# ---------------------------------------------------------------- into a calendar


def import_schedule(
    project,
    path: Path,
    source: str,
    calendar: str,
    *,
    platform: Platform | None = None,
    user: str | None = None,
    tz: str | None = None,
    dry_run: bool = False,
    day_first: bool = False,
) -> ImportOutcome:
    """Import ``path`` (a ``source`` file) into ``calendars/<calendar>.yaml`` (made when missing).

    Example::

        outcome = import_schedule(find_project(), Path("hootsuite.csv"), "hootsuite", "Q3", platform=Platform.X)
        [(line, i.id, i.scheduled_at) for line, i in outcome.items]
    """
    parsed = read_source(path, source, day_first)
    if source in ("hootsuite", "buffer") and platform is None and any(r.platform is None for r in parsed.rows):
        raise UsageError(f"a {source} file holds one profile's posts: say which platform with --platform P.")
    editing = operations.editing
    with operations.session.session(project, user) as s:
        cal, existing, created = _target_calendar(s, calendar, tz, f"Imported from {path.name}")
        outcome = ImportOutcome(cal, [], [], list(parsed.skipped), [], 0, created, False)
        _place(s, parsed.rows, source, platform, str(path), existing, outcome)
        if created and outcome.items:
            days = [i.scheduled_at.date() for _, i in outcome.items]
            cal.period_start, cal.period_end = min(days), max(days)
        if not outcome.items or dry_run:
            return outcome
        rel = project.rel(path) if path.is_absolute() else str(path)
        history = [
            editing.history_row(
                i, s.actor, "imported", None, None, f"{source} {rel}:{line} {i.scheduled_at.isoformat()}"
            )
            for line, i in outcome.items
        ]
        target = editing.Target(cal, existing, project.calendar_path(calendar), created)
        change = editing.Change(new=[i for _, i in outcome.items], history=history)
        overrides = operations.slots.overrides_for(s, cal, existing, change.new, f"as imported from {source}")
        change.add_blackouts += [exc for exc, _ in overrides]
        line_of = {i.id: line for line, i in outcome.items}
        outcome.warnings += [
            f"{rel}:{line_of[exc.item_id]}: {exc.item_id} keeps its {source} time past calcli's rules ({rule}): "
            f"an override exception records it; `calcli item move {exc.item_id}` makes it legal"
            for exc, rule in overrides
        ]
        editing.apply_change(s.store, project, target, change)
        outcome.written = True
    return outcome


def _target_calendar(s, name: str, tz: str | None, title: str):
    path = s.project.calendar_path(name)
    if path.exists():
        target = operations.editing.open_calendar(s.store, s.project, name, s.user)
        if target.calendar.status == "archived":
            raise UsageError(f"calendar {name} is archived; nothing is imported into it.")
        return target.calendar, target.items, False
    tzname = operations.calendars.calendar_zone(s, tz)
    today = current_time(zone(tzname)).date()
    cal = ContentCalendar(
        name=name,
        user_id=s.user,
        timezone=tzname,
        period_start=today,
        period_end=today,
        title=title,
        path=str(path),
    )
    return cal, [], True


@dataclass
class _Placing:
    """What placing the rows of one source file needs, and what it has placed so far."""

    source: str
    platform: Platform | None  # --platform
    path: str
    outcome: ImportOutcome
    tz: tzinfo
    now: datetime
    timing: TimingTable
    on_calendar: dict[str, str]  # idempotency key -> item id, of the calendar's items
    seen: dict[str, int] = field(default_factory=dict)  # idempotency key -> source line

    def skip(self, row: SourceRow, name: str, col: int, why: str) -> None:
        self.outcome.skipped.append(skipped_row(self.path, row.line, col, name, why))


def _place(s, rows, source, platform, path, existing, outcome: ImportOutcome) -> None:
    """Turn source rows into new items of ``outcome.calendar``; report what cannot be placed."""
    tz = zone(outcome.calendar.timezone)
    c = _Placing(
        source,
        platform,
        path,
        outcome,
        tz,
        current_time(tz),
        files.timing.load_timing(s.project.timing_dir),
        {i.idempotency_key: i.id for i in existing},
    )
    candidates: list[tuple[SourceRow, ContentScheduleItem]] = []
    for row in rows:
        item = _candidate(c, row)
        if item is not None:
            candidates.append((row, item))
    cal = outcome.calendar
    elsewhere = s.store.keys_elsewhere(cal.name, [i.idempotency_key for _, i in candidates], s.user)
    for row, item in candidates:
        if item.idempotency_key in elsewhere:
            name, col = row.where("when")
            c.skip(row, name, col, f"already imported into calendar {elsewhere[item.idempotency_key]}")
            continue
        outcome.items.append((row.line, item))
    outcome.skipped.sort(key=lambda f: (f.line or 0, f.column or 0))


def _candidate(c: _Placing, row: SourceRow) -> ContentScheduleItem | None:
    """The new item of ``row``, or None when it is another platform's, already on the calendar,
    or cannot be placed (reported)."""
    cal, outcome = c.outcome.calendar, c.outcome
    if row.platform is not None and c.platform is not None and row.platform != c.platform:
        outcome.other_platforms += 1
        return None
    p = row.platform or c.platform
    name, col = row.where("platform")
    if p is None:
        c.skip(row, name, col, "no platform (give --platform P)")
        return None
    at = _instant(c, row)
    name, col = row.where("when")
    if at <= c.now:
        c.skip(row, name, col, f"{iso(at)} is in the past (now {iso(c.now)})")
        return None
    video = row.video or f"{c.source}_{hashlib.sha1(row.identity.encode('utf-8')).hexdigest()[:10]}"
    if not VIDEO_ID.fullmatch(video):
        vname, vcol = row.where("video")
        c.skip(row, vname, vcol, f"{video!r} is not a video id ([A-Za-z0-9_.:-])")
        return None
    key = f"import.{c.source}/{video}/{p.value}"
    if key in c.seen:
        c.skip(row, name, col, f"duplicate of line {c.seen[key]} (same post, same platform)")
        return None
    c.seen[key] = row.line
    if key in c.on_calendar:
        outcome.already.append((row.line, c.on_calendar[key]))
        return None
    if not outcome.created:
        if cal.platforms and p not in cal.platforms:
            pn, pc = row.where("platform")
            c.skip(row, pn, pc, f"{p.value} is not among calendar {cal.name}'s platforms")
            return None
        if not cal.period_start <= at.date() <= cal.period_end:
            why = f"{iso(at)} is outside calendar {cal.name}'s period {cal.period_start}..{cal.period_end}"
            c.skip(row, name, col, why)
            return None
    return _new_item(c, row, key, video, p, at)


def _instant(c: _Placing, row: SourceRow) -> datetime:
    """The row's time in the calendar's zone; a wall-clock time in a DST gap moves forward (a warning)."""
    if row.when.tzinfo is not None:
        return row.when.astimezone(c.tz)
    at = shift_gap(row.when, c.tz)
    if not exists(row.when, c.tz):
        c.outcome.warnings.append(
            f"{c.path}:{row.line}: {row.when:%Y-%m-%d %H:%M} does not exist in {c.outcome.calendar.timezone} "
            f"(the clocks spring forward); imported at {at:%H:%M}"
        )
    return at


def _new_item(c: _Placing, row: SourceRow, key: str, video: str, p: Platform, at: datetime) -> ContentScheduleItem:
    """A planned item of the calendar for ``row`` (the platform's first format when the row names none)."""
    cal = c.outcome.calendar
    formats = [f.format for f in c.timing.for_platform(p)]
    return ContentScheduleItem(
        id=item_id_for(key),
        idempotency_key=key,
        calendar=cal.name,
        user_id=cal.user_id,
        video_job_id=video,
        platform=p,
        format=row.format or (formats[0] if formats else "post"),
        scheduled_at=at,
        status=ScheduleStatus.PLANNED,
        bulk_job_id=f"import.{c.source}",
        title=row.title,
        caption=row.caption,
        hashtags=list(row.hashtags),
        notes=row.notes,
    )
