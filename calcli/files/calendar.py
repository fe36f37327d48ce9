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

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
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
from calcli.core.times import iso, parse_instant, zone
from calcli.files.project import NAME_RE
from calcli.files.yamlio import Fields, compose, flow_list, line_of, read_text, scalar

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
    platform = f.convert("platform", Platform.parse, required=True, what="platform")
    if platform is None and f.has("platform") and len(findings) > before:
        findings[-1] = Finding(
            findings[-1].path,
            findings[-1].line,
            findings[-1].column,
            f"items.platform: unknown platform {f.str('platform')!r} (known: {', '.join(PLATFORM_IDS)})",
        )
    at = f.convert("at", parse_instant, required=True, what="date-time")
    status = (
        f.convert("status", ScheduleStatus, required=False, what="status")
        if f.has("status")
        else ScheduleStatus.PLANNED
    )
    if status is None and len(findings) > before:
        findings[-1] = Finding(
            findings[-1].path,
            findings[-1].line,
            findings[-1].column,
            f"items.status: {f.str('status')!r} is not one of " + ", ".join(s.value for s in ScheduleStatus),
        )
    key = f.str("key", required=True) or ""
    item_id = f.str("id", required=True, pattern=r"[A-Za-z0-9_.-]{1,64}") or ""
    video = f.str("video", required=True) or ""
    fmt = f.str("format", required=True) or ""
    score = f.number("score", minimum=0.0, maximum=1.0)
    if len(findings) > before or platform is None or at is None:
        return None
    if tz is not None:
        at = at.astimezone(tz)
    if cal.platforms and platform not in cal.platforms:
        f.error(f.node_of("platform"), f"platform {platform.value} is not among the calendar's platforms", "platform")
    local_day = at.date()
    if cal.period_start != date.min and not (cal.period_start <= local_day <= cal.period_end):
        f.error(
            f.node_of("at"), f"{iso(at)} is outside the calendar's period {cal.period_start}..{cal.period_end}", "at"
        )
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
        field_lines={k: f.line(k) for k in ("title", "caption", "hashtags") if k in f.keys},
        line=line_of(node),
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


def item_sort_key(item: ContentScheduleItem) -> tuple:
    return (item.scheduled_at.timestamp(), item.platform._value_, item.id)


def emit_item(item: ContentScheduleItem, indent: int = 2) -> str:
    """One item as a block of lines, in canonical key order (the hot path of big plans).

    Reads enum members' ``_value_``: in Python 3.11 ``.value`` is a property, three times slower."""
    if indent != 2:
        return emit_fields(item_fields(item), indent)
    text = (
        f"  - id: {scalar(item.id)}\n    key: {scalar(item.idempotency_key)}\n"
        f"    video: {scalar(item.video_job_id)}\n    platform: {item.platform._value_}\n"
        f'    format: {scalar(item.format)}\n    at: "{iso(item.scheduled_at)}"\n'
        f"    status: {item.status._value_}\n"
    )
    if item.score is not None:
        text += f"    score: {round(item.score, 4)!r}\n"
    if item.title:
        text += f"    title: {scalar(item.title)}\n"
    if item.caption:
        text += f"    caption: {scalar(item.caption)}\n"
    if item.hashtags:
        text += f"    hashtags: {flow_list(item.hashtags)}\n"
    if item.assignee:
        text += f"    assignee: {scalar(item.assignee)}\n"
    if item.notes:
        text += f"    notes: {scalar(item.notes)}\n"
    if item.post_ref:
        text += f"    post: {scalar(item.post_ref)}\n"
    return text


def emit_fields(values: dict, indent: int = 2) -> str:
    dash, rest = " " * indent + "- ", " " * (indent + 2)
    parts = []
    for k in ITEM_ORDER:
        v = values.get(k)
        if v is not None:
            parts.append((rest if parts else dash) + k + ": " + value_text(v) + "\n")
    return "".join(parts)


