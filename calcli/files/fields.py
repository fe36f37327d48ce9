"""Typed, validated access to YAML mapping nodes, every problem a finding with its line and column."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from calcli.core.errors import Finding
from calcli.files.yamlio import BOOL, FLOAT, INT, NULL, STR, TIMESTAMP, finding_at, line_of

_constructor = yaml.constructor.SafeConstructor()


class Keys:
    """One YAML mapping node's keys (each once), and where its findings go (a shared list)."""

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
        self.findings.append(finding_at(self.path, node.start_mark, prefix + message))

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
                hint = suggest(name, allowed)
                self.error(k, f"unknown key {name!r}" + (f" (did you mean {hint!r}?)" if hint else ""), None)

    def _get(self, key: str, required: bool) -> yaml.Node | None:
        v = self.keys.get(key)
        if v is None or _is_null(v[1]):
            if required and self.ok:
                self.error(self.node, f"missing required key {key!r}")
            return None
        return v[1]


class Fields(Keys):
    """Typed, validated access to one YAML mapping node; findings go to a shared list.

    >>> f = Fields(Path("cal.yaml"), node, findings, where="calendar")
    >>> tz = f.str("timezone", required=True)
    Every getter returns a Python value or None (after recording a finding).
    """

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


def suggest(name: str, allowed) -> str | None:
    """The allowed name closest to a misspelt one (``timezon`` -> ``timezone``), if any is close."""
    found = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.75)
    return found[0] if found else None
