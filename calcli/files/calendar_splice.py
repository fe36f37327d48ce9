"""Surgical rewrites of a calendar's items block: existing items keep their bytes, new ones go in time order."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import yaml

from calcli.core.model import (
    ContentScheduleItem,
)
from calcli.files.calendar import ITEM_ORDER, Layout
from calcli.files.calendar_emit import emit_fields, emit_item, emitted_lines, item_fields, item_sort_key, value_text


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
    head, chunks, tail = _cut(text, layout, existing)
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


def _cut(text: str, layout: Layout, existing: list[ContentScheduleItem]) -> tuple[list[str], list[str], list[str]]:
    """The text's lines before the items, each existing item's chunk (its lines, comments above
    included), and the lines after the items block."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if layout.items_key_line is None:
        return [*lines, "items:\n"], [], []
    if not layout.block or not existing:
        end = layout.items_end_line if layout.items_end_line is not None else len(lines)
        chunks = [emit_item(i, layout.indent) for i in existing]
        return lines[: layout.items_key_line] + ["items:\n"], chunks, lines[max(end, layout.items_key_line + 1) :]
    starts = _chunk_starts(lines, layout)
    end = _block_end(lines, layout)
    bounds = [*starts, end]
    chunks = ["".join(lines[bounds[i] : bounds[i + 1]]) for i in range(len(starts))]
    return lines[: starts[0]], chunks, lines[end:]


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
