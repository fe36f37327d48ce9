"""``calcli export``: items out as .ics, CSV, JSON, or the bulk-upload CSV of Hootsuite or Buffer.

Hootsuite and Buffer take one social profile (channel) per file and check their rows on
upload; calcli checks the same rules first. A row that breaks one is reported with the
item id and the rule and left out of the file — never fixed silently (a time is never
rounded: move the item with ``calcli item move``). See docs/exchange.md.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from calcli import exchange, files, operations
from calcli.core.errors import UsageError
from calcli.core.model import ContentScheduleItem, Platform, ScheduleStatus
from calcli.core.times import now as current_time
from calcli.core.times import zone
from calcli.exchange.csvtext import write_csv
from calcli.exchange.importing import link_of

TARGETS = ("ics", "vdir", "csv", "json", "hootsuite", "buffer")
BULK_TARGETS = ("hootsuite", "buffer")

ITEM_COLUMNS = [
    "id",
    "key",
    "calendar",
    "user",
    "video_job_id",
    "platform",
    "format",
    "scheduled_at",
    "timezone",
    "status",
    "title",
    "caption",
    "hashtags",
    "assignee",
    "notes",
    "post",
]

HOOTSUITE_MAX_ROWS = 350
HOOTSUITE_LEAD = timedelta(minutes=10)
HOOTSUITE_TIME = "%m/%d/%Y %H:%M"
BUFFER_MAX_ROWS = 100  # per upload per channel on paid plans (Free: a queue of 10)
BUFFER_TIME = "%Y-%m-%d %H:%M"
BUFFER_HEADER = ["Text", "Image URL", "Tags", "Posting Time"]


@dataclass
class Rejected:
    item_id: str
    rule: str


@dataclass
class ExportFile:
    name: str | None  # None: stdout
    text: str
    rows: int
    platform: str | None = None
    pieces: Iterator[str] | None = None  # instead of ``text``: the content as it is made (a big .ics)

    def chunks(self) -> Iterator[str]:
        return self.pieces if self.pieces is not None else iter([self.text])


@dataclass
class ExportResult:
    files: list[ExportFile] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    selected: int = 0
    notes: list[str] = field(default_factory=list)
    folder: str | None = None  # a vdir: the folder the files go into (made when missing)
    stale: list[Path] = field(default_factory=list)  # a vdir: calcli's files of items no longer exported


def select_items(
    s,
    calendar: str | list[str] | None,
    platforms: list[Platform],
    statuses: list[ScheduleStatus] | None,
    target: str,
    since: date | None = None,
    until: date | None = None,
) -> tuple[list[ContentScheduleItem], dict[str, str]]:
    """The acting user's items to export (time order) and each calendar's zone.

    ``calendar``: one name or several (none: all the user's calendars). ``since``/``until``:
    the first and last local day (in each item's calendar zone) to export. Without
    ``statuses``: every status for ics/csv/json/vdir; planned and scheduled for the
    bulk-upload targets (only what is still to be posted belongs in a scheduler)."""
    names = [calendar] if isinstance(calendar, str) else list(dict.fromkeys(calendar or []))
    for name in names:
        operations.editing.open_calendar(s.store, s.project, name, s.user)
    if statuses is None and target in BULK_TARGETS:
        statuses = [ScheduleStatus.PLANNED, ScheduleStatus.SCHEDULED]
    wanted = tuple(x.value for x in statuses) if statuses else None
    if len(names) == 1:
        items = s.store.items(user=s.user, calendar=names[0], statuses=wanted)
    else:
        items = [i for i in s.store.items(user=s.user, statuses=wanted) if not names or i.calendar in names]
    if platforms:
        items = [i for i in items if i.platform in platforms]
    zones = {}
    for name in sorted({i.calendar for i in items}):
        cal = s.store.calendar(name)
        zones[name] = cal.timezone if cal else "UTC"
    if since or until:
        items = [i for i in items if _within(i.scheduled_at.astimezone(zone(zones[i.calendar])).date(), since, until)]
    return items, zones


def _within(day: date, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


# The fields of an item that its VEVENT shows: an edit of one bumps the event's SEQUENCE.
EVENT_FIELDS = ("at", "title", "caption", "hashtags", "format", "platform", "status", "video")


def sequences(s, items: list[ContentScheduleItem]) -> dict[str, int]:
    """Each item's .ics SEQUENCE: how many times the store's history saw its time, text, format,
    platform, video or status change (by a command or by a hand edit that a sync recorded)."""
    return s.store.change_counts([i.id for i in items], EVENT_FIELDS)


def item_record(item: ContentScheduleItem, tzname: str) -> dict:
    return {
        "id": item.id,
        "key": item.idempotency_key,
        "calendar": item.calendar,
        "user": item.user_id,
        "video_job_id": item.video_job_id,
        "platform": item.platform.value,
        "format": item.format,
        "scheduled_at": item.scheduled_at.isoformat(timespec="seconds"),
        "timezone": tzname,
        "status": item.status.value,
        "title": item.title,
        "caption": item.caption,
        "hashtags": list(item.hashtags),
        "assignee": item.assignee,
        "notes": item.notes,
        "post": item.post_ref,
    }


def export_csv(items: list[ContentScheduleItem], zones: dict[str, str]) -> str:
    """calcli's own item columns; hashtags joined by commas, times ISO 8601 with their offset."""
    rows = []
    for item in items:
        rec = item_record(item, zones.get(item.calendar, "UTC"))
        rec["hashtags"] = ",".join(rec["hashtags"])
        rows.append(["" if rec[c] is None else str(rec[c]) for c in ITEM_COLUMNS])
    return write_csv(rows, ITEM_COLUMNS)


def export_json(items: list[ContentScheduleItem], zones: dict[str, str]) -> str:
    """One JSON document: a list of items with calcli's own keys."""
    return (
        json.dumps([item_record(i, zones.get(i.calendar, "UTC")) for i in items], ensure_ascii=False, indent=2) + "\n"
    )


def post_text(item: ContentScheduleItem) -> str:
    """The text a scheduler posts: the platform caption (hashtags included), else the title."""
    return (item.caption or item.title).strip()


def bulk_zone(items: list[ContentScheduleItem], zones: dict[str, str], tz: str | None) -> str:
    """The channel's zone: ``--tz``, else the one zone of the selected calendars."""
    if tz:
        try:
            zone(tz)
        except ValueError as exc:
            raise UsageError(f"--tz: {exc}.") from None
        return tz
    used = sorted({zones[i.calendar] for i in items})
    if len(used) > 1:
        raise UsageError(
            f"the selected calendars are in several time zones ({', '.join(used)}); "
            "a bulk-upload file has one channel zone.",
            "Give --tz ZONE (the profile's zone in the scheduler) or --calendar NAME.",
        )
    return used[0] if used else "UTC"


def hootsuite_rows(
    items: list[ContentScheduleItem], tzname: str, result: ExportResult, cap: int | None = HOOTSUITE_MAX_ROWS
) -> list[list[str]]:
    """Hootsuite Bulk Composer rows (date/time, message, link), checking its upload rules (at most
    ``cap`` rows; None: no cap, the caller splits them into files)."""
    tz = zone(tzname)
    earliest = current_time() + HOOTSUITE_LEAD
    slots: dict[str, str] = {}
    messages: dict[str, str] = {}
    rows = []
    for item in items:
        local = item.scheduled_at.astimezone(tz)
        text = post_text(item)
        stamp = local.strftime(HOOTSUITE_TIME)
        rule = None
        if not text:
            rule = "hootsuite: the message is empty (give the item a title or caption)"
        elif item.scheduled_at < earliest:
            rule = f"hootsuite: {local:%Y-%m-%d %H:%M} is not at least 10 minutes ahead of now"
        elif local.minute % 5 or local.second or local.microsecond:
            rule = (
                f"hootsuite: {local:%H:%M:%S} is not on the 5-minute grid (minutes must end in 0 or 5); "
                "calcli does not round it: move the item"
            )
        elif stamp in slots:
            rule = f"hootsuite: one message per time slot; {stamp} is taken by {slots[stamp]}"
        elif text in messages:
            rule = f"hootsuite: duplicate message; the same text is posted by {messages[text]}"
        elif cap is not None and len(rows) >= cap:
            rule = f"hootsuite: at most {cap} messages a file (-o FOLDER/ splits them into numbered files)"
        if rule:
            result.rejected.append(Rejected(item.id, rule))
            continue
        slots[stamp] = item.id
        messages[text] = item.id
        rows.append([stamp, text, link_of(item)])
    return rows


def buffer_rows(
    items: list[ContentScheduleItem], tzname: str, result: ExportResult, cap: int | None = BUFFER_MAX_ROWS
) -> list[list[str]]:
    """Buffer bulk-upload rows (Text, Image URL, Tags, Posting Time), checking its rules (at most
    ``cap`` rows; None: no cap, the caller splits them into files)."""
    tz = zone(tzname)
    now = current_time()
    rows = []
    for item in items:
        local = item.scheduled_at.astimezone(tz)
        text = post_text(item)
        rule = None
        if not text:
            rule = "buffer: Text is required when there is no Image URL"
        elif item.scheduled_at <= now:
            rule = f"buffer: Posting Time {local:%Y-%m-%d %H:%M} is in the past"
        elif local.second or local.microsecond:
            rule = f"buffer: Posting Time takes whole minutes; {local:%H:%M:%S} is not one (calcli does not round it)"
        elif cap is not None and len(rows) >= cap:
            rule = f"buffer: at most {cap} posts per upload per channel (-o FOLDER/ splits them into numbered files)"
        if rule:
            result.rejected.append(Rejected(item.id, rule))
            continue
        rows.append([text, "", "", local.strftime(BUFFER_TIME)])
    return rows


def export_items(
    items: list[ContentScheduleItem],
    zones: dict[str, str],
    target: str,
    output: str | None,
    calendar: str | None = None,
    tz: str | None = None,
    sequences: dict[str, int] | None = None,
    scope: list[str] | None = None,
) -> ExportResult:
    """Render ``items`` for ``target``; one file, or one per platform for the bulk targets.

    A bulk target with several platforms needs ``output`` to be a folder (existing, or
    written with a trailing slash): ``[CALENDAR-]TARGET-PLATFORM.csv`` in it; a platform with
    more rows than the target takes a file gets numbered files ``…-PLATFORM-1.csv``, ``-2``….
    ``vdir`` writes one ``UID.ics`` per item into the folder ``output`` and mirrors the export:
    the files calcli wrote there for items of the ``scope`` calendars (None: any) that are no
    longer exported are listed in ``result.stale`` (see :func:`stale_vdir_files`)."""
    result = ExportResult(selected=len(items))
    if target == "vdir":
        _vdir(items, zones, output, sequences, result)
        result.stale = stale_vdir_files(Path(output), {Path(f.name).name for f in result.files}, scope)
        return result
    if target not in BULK_TARGETS:
        name = _single(output, calendar, target, None)
        if target == "ics":  # streamed: written piece by piece, never one string of the whole calendar
            pieces = exchange.ics.stream_ics(items, zones, current_time(), sequences)
            result.files.append(ExportFile(name, "", len(items), pieces=pieces))
            return result
        text = export_csv(items, zones) if target == "csv" else export_json(items, zones)
        result.files.append(ExportFile(name, text, len(items)))
        return result
    tzname = bulk_zone(items, zones, tz)
    by_platform: dict[str, list[ContentScheduleItem]] = {}
    for item in items:
        by_platform.setdefault(item.platform.value, []).append(item)
    folder = _is_folder(output)
    if len(by_platform) > 1 and not folder:
        raise UsageError(
            f"{target} takes one profile a file; the selection has {', '.join(sorted(by_platform))}.",
            "Give --platform P, or -o FOLDER/ for one file per platform.",
        )
    render = hootsuite_rows if target == "hootsuite" else buffer_rows
    cap = HOOTSUITE_MAX_ROWS if target == "hootsuite" else BUFFER_MAX_ROWS
    for platform in sorted(by_platform) or [None]:
        rows = render(by_platform.get(platform, []), tzname, result, None if folder else cap)
        chunks = [rows[n : n + cap] for n in range(0, len(rows), cap)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            text = write_csv(chunk, BUFFER_HEADER if target == "buffer" else None)
            part = f"{platform}-{number}" if len(chunks) > 1 else platform
            name = _folder_file(output, calendar, target, part) if folder else _single(output, calendar, target, None)
            result.files.append(ExportFile(name, text, len(chunk), platform))
        if len(chunks) > 1:
            result.notes.append(
                f"{platform}: {len(rows)} rows in {len(chunks)} files of at most {cap} ({target} takes {cap} a file)."
            )
    if target == "buffer" and items:
        result.notes.append("Buffer's bulk upload carries text and one image, no video: attach each video in Buffer.")
    return result


def _vdir(items, zones, output: str | None, sequences, result: ExportResult) -> ExportResult:
    """One VCALENDAR file per item, named by its UID (as khal and vdirsyncer name them), into ``output``."""
    if output is None:
        raise UsageError("a vdir is a folder of .ics files: give -o FOLDER/.")
    stamp = current_time()
    for item in items:
        text = exchange.ics.build_ics([item], zones, stamp, sequences, name=item.calendar).decode("utf-8")
        name = str(Path(output) / f"{exchange.ics.uid_for(item)}.ics")
        result.files.append(ExportFile(name, text, 1, item.platform.value))
    result.folder = output
    return result


# A file calcli wrote into a vdir: named by its UID (ITEM@calcli.ics), carrying the item and its calendar.
_CALCLI_FILE = re.compile(r"^X-CALCLI-ITEM[;:]", re.MULTILINE)
_CALENDAR_LINE = re.compile(r"^X-CALCLI-CALENDAR[^:\r\n]*:([^\r\n]*)", re.MULTILINE)


def stale_vdir_files(folder: Path, kept: set[str], scope: list[str] | None) -> list[Path]:
    """The ``*@calcli.ics`` files in ``folder`` that calcli wrote (an ``X-CALCLI-ITEM`` event) for an
    item of a ``scope`` calendar (None: any calendar) and whose name is not in ``kept``; a file
    calcli did not write (another UID, no X-CALCLI-ITEM, unreadable) is never listed."""
    if not folder.is_dir():
        return []
    stale = []
    for path in sorted(folder.glob(f"*@{exchange.ics.UID_DOMAIN}.ics")):
        if path.name in kept or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8").replace("\r\n ", "").replace("\n ", "")  # unfolded
        except (OSError, UnicodeDecodeError):
            continue
        found = _CALENDAR_LINE.search(text)
        if _CALCLI_FILE.search(text) and (scope is None or (found and found.group(1).strip() in scope)):
            stale.append(path)
    return stale


def _is_folder(output: str | None) -> bool:
    return output is not None and (output.endswith(("/", "\\")) or Path(output).is_dir())


def _single(output: str | None, calendar: str | None, target: str, platform: str | None) -> str | None:
    if output is None:
        return None
    if _is_folder(output):
        return _folder_file(output, calendar, target, platform)
    return output


def _folder_file(output: str | None, calendar: str | None, target: str, platform: str | None) -> str:
    ext = "ics" if target in ("ics", "vdir") else "json" if target == "json" else "csv"
    parts = [p for p in (calendar, target if target in BULK_TARGETS else "items", platform) if p]
    return str(Path(output or ".") / ("-".join(parts) + "." + ext))


def write_files(result: ExportResult, on_file=None) -> None:
    """Write the named files atomically (the stdout one is the caller's); a file that already
    holds the same text is left alone (a vdir syncs only what changed). Then a vdir's stale files
    go, each with one unlink (atomic: a file is there whole or not at all), after every new
    file is in place."""
    if result.folder is not None:
        Path(result.folder).mkdir(parents=True, exist_ok=True)
    for f in result.files:
        if on_file is not None:
            on_file(1)
        if f.name is None:
            continue
        path = Path(f.name)
        if f.pieces is not None:
            files.text.write_atomic(path, f.pieces)
            continue
        try:
            if path.read_bytes() == f.text.encode("utf-8"):
                continue
        except OSError:
            pass
        files.text.write_atomic(path, f.text)
    for path in result.stale:
        try:
            os.unlink(path)
        except FileNotFoundError:  # gone already (another export, or by hand)
            pass
