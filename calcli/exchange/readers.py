"""Reading other tools' schedules: Hootsuite and Buffer bulk CSV, calcli's CSV and .ics, row by row with findings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from calcli import exchange
from calcli.core.errors import Finding, InvalidInput, UsageError
from calcli.core.model import PLATFORM_IDS, Platform
from calcli.exchange.csvtext import CsvSyntaxError, Record, read_records

VIDEO_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")

SOURCES = ("hootsuite", "buffer", "csv", "ics")


_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")


@dataclass
class SourceRow:
    """One row (or VEVENT) as read, before it meets a calendar."""

    line: int
    fields: dict[str, tuple[str, int]]  # logical field (when, platform, text, video) -> (source name, column)
    when: datetime
    platform: Platform | None
    title: str
    caption: str = ""
    hashtags: list[str] = field(default_factory=list)
    video: str | None = None
    format: str | None = None
    notes: str = ""
    identity: str = ""  # what a derived video id is a hash of
    item_id: str | None = None  # the calcli item the row was exported from (csv id, ics X-CALCLI-ITEM or UID)
    key: str | None = None  # its idempotency key (csv key, ics X-CALCLI-KEY)
    link: str = ""  # Hootsuite's link column
    status: str | None = None  # calcli's status, where the source says it (csv, ics)
    canceled: str = ""  # why a canceled row is not imported (it may still match a canceled item)
    cancel_line: int | None = None  # where a source says so, when not on the row's own line

    def where(self, logical: str) -> tuple[str, int]:
        return self.fields.get(logical, (logical, 1))


@dataclass
class Parsed:
    rows: list[SourceRow] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)


def _records(path: str, text: str) -> list[Record]:
    try:
        return read_records(text)
    except CsvSyntaxError as exc:
        raise InvalidInput(Finding(path, exc.line, exc.col, f"csv: {exc.message}")) from None


def _header_index(record: Record, names: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Logical column -> index, matching header names case-insensitively (``Date (YYYY-MM-DD)`` = ``date``)."""
    found: dict[str, int] = {}
    for n, cell in enumerate(record.cells):
        norm = re.sub(r"\s*\(.*\)\s*$", "", cell.value.strip().lower())
        for logical, accepted in names.items():
            if norm in accepted and logical not in found:
                found[logical] = n
    return found


def _headed(path: str, text: str, columns: dict, layout: str) -> tuple[list[Record], Record, dict[str, int]]:
    """The records of a layout that starts with a header row, its header, and its column map."""
    records = _records(path, text)
    if not records:
        raise InvalidInput(Finding(path, 1, 1, f"header: empty file; {layout} starts with a header row"))
    return records, records[0], _header_index(records[0], columns)


def _cell(record: Record, index: int | None) -> tuple[str, int]:
    c = record.get(index)
    return (c.value.strip(), c.col) if c else ("", len(record.cells) and record.cells[-1].col)


def _text_fields(message: str) -> tuple[str, str, list[str]]:
    """A post's text as calcli's title (its first line), caption (the whole text) and hashtags."""
    message = message.strip()
    title = message.splitlines()[0].strip() if message else ""
    caption = "" if message == title else message
    tags = list(dict.fromkeys(_HASHTAG.findall(message)))
    return title, caption, tags


def _post_row(line, fields, when, platform, message: str, notes: list[str], media: str) -> SourceRow:
    """A scheduler's post (its text, link or image) as a source row; its identity is time, text and media."""
    title, caption, tags = _text_fields(message)
    return SourceRow(
        line=line,
        fields=fields,
        when=when,
        platform=platform,
        title=title,
        caption=caption,
        hashtags=tags,
        notes="; ".join(x for x in notes if x),
        identity=f"{when.isoformat()}\x1f{message}\x1f{media}",
    )


def _parse_local(text: str, formats: tuple[str, ...]) -> datetime | None:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _platform(value: str) -> Platform:
    return Platform.parse(value)


