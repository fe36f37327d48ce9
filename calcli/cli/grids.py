"""The week and month grids of ``calcli week`` and ``calcli month``, drawn with Rich for a terminal.

Reached lazily, as ``cli.grids`` (Rich is loaded only when a grid is drawn); the grids' content (lines,
headers, cells, labels) comes from :mod:`calcli.operations.views`, only the drawing lives here.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from calcli import operations
from calcli.cli import tables


def _styled_line(item, width: int) -> Text:
    line = operations.views.week_line(item, width)
    text = Text(line, no_wrap=True, overflow="crop")
    text.stylize(tables.STATUS_COLOURS.get(item.status.value, ""), 0, 5)  # the time, coloured by status
    start = 6
    label = operations.views.platform_label(item, width)
    text.stylize(tables.PLATFORM_COLOURS.get(item.platform.value, ""), start, start + len(label))
    if item.status.value == "canceled":
        text.stylize("dim strike")
    return text


def draw_week(grid) -> None:
    con = tables.console()
    year, number = grid.iso_week
    # Seven columns and six inner rules share the console's width.
    width = max(8, (con.width - 6) // 7)
    table = Table(
        title=f"Week {number} of {year}: {grid.days[0]} – {grid.days[-1]} ({len(grid.items)} items)",
        box=box.MINIMAL,
        padding=(0, 0),
        pad_edge=False,
        header_style="bold",
        show_edge=False,
    )
    marked = operations.view_blackouts.marked_days(grid.blackouts)
    for d in grid.days:
        header = operations.views.week_header(d)
        if marked:  # a third header line marks the blacked-out days: ✕ july4
            header += "\n" + (f"{operations.view_blackouts.MARK} {','.join(marked[d])}" if d in marked else "")
        table.add_column(
            header, width=width, no_wrap=True, overflow="crop", header_style="bold reverse" if d == grid.today else None
        )
    for line in grid.lines():
        table.add_row(*[_styled_line(i, width) if i is not None else "" for i in line])
    con.print(table)


def draw_month(grid) -> None:
    con = tables.console()
    table = Table(
        title=f"{grid.title} ({grid.total} items)",
        box=box.SQUARE,
        show_lines=True,
        padding=(0, 0),
        header_style="bold",
    )
    width = max(4, (con.width - 8) // 7)
    for name in operations.views.WEEKDAY_NAMES:
        table.add_column(name, width=width, overflow="fold")
    marked = operations.view_blackouts.marked_days(grid.blackouts)
    for week_ in grid.weeks:
        table.add_row(*[_day_cell(grid, d, d in marked) for d in week_])
    con.print(table)


def _day_cell(grid, d, blackout: bool = False) -> Text | str:
    """A day of the month: its number (reversed today; ✕ on a blackout), then its posts per platform, coloured."""
    if d is None:
        return ""
    counts = grid.counts.get(d)
    text = Text(operations.views.month_cell(d, None))
    if d == grid.today:
        text.stylize("bold reverse")
    if blackout:
        text.append(" " + operations.view_blackouts.MARK, style="bold red")
    if counts:
        text.append("  ")
        for n, (p, k) in enumerate(counts.items()):
            if n:
                text.append(" ")
            text.append(operations.views.count_label(p, k), style=tables.PLATFORM_COLOURS.get(p.value, ""))
    return text
