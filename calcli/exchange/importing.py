"""``calcli import``: an existing schedule (Hootsuite or Buffer bulk CSV, calcli CSV, .ics) into a calendar.

Each source row becomes one planned item at the row's time: an instant when the source
gives one (an offset, ``Z`` or a TZID), else a wall-clock time in the calendar's zone — a
time in a DST gap moves forward by the gap (reported), an ambiguous one is its first
occurrence, as everywhere in calcli. Each item's idempotency key comes from the source row
(``import.SOURCE/VIDEO/PLATFORM``), so importing a file again adds nothing. Rows that
cannot be imported are reported as ``FILE:LINE:COL: field: why`` and skipped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from calcli import files, operations, planning
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
    updated: list[tuple[int, ContentScheduleItem, ContentScheduleItem]] = field(default_factory=list)  # line, old, new


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
    on_row=None,
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
        _place(s, parsed.rows, source, platform, str(path), existing, outcome, on_row)
        if created and outcome.items:
            days = [i.scheduled_at.date() for _, i in outcome.items]
            cal.period_start, cal.period_end = min(days), max(days)
        if not (outcome.items or outcome.updated) or dry_run:
            return outcome
        rel = project.rel(path) if path.is_absolute() else str(path)
        history = [
            editing.history_row(
                i, s.actor, "imported", None, None, f"{source} {rel}:{line} {i.scheduled_at.isoformat()}"
            )
            for line, i in outcome.items
        ]
        changed = {new.id: new for _, _, new in outcome.updated}
        history += [h for _, old, new in outcome.updated for h in _update_history(s.actor, old, new)]
        target = editing.Target(cal, existing, project.calendar_path(calendar), created)
        change = editing.Change(new=[i for _, i in outcome.items], changed=changed, history=history)
        now_there = [changed.get(i.id, i) for i in existing]
        overrides = operations.slots.overrides_for(s, cal, now_there, change.new, f"as imported from {source}")
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


UPDATED_FIELDS = ("scheduled_at", "title", "caption", "hashtags", "format", "notes")


def _update_history(actor: str, old: ContentScheduleItem, new: ContentScheduleItem) -> list[tuple]:
    """The audit rows of an import's update: ``moved`` for the time (as item move), ``edited`` for the rest."""
    rows = []
    for name in UPDATED_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a == b:
            continue
        if name == "scheduled_at":
            rows.append(operations.editing.history_row(old, actor, "moved", "at", a.isoformat(), b.isoformat()))
        else:
            shown = (",".join(a), ",".join(b)) if name == "hashtags" else (a, b)
            rows.append(operations.editing.history_row(old, actor, "edited", name, *shown))
    return rows


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
    existing: list[ContentScheduleItem]
    seen: dict[str, int] = field(default_factory=dict)  # idempotency key -> source line
    matched: dict[str, int] = field(default_factory=dict)  # existing item id -> the source line that matched it
    by_id: dict[str, ContentScheduleItem] = field(default_factory=dict)
    by_key: dict[str, ContentScheduleItem] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {i.id: i for i in self.existing}
        self.by_key = {i.idempotency_key: i for i in self.existing}

    def skip(self, row: SourceRow, name: str, col: int, why: str) -> None:
        self.outcome.skipped.append(skipped_row(self.path, row.line, col, name, why))

    def unmatched(self, test) -> list[ContentScheduleItem]:
        return [i for i in self.existing if i.id not in self.matched and test(i)]


@dataclass
class _Row:
    """A source row that names a platform and a time, with the key a new item of it would get."""

    row: SourceRow
    platform: Platform
    at: datetime
    video: str
    key: str


def _text(title: str, caption: str) -> str:
    """What a post says: its caption (the whole text), else its title."""
    return (caption or title).strip()


