"""iCalendar (RFC 5545) for schedule items: one VEVENT per item, and reading VEVENTs back.

This module imports ``icalendar`` at its top, so the other modules reach it only through the
package (``exchange.ics.build_ics``, see calcli.core.lazy): the CLI's start-up never pays for it.

Status mapping (VEVENT ``STATUS`` has three values):

======== ==========
calcli   iCalendar
======== ==========
planned  TENTATIVE
scheduled CONFIRMED
posted   CONFIRMED
failed   TENTATIVE (it waits for a retry)
canceled CANCELLED
======== ==========

The calcli status itself travels in ``X-CALCLI-STATUS`` and in ``CATEGORIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import icalendar

from calcli import exchange
from calcli.core.model import ContentScheduleItem, ScheduleStatus

ICS_STATUS = {
    ScheduleStatus.PLANNED: "TENTATIVE",
    ScheduleStatus.SCHEDULED: "CONFIRMED",
    ScheduleStatus.POSTED: "CONFIRMED",
    ScheduleStatus.FAILED: "TENTATIVE",
    ScheduleStatus.CANCELED: "CANCELLED",
}
EVENT_MINUTES = 15  # a post is an instant; a short block shows up in every calendar app
UID_DOMAIN = "calcli"


def uid_for(item: ContentScheduleItem) -> str:
    """The item's stable UID: the same item always gets the same one (its id is derived from its key)."""
    return f"{item.id}@{UID_DOMAIN}"


def summary_for(item: ContentScheduleItem) -> str:
    return f"{item.platform.value} {item.format}: {item.title or item.video_job_id}"


def description_for(item: ContentScheduleItem, tzname: str) -> str:
    lines = []
    if item.caption and item.caption != item.title:
        lines += [item.caption, ""]
    lines += [
        f"Title: {item.title}",
        f"Platform: {item.platform.value}",
        f"Format: {item.format}",
        f"Video: {item.video_job_id}",
        f"Status: {item.status.value}",
        f"Calendar: {item.calendar} ({tzname})",
        f"Item: {item.id}",
    ]
    return "\n".join(lines)


def build_ics(
    items: list[ContentScheduleItem],
    zones: dict[str, str],
    stamp: datetime,
    sequences: dict[str, int] | None = None,
    name: str | None = None,
) -> bytes:
    """A VCALENDAR with one VEVENT per item and the VTIMEZONEs their DTSTARTs need (see :func:`stream_ics`)."""
    return "".join(stream_ics(items, zones, stamp, sequences, name)).encode("utf-8")


def stream_ics(
    items: list[ContentScheduleItem],
    zones: dict[str, str],
    stamp: datetime,
    sequences: dict[str, int] | None = None,
    name: str | None = None,
) -> Iterator[str]:
    """The text of a VCALENDAR, piece by piece: a header, the VTIMEZONEs, then one VEVENT per item,
    each written as it is made (50,000 items never make 50,000 icalendar objects at once).

    ``zones`` maps a calendar name to its IANA zone; ``stamp`` is the DTSTAMP of items
    without an ``updated_at``; ``sequences`` each item's SEQUENCE (0 when not named); ``name``
    the X-WR-CALNAME calendar apps show (default: the items' calendars, or ``calcli``). Times
    are written with TZID (the calendar's zone), or with ``Z`` for UTC calendars and for a
    wall time that happens twice in the zone (fall back). The bytes are those icalendar writes
    for the same event (:func:`icalendar_event`; the tests hold them to it): its property order,
    TEXT escaping and 75-octet folding.
    """
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calcli//content calendar//EN", "CALSCALE:GREGORIAN"]
    yield "".join(_fold(line) + "\r\n" for line in [*head, "X-WR-CALNAME:" + _calname(name or calendar_name(items))])
    used = sorted({t for i in items if (t := _tzid(i, zones.get(i.calendar, "UTC")))})
    if used:
        first = min(i.scheduled_at for i in items).date()
        last = max(i.scheduled_at for i in items).date()
        for tzid in used:  # built from the zone's own transitions, not icalendar's (see calcli.exchange.vtimezone)
            period = (date(first.year - 1, 1, 1), date(last.year + 2, 1, 1))
            yield exchange.vtimezone.vtimezone(tzid, *period).to_ical().decode("utf-8")
    seq = sequences or {}
    for item in items:
        yield _event_text(item, zones.get(item.calendar, "UTC"), stamp, seq.get(item.id, 0))
    yield "END:VCALENDAR\r\n"


def _calname(name: str) -> str:
    """X-WR-CALNAME as icalendar and calendar apps write it: unescaped, on one line."""
    return " ".join(name.splitlines())


