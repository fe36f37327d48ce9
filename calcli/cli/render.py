"""All output formatting: TSV, CSV, JSON, NDJSON, and tables (drawn by :mod:`calcli.cli.tables`, which
knows Rich and is loaded only when a table is drawn)."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from enum import Enum
from typing import Any

from calcli import cli

FORMATS = ("table", "tsv", "csv", "json", "ndjson")


def resolve_format(fmt: str | None, stream=None) -> str:
    """The explicit ``--format``, else a table on a terminal and TSV when piped."""
    if fmt:
        return fmt
    stream = stream or sys.stdout
    return "table" if _isatty(stream) else "tsv"


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _scalar(value: Any) -> Any:
    """A value as output shows it: ISO 8601 datetimes with their offset, enums by value."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def cell(value: Any) -> str:
    """One table/TSV/CSV cell."""
    v = _scalar(value)
    if v is None:
        return ""
    if isinstance(v, list | tuple | set | frozenset):
        return ",".join(cell(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _default(value: Any) -> Any:
    """JSON for what json cannot write by itself (the same conversions as a cell)."""
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    v = _scalar(value)
    if v is value:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return v


def emit_json(document: Any, out=None) -> None:
    """One JSON document. Indented when small; compact (and fast) when large."""
    emit_json_text(json.dumps(document, ensure_ascii=False, default=_default), out)


def emit_json_text(text: str, out=None) -> None:
    """A compact JSON text (``json.dumps``' default separators), printed as :func:`emit_json` prints."""
    if len(text) < 200_000:
        text = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    (out or sys.stdout).write(text + "\n")


def emit_rows(
    rows: list[dict],
    columns: list[str],
    fmt: str,
    title: str | None = None,
    out=None,
    styles: dict[str, Any] | None = None,
) -> None:
    """Print ``rows`` (dicts) in ``fmt``; ``columns`` fixes the order."""
    out = out or sys.stdout
    if fmt == "json":
        emit_json([{c: r.get(c) for c in columns} for r in rows], out)
    elif fmt == "ndjson":
        for r in rows:
            out.write(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False, default=_default) + "\n")
    elif fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([cell(r.get(c)) for c in columns])
    elif fmt == "tsv":
        out.write("\t".join(columns) + "\n")
        for r in rows:
            out.write("\t".join(_tsv(cell(r.get(c))) for c in columns) + "\n")
    else:
        _table(rows, columns, title, out)


def _tsv(s: str) -> str:
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _table(rows: list[dict], columns: list[str], title: str | None, out) -> None:
    texts = [[_table_text(r.get(c)) for c in columns] for r in rows]
    cli.tables.rows_table(columns, [_numeric(rows, c) for c in columns], texts, title, out)


def _table_text(value: Any) -> str:
    """A table cell: datetimes with their weekday, the rest as in TSV."""
    return value.strftime("%Y-%m-%d %a %H:%M %z") if isinstance(value, datetime) else cell(value)


def _numeric(rows: list[dict], col: str) -> bool:
    vals = [r.get(col) for r in rows if r.get(col) is not None]
    return bool(vals) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals)


class Messages:
    """Messages, warnings and errors, always to stderr; ``--quiet`` keeps only errors."""

    def __init__(self, quiet: bool = False, err=None):
        self.quiet = quiet
        self.err = err

    @property
    def stream(self):
        return self.err or sys.stderr

    def info(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream)

    def warn(self, text: str) -> None:
        if not self.quiet:
            print(f"Warning: {text}", file=self.stream)

    def error(self, text: str) -> None:
        print(f"Error: {text}", file=self.stream)