def skipped_row(path: str, line: int, col: int, name: str, message: str) -> Finding:
    return Finding(path, line, col, f"{name}: {message}")


HOOTSUITE_COLUMNS = {
    "date": ("date", "date and time", "date/time", "datetime", "date time", "scheduled date"),
    "time": ("time",),
    "message": ("message", "text", "post"),
    "link": ("link", "url"),
    "image": ("image url", "image", "media url"),
    "platform": ("platform", "network", "social network"),
}


def read_hootsuite(path: str, text: str, day_first: bool = False) -> Parsed:
    """Hootsuite Bulk Composer CSV: ``date time, message, link`` without a header (the classic
    layout), or with a header naming Date [Time] [Platform] Message [Link] [Image URL]."""
    records = _records(path, text)
    out = Parsed()
    if not records:
        return out
    dmy = "%d/%m/%Y" if day_first else "%m/%d/%Y"
    formats = (f"{dmy} %H:%M", f"{dmy} %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
    first = records[0]
    idx = _header_index(first, HOOTSUITE_COLUMNS)
    if "date" in idx or "message" in idx:
        if "date" not in idx or "message" not in idx:
            missing = "Date" if "date" not in idx else "Message"
            raise InvalidInput(Finding(path, first.line, 1, f"header: no {missing} column"))
        records = records[1:]
    else:
        idx = {"date": 0, "message": 1, "link": 2}
    shown = "DD/MM/YYYY HH:mm" if day_first else "MM/DD/YYYY HH:mm"
    for rec in records:
        raw, dcol = _cell(rec, idx["date"])
        if "time" in idx:
            raw = f"{raw} {_cell(rec, idx['time'])[0]}".strip()
        message, mcol = _cell(rec, idx["message"])
        link, _ = _cell(rec, idx.get("link"))
        image, _ = _cell(rec, idx.get("image"))
        pname, pcol = _cell(rec, idx.get("platform"))
        when = _parse_local(re.sub(r"\s+", " ", raw), formats)
        if when is None:
            out.skipped.append(skipped_row(path, rec.line, dcol, "Date", f"{raw!r} is not a date and time {shown}"))
            continue
        if not message:
            out.skipped.append(skipped_row(path, rec.line, mcol, "Message", "empty"))
            continue
        platform = None
        if pname:
            try:
                platform = _platform(pname)
            except ValueError:
                known = ", ".join(PLATFORM_IDS)
                out.skipped.append(
                    skipped_row(path, rec.line, pcol, "Platform", f"unknown platform {pname!r} ({known})")
                )
                continue
        fields = {"when": ("Date", dcol), "text": ("Message", mcol), "platform": ("Platform", pcol)}
        notes = [f"link: {link}" if link else "", f"image: {image}" if image else ""]
        row = _post_row(rec.line, fields, when, platform, message, notes, link)
        row.link = link
        out.rows.append(row)
    return out


BUFFER_COLUMNS = {
    "text": ("text",),
    "image": ("image url",),
    "tags": ("tags",),
    "time": ("posting time",),
}


def read_buffer(path: str, text: str, day_first: bool = False) -> Parsed:
    """Buffer's bulk upload CSV: a header Text, Image URL, Tags, Posting Time (``YYYY-MM-DD HH:mm``)."""
    records, head, idx = _headed(path, text, BUFFER_COLUMNS, "Buffer's layout")
    out = Parsed()
    if "time" not in idx:
        raise InvalidInput(
            Finding(path, head.line, 1, "header: no Posting Time column (Text, Image URL, Tags, Posting Time)")
        )
    if "text" not in idx and "image" not in idx:
        raise InvalidInput(Finding(path, head.line, 1, "header: neither a Text nor an Image URL column"))
    for rec in records[1:]:
        raw, tcol = _cell(rec, idx["time"])
        message, mcol = _cell(rec, idx.get("text"))
        image, _ = _cell(rec, idx.get("image"))
        tags, _ = _cell(rec, idx.get("tags"))
        if not raw:
            out.skipped.append(
                skipped_row(
                    path, rec.line, tcol, "Posting Time", "empty (Buffer would queue the post; calcli needs a time)"
                )
            )
            continue
        when = _parse_local(raw, ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"))
        if when is None:
            out.skipped.append(skipped_row(path, rec.line, tcol, "Posting Time", f"{raw!r} is not YYYY-MM-DD HH:mm"))
            continue
        if not message and not image:
            out.skipped.append(skipped_row(path, rec.line, mcol or 1, "Text", "required when there is no Image URL"))
            continue
        fields = {"when": ("Posting Time", tcol), "text": ("Text", mcol or 1)}
        notes = [f"image: {image}" if image else "", f"buffer tags: {tags}" if tags else ""]
        out.rows.append(_post_row(rec.line, fields, when, None, message, notes, image))
    return out


CSV_COLUMNS = {
    "id": ("id",),
    "key": ("key",),
    "platform": ("platform",),
    "when": ("scheduled_at", "at"),
    "video": ("video_job_id", "video"),
    "format": ("format",),
    "title": ("title",),
    "caption": ("caption",),
    "hashtags": ("hashtags",),
    "notes": ("notes",),
    "status": ("status",),
}


def read_calcli_csv(path: str, text: str, day_first: bool = False) -> Parsed:
    """calcli's own CSV (``calcli export --format csv``): at least platform and scheduled_at columns."""
    records, head, idx = _headed(path, text, CSV_COLUMNS, "calcli's CSV")
    out = Parsed()
    for need in ("platform", "when"):
        if need not in idx:
            name = "scheduled_at" if need == "when" else need
            raise InvalidInput(Finding(path, head.line, 1, f"header: no {name} column"))
    for rec in records[1:]:
        raw, tcol = _cell(rec, idx["when"])
        pname, pcol = _cell(rec, idx["platform"])
        try:
            when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            out.skipped.append(
                skipped_row(
                    path, rec.line, tcol, "scheduled_at", f"{raw!r} is not an ISO 8601 time (2026-07-15T16:00:00-04:00)"
                )
            )
            continue
        status, scol = _cell(rec, idx.get("status"))
        platform = None
        if pname:
            try:
                platform = _platform(pname)
            except ValueError:
                known = ", ".join(PLATFORM_IDS)
                out.skipped.append(
                    skipped_row(path, rec.line, pcol, "platform", f"unknown platform {pname!r} ({known})")
                )
                continue
        video, vcol = _cell(rec, idx.get("video"))
        title = _cell(rec, idx.get("title"))[0]
        tags = [t.lstrip("#") for t in re.split(r"[,\s]+", _cell(rec, idx.get("hashtags"))[0]) if t.lstrip("#")]
        out.rows.append(
            SourceRow(
                line=rec.line,
                fields={
                    "when": ("scheduled_at", tcol),
                    "platform": ("platform", pcol),
                    "video": ("video_job_id", vcol),
                    "status": ("status", scol),
                },
                when=when,
                platform=platform,
                title=title,
                caption=_cell(rec, idx.get("caption"))[0],
                hashtags=tags,
                video=video or None,
                format=_cell(rec, idx.get("format"))[0] or None,
                notes=_cell(rec, idx.get("notes"))[0],
                identity=f"{when.isoformat()}\x1f{title}",
                item_id=_cell(rec, idx.get("id"))[0] or None,
                key=_cell(rec, idx.get("key"))[0] or None,
                status=status.lower() or None,
                canceled="a canceled item is not imported" if status.lower() == "canceled" else "",
            )
        )
    return out


def _event_problem(ev, line: int) -> tuple[Platform | None, tuple | None]:
    """The event's platform (X-CALCLI-PLATFORM), and why it cannot be imported: (line, property, why) or None."""
    start = ev.start
    if start is None:
        return None, (ev.line, "DTSTART", "missing")
    if not isinstance(start, datetime):
        return None, (line, "DTSTART", "an all-day event has no time" if isinstance(start, date) else "not a date-time")
    if ev.recurring:
        return None, (ev.lines.get("RRULE", ev.lines.get("RDATE", line)), "RRULE", "recurring events are not imported")
    pname = ev.props.get("x-calcli-platform", "")
    if not pname:
        return None, None
    try:
        return _platform(pname), None
    except ValueError:
        line_p = ev.lines.get("X-CALCLI-PLATFORM", line)
        return None, (line_p, "X-CALCLI-PLATFORM", f"unknown platform {pname!r} ({', '.join(PLATFORM_IDS)})")


def read_ics_file(path: str, text: str, day_first: bool = False) -> Parsed:
    """VEVENTs of an .ics file; calcli's own X-CALCLI-* properties are used when present."""
    try:
        events = exchange.ics.read_ics(text)
    except ValueError as exc:
        raise InvalidInput(Finding(path, 1, 1, f"ics: {exc}")) from None
    out = Parsed()
    for ev in events:
        line = ev.lines.get("DTSTART", ev.line)
        start = ev.start
        platform, problem = _event_problem(ev, line)
        if problem:
            out.skipped.append(skipped_row(path, problem[0], 1, problem[1], problem[2]))
            continue
        item_id = ev.props.get("x-calcli-item") or _calcli_uid(ev.uid)
        # calcli's own event says its title (absent: empty); a foreign one has only its SUMMARY
        own = "x-calcli-item" in ev.props
        title = ev.props.get("x-calcli-title", "" if own else ev.summary).strip()
        tags = [t for t in ev.props.get("x-calcli-hashtags", "").split(",") if t]
        out.rows.append(
            SourceRow(
                line=line,
                fields={
                    "when": ("DTSTART", 1),
                    "platform": ("X-CALCLI-PLATFORM", 1),
                    "status": ("STATUS", 1),
                },
                when=start,
                platform=platform,
                title=title,
                caption=ev.props.get("x-calcli-caption", ""),
                hashtags=tags,
                video=ev.props.get("x-calcli-video") or None,
                format=ev.props.get("x-calcli-format") or None,
                identity=ev.uid or f"{start.isoformat()}\x1f{ev.summary}",
                item_id=item_id,
                key=ev.props.get("x-calcli-key") or None,
                status=ev.props.get("x-calcli-status") or None,
                canceled="a cancelled event is not imported" if ev.status == "CANCELLED" else "",
                cancel_line=ev.lines.get("STATUS", line),
            )
        )
    return out


def _calcli_uid(uid: str | None) -> str | None:
    """The item id of a UID calcli wrote (``it_x@calcli``), else None."""
    if uid and uid.endswith("@calcli") and VIDEO_ID.fullmatch(uid[: -len("@calcli")]):
        return uid[: -len("@calcli")]
    return None


READERS = {"hootsuite": read_hootsuite, "buffer": read_buffer, "csv": read_calcli_csv, "ics": read_ics_file}


def read_source(path: Path, source: str, day_first: bool = False) -> Parsed:
    """Read ``path`` as ``source``; a file that cannot be read at all raises InvalidInput."""
    if source not in READERS:
        raise UsageError(f"unknown source {source!r} (known: {', '.join(SOURCES)}).")
    if path.is_dir():
        return _read_vdir(path, source, day_first)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InvalidInput(Finding(str(path), line, 1, "encoding: not UTF-8 (save the file as UTF-8)")) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}.") from None
    return READERS[source](str(path), text, day_first)


def _read_vdir(folder: Path, source: str, day_first: bool) -> Parsed:
    """A vdir (what ``export -f vdir`` writes, and vdirsyncer keeps): every ``*.ics`` in ``folder``,
    by name, read as one source; a finding names its own file."""
    if source != "ics":
        why = "a folder: only a vdir of .ics files (--from ics) is read as one"
        raise InvalidInput(Finding(str(folder), 1, 1, why))
    out = Parsed()
    for file in sorted(folder.glob("*.ics")):
        part = read_source(file, source, day_first)
        out.rows += part.rows
        out.skipped += part.skipped
    return out
