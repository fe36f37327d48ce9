"""Calendar files: ``calendars/<name>.yaml`` parsed, validated, written back.

The file is the truth and people edit it. calcli's writes are surgical: the
header and every existing item keep their exact text (comments, key order);
new items are inserted at their place in time order; a changed item has only
its changed lines replaced. Writing the same calendar twice gives the same
bytes.

Layout of a file::

    calendar: Q3                  # the name; must match the file name
    user: user_123
    timezone: America/New_York
    period: {start: "2026-07-01", end: "2026-09-30"}
    blackouts:
      - {id: july4, start: "2026-07-04", end: "2026-07-04", yearly: true, reason: Independence Day}
    items:
      - id: it_0c1d2e3f4a
        key: bj_2026q3_launch/vj_001/youtube
        ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path

import yaml

from calcli.core.errors import Finding, InvalidInput
from calcli.core.model import (
    PLATFORM_IDS,
    ContentCalendar,
    ContentScheduleItem,
    Platform,
    ScheduleException,
    ScheduleStatus,
)
from calcli.core.times import iso, local_instant, parse_instant, zone
from calcli.files.fields import Fields
from calcli.files.project import NAME_RE
from calcli.files.text import read_text
from calcli.files.yamlio import compose, line_of

CALENDAR_KEYS = frozenset(
    {"calendar", "user", "title", "timezone", "period", "platforms", "status", "blackouts", "items", "notes"}
)
EXCEPTION_KEYS = frozenset({"id", "kind", "start", "end", "platforms", "yearly", "reason", "item"})
ITEM_ORDER = (
    "id",
    "key",
    "video",
    "platform",
    "format",
    "at",
    "status",
    "score",
    "title",
    "caption",
    "hashtags",
    "assignee",
    "notes",
    "post",
)
ITEM_KEYS = frozenset(ITEM_ORDER)


@dataclass
class Layout:
    """Where things are in a calendar file, for surgical rewrites (0-based lines)."""

    items_key_line: int | None = None  # the line of `items:`
    items_end_line: int | None = None  # first line after the items block
    item_lines: list[int] = field(default_factory=list)  # the `- ` line of each item
    block: bool = True  # items are a block sequence, one item per dash line
    indent: int = 2  # the column of the items' dashes


@dataclass
class CalendarFile:
    calendar: ContentCalendar
    text: str
    layout: Layout


def load_calendar(path: Path, text: str | None = None) -> CalendarFile:
    """Parse and validate a calendar file; raises InvalidInput with every finding."""
    if text is None:
        text = read_text(path)
    root = compose(path, text)
    findings: list[Finding] = []
    cal = parse_calendar(path, root, findings)
    if findings:
        raise InvalidInput(findings)
    return CalendarFile(cal, text, _layout(root))


def parse_calendar(path: Path, root: yaml.Node, findings: list[Finding]) -> ContentCalendar:
    doc = Fields(path, root, findings)
    if not doc.ok:
        raise InvalidInput(findings)
    doc.unknown(CALENDAR_KEYS)
    name = doc.str("calendar", required=True, pattern=NAME_RE) or path.stem
    if doc.has("calendar") and name != path.stem:
        doc.error(doc.node_of("calendar"), f"calendar {name!r} does not match the file name {path.name!r}", "calendar")
    user = doc.str("user", required=True) or ""
    tzname = doc.str("timezone", required=True) or "UTC"
    tz = None
    if doc.has("timezone"):
        try:
            tz = zone(tzname)
        except ValueError as exc:
            doc.error(doc.node_of("timezone"), str(exc), "timezone")
    period = doc.map("period", required=True)
    start = end = None
    if period:
        period.unknown({"start", "end"})
        start = period.date("start", required=True)
        end = period.date("end", required=True)
        if start and end and end < start:
            period.error(period.node_of("end"), f"period ends ({end}) before it starts ({start})", "end")
    platforms = _platforms(doc, "platforms")
    cal = ContentCalendar(
        name=name,
        user_id=user,
        timezone=tzname,
        period_start=start or date.min,
        period_end=end or date.max,
        title=doc.str("title", default="") or "",
        platforms=platforms,
        status=doc.str("status", default="active", choices=("active", "archived")) or "active",
        path=str(path),
    )
    for node in doc.list("blackouts") or []:
        exc = _parse_exception(path, node, findings)
        if exc:
            cal.exceptions.append(exc)
    _no_duplicates(path, [(e.id, e.line) for e in cal.exceptions], "blackout id", findings)
    for node in doc.list("items") or []:
        item = _parse_item(path, node, findings, cal, tz)
        if item:
            cal.items.append(item)
    _no_duplicates(path, [(i.id, i.line) for i in cal.items], "item id", findings)
    _no_duplicates(path, [(i.idempotency_key, i.line) for i in cal.items], "idempotency key", findings)
    return cal


def _no_duplicates(path: Path, pairs: list[tuple[str, int | None]], what: str, findings: list[Finding]) -> None:
    seen: dict[str, int | None] = {}
    for value, line in pairs:
        if value in seen:
            findings.append(Finding(str(path), line, None, f"duplicate {what} {value!r} (first at line {seen[value]})"))
        else:
            seen[value] = line


def _platforms(f: Fields, key: str) -> list[Platform]:
    out = []
    for v in f.str_list(key) or []:
        if v == "all":
            continue
        try:
            out.append(Platform.parse(v))
        except ValueError:
            f.error(f.node_of(key), f"unknown platform {v!r} (known: {', '.join(PLATFORM_IDS)})", key)
    return out


def _parse_exception(path: Path, node: yaml.Node, findings: list[Finding]) -> ScheduleException | None:
    f = Fields(path, node, findings, "blackouts")
    if not f.ok:
        return None
    f.unknown(EXCEPTION_KEYS)
    before = len(findings)
    start = _date_or_datetime(f, "start")
    end = _date_or_datetime(f, "end")
    if start is not None and end is not None:
        if type(start) is not type(end):
            f.error(f.node_of("end"), "start and end must both be dates or both be date-times", "end")
        elif end < start or (isinstance(end, datetime) and end == start):
            f.error(f.node_of("end"), f"blackout ends ({end}) before it starts ({start})", "end")
    exc = ScheduleException(
        id=f.str("id", required=True, pattern=NAME_RE) or "",
        start=start,
        end=end,
        kind=f.str("kind", default="blackout", choices=("blackout", "override")) or "blackout",
        item_id=f.str("item"),
        platforms=tuple(_platforms(f, "platforms")),
        yearly=bool(f.bool("yearly", default=False)),
        reason=f.str("reason", default="") or "",
        line=line_of(node),
    )
    return None if len(findings) > before or start is None or end is None else exc


def _date_or_datetime(f: Fields, key: str) -> date | datetime | None:
    node = f.node_of(key)
    if node is None or not f.has(key):
        f.error(f.node, f"missing required key {key!r}")
        return None
    raw = node.value if isinstance(node, yaml.ScalarNode) else None
    if raw is None:
        f.error(node, "expected a date (2026-07-04) or local date-time (2026-07-04T09:00)", key)
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
            return date.fromisoformat(raw.strip())
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        f.error(node, f"{raw!r} is not a date (2026-07-04) or local date-time (2026-07-04T09:00)", key)
        return None
    if value.tzinfo is not None:
        f.error(node, "blackout times are local wall-clock times; drop the UTC offset", key)
        return None
    return value


def _parse_item(
    path: Path, node: yaml.Node, findings: list[Finding], cal: ContentCalendar, tz
) -> ContentScheduleItem | None:
    f = Fields(path, node, findings, "items")
    if not f.ok:
        return None
    f.unknown(ITEM_KEYS)
    before = len(findings)
    platform = _item_platform(f, findings, before)
    at = f.convert(
        "at", parse_instant if tz is None else partial(local_instant, tz=tz), required=True, what="date-time"
    )
    status = _item_status(f, findings, before)
    key = f.str("key", required=True) or ""
    item_id = f.str("id", required=True, pattern=r"[A-Za-z0-9_.-]{1,64}") or ""
    video = f.str("video", required=True) or ""
    fmt = f.str("format", required=True) or ""
    score = f.number("score", minimum=0.0, maximum=1.0)
    if len(findings) > before or platform is None or at is None:
        return None
    _check_place(f, cal, platform, at)
    parts = key.split("/")
    return ContentScheduleItem(
        id=item_id,
        idempotency_key=key,
        calendar=cal.name,
        user_id=cal.user_id,
        video_job_id=video,
        platform=platform,
        format=fmt,
        scheduled_at=at,
        status=status,
        bulk_job_id=parts[0] if len(parts) == 3 else None,
        score=float(score) if score is not None else None,
        title=f.str("title", default="") or "",
        assignee=f.str("assignee"),
        notes=f.str("notes", default="") or "",
        post_ref=f.str("post"),
        caption=f.str("caption", default="") or "",
        hashtags=f.str_list("hashtags") or [],
        field_lines={k: f.line(k) for k in ("at", "status", "format", "title", "caption", "hashtags") if k in f.keys},
        line=line_of(node),
    )


def _item_platform(f: Fields, findings: list[Finding], before: int) -> Platform | None:
    """The item's platform; an unknown one is a finding that names the known ones."""
    platform = f.convert("platform", Platform.parse, required=True, what="platform")
    if platform is None and f.has("platform") and len(findings) > before:
        last = findings[-1]
        findings[-1] = Finding(
            last.path,
            last.line,
            last.column,
            f"items.platform: unknown platform {f.str('platform')!r} (known: {', '.join(PLATFORM_IDS)})",
        )
    return platform


