"""``calcli kpi import``: performance numbers into the store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from calcli import analytics
from calcli.cli.context import env, find_project
from calcli.cli.options import DryRunOpt, FormatOpt, JsonOpt, UserOpt, command_group, output_format
from calcli.cli.progress import progress
from calcli.cli.render import emit_rows
from calcli.core.errors import ExitStatus, shown_path

kpi_app = command_group(
    "Performance numbers (KPI events) from platform exports.\n\nExample: calcli kpi import exports/youtube.csv"
)

SHOWN_REJECTS = 20
REPORT_COLUMNS = ["file", "layout", "rows", "added", "updated", "unlinked", "rejected"]


def register(app: typer.Typer) -> None:
    app.add_typer(kpi_app, name="kpi")


@kpi_app.command("import")
def kpi_import(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="CSV, JSON or NDJSON exports.")],
    layout: Annotated[
        str | None,
        typer.Option(
            "--layout",
            help="The export layout (default: detected from the header): canonical, youtube-studio, tiktok-studio, …",
        ),
    ] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="The platform of rows that do not say.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The snapshot time of rows without one (ISO 8601 with offset).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Load nothing when any row is bad (exit 3).")] = False,
    dry_run: DryRunOpt = False,
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load performance numbers; each row is one post's numbers at one moment.

    Rows link to schedule items by item_id, or by platform and the post id or URL that dispatch
    recorded. Importing a file again adds nothing; a later snapshot of a post updates its numbers.
    Bad rows are reported by line; the good ones load and the exit code is 5 — with --strict
    nothing loads and the exit code is 3. --dry-run writes nothing and exits as the import would.

    Example: calcli kpi import exports/tiktok.csv --platform tiktok
    """
    e = env(ctx)
    label = f"Importing {files[0].name}" if len(files) == 1 else f"Importing {len(files)} files"
    with progress(e.quiet, label, len(files)) as advance:
        reports = analytics.kpi.import_kpis(
            find_project(e), files, user, layout, platform, as_of, strict, dry_run, on_file=advance
        )
    emit_rows(_report_rows(reports), REPORT_COLUMNS, output_format(fmt, as_json))
    bad = _report_bad_rows(e, reports)
    if dry_run:
        e.messages.info("Dry run: nothing was written.")
    # A dry run exits as the same import would: the same code for the same finding.
    if bad and strict:
        e.messages.info("--strict: nothing was written.")
        raise typer.Exit(int(ExitStatus.INVALID))
    if bad:
        raise typer.Exit(int(ExitStatus.TROUBLE))


def _report_rows(reports) -> list[dict]:
    """One row per file: its layout and what its rows did."""
    return [
        {
            "file": shown_path(r.path),
            "layout": r.layout,
            "rows": r.result.rows,
            "added": r.result.added,
            "updated": r.result.updated,
            "unlinked": r.result.unlinked,
            "rejected": r.result.rejected_count,
        }
        for r in reports
    ]


def _report_bad_rows(e, reports) -> int:
    """Print each file's first bad rows and warn of rows that match no item; how many rows were bad."""
    bad = 0
    for r in reports:
        for line, reason in r.result.rejected[:SHOWN_REJECTS]:
            print(f"Error: {shown_path(r.path)}:{line}: {reason}", file=sys.stderr)
        if r.result.rejected_count > SHOWN_REJECTS:
            more = r.result.rejected_count - SHOWN_REJECTS
            print(f"Error: {shown_path(r.path)}: … and {more} more bad rows", file=sys.stderr)
        bad += r.result.rejected_count
        if r.result.unlinked:
            e.messages.warn(
                f"{shown_path(r.path)}: {r.result.unlinked} row(s) match no schedule item of yours "
                "(kept; left out of timing analysis until an item carries that post id or URL)"
            )
    return bad
