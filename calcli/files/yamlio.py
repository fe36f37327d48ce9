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
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from calcli.core.errors import Finding, InvalidInput
from calcli.files.text import load_toml, read_text, write_atomic  # noqa: F401 - also calcli.files.yamlio' own

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

_constructor = yaml.constructor.SafeConstructor()


def compose(path: Path, text: str | None = None) -> yaml.Node:
    """Parse one YAML document into nodes, rejecting custom tags such as ``!!python/object``."""
    if text is None:
        text = read_text(path)
    try:
        nodes = list(yaml.compose_all(text, Loader=Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = (exc.problem or exc.context or "invalid YAML").strip()
        raise InvalidInput(_at(path, mark, f"invalid YAML: {msg}")) from None
    except yaml.YAMLError as exc:
        raise InvalidInput(Finding(str(path), None, None, f"invalid YAML: {exc}")) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise InvalidInput(Finding(str(path), None, None, "file is empty"))
    if len(nodes) > 1:
        raise InvalidInput(_at(path, nodes[1].start_mark, "expected one YAML document, found more"))
    bad = [f for f in _custom_tags(path, nodes[0])]
    if bad:
        raise InvalidInput(bad)
    return nodes[0]


def _custom_tags(path: Path, node: yaml.Node) -> Iterator[Finding]:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.tag not in _STANDARD_TAGS:
            yield _at(path, n.start_mark, f"tag {n.tag!r} is not allowed (calcli never constructs objects from tags)")
            continue
        if isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))