def _tzid(item: ContentScheduleItem, tzname: str) -> str | None:
    """The TZID the item's DTSTART is written with; None for a UTC time (``Z``)."""
    if tzname in ("UTC", "Etc/UTC") or _ambiguous(item.scheduled_at):
        return None
    return getattr(item.scheduled_at.tzinfo, "key", None) or tzname


_UTC_STAMP = "%Y%m%dT%H%M%SZ"
_LOCAL_STAMP = "%Y%m%dT%H%M%S"


def _event_text(item: ContentScheduleItem, tzname: str, stamp: datetime, sequence: int) -> str:
    """One VEVENT as icalendar would write it (properties in its canonical order, then by name)."""
    start = item.scheduled_at
    tzid = _tzid(item, tzname)
    if tzid is None:  # 15 minutes of real time (a TZID event's end is 15 minutes on its wall clock)
        start = start.astimezone(UTC)
    end = start + timedelta(minutes=EVENT_MINUTES)
    if tzid is None:
        when = f":{start:{_UTC_STAMP}}", f":{end:{_UTC_STAMP}}"
    else:
        when = f";TZID={tzid}:{start:{_LOCAL_STAMP}}", f";TZID={tzid}:{end:{_LOCAL_STAMP}}"
    lines = [
        "BEGIN:VEVENT",
        "SUMMARY:" + _text(summary_for(item)),
        "DTSTART" + when[0],
        "DTEND" + when[1],
        f"DTSTAMP:{(item.updated_at or stamp).astimezone(UTC):{_UTC_STAMP}}",
        "UID:" + _text(uid_for(item)),
        f"SEQUENCE:{sequence}",
        "CATEGORIES:" + ",".join(_text(c) for c in (item.platform.value, item.format, item.status.value)),
        "DESCRIPTION:" + _text(description_for(item, tzname)),
    ]
    if item.updated_at:
        lines.append(f"LAST-MODIFIED:{item.updated_at.astimezone(UTC):{_UTC_STAMP}}")
    lines += ["STATUS:" + ICS_STATUS[item.status], "TRANSP:TRANSPARENT"]
    for prop, value in sorted(_calcli_props(item)):
        if value:
            lines.append(f"{prop};VALUE=TEXT:" + _text(value))
    lines.append("END:VEVENT")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _calcli_props(item: ContentScheduleItem) -> list[tuple[str, str]]:
    return [
        ("X-CALCLI-ITEM", item.id),
        ("X-CALCLI-KEY", item.idempotency_key),
        ("X-CALCLI-CALENDAR", item.calendar),
        ("X-CALCLI-VIDEO", item.video_job_id),
        ("X-CALCLI-PLATFORM", item.platform.value),
        ("X-CALCLI-FORMAT", item.format),
        ("X-CALCLI-STATUS", item.status.value),
        ("X-CALCLI-TITLE", item.title),
        ("X-CALCLI-CAPTION", item.caption),
        ("X-CALCLI-HASHTAGS", ",".join(item.hashtags)),
    ]


def _text(value: str) -> str:
    """RFC 5545 TEXT escaping, as icalendar does it (a lone CR is a line break too)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


FOLD_AT = 75  # octets a line may hold, its CRLF not counted; a continuation line starts with a space


def _fold(line: str) -> str:
    """The line folded as icalendar folds it: at most 74 octets a piece, never between a backslash
    (or ``^``) and the character it escapes, nor inside a UTF-8 sequence."""
    if line.isascii():
        if len(line) < FOLD_AT:
            return line
        pieces, start = [], 0
        while len(line) - start >= FOLD_AT:
            piece = line[start : start + FOLD_AT - 1]
            if len(piece) > 1 and piece[-1] in "\\^":
                piece = piece[:-1]
            pieces.append(piece)
            start += len(piece)
        pieces.append(line[start:])
        return "\r\n ".join(pieces)
    pieces, current, count = [], [], 0
    for char in line:
        size = len(char.encode("utf-8"))
        if current and count + size >= FOLD_AT:
            carry = current.pop() if len(current) > 1 and current[-1] in "\\^" else None
            pieces.append("".join(current))
            current, count = ([carry], len(carry.encode("utf-8"))) if carry else ([], 0)
        current.append(char)
        count += size
    if current:
        pieces.append("".join(current))
    return "\r\n ".join(pieces)


def icalendar_calendar(
    items: list[ContentScheduleItem], zones: dict[str, str], stamp: datetime, sequences: dict[str, int] | None = None
) -> bytes:
    """The same calendar built with icalendar's own objects: the reference :func:`stream_ics` is
    tested against (byte for byte) and benched against (bench/run.py, figure ``ics``)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//calcli//content calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", calendar_name(items))
    events = [icalendar_event(i, zones.get(i.calendar, "UTC"), stamp, (sequences or {}).get(i.id, 0)) for i in items]
    used = sorted({str(ev["DTSTART"].params["TZID"]) for ev in events if "TZID" in ev["DTSTART"].params})
    if used:
        first = min(i.scheduled_at for i in items).date()
        last = max(i.scheduled_at for i in items).date()
        for tzid in used:
            cal.add_component(exchange.vtimezone.vtimezone(tzid, date(first.year - 1, 1, 1), date(last.year + 2, 1, 1)))
    for ev in events:
        cal.add_component(ev)
    return cal.to_ical()


