"""Edits of a calendar file's header and blackouts list, found by scanning, everything else kept."""

from __future__ import annotations

import re

import yaml

from calcli.core.errors import UsageError
from calcli.core.model import ScheduleException
from calcli.files.calendar_emit import emit_exception
from calcli.files.yamlio import scalar

_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*)\s*:")


def top_level_blocks(text: str) -> dict[str, tuple[int, int]]:
    """Each top-level key's lines ``[start, end)`` (0-based), found by scanning, not parsing."""
    lines = text.splitlines(keepends=True)
    starts = []
    for i, line in enumerate(lines):
        m = _TOP_KEY.match(line)
        if m:
            starts.append((m[1], i))
    out = {}
    for n, (key, start) in enumerate(starts):
        end = starts[n + 1][1] if n + 1 < len(starts) else len(lines)
        while end - 1 > start and lines[end - 1].strip().startswith("#"):
            end -= 1  # comments right above the next key belong to it
        out.setdefault(key, (start, end))
    return out


def _insert_before_items(lines: list[str], blocks: dict, text: str) -> list[str]:
    at = blocks["items"][0] if "items" in blocks else len(lines)
    return lines[:at] + [text] + lines[at:]


def set_header(text: str, key: str, value: object) -> str:
    """Set a top-level scalar key, keeping everything else (an inline comment too)."""
    lines = text.splitlines(keepends=True)
    blocks = top_level_blocks(text)
    if key not in blocks:
        return "".join(_insert_before_items(lines, blocks, f"{key}: {scalar(value)}\n"))
    start, end = blocks[key]
    segment = "".join(lines[start:end])
    node = yaml.compose(segment, Loader=yaml.SafeLoader)
    v = node.value[0][1]
    new = segment[: v.start_mark.index] + scalar(value) + segment[v.end_mark.index :]
    return "".join(lines[:start]) + new + "".join(lines[end:])


def add_blackouts(text: str, exceptions: list[ScheduleException]) -> str:
    """Append blackout entries to the ``blackouts:`` list (made when missing)."""
    lines = text.splitlines(keepends=True)
    blocks = top_level_blocks(text)
    if "blackouts" not in blocks:
        entries = "".join(emit_exception(e) for e in exceptions)
        return "".join(_insert_before_items(lines, blocks, "blackouts:\n" + entries))
    start, end = blocks["blackouts"]
    segment = "".join(lines[start:end])
    node = yaml.compose(segment, Loader=yaml.SafeLoader)
    seq = node.value[0][1]
    if not isinstance(seq, yaml.SequenceNode) or seq.flow_style or not seq.value:
        entries = "".join(emit_exception(e) for e in exceptions)
        key_line = lines[start].split(":", 1)[0]
        return "".join(lines[:start]) + f"{key_line}:\n" + entries + "".join(lines[end:])
    indent = seq.start_mark.column
    entries = "".join(" " * indent + emit_exception(e).lstrip(" ") for e in exceptions)
    last = seq.value[-1].end_mark
    cut = last.index if last.column == 0 else (segment.find("\n", last.index) + 1 or len(segment))
    return "".join(lines[:start]) + segment[:cut] + entries + segment[cut:] + "".join(lines[end:])


def remove_blackouts(text: str, ids: set[str]) -> str:
    """Drop the blackout entries with these ids; their comments above go with them."""
    lines = text.splitlines(keepends=True)
    blocks = top_level_blocks(text)
    if "blackouts" not in blocks:
        return text
    start, end = blocks["blackouts"]
    segment = "".join(lines[start:end])
    node = yaml.compose(segment, Loader=yaml.SafeLoader)
    seq = node.value[0][1]
    if not isinstance(seq, yaml.SequenceNode):
        return text
    cuts = []
    for entry in seq.value:
        if not isinstance(entry, yaml.MappingNode):
            continue
        eid = next((v.value for k, v in entry.value if getattr(k, "value", None) == "id"), None)
        if eid in ids:
            if seq.flow_style:
                raise UsageError(
                    "blackouts written as one flow list cannot be edited by calcli.",
                    "Write them one per line (`- {id: …}`).",
                )
            a = segment.rfind("\n", 0, entry.start_mark.index) + 1
            b = entry.end_mark.index
            b = b if entry.end_mark.column == 0 else (segment.find("\n", b) + 1 or len(segment))
            cuts.append((a, b))
    for a, b in sorted(cuts, reverse=True):
        segment = segment[:a] + segment[b:]
    if cuts and len(cuts) == len(seq.value):
        key_line = segment.split(":", 1)[0]
        segment = f"{key_line}: []\n" + segment[segment.find("\n") + 1 :] if "\n" in segment else f"{key_line}: []\n"
    return "".join(lines[:start]) + segment + "".join(lines[end:])
