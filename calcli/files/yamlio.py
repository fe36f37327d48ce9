"""YAML/JSON/TOML reading with file:line:column findings, and atomic writes.

Loading composes the YAML into nodes (libyaml when present) and never
constructs objects from tags: only the standard scalar, sequence and mapping
tags are accepted. Values are read through :class:`Fields`, which knows the
YAML 1.1 traps (``12:30`` is a number, ``no`` is false, an unquoted date is a
date) and reports each problem with its line and column, collecting every
finding of a file before failing.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from calcli.core.errors import Finding, InvalidInput
from calcli.files.text import read_text

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
_STANDARD_TAGS = {STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, SEQ, MAP}


def compose(path: Path, text: str | None = None) -> yaml.Node:
    """Parse one YAML document into nodes, rejecting custom tags such as ``!!python/object``."""
    if text is None:
        text = read_text(path)
    try:
        nodes = list(yaml.compose_all(text, Loader=Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = (exc.problem or exc.context or "invalid YAML").strip()
        raise InvalidInput(finding_at(path, mark, f"invalid YAML: {msg}")) from None
    except yaml.YAMLError as exc:
        raise InvalidInput(Finding(str(path), None, None, f"invalid YAML: {exc}")) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise InvalidInput(Finding(str(path), None, None, "file is empty"))
    if len(nodes) > 1:
        raise InvalidInput(finding_at(path, nodes[1].start_mark, "expected one YAML document, found more"))
    bad = _checked_nodes(path, nodes[0]) if _MAYBE_TAG_OR_ANCHOR.search(text) else []
    if bad:
        raise InvalidInput(bad)
    return nodes[0]


# Where a tag (``!x``) or an anchor (``&a``, without which no alias ``*a`` composes) could begin: at a
# line's start or after a space or an indicator. Text with neither (``Q&A`` inside a title is neither)
# holds only standard tags and no alias, so the node walk below is skipped: a third of check's work
# on a big calendar. Text with one is walked in full; a false alarm costs only time.
_MAYBE_TAG_OR_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:?-])[!&]", re.MULTILINE)


# How many more values aliases may add to a document than it holds (a billion-laughs file adds billions).
ALIAS_EXPANSION_LIMIT = 100_000


def _checked_nodes(path: Path, root: yaml.Node) -> list[Finding]:
    """Custom tags, a node that contains itself, and aliases that expand the document beyond
    :data:`ALIAS_EXPANSION_LIMIT`: each node is looked at once, however often it is reused."""
    order: list[yaml.Node] = []  # each node once, parents before children
    seen: set[int] = set()
    shared: list[yaml.Node] = []
    bad: list[Finding] = []
    stack = [root]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            shared.append(n)
            continue
        seen.add(id(n))
        order.append(n)
        if n.tag not in _STANDARD_TAGS:
            msg = f"tag {n.tag!r} is not allowed (calcli never constructs objects from tags)"
            bad.append(finding_at(path, n.start_mark, msg))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(reversed(n.value))
        elif isinstance(n, yaml.MappingNode):
            stack.extend(x for k, v in reversed(n.value) for x in (v, k))
    if bad or not shared:
        return bad
    expanded = _expanded_size(root)
    if expanded is None:
        return [finding_at(path, shared[0].start_mark, "an alias refers to a value that contains it (a loop)")]
    if expanded - len(order) > ALIAS_EXPANSION_LIMIT:
        first = min(shared, key=lambda n: (n.start_mark.line, n.start_mark.column))
        return [
            finding_at(
                path,
                first.start_mark,
                f"aliases expand this document to {expanded:,} values, {expanded - len(order):,} more than it "
                f"holds (at most {ALIAS_EXPANSION_LIMIT:,}); write the values out instead of reusing anchors",
            )
        ]
    return []


def _expanded_size(root: yaml.Node) -> int | None:
    """How many values the document holds with every alias written out; None when a node contains itself."""
    size: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        n, done = stack.pop()
        if done:
            children = n.value if isinstance(n, yaml.SequenceNode) else [x for kv in n.value for x in kv]
            size[id(n)] = 1 + sum(size[id(c)] for c in children)
            active.discard(id(n))
            continue
        if id(n) in size:
            continue
        if id(n) in active:
            return None
        if not isinstance(n, yaml.SequenceNode | yaml.MappingNode):
            size[id(n)] = 1
            continue
        active.add(id(n))
        stack.append((n, True))
        children = n.value if isinstance(n, yaml.SequenceNode) else [x for kv in n.value for x in kv]
        stack.extend((c, False) for c in children if id(c) not in size)
    return size[id(root)]


def finding_at(path: Path | str, mark: Any, message: str) -> Finding:
    if mark is None:
        return Finding(str(path), None, None, message)
    return Finding(str(path), mark.line + 1, mark.column + 1, message)


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./@+-]*\Z")
_resolver = yaml.resolver.Resolver()


# Characters JSON leaves raw but YAML refuses or reads as line breaks: DEL, C1 controls
# (NEL among them), the line/paragraph separators, non-characters and lone surrogates.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")


def _escape_char(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


_WORDS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null"})


def _plain_safe(s: str) -> bool:
    if not _PLAIN.match(s):
        return False
    if (s[0].isalpha() or s[0] == "_") and s.lower() not in _WORDS:
        return True  # only numbers, booleans, null and dates resolve to other tags, and none starts so
    return _resolver.resolve(yaml.ScalarNode, s, (True, False)) == STR


_PLAIN_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_./@+-]*\Z")  # _PLAIN starting with a letter or _


def scalar(value: Any) -> str:
    """One YAML scalar in calcli's canonical style: plain where safe, else double-quoted."""
    if type(value) is str:
        if _PLAIN_WORD.match(value) and (len(value) > 5 or value.lower() not in _WORDS):
            return value  # the common case, decided as _plain_safe decides it
        if _plain_safe(value):
            return value
        if value.isprintable() and '"' not in value and "\\" not in value:
            return '"' + value + '"'  # a YAML double-quoted scalar needs no escapes here
        return _YAML_UNSAFE.sub(_escape_char, json.dumps(value, ensure_ascii=False))
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(round(value, 4))
    if isinstance(value, datetime | date):
        return '"' + value.isoformat() + '"'
    return scalar(str(value))


def flow_list(values: list[Any]) -> str:
    return "[" + ", ".join(scalar(v) for v in values) + "]"
