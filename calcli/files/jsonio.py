"""JSON documents with file:line findings, and the line of any value (for bulk.json findings)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from calcli.core.errors import Finding, InvalidInput
from calcli.files.text import load_toml, read_text, write_atomic  # noqa: F401 - also calcli.files.yamlio' own
from calcli.files.yamlio import Loader


def load_json(path: Path) -> tuple[Any, str]:
    """A JSON document and its text (for :func:`json_lines`, when line numbers are needed)."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(Finding(str(path), exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")) from None
    return data, text


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def json_lines(text: str, paths: list[tuple]) -> list[int]:
    """The line of each key path's value in a JSON text, as the YAML node tree of the text places it.

    A path is a tuple of mapping keys (str) and list indexes (int). Where a path leads nowhere, its
    line is that of the last value on the way that exists; of duplicate keys the first counts; and
    every line is 1 when YAML cannot read the text. The text is read as YAML events, not composed into
    nodes: on a large file that is a fifth of the time, and only the values on the paths are kept.
    """
    found = _json_value_lines(text, {path[:n] for path in paths for n in range(len(path) + 1)})
    if found is None:
        return [1] * len(paths)
    lines = []
    for path in paths:
        line = found[()]
        for n in range(1, len(path) + 1):
            if path[:n] not in found:
                break
            line = found[path[:n]]
        lines.append(line)
    return lines


def _json_value_lines(text: str, wanted: set[tuple]) -> dict[tuple, int] | None:
    """Line of each value whose path is in ``wanted`` (closed under prefixes); None when YAML fails."""
    # Surrogate escapes (an emoji as "\\ud83d\\ude80") are valid JSON but not YAML;
    # line numbers do not depend on them.
    text = _SURROGATE_ESCAPE.sub(r"\\u0020", text.replace("\t", " "))
    found: dict[tuple, int] = {}
    # One frame per open mapping or list: [its path, is a mapping, next index or key, expects a key,
    # skipped]. A skipped subtree (no wanted path in it, or a duplicate key's) is only counted through.
    stack: list[list] = []
    try:
        for event in yaml.parse(text, Loader=Loader):
            kind = type(event)
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
                continue
            if kind is yaml.DocumentEndEvent:
                break  # the first document only, as json.loads read it
            if (
                kind is not yaml.ScalarEvent
                and kind is not yaml.MappingStartEvent
                and kind is not yaml.SequenceStartEvent
            ):
                continue  # stream and document starts (an alias cannot be JSON)
            skip = False
            if not stack:
                path = ()
            else:
                top = stack[-1]
                if top[4]:
                    skip = True
                elif top[1] and top[3]:  # a key: its value comes next
                    top[2] = event.value if kind is yaml.ScalarEvent else None
                    top[3] = False
                    skip = True
                else:
                    path = (*top[0], top[2])
                    if top[1]:
                        top[3] = True
                    else:
                        top[2] += 1
            if not skip:
                if path in wanted and path not in found:
                    found[path] = event.start_mark.line + 1
                else:
                    skip = True
            if kind is not yaml.ScalarEvent:
                stack.append([None if skip else path, kind is yaml.MappingStartEvent, 0, True, skip])
    except yaml.YAMLError:
        return None
    return found if () in found else None
