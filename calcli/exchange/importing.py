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
from dataclasses import dataclass
from pathlib import Path

from calcli.core.errors import Finding, UsageError
from calcli.core.model import ContentCalendar, ContentScheduleItem, Platform, ScheduleStatus, item_id_for
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
    from calcli.operations.editing import Change, Target, apply_change, history_row
    from calcli.operations.session import session

    parsed = read_source(path, source, day_first)
    if source in ("hootsuite", "buffer") and platform is None and any(r.platform is None for r in parsed.rows):
        raise UsageError(f"a {source} file holds one profile's posts: say which platform with --platform P.")
    with session(project, user) as s:
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
            history_row(i, s.actor, "imported", None, None, f"{source} {rel}:{line} {i.scheduled_at.isoformat()}")
            for line, i in outcome.items
        ]
        target = Target(cal, existing, project.calendar_path(calendar), created)
        apply_change(s.store, project, target, Change(new=[i for _, i in outcome.items], history=history))
        outcome.written = True
    return outcome


def _target_calendar(s, name: str, tz: str | None, title: str):
    from calcli.core.times import now as current_time
    from calcli.core.times import zone
    from calcli.operations.calendars import calendar_zone
    from calcli.operations.editing import open_calendar

    path = s.project.calendar_path(name)
    if path.exists():
        target = open_calendar(s.store, s.project, name, s.user)
        if target.calendar.status == "archived":
            raise UsageError(f"calendar {name} is archived; nothing is imported into it.")
        return target.calendar, target.items, False
    tzname = calendar_zone(s, tz)
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


def _place(s, rows, source, platform, path, existing, outcome: ImportOutcome) -> None:
    """Turn source rows into new items of ``outcome.calendar``; report what cannot be placed."""
    from calcli.core.times import exists, iso, shift_gap, zone
    from calcli.core.times import now as current_time
    from calcli.files.timing import load_timing

    cal = outcome.calendar
    tz = zone(cal.timezone)
    now = current_time(tz)
    timing = load_timing(s.project.timing_dir)
    on_calendar = {i.idempotency_key: i.id for i in existing}
    seen: dict[str, int] = {}
    candidates: list[tuple[SourceRow, ContentScheduleItem]] = []
    for row in rows:
        if row.platform is not None and platform is not None and row.platform != platform:
            outcome.other_platforms += 1
            continue
        p = row.platform or platform
        name, col = row.where("platform")
        if p is None:
            outcome.skipped.append(skipped_row(path, row.line, col, name, "no platform (give --platform P)"))
            continue
        if row.when.tzinfo is None:
            at = shift_gap(row.when, tz)
            if not exists(row.when, tz):
                outcome.warnings.append(
                    f"{path}:{row.line}: {row.when:%Y-%m-%d %H:%M} does not exist in {cal.timezone} "
                    f"(the clocks spring forward); imported at {at:%H:%M}"
                )
        else:
            at = row.when.astimezone(tz)
        name, col = row.where("when")
        if at <= now:
            outcome.skipped.append(skipped_row(path, row.line, col, name, f"{iso(at)} is in the past (now {iso(now)})"))
            continue
        video = row.video or f"{source}_{hashlib.sha1(row.identity.encode('utf-8')).hexdigest()[:10]}"
        if not VIDEO_ID.fullmatch(video):
            vname, vcol = row.where("video")
            outcome.skipped.append(skipped_row(path, row.line, vcol, vname, f"{video!r} is not a video id ([A-Za-z0-9_.:-])"))
            continue
        key = f"import.{source}/{video}/{p.value}"
        if key in seen:
            outcome.skipped.append(
                skipped_row(path, row.line, col, name, f"duplicate of line {seen[key]} (same post, same platform)")
            )
            continue
        seen[key] = row.line
        if key in on_calendar:
            outcome.already.append((row.line, on_calendar[key]))
            continue
        if not outcome.created:
            if cal.platforms and p not in cal.platforms:
                pn, pc = row.where("platform")
                outcome.skipped.append(
                    skipped_row(path, row.line, pc, pn, f"{p.value} is not among calendar {cal.name}'s platforms")
                )
                continue
            if not cal.period_start <= at.date() <= cal.period_end:
                outcome.skipped.append(
                    skipped_row(
                        path,
                        row.line,
                        col,
                        name,
                        f"{iso(at)} is outside calendar {cal.name}'s period {cal.period_start}..{cal.period_end}",
                    )
                )
                continue
        formats = [f.format for f in timing.for_platform(p)]
        candidates.append(
            (
                row,
                ContentScheduleItem(
                    id=item_id_for(key),
                    idempotency_key=key,
                    calendar=cal.name,
                    user_id=cal.user_id,
                    video_job_id=video,
                    platform=p,
                    format=row.format or (formats[0] if formats else "post"),
                    scheduled_at=at,
                    status=ScheduleStatus.PLANNED,
                    bulk_job_id=f"import.{source}",
                    title=row.title,
                    caption=row.caption,
                    hashtags=list(row.hashtags),
                    notes=row.notes,
                ),
            )
        )
    elsewhere = s.store.keys_elsewhere(cal.name, [i.idempotency_key for _, i in candidates], s.user)
    for row, item in candidates:
        if item.idempotency_key in elsewhere:
            name, col = row.where("when")
            outcome.skipped.append(
                skipped_row(path, row.line, col, name, f"already imported into calendar {elsewhere[item.idempotency_key]}")
            )
            continue
        outcome.items.append((row.line, item))
    outcome.skipped.sort(key=lambda f: (f.line or 0, f.column or 0))