def _item_status(f: Fields, findings: list[Finding], before: int) -> ScheduleStatus | None:
    """The item's status (planned when left out); an unknown one is a finding that names the statuses."""
    if not f.has("status"):
        return ScheduleStatus.PLANNED
    status = f.convert("status", ScheduleStatus, required=False, what="status")
    if status is None and len(findings) > before:
        last = findings[-1]
        findings[-1] = Finding(
            last.path,
            last.line,
            last.column,
            f"items.status: {f.str('status')!r} is not one of " + ", ".join(s.value for s in ScheduleStatus),
        )
    return status


def _check_place(f: Fields, cal: ContentCalendar, platform: Platform, at) -> None:
    """An item's platform must be one of the calendar's (when it lists them), its day inside the period."""
    if cal.platforms and platform not in cal.platforms:
        f.error(f.node_of("platform"), f"platform {platform.value} is not among the calendar's platforms", "platform")
    local_day = at.date()
    if cal.period_start != date.min and not (cal.period_start <= local_day <= cal.period_end):
        f.error(
            f.node_of("at"), f"{iso(at)} is outside the calendar's period {cal.period_start}..{cal.period_end}", "at"
        )


def _layout(root: yaml.Node) -> Layout:
    layout = Layout()
    if not isinstance(root, yaml.MappingNode):
        return layout
    for k, v in root.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "items":
            layout.items_key_line = k.start_mark.line
            layout.items_end_line = v.end_mark.line + (1 if v.end_mark.column > 0 else 0)
            if isinstance(v, yaml.SequenceNode):
                layout.block = not v.flow_style
                if layout.block and v.value:
                    layout.indent = v.start_mark.column
                layout.item_lines = [n.start_mark.line for n in v.value]
                lines = set(layout.item_lines)
                if len(lines) != len(layout.item_lines):
                    layout.block = False
            else:
                layout.block = False
    return layout


# ---------------------------------------------------------------- writing