def item_fields(item: ContentScheduleItem) -> dict:
    values = {
        "id": item.id,
        "key": item.idempotency_key,
        "video": item.video_job_id,
        "platform": item.platform.value,
        "format": item.format,
        "at": iso(item.scheduled_at),
        "status": item.status.value,
    }
    if item.score is not None:
        values["score"] = round(item.score, 4)
    if item.title:
        values["title"] = item.title
    if item.caption:
        values["caption"] = item.caption
    if item.hashtags:
        values["hashtags"] = list(item.hashtags)
    if item.assignee:
        values["assignee"] = item.assignee
    if item.notes:
        values["notes"] = item.notes
    if item.post_ref:
        values["post"] = item.post_ref
    return values


def value_text(value) -> str:
    """A field's value in calcli's style: a flow list for lists, else a canonical scalar."""
    return flow_list(value) if isinstance(value, list) else scalar(value)


def emit_exception(exc: ScheduleException) -> str:
    parts = [f"id: {scalar(exc.id)}", f"start: {scalar(exc.start)}", f"end: {scalar(exc.end)}"]
    if exc.platforms:
        parts.append(f"platforms: {flow_list([p.value for p in exc.platforms])}")
    if exc.yearly:
        parts.append("yearly: true")
    if exc.kind != "blackout":
        parts.append(f"kind: {exc.kind}")
    if exc.item_id:
        parts.append(f"item: {scalar(exc.item_id)}")
    if exc.reason:
        parts.append(f"reason: {scalar(exc.reason)}")
    return "  - {" + ", ".join(parts) + "}\n"


def emit_new_calendar(cal: ContentCalendar) -> str:
    """The text of a calendar file that does not exist yet."""
    out = [
        f"# calcli calendar {cal.name}. Edit freely: calcli keeps your comments and order.\n",
        f"calendar: {scalar(cal.name)}\n",
        f"user: {scalar(cal.user_id)}\n",
    ]
    if cal.title:
        out.append(f"title: {scalar(cal.title)}\n")
    out.append(f"timezone: {scalar(cal.timezone)}\n")
    out.append(f"period: {{start: {scalar(cal.period_start)}, end: {scalar(cal.period_end)}}}\n")
    if cal.platforms:
        out.append(f"platforms: {flow_list([p.value for p in cal.platforms])}\n")
    if cal.status != "active":
        out.append(f"status: {cal.status}\n")
    if cal.exceptions:
        out.append("blackouts:\n")
        out.extend(emit_exception(e) for e in cal.exceptions)
    items = sorted(cal.items, key=item_sort_key)
    out.append("items:\n" if items else "items: []\n")
    out.extend(emit_item(i) for i in items)
    return "".join(out)


@dataclass
class Written:
    """A calendar text as calcli writes it: its items in file order with their 1-based lines, and
    the text, rendered on first use (``text``). The items block is ``pieces`` between ``head`` and
    ``tail``: each piece is an existing item's chunk, kept byte for byte, or a new item to emit.
    Order and lines are known before the text is rendered, so the rendering can run elsewhere
    (calcli.operations.editing renders a big plan's text in a second process while the store is written)."""

    order: list[str]
    lines: list[int]
    head: list[str] = field(default_factory=list, repr=False)
    pieces: list[str | ContentScheduleItem] = field(default_factory=list, repr=False)
    tail: list[str] = field(default_factory=list, repr=False)
    indent: int = 2

    @functools.cached_property
    def text(self) -> str:
        indent = self.indent
        body = "".join([p if type(p) is str else emit_item(p, indent) for p in self.pieces])
        return "".join(self.head) + body + "".join(self.tail)


def emitted_lines(item: ContentScheduleItem) -> int:
    """How many lines :func:`emit_item` writes for ``item``: one per field it has (a scalar never
    spans lines: a line break in a value is written escaped)."""
    return (
        7
        + (item.score is not None)
        + bool(item.title)
        + bool(item.caption)
        + bool(item.hashtags)
        + bool(item.assignee)
        + bool(item.notes)
        + bool(item.post_ref)
    )


