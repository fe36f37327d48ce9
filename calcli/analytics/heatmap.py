"""The weekday x hour heatmap as text: one symbol per cell for its lift against the post's platform."""

from __future__ import annotations

from calcli.analytics.claims import (
    DAY_NAMES,
)


def heat_symbol(value: float | None) -> str:
    """One character for a heatmap cell's lift: below, near or above the platform's average."""
    if value is None:
        return "·"
    for bound, sym in ((-0.2, "▁"), (-0.05, "▂"), (0.05, "▄"), (0.2, "▆")):
        if value < bound:
            return sym
    return "█"


def heatmap_lines(cells: list[dict]) -> list[str]:
    """The weekday × hour heatmap as text lines (rows Mon..Sun, columns 00..23)."""
    grid = {(c["weekday"], c["hour"]): c for c in cells}
    lines = ["      " + "".join(f"{h:<3d}" if h % 3 == 0 else "   " for h in range(24)).rstrip()]
    for wd in range(7):
        row = "".join((heat_symbol(grid[(wd, h)]["lift"]) if (wd, h) in grid else " ") + "  " for h in range(24))
        lines.append(f"{DAY_NAMES[wd]:<5} {row.rstrip()}")
    lines.append("      ▁ < -20%  ▂ -20..-5%  ▄ ±5%  ▆ +5..+20%  █ > +20%   (lift against each post's platform)")
    return lines
