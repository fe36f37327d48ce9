"""``calcli schema``: the JSON Schemas of the files calcli reads, for editors and CI."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from calcli import schemas
from calcli.cli.options import FormatOpt, JsonOpt, chosen_format, output_format
from calcli.cli.render import emit_rows
from calcli.core.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def _names(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return [(name, path) for name, (path, _) in schemas.SCHEMAS.items() if name.startswith(incomplete)]


def schema(
    name: Annotated[
        str | None,
        typer.Argument(
            help="The schema to print: calendar, preferences, timing, learned, limits, kpi-layouts, config, bulk.",
            autocompletion=_names,
        ),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", "-l", help="List the schemas and the file each describes.")] = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the JSON Schema (draft 2020-12) of a file calcli reads; alone, list them.

    The schema is JSON (piped too); --format ndjson prints it on one line, --format tsv|csv|table
    one row per field (field, type, required, description).

    Point your editor's YAML language server at them for completion and checks
    as you type (docs/editors.md); `calcli check` stays the full validation.

    Example: mkdir -p .calcli/schemas && calcli schema calendar > .calcli/schemas/calendar.json
    """
    if list_ or name is None:
        rows = [{"name": n, "file": path, "describes": what} for n, (path, what) in schemas.SCHEMAS.items()]
        emit_rows(rows, ["name", "file", "describes"], output_format(fmt, as_json))
        return
    if name not in schemas.SCHEMAS:
        raise UsageError(f"no schema {name!r}; the schemas are: {', '.join(schemas.SCHEMAS)}.")
    chosen = chosen_format(fmt, as_json)
    if chosen in (None, "json"):  # `calcli schema NAME > NAME.json`: the schema file itself, piped or not
        print(schemas.schema_text(name), end="")
    elif chosen == "ndjson":  # one document: the schema on one line
        print(json.dumps(json.loads(schemas.schema_text(name)), ensure_ascii=False, separators=(",", ":")))
    else:  # one row per field of the file: where it is, what it holds
        rows = list(_fields(json.loads(schemas.schema_text(name))))
        emit_rows(rows, ["field", "type", "required", "description"], chosen)


def _fields(node: dict, path: str = "", required: bool = False):
    """(field, type, required, description) of every property under ``node``, depth first."""
    if path:
        yield {
            "field": path,
            "type": _type(node),
            "required": required,
            "description": node.get("description", ""),
        }
    needed = set(node.get("required", []))
    for key, sub in (node.get("properties") or {}).items():
        if isinstance(sub, dict):
            yield from _fields(sub, f"{path}.{key}" if path else key, key in needed)
    items = node.get("items")
    if isinstance(items, dict) and items.get("properties"):
        yield from _fields({"properties": items["properties"], "required": items.get("required", [])}, f"{path}[]")


def _type(node: dict) -> str:
    if "enum" in node:
        return "one of " + ", ".join(str(v) for v in node["enum"])
    if "$ref" in node:
        return node["$ref"].rpartition("/")[2]
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind is None and ("anyOf" in node or "oneOf" in node):
        return " or ".join(_type(n) for n in node.get("anyOf", node.get("oneOf", [])))
    return kind or ""