def _place(s, rows, source, platform, path, existing, outcome: ImportOutcome, on_row=None) -> None:
    """Turn source rows into new items of ``outcome.calendar`` or updates of the items they match;
    report what cannot be placed.

    A row matches an item of the calendar by the item's id, its key or UID, the key an earlier
    import of the row gave it, or platform + time + text; then (second pass, rows without an
    id only) by platform + time or platform + text when exactly one item is left to match."""
    tz = zone(outcome.calendar.timezone)
    c = _Placing(
        source,
        platform,
        path,
        outcome,
        tz,
        current_time(tz),
        files.timing.load_timing(s.project.timing_dir),
        list(existing),
    )
    pending: list[_Row] = []
    for row in rows:
        if on_row is not None:
            on_row(1)
        r = _prepare(c, row)
        if r is None:
            continue
        match = _exact_match(c, r)
        if match is None:
            pending.append(r)
        else:
            _settle(s, c, r, match)
    candidates: list[tuple[SourceRow, ContentScheduleItem]] = []
    for r in pending:
        match = None if r.row.item_id else _loose_match(c, r)
        if match is not None:
            _settle(s, c, r, match)
            continue
        item = _candidate(c, r)
        if item is not None:
            candidates.append((r.row, item))
    cal = outcome.calendar
    elsewhere = s.store.keys_elsewhere(cal.name, [i.idempotency_key for _, i in candidates], s.user)
    for row, item in candidates:
        if item.idempotency_key in elsewhere:
            name, col = row.where("when")
            c.skip(row, name, col, f"already imported into calendar {elsewhere[item.idempotency_key]}")
            continue
        outcome.items.append((row.line, item))
    outcome.skipped.sort(key=lambda f: (f.line or 0, f.column or 0))


def _prepare(c: _Placing, row: SourceRow) -> _Row | None:
    """The row's platform, time and key; None when it is another platform's, or says no
    platform, or has a bad video id, or repeats an earlier row (reported)."""
    if row.platform is not None and c.platform is not None and row.platform != c.platform:
        c.outcome.other_platforms += 1
        return None
    p = row.platform or c.platform
    name, col = row.where("platform")
    if p is None:
        c.skip(row, name, col, "no platform (give --platform P)")
        return None
    at = _instant(c, row)
    video = row.video or f"{c.source}_{hashlib.sha1(row.identity.encode('utf-8')).hexdigest()[:10]}"
    if not VIDEO_ID.fullmatch(video):
        vname, vcol = row.where("video")
        c.skip(row, vname, vcol, f"{video!r} is not a video id ([A-Za-z0-9_.:-])")
        return None
    key = f"import.{c.source}/{video}/{p.value}"
    name, col = row.where("when")
    if key in c.seen:
        c.skip(row, name, col, f"duplicate of line {c.seen[key]} (same post, same platform)")
        return None
    c.seen[key] = row.line
    return _Row(row, p, at, video, key)


def _exact_match(c: _Placing, r: _Row) -> ContentScheduleItem | None:
    """The calendar's item this row was exported from (id, key, UID) or imported as before
    (the import key), else the one item at the same instant on the platform with the same text."""
    row = r.row
    for found in (c.by_id.get(row.item_id or ""), c.by_key.get(row.key or ""), c.by_key.get(r.key)):
        if found is not None:
            return found
    text = _text(row.title, row.caption)
    same = c.unmatched(
        lambda i: i.platform == r.platform and i.scheduled_at == r.at and _text(i.title, i.caption) == text
    )
    return same[0] if same else None


def _loose_match(c: _Placing, r: _Row) -> ContentScheduleItem | None:
    """The one unmatched item at the row's instant on its platform (its text was edited), else the
    one with the row's text on the platform (its time was edited); None when none or several."""
    live = c.unmatched(lambda i: i.platform == r.platform and i.status != ScheduleStatus.CANCELED)
    at = [i for i in live if i.scheduled_at == r.at]
    if len(at) == 1:
        return at[0]
    text = _text(r.row.title, r.row.caption)
    said = [i for i in live if text and _text(i.title, i.caption) == text]
    return said[0] if len(said) == 1 and not at else None


_LINK = re.compile(r"(?:^|; )link: (\S+)")


def link_of(item: ContentScheduleItem) -> str:
    """The link a Hootsuite import kept in the item's notes (``link: URL``), or ''."""
    m = _LINK.search(item.notes or "")
    return m[1] if m else ""