def splice_items(
    text: str,
    layout: Layout,
    existing: list[ContentScheduleItem],
    new: list[ContentScheduleItem],
    changed: dict[str, ContentScheduleItem] | None = None,
    removed: set[str] | None = None,
) -> Written:
    """Rewrite only the items block of ``text``.

    ``existing`` are the file's items in file order (matching ``layout.item_lines``);
    ``new`` are inserted in time order; ``changed`` items have their changed
    fields replaced in place; ``removed`` ids are dropped. Everything else keeps
    its bytes.
    """
    changed = changed or {}
    removed = removed or set()
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if layout.items_key_line is None:
        head, tail, chunks = [*lines, "items:\n"], [], []
    elif not layout.block or not existing:
        head = lines[: layout.items_key_line] + ["items:\n"]
        end = layout.items_end_line if layout.items_end_line is not None else len(lines)
        tail = lines[max(end, layout.items_key_line + 1) :]
        chunks = [emit_item(i, layout.indent) for i in existing]
    else:
        starts = _chunk_starts(lines, layout)
        end = _block_end(lines, layout)
        head = lines[: starts[0]]
        tail = lines[end:]
        bounds = [*starts, end]
        chunks = ["".join(lines[bounds[i] : bounds[i + 1]]) for i in range(len(starts))]
    kept: list[tuple[tuple, str, str]] = []
    for item, chunk in zip(existing, chunks, strict=True):
        if item.id in removed:
            continue
        if item.id in changed:
            chunk = _update_chunk(chunk, item_fields(changed[item.id]))
        kept.append((item_sort_key(changed.get(item.id, item)), item.id, chunk))
    new_keys = sorted((item_sort_key(i), n) for n, i in enumerate(new))
    new_sorted = [new[n] for _, n in new_keys]
    pieces: list[str | ContentScheduleItem] = []
    order: list[str] = []
    item_lines: list[int] = []
    line = len(head) + 1
    j = 0
    for key, item_id, chunk in kept:
        while j < len(new_sorted) and new_keys[j][0] < key:
            line = _add_new(new_sorted[j], pieces, order, item_lines, line)
            j += 1
        pieces.append(chunk)
        order.append(item_id)
        item_lines.append(line + _dash_offset(chunk))
        line += chunk.count("\n")
    for item in new_sorted[j:]:
        line = _add_new(item, pieces, order, item_lines, line)
    if not pieces and head and head[-1] == "items:\n":
        head = [*head[:-1], "items: []\n"]
    return Written(order, item_lines, head, pieces, tail, layout.indent)


def _add_new(item: ContentScheduleItem, pieces: list, order: list[str], item_lines: list[int], line: int) -> int:
    """Append a new item (emitted when the text is rendered; its dash is its first line)."""
    pieces.append(item)
    order.append(item.id)
    item_lines.append(line)
    return line + emitted_lines(item)


def _dash_offset(chunk: str) -> int:
    for i, line in enumerate(chunk.splitlines()):
        if line.lstrip().startswith("- ") or line.strip() == "-":
            return i
    return 0


def scan_layout(text: str) -> Layout:
    """The layout of a calendar's items block, found by scanning lines (no YAML parse).

    Used when the store already holds the file's items (same content hash):
    the caller checks that the number of item lines equals the number of items.
    """
    layout = Layout()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"items\s*:", line):
            layout.items_key_line = i
            rest = line.split(":", 1)[1].strip()
            if rest and not rest.startswith("#"):
                layout.block = False
                layout.items_end_line = i + 1
                return layout
            break
    if layout.items_key_line is None:
        return layout
    indent = None
    end = len(lines)
    for i in range(layout.items_key_line + 1, len(lines)):
        line = lines[i]
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        ind = len(line) - len(stripped)
        if indent is None:
            if not stripped.startswith("-"):
                end = i
                break
            indent = layout.indent = ind
        if ind < indent or (ind == indent and not stripped.startswith("-")):
            end = i
            break
        if ind == indent:
            layout.item_lines.append(i)
    layout.items_end_line = end
    return layout


def _chunk_starts(lines: list[str], layout: Layout) -> list[int]:
    """Each item's chunk starts at its dash line, or at the comments right above it."""
    starts = []
    floor = layout.items_key_line + 1
    for dash in layout.item_lines:
        s = dash
        while s - 1 >= floor and _is_comment_or_blank(lines[s - 1]):
            s -= 1
        starts.append(s)
        floor = dash + 1
    starts[0] = layout.items_key_line + 1 if starts else starts[0]
    return starts