def calendar_name(items: list[ContentScheduleItem]) -> str:
    """What a calendar app calls the exported calendar: the items' calendar names, or ``calcli``."""
    names = sorted({i.calendar for i in items})
    return ", ".join(names) if names else "calcli"


def icalendar_event(item: ContentScheduleItem, tzname: str, stamp: datetime, sequence: int = 0):
    """The item's VEVENT as an icalendar object (the reference; calcli writes :func:`_event_text`)."""
    ev = icalendar.Event()
    start = item.scheduled_at
    if tzname in ("UTC", "Etc/UTC") or _ambiguous(start):
        start = start.astimezone(UTC)
    ev.add("uid", uid_for(item))
    ev.add("dtstamp", (item.updated_at or stamp).astimezone(UTC))
    ev.add("sequence", sequence)
    if item.updated_at:
        ev.add("last-modified", item.updated_at.astimezone(UTC))
    ev.add("dtstart", start)
    ev.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
    ev.add("summary", summary_for(item))
    ev.add("description", description_for(item, tzname))
    ev.add("status", ICS_STATUS[item.status])
    ev.add("categories", [item.platform.value, item.format, item.status.value])
    ev.add("transp", "TRANSPARENT")  # a post does not make its owner busy
    for name, value in _calcli_props(item):  # the same properties, in the same order, as the streamed writer
        if value:  # VALUE=TEXT: escaped on the way out, unescaped on the way in (RFC 5545 §3.3.11)
            ev.add(name, icalendar.vText(value), parameters={"VALUE": "TEXT"})
    return ev


def _ambiguous(at: datetime) -> bool:
    """True for a wall time that happens twice (fall back). RFC 5545 reads a TZID time there as
    the first occurrence, but clients differ (khal takes the second), and the second cannot be
    written with a TZID at all: such an item is written in UTC, which every client reads alike."""
    naive = at.replace(tzinfo=None)
    return naive.replace(tzinfo=at.tzinfo, fold=0).utcoffset() != naive.replace(tzinfo=at.tzinfo, fold=1).utcoffset()


@dataclass
class IcsEvent:
    """One VEVENT as read: its line in the file, the lines of its properties, and its values."""

    line: int
    lines: dict[str, int]
    uid: str | None
    start: object  # datetime (aware or floating) or date, or None
    summary: str
    props: dict[str, str] = field(default_factory=dict)
    recurring: bool = False
    status: str | None = None


def read_ics(text: str) -> list[IcsEvent]:
    """The VEVENTs of ``text`` in file order; raises ValueError (with a line) when it is not iCalendar."""
    positions = _event_lines(text)
    try:
        cals = icalendar.Calendar.from_ical(text, multiple=True)
    except ValueError as exc:
        raise ValueError(str(exc).splitlines()[0] if str(exc) else "not an iCalendar file") from None
    events = [c for cal in cals for c in cal.walk("VEVENT")]
    out = []
    for n, ev in enumerate(events):
        line, lines = positions[n] if n < len(positions) else (1, {})
        try:
            start = ev.decoded("dtstart") if "DTSTART" in ev else None
        except (ValueError, TypeError):
            start = "invalid"
        props = {k.lower(): str(v) for k, v in ev.items() if k.upper().startswith("X-CALCLI-")}
        out.append(
            IcsEvent(
                line=line,
                lines=lines,
                uid=str(ev["UID"]) if "UID" in ev else None,
                start=start,
                summary=str(ev.get("SUMMARY", "")),
                props=props,
                recurring="RRULE" in ev or "RDATE" in ev,
                status=str(ev["STATUS"]).upper() if "STATUS" in ev else None,
            )
        )
    return out


def _event_lines(text: str) -> list[tuple[int, dict[str, int]]]:
    """For each VEVENT (in file order): its BEGIN line and the line of each property's start."""
    out: list[tuple[int, dict[str, int]]] = []
    current: dict[str, int] | None = None
    for no, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t"):
            continue  # a folded continuation
        upper = raw.strip().upper()
        if upper == "BEGIN:VEVENT":
            current = {}
            out.append((no, current))
        elif upper == "END:VEVENT":
            current = None
        elif current is not None:
            name = upper.split(":", 1)[0].split(";", 1)[0]
            current.setdefault(name, no)
    return out
