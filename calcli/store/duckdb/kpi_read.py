"""How the KPI import reads an export file: DuckDB's readers, every value as text.

NDJSON is read as lines of text (``read_text``, split at each newline) and each line parsed by
DuckDB's JSON functions, not by ``read_json``: one line that is not a JSON object is then one bad
row, reported by its line while the others load (``read_json`` refuses the whole file, and its
error would abort the import's transaction). Blank lines are skipped and keep their numbers.
"""

from __future__ import annotations

_LINES = (
    "(SELECT generate_subscripts(s, 1) AS n, unnest(s) AS j "
    "FROM (SELECT string_split(content, chr(10)) AS s FROM read_text($path)))"
)
_NONBLANK = "trim(j, chr(32) || chr(9) || chr(13)) <> ''"
_OBJECT = "CASE WHEN json_valid(j) THEN json_type(j) = 'OBJECT' ELSE false END"
INVALID = "_calcli_invalid"  # why a line is no row (NDJSON), beside the file's own columns

READERS = {
    "csv": "read_csv($path, header = true, all_varchar = true)",
    "json": "read_json($path, format = 'array')",
}


def _json_path(key: str) -> str:
    """A SQL literal: the JSONPath of one key, quoted (keys such as ``Video views`` or ``a.b``)."""
    quoted = key.replace("\\", "\\\\").replace('"', '\\"')
    return "'$.\"" + quoted.replace("'", "''") + "\"'"


def quoted(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def ndjson_reader(columns: list[str]) -> str:
    """SQL reading an NDJSON file's lines: its line number ``_line``, :data:`INVALID` (NULL for an
    object) and each of ``columns`` as text."""
    values = ", ".join(f"_v[{n}] AS {quoted(c)}" for n, c in enumerate(columns, 1))
    paths = ", ".join(_json_path(c) for c in columns)
    extract = f"CASE WHEN {_OBJECT} THEN json_extract_string(j, [{paths}]) END" if columns else "NULL"
    invalid = (
        "CASE WHEN NOT json_valid(j) THEN 'not valid JSON (each line of NDJSON is one JSON object)' "
        "WHEN json_type(j) <> 'OBJECT' THEN 'not a JSON object, but ' || lower(json_type(j)) END"
    )
    return (
        f"(SELECT n AS _line, {invalid} AS {INVALID}{', ' if values else ''}{values} "
        f"FROM (SELECT n, j, {extract} AS _v FROM {_LINES} WHERE {_NONBLANK}))"
    )


def reader(kind: str, columns: list[str]) -> str:
    """SQL that reads an export of ``kind`` (csv, json, ndjson); ``columns``: the file's columns it needs."""
    return ndjson_reader(columns) if kind == "ndjson" else READERS[kind]


def columns_of(con, path: str, kind: str) -> list[str]:
    """The column names of an export file, as DuckDB reads them (NDJSON: every key of its objects, in
    the order they first appear)."""
    if kind == "ndjson":
        return [
            k
            for (k,) in con.execute(
                f"SELECT k FROM (SELECT n, unnest(json_keys(j)) AS k FROM {_LINES} WHERE {_NONBLANK} AND {_OBJECT}) "
                "GROUP BY k ORDER BY min(n)",
                {"path": path},
            ).fetchall()
        ]
    return [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM {READERS[kind]} LIMIT 0", {"path": path}).fetchall()]
