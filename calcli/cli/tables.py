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


# Columns of free text: on an 80-column terminal they are cut with an ellipsis so the others
# (ids above all, which a person copies) stay whole on one line.
TEXT_COLUMNS = frozenset(
    {"title", "caption", "notes", "note", "reason", "message", "description", "why", "text", "evidence", "detail"}
)
ID_COLUMNS = frozenset({"id", "item", "item_id", "key", "video_job_id", "video", "bulk_job_id", "trial", "run"})


def console(out=None, stderr: bool = False) -> Console:
    return Console(
        file=out, stderr=stderr, highlight=False, soft_wrap=False, no_color=bool(os.environ.get("NO_COLOR")) or None
    )


def rows_table(columns: list[str], numeric: list[bool], texts: list[list[str]], title: str | None, out) -> None:
    """Rows of cell texts under ``columns`` (right-aligned where ``numeric``); platforms and statuses in colour."""
    con = console(out)
    table = Table(title=title, header_style="bold", box=None, pad_edge=False)
    keep = fitting_columns(columns, texts, con.width)
    if len(keep) < len(columns):
        hidden = [c for n, c in enumerate(columns) if n not in keep]
        table.caption = f"Not shown at this width: {', '.join(hidden)} (--format tsv shows every column)."
        columns, numeric = [columns[n] for n in keep], [numeric[n] for n in keep]
        texts = [[row[n] for n in keep] for row in texts]
    widths = fitted_widths(columns, texts, con.width)
    for c, right, w in zip(columns, numeric, widths, strict=True):
        table.add_column(c, no_wrap=True, overflow="ellipsis", width=w, justify="right" if right else "left")
    for row in texts:
        table.add_row(*[_coloured(c, text) for c, text in zip(columns, row, strict=True)])
    con.print(table)


def _floor(column: str, natural: int) -> int:
    """How narrow a column may get: its header (free text: at least 8 wide)."""
    return min(natural, max(len(column), 8 if column in TEXT_COLUMNS else 1))


def fitting_columns(columns: list[str], texts: list[list[str]], width: int) -> list[int]:
    """The indexes of the columns shown at ``width``: all, unless even at their narrowest they do not
    fit; then the last ones are left out until the rest does (ids never, free text last)."""
    natural = [
        max([len(c), *(max(map(len, row[n].splitlines() or [""])) for row in texts)]) for n, c in enumerate(columns)
    ]
    keep = list(range(len(columns)))

    def narrowest() -> int:
        return sum(natural[n] if columns[n] in ID_COLUMNS else _floor(columns[n], natural[n]) for n in keep) + 2 * (
            len(keep) - 1
        )

    while narrowest() > width:
        others = [n for n in keep if columns[n] not in ID_COLUMNS | TEXT_COLUMNS]
        droppable = others or [n for n in keep if columns[n] not in ID_COLUMNS]
        if len(keep) <= 1 or not droppable:
            break
        keep.remove(droppable[-1])
    return keep


def fitted_widths(columns: list[str], texts: list[list[str]], width: int) -> list[int]:
    """Each column's width so that the table fits ``width``: every cell on one line; free text gives way
    first, then the other columns (cut with an ellipsis), ids never (a person copies them whole)."""
    natural = [
        max([len(c), *(max(map(len, row[n].splitlines() or [""])) for row in texts)]) for n, c in enumerate(columns)
    ]
    out = list(natural)
    excess = sum(out) + 2 * (len(columns) - 1) - width
    for tier in (TEXT_COLUMNS, None):
        if excess <= 0:
            break
        shrink = [
            n for n, c in enumerate(columns) if (c in TEXT_COLUMNS if tier else c not in TEXT_COLUMNS | ID_COLUMNS)
        ]
        floor = {n: _floor(columns[n], natural[n]) for n in shrink}
        give = sum(out[n] - floor[n] for n in shrink)
        if give <= 0:
            continue
        take = min(excess, give)
        for n in shrink:  # in proportion to what each can give
            cut = (out[n] - floor[n]) * take // give
            out[n] -= cut
            excess -= cut
    return out


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
