"""Charts as inline SVG text (standard library only): the weekday × hour heatmap and weekly lines.

SVG needs no library and no network to view; a report embeds it, ``calcli report --format svg``
writes the heatmap alone. Every shape carries a ``<title>`` with its exact figures.
"""

from __future__ import annotations

from html import escape

from calcli.analytics.claims import DAY_NAMES

CELL, LEFT, TOP = 26, 44, 22
PALETTE = ["#b2182b", "#ef8a62", "#f7f7f7", "#67a9cf", "#2166ac"]  # worse … better (colour-blind safe)
LINE_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]


def lift_colour(lift: float | None) -> str:
    """The fill of a heatmap cell: the same bands as the terminal heatmap's symbols."""
    if lift is None:
        return "#dddddd"
    for bound, colour in zip((-0.2, -0.05, 0.05, 0.2), PALETTE, strict=False):
        if lift < bound:
            return colour
    return PALETTE[-1]


def heatmap_svg(cells: list[dict]) -> str:
    """The weekday × hour heatmap (rows Mon..Sun, columns 00..23) as one ``<svg>`` element; each
    occupied cell is a ``rect`` with ``data-slot``, ``data-posts`` and ``data-lift``."""
    width, height = LEFT + 24 * CELL + 4, TOP + 7 * CELL + 48
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Weekday by hour heatmap of lift" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for h in range(0, 24, 3):
        out.append(f'<text x="{LEFT + h * CELL + 3}" y="{TOP - 6}">{h:02d}</text>')
    grid = {(c["weekday"], c["hour"]): c for c in cells}
    for wd in range(7):
        y = TOP + wd * CELL
        out.append(f'<text x="4" y="{y + CELL * 0.65:.0f}">{DAY_NAMES[wd]}</text>')
        for h in range(24):
            c = grid.get((wd, h))
            x = LEFT + h * CELL
            if c is None:
                out.append(f'<rect x="{x}" y="{y}" width="{CELL - 2}" height="{CELL - 2}" fill="#f2f2f2"/>')
                continue
            lift = c.get("lift")
            shown = "n/a" if lift is None else f"{lift:+.1%}"
            out.append(
                f'<rect x="{x}" y="{y}" width="{CELL - 2}" height="{CELL - 2}" fill="{lift_colour(lift)}" '
                f'data-slot="{escape(c["slot"])}" data-posts="{c["posts"]}" '
                f'data-lift="{"" if lift is None else lift!r}">'
                f"<title>{escape(c['slot'])}: {c['posts']} posts, lift {shown}</title></rect>"
            )
    y = TOP + 7 * CELL + 14
    for k, (label, colour) in enumerate(zip(("< -20%", "-20..-5%", "±5%", "+5..+20%", "> +20%"), PALETTE, strict=True)):
        out.append(f'<rect x="{LEFT + k * 110}" y="{y}" width="12" height="12" fill="{colour}" stroke="#999"/>')
        out.append(f'<text x="{LEFT + k * 110 + 16}" y="{y + 10}">{label}</text>')
    out.append(f'<text x="{LEFT}" y="{y + 26}">lift against each post\'s platform and format; grey: no posts</text>')
    out.append("</svg>")
    return "\n".join(out)


def lines_svg(series: dict[str, list[tuple[str, float | None]]], label: str) -> str:
    """One line per series over weeks (``(week, value)`` in order) as an ``<svg>``; points carry
    ``data-series``, ``data-week`` and ``data-value``."""
    weeks = sorted({w for pts in series.values() for w, _ in pts})
    values = [v for pts in series.values() for _, v in pts if v is not None]
    width, height, pad = 720, 240, 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lines" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" font-family="sans-serif" '
        'font-size="11">'
    ]
    if not weeks or not values:
        out.append('<text x="10" y="20">no weeks with numbers</text></svg>')
        return "\n".join(out)
    top = max(values) * 1.1 or 1.0
    step = (width - 2 * pad) / max(len(weeks) - 1, 1)
    index = {w: k for k, w in enumerate(weeks)}

    def xy(w: str, v: float) -> tuple[float, float]:
        return pad + index[w] * step, height - pad - (v / top) * (height - 2 * pad)

    out.append(f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#999"/>')
    out.append(f'<text x="{pad}" y="{height - pad + 16}">{escape(weeks[0])}</text>')
    out.append(f'<text x="{width - pad - 60}" y="{height - pad + 16}">{escape(weeks[-1])}</text>')
    out.append(f'<text x="4" y="{pad - 10}">{escape(label)} (top {top:.2%})</text>')
    for k, (name, pts) in enumerate(sorted(series.items())):
        colour = LINE_COLOURS[k % len(LINE_COLOURS)]
        coords = [xy(w, v) for w, v in pts if v is not None]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for (w, v), (x, y) in zip([p for p in pts if p[1] is not None], coords, strict=True):
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}" data-series="{escape(name)}" '
                f'data-week="{escape(w)}" data-value="{v!r}">'
                f"<title>{escape(name)} {escape(w)}: {v:.2%}</title></circle>"
            )
        out.append(f'<text x="{width - pad + 4 - 80}" y="{pad + 14 * k}" fill="{colour}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)