def _block_end(lines: list[str], layout: Layout) -> int:
    end = min(layout.items_end_line if layout.items_end_line is not None else len(lines), len(lines))
    while (
        end - 1 > layout.item_lines[-1]
        and _is_comment_or_blank(lines[end - 1])
        and not lines[end - 1].startswith((" ", "\t"))
    ):
        end -= 1
    return end


def _is_comment_or_blank(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


def _update_chunk(chunk: str, values: dict) -> str:
    """Rewrite the changed fields of one item's text in place, add new ones, drop removed ones.

    Edits are made on character offsets, last first, so that several changes on
    one line (a flow mapping) or a value on its own line stay correct; every
    other character of the item, comments included, is kept.
    """
    node = yaml.compose(chunk, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.SequenceNode) or not node.value or not isinstance(node.value[0], yaml.MappingNode):
        return emit_fields(values)
    mapping = node.value[0]
    present = {k.value: (k, v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode)}
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) on chunk offsets
    for key, (k, v) in present.items():
        if key not in ITEM_ORDER:
            continue  # a key calcli does not own stays as written
        if key not in values:
            if not mapping.flow_style:
                start = chunk.rfind("\n", 0, k.start_mark.index) + 1
                if chunk[start : k.start_mark.index].strip(" ") == "":
                    stop = chunk.find("\n", max(v.end_mark.index - 1, k.start_mark.index))
                    edits.append((start, len(chunk) if stop < 0 else stop + 1, ""))
            continue
        if isinstance(v, yaml.ScalarNode) and _same_scalar(v, values[key]):
            continue
        if isinstance(v, yaml.SequenceNode) and [getattr(n, "value", None) for n in v.value] == values[key]:
            continue
        end = v.end_mark.index
        if not mapping.flow_style and v.end_mark.column == 0 and end > v.start_mark.index:
            end -= 1  # a block scalar ends after its newline: keep the newline
        edits.append((v.start_mark.index, end, value_text(values[key])))
    missing = [key for key in ITEM_ORDER if key in values and key not in present]
    if missing:
        if mapping.flow_style:
            pos = mapping.end_mark.index - 1  # before the closing brace
            edits.append((pos, pos, "".join(f", {key}: {value_text(values[key])}" for key in missing)))
        else:
            indent = mapping.value[0][0].start_mark.column
            last = mapping.value[-1][1].end_mark
            pos = last.index if last.column == 0 else chunk.find("\n", last.index) + 1 or len(chunk)
            text = "".join(" " * indent + f"{key}: {value_text(values[key])}\n" for key in missing)
            if pos == len(chunk) and not chunk.endswith("\n"):
                text = "\n" + text
            edits.append((pos, pos, text))
    for start, stop, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        chunk = chunk[:start] + text + chunk[stop:]
    return chunk


def _same_scalar(node: yaml.ScalarNode, value) -> bool:
    if isinstance(value, float) and node.tag.endswith(("float", "int")):
        try:
            return float(node.value) == value
        except ValueError:
            return False
    return node.value == (
        value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    )


def blackout_hits(exc: ScheduleException, platform: Platform, local: datetime) -> bool:
    """True when the local wall-clock time falls inside the blackout (overrides block nothing)."""
    if not exc.applies_to(platform):
        return False
    start, end = exc.start, exc.end
    if isinstance(start, datetime):
        s, e, t = start, end, local.replace(tzinfo=None)
        if exc.yearly:
            return _yearly_contains(
                (s.month, s.day, s.time()), (e.month, e.day, e.time()), (t.month, t.day, t.time()), inclusive_end=False
            )
        return s <= t < e
    d = local.date()
    if exc.yearly:
        return _yearly_contains(
            (start.month, start.day, time(0)),
            (end.month, end.day, time(0)),
            (d.month, d.day, time(0)),
            inclusive_end=True,
        )
    return start <= d <= end


def _yearly_contains(s: tuple, e: tuple, t: tuple, inclusive_end: bool) -> bool:
    inside_end = t <= e if inclusive_end else t < e
    if s <= e:
        return s <= t and inside_end
    return t >= s or inside_end  # wraps the new year (Dec 24 .. Jan 2)
