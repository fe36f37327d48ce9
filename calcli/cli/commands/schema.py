"""``calcli schema``: the JSON Schemas of the files calcli reads, for editors and CI."""

from __future__ import annotations

from typing import Annotated

import typer

from calcli import schemas
from calcli.cli.options import FormatOpt, JsonOpt, output_format
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
    print(schemas.schema_text(name), end="")
