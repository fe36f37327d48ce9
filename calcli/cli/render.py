"""All output formatting: TSV, CSV, JSON, NDJSON, and tables (drawn by :mod:`calcli.cli.tables`, which
knows Rich and is loaded only when a table is drawn)."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from calcli import cli
from calcli.core.errors import UsageError

FORMATS = ("table", "tsv", "csv", "json", "ndjson")


@dataclass
class Shaping:
    """The common output options of one run (``--limit``, ``--columns``, ``--no-header``) and the
    configured default format (``CALCLI_FORMAT``, calcli.toml, the user config); set once per run by
    :mod:`calcli.cli.common`, read by every emit function."""

    limit: int | None = None
    columns: list[str] | None = None
    header: bool = True
    default_format: str | None = None
    checked: bool = False  # the first table of a run checks --columns; later ones (a second table) only pick


shaping = Shaping()


def reset(**kwargs) -> Shaping:
    """A fresh :class:`Shaping` for a run."""
    global shaping
    shaping = Shaping(**kwargs)
    return shaping


def resolve_format(fmt: str | None, stream=None) -> str:
    """The explicit ``--format``, else the configured default, else a table on a terminal and TSV when piped."""
    if fmt:
        return fmt
    if shaping.default_format:
        return shaping.default_format
    stream = stream or sys.stdout
    return "table" if is_terminal(stream) else "tsv"


def shaped_columns(columns: list[str]) -> list[str]:
    """``columns`` as ``--columns`` picks them (in its order); an unknown one is a usage error."""
    wanted = shaping.columns
    if not wanted:
        return columns
    unknown = [c for c in wanted if c not in columns]
    if unknown and not shaping.checked:
        raise UsageError(f"--columns: no column {unknown[0]!r} here (the columns: {', '.join(columns)}).")
    shaping.checked = True
    return [c for c in wanted if c in columns]


def shaped_rows(rows: list) -> list:
    return rows if shaping.limit is None else rows[: shaping.limit]


def shaped_document(document: Any) -> Any:
    """A JSON document as --limit and --columns shape it: a list is cut, a list of objects (or one
    object) keeps the picked keys; an object's lists are cut each."""
    if isinstance(document, list):
        document = shaped_rows(document)
        if shaping.columns and document and all(isinstance(r, dict) for r in document):
            keys = shaped_columns(list(dict.fromkeys(k for r in document for k in r)))
            document = [{k: r.get(k) for k in keys} for r in document]
    elif isinstance(document, dict):
        if shaping.columns:
            document = {k: document[k] for k in shaped_columns(list(document))}
        if shaping.limit is not None:  # one document of several lists: each list cut
            document = {k: shaped_rows(v) if isinstance(v, list) else v for k, v in document.items()}
    return document


def shaping_active() -> bool:
    """Whether --limit or --columns asks for a cut (then a command with a fast JSON path takes the general one)."""
    return shaping.limit is not None or bool(shaping.columns)


def is_terminal(stream) -> bool:
    """Whether ``stream`` is a terminal (False for anything that cannot say)."""
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
    emit_json_text(json.dumps(shaped_document(document), ensure_ascii=False, default=_default), out)


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
    """Print ``rows`` (dicts) in ``fmt``; ``columns`` fixes the order (``--columns`` picks, ``--limit`` cuts,
    ``--no-header`` drops the TSV/CSV header line)."""
    out = out or sys.stdout
    columns, rows = shaped_columns(columns), shaped_rows(rows)
    if fmt == "json":
        text = json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, default=_default)
        emit_json_text(text, out)
    elif fmt == "ndjson":
        for r in rows:
            out.write(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False, default=_default) + "\n")
    elif fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        if shaping.header:
            w.writerow(columns)
        for r in rows:
            w.writerow([cell(r.get(c)) for c in columns])
    elif fmt == "tsv":
        if shaping.header:
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
