"""``calcli schema``: the JSON Schemas of the files calcli reads, for editors and CI."""

from __future__ import annotations

from typing import Annotated

import typer

from calcli.cli.options import FormatOpt, JsonOpt, chosen_format


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def _names(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from calcli.schemas import SCHEMAS

    return [(name, path) for name, (path, _) in SCHEMAS.items() if name.startswith(incomplete)]


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
    from calcli.core.errors import UsageError
    from calcli.schemas import SCHEMAS, schema_text

    if list_ or name is None:
        from calcli.cli.render import emit_rows, resolve_format

        rows = [{"name": n, "file": path, "describes": what} for n, (path, what) in SCHEMAS.items()]
        emit_rows(rows, ["name", "file", "describes"], resolve_format(chosen_format(fmt, as_json)))
        return
    if name not in SCHEMAS:
        raise UsageError(f"no schema {name!r}; the schemas are: {', '.join(SCHEMAS)}.")
    print(schema_text(name), end="")