def _at(path: Path | str, mark: Any, message: str) -> Finding:
    if mark is None:
        return Finding(str(path), None, None, message)
    return Finding(str(path), mark.line + 1, mark.column + 1, message)


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class Fields:
    """Typed, validated access to one YAML mapping node; findings go to a shared list.

    >>> f = Fields(Path("cal.yaml"), node, findings, where="calendar")
    >>> tz = f.str("timezone", required=True)
    Every getter returns a Python value or None (after recording a finding).
    """

    def __init__(self, path: Path, node: yaml.Node, findings: list[Finding], where: str = ""):
        self.path = path
        self.node = node
        self.findings = findings
        self.where = where
        self.keys: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"expected a mapping (key: value lines), found {_kind(node)}")
            return
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                self.error(k, "keys must be plain names")
                continue
            if k.value in self.keys:
                self.error(k, f"duplicate key {k.value!r} (first at line {line_of(self.keys[k.value][0])})")
                continue
            self.keys[k.value] = (k, v)

    @property
    def ok(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    def field(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def error(self, node: yaml.Node, message: str, key: str | None = None) -> None:
        prefix = f"{self.field(key)}: " if key else (f"{self.where}: " if self.where else "")
        self.findings.append(_at(self.path, node.start_mark, prefix + message))

    def has(self, key: str) -> bool:
        v = self.keys.get(key)
        return v is not None and not _is_null(v[1])

    def node_of(self, key: str) -> yaml.Node | None:
        v = self.keys.get(key)
        return v[1] if v else None

    def line(self, key: str | None = None) -> int:
        if key and key in self.keys:
            return line_of(self.keys[key][0])
        return line_of(self.node)

    def unknown(self, allowed: set[str] | frozenset[str]) -> None:
        """Record a finding for each key that is not in ``allowed``."""
        for name, (k, _) in self.keys.items():
            if name not in allowed:
                hint = _suggest(name, allowed)
                self.error(k, f"unknown key {name!r}" + (f" (did you mean {hint!r}?)" if hint else ""), None)

    def _get(self, key: str, required: bool) -> yaml.Node | None:
        v = self.keys.get(key)
        if v is None or _is_null(v[1]):
            if required and self.ok:
                self.error(self.node, f"missing required key {key!r}")
            return None
        return v[1]

    def str(
        self,
        key: str,
        required: bool = False,
        default: str | None = None,
        choices: tuple[str, ...] | None = None,
        pattern: str | None = None,
    ) -> str | None:
        node = self._get(key, required)
        if node is None:
            return default
        value = scalar_str(node)
        if value is None:
            self.error(node, _not_a_string(node), key)
            return default
        if choices is not None and value not in choices:
            self.error(node, f"{value!r} is not one of {', '.join(choices)}", key)
            return default
        if pattern is not None and not re.fullmatch(pattern, value):
            self.error(node, f"{value!r} is not a valid value", key)
            return default
        return value

    def number(
        self,
        key: str,
        required: bool = False,
        default: float | None = None,
        integer: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float | int | None:
        node = self._get(key, required)
        if node is None:
            return default
        want = "a whole number" if integer else "a number"
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (INT, FLOAT) or (integer and node.tag != INT):
            self.error(node, f"expected {want}, found {_describe(node)}", key)
            return default
        value = _constructor.construct_object(node)
        if minimum is not None and value < minimum:
            self.error(node, f"{value} is below the minimum {minimum:g}", key)
            return default
        if maximum is not None and value > maximum:
            self.error(node, f"{value} is above the maximum {maximum:g}", key)
            return default
        return value

    def bool(self, key: str, default: bool | None = None) -> bool | None:
        node = self._get(key, False)
        if node is None:
            return default
        if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL:
            self.error(node, f"expected true or false, found {_describe(node)}", key)
            return default
        return bool(_constructor.construct_object(node))

    def date(self, key: str, required: bool = False) -> date | None:
        node = self._get(key, required)
        if node is None:
            return None
        value = parse_date_node(node)
        if value is None:
            self.error(node, f"expected a date YYYY-MM-DD, found {_describe(node)}", key)
        return value

    def list(self, key: str, required: bool = False) -> list[yaml.Node] | None:
        node = self._get(key, required)
        if node is None:
            return None
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"expected a list, found {_describe(node)}", key)
            return None
        return node.value

    def str_list(self, key: str, required: bool = False) -> list[str] | None:
        """A list of strings; a single string is accepted as a one-item list."""
        node = self._get(key, required)
        if node is None:
            return None
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out = []
        for n in items:
            s = scalar_str(n)
            if s is None:
                self.error(n, _not_a_string(n), key)
            else:
                out.append(s)
        return out

    def map(self, key: str, required: bool = False) -> Fields | None:
        node = self._get(key, required)
        if node is None:
            return None
        sub = Fields(self.path, node, self.findings, self.field(key))
        return sub if sub.ok else None

    def convert(self, key: str, fn: Callable[[str], Any], required: bool = False, what: str = "value") -> Any:
        """Read a string and convert it with ``fn``; a ValueError becomes a finding."""
        raw = self.str(key, required)
        if raw is None:
            return None
        try:
            return fn(raw)
        except (ValueError, TypeError) as exc:
            self.error(self.keys[key][1], f"invalid {what}: {exc}", key)
            return None


def scalar_str(node: yaml.Node) -> str | None:
    """The node's text when it was meant as a string (quoted, or plain and read as str)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.tag == STR:
        return node.value
    return None


def parse_date_node(node: yaml.Node) -> date | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag not in (STR, TIMESTAMP):
        return None
    try:
        return date.fromisoformat(node.value.strip())
    except ValueError:
        return None


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _describe(node)


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = node.tag
    if tag == STR:
        return f"the text {node.value!r}"
    if tag == NULL:
        return "nothing (null)"
    if tag == BOOL:
        return f"{node.value!r} (read as {str(_constructor.construct_object(node)).lower()})"
    return f"{node.value!r}"


def _not_a_string(node: yaml.Node) -> str:
    """Explain the YAML 1.1 traps: a value meant as text that YAML read as something else."""
    if not isinstance(node, yaml.ScalarNode):
        return f"expected text, found {_kind(node)}"
    raw = node.value
    if node.tag == INT and ":" in raw:
        number = _constructor.construct_object(node)
        return f'{raw} was read as the number {number} (YAML 1.1 reads HH:MM as base 60); quote it: "{raw}"'
    if node.tag in (INT, FLOAT):
        return f'{raw} was read as a number; quote it if it is text: "{raw}"'
    if node.tag == BOOL:
        value = str(_constructor.construct_object(node)).lower()
        return f'{raw} was read as {value} (YAML 1.1 boolean); quote it: "{raw}"'
    if node.tag == TIMESTAMP:
        return f'{raw} was read as a date; quote it where text is meant: "{raw}"'
    if node.tag == NULL:
        return "expected text, found nothing (null)"
    return f"expected text, found {raw!r}"


def _suggest(name: str, allowed: set[str] | frozenset[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.75)
    return found[0] if found else None


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