def _with_link(notes: str, link: str) -> str:
    parts = [x for x in (notes or "").split("; ") if x and not x.startswith("link: ")]
    return "; ".join(([f"link: {link}"] if link else []) + parts)


def _edits(c: _Placing, r: _Row, item: ContentScheduleItem) -> dict[str, object]:
    """The fields the row changes on ``item`` (field -> new value); empty when the row is what the item holds."""
    row = r.row
    out: dict[str, object] = {}
    if r.at != item.scheduled_at:
        out["scheduled_at"] = r.at
    if c.source in ("hootsuite", "buffer"):
        text = _text(row.title, row.caption)
        if text != _text(item.title, item.caption):
            if item.caption:
                out["caption"] = text
            else:
                out["title"], out["caption"] = row.title, row.caption
            if list(row.hashtags) != list(item.hashtags):
                out["hashtags"] = list(row.hashtags)
        if c.source == "hootsuite" and row.link != link_of(item):
            out["notes"] = _with_link(item.notes, row.link)
        return out
    for name in ("title", "caption", "hashtags"):
        if getattr(row, name) != getattr(item, name):
            out[name] = list(row.hashtags) if name == "hashtags" else getattr(row, name)
    if row.format and row.format != item.format:
        out["format"] = row.format
    if c.source == "csv" and row.notes != (item.notes or ""):
        out["notes"] = row.notes
    return out


def _settle(s, c: _Placing, r: _Row, item: ContentScheduleItem) -> None:
    """Record the row as already there, or as an update of ``item`` (a new time passes item move's rules)."""
    row, outcome = r.row, c.outcome
    name, col = row.where("when")
    if item.id in c.matched:
        c.skip(row, name, col, f"duplicate of line {c.matched[item.id]} (same item {item.id})")
        return
    c.matched[item.id] = row.line
    if r.platform != item.platform:
        pn, pc = row.where("platform")
        why = f"item {item.id} is on {item.platform.value}; import does not move an item across platforms"
        c.skip(row, pn, pc, why)
        return
    if row.canceled and item.status != ScheduleStatus.CANCELED:
        sn, sc = row.where("status")
        c.skip(row, sn, sc, f"{row.canceled} (item {item.id} is {item.status.value}: `calcli item cancel {item.id}`)")
        return
    edits = _edits(c, r, item)
    if not edits:
        outcome.already.append((row.line, item.id))
        return
    if "scheduled_at" in edits:
        why = _move_refused(s, c, item, r.at)
        if why:
            c.skip(row, name, col, why)
            return
    outcome.updated.append((row.line, item, dataclasses.replace(item, **edits)))


def _move_refused(s, c: _Placing, item: ContentScheduleItem, at: datetime) -> str | None:
    """Why ``calcli item move`` would refuse to move ``item`` to ``at``, or None."""
    if item.status in (ScheduleStatus.POSTED, ScheduleStatus.CANCELED):
        return f"item {item.id} is {item.status.value}; only planned, scheduled or failed items move"
    inp = operations.slots.plan_input(s, c.outcome.calendar, exclude=item.id)
    fmt = operations.slots.format_of(
        inp, item.platform, item.format if inp.timing.get(item.platform, item.format) else None
    )
    broken = planning.single.slot_violations(inp, item.platform, fmt, item.video_job_id, item.idempotency_key, at)
    if not broken:
        return None
    return (
        f"item {item.id} is not moved to {iso(at)}: " + "; ".join(broken) + f" (`calcli item move {item.id} "
        f"--to {iso(at)} --force` records an override)"
    )


def _candidate(c: _Placing, r: _Row) -> ContentScheduleItem | None:
    """The new item of ``r``, or None when it cannot be placed (reported)."""
    cal, outcome, row, p, at = c.outcome.calendar, c.outcome, r.row, r.platform, r.at
    name, col = row.where("when")
    if row.canceled:
        sn, sc = row.where("status")
        line = row.cancel_line or row.line
        c.outcome.skipped.append(skipped_row(c.path, line, sc, sn, row.canceled))
        return None
    if at <= c.now:
        c.skip(row, name, col, f"{iso(at)} is in the past (now {iso(c.now)})")
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
    return _new_item(c, row, r.key, r.video, p, at)


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
