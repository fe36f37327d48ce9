"""Tables drawn with Rich for a terminal: the console, the rows table, the preview's side-by-side.

The only cli module (with :mod:`calcli.cli.grids`) that imports Rich, which costs a run that pipes its
output; so it is reached lazily, as ``cli.tables`` (see calcli.core.lazy), never imported at the top
of a module that every run loads.
"""

from __future__ import annotations

import os

from rich.console import Console
from rich.markup import escape
from rich.table import Table

PLATFORM_COLOURS = {
    "youtube": "red",
    "tiktok": "cyan",
    "instagram": "magenta",
    "x": "white",
    "linkedin": "blue",
    "facebook": "bright_blue",
}
STATUS_COLOURS = {
    "planned": "yellow",
    "scheduled": "green",
    "posted": "bold green",
    "failed": "bold red",
    "canceled": "dim",
}


def console(out=None, stderr: bool = False) -> Console:
    return Console(
        file=out, stderr=stderr, highlight=False, soft_wrap=False, no_color=bool(os.environ.get("NO_COLOR")) or None
    )


def rows_table(columns: list[str], numeric: list[bool], texts: list[list[str]], title: str | None, out) -> None:
    """Rows of cell texts under ``columns`` (right-aligned where ``numeric``); platforms and statuses in colour."""
    con = console(out)
    table = Table(title=title, header_style="bold", box=None, pad_edge=False)
    for c, right in zip(columns, numeric, strict=True):
        table.add_column(c, overflow="fold", justify="right" if right else "left")
    for row in texts:
        table.add_row(*[_coloured(c, text) for c, text in zip(columns, row, strict=True)])
    con.print(table)


def _coloured(column: str, text: str) -> str:
    colour = None
    if column == "platform":
        colour = PLATFORM_COLOURS.get(text)
    elif column == "status":
        colour = STATUS_COLOURS.get(text)
    return f"[{colour}]{escape(text)}[/]" if colour else escape(text)


def side_by_side(rows: list[dict]) -> None:
    """One column per platform, one row per field: the text, then `length/limit (room left)`."""
    columns = list(dict.fromkeys(r["platform"] for r in rows))
    fields = list(dict.fromkeys(r["field"] if r["field"] != "description" else "caption" for r in rows))
    table = Table(show_lines=True)
    table.add_column("")
    for p in columns:
        table.add_column(p, style=PLATFORM_COLOURS.get(p), overflow="fold")
    by = {(r["platform"], r["field"] if r["field"] != "description" else "caption"): r for r in rows}
    for f in fields:
        table.add_row(f, *[_budget_cell(by.get((p, f))) for p in columns])
    console().print(table)


def _budget_cell(r: dict | None) -> str:
    """A field's text, then its length against the limit and the room left (red when over)."""
    if r is None:
        return ""
    budget = (
        ""
        if r["limit"] is None
        else f"\n[dim]{r['length']}/{r['limit']} {r['counted']}, "
        f"{'[red]' if r['room'] < 0 else ''}{r['room']} left{'[/red]' if r['room'] < 0 else ''}[/dim]"
    )
    return escape(r["text"]) + budget
