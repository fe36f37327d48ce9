"""``calcli report``: the analysis as one self-contained HTML file, or the heatmap alone as SVG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from calcli import analytics, operations
from calcli.cli.commands.analyze import MetricOpt, PlatformOpt, SinceOpt, UntilOpt, known_calendar, parsed_scope
from calcli.cli.context import env, find_project
from calcli.cli.options import CalendarOpt, UserOpt
from calcli.core.model import PostFilter
from calcli.files.text import write_atomic

FORMATS = ("html", "svg")


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)


def report_cmd(
    ctx: typer.Context,
    calendar: CalendarOpt = None,
    platform: PlatformOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    metric_name: MetricOpt = "er_impressions",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file to write (default report.html, heatmap.svg).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="html (the whole report) | svg (the weekday × hour heatmap alone).")
    ] = "html",
    user: UserOpt = None,
) -> None:
    """Write the analysis as one self-contained HTML file to look at and share.

    The file holds the weekday × hour heatmap, engagement by platform and format and over time,
    the best and worst slots with their intervals, the weekly goals, the recommendations with
    their evidence and each running trial's status — the same figures as `calcli analyze
    --format json` and `calcli trial status`. Styles and charts (SVG) are inline: it opens offline
    and loads nothing from anywhere. --format svg writes the heatmap alone, for a chat or a slide.

    Example: calcli report --calendar Q3 --since 2026-07-01 -o q3.html
    """
    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    first, last, p = parsed_scope(metric_name, since, until, platform)
    e = env(ctx)
    project = find_project(e)
    with operations.session.session(project, user) as s:
        known_calendar(s, calendar)
        f = PostFilter(s.user, calendar, p, first, last)
        doc = analytics.report.build(s, f, analytics.analysis.user_zone(project, s.user), metric_name)
    if fmt == "svg":
        text = analytics.charts.heatmap_svg(doc["analysis"]["heatmap"]) + "\n"
    else:
        text = analytics.report.render_html(doc)
    output = output or Path("heatmap.svg" if fmt == "svg" else "report.html")
    write_atomic(output, text)
    posts = doc["analysis"]["totals"]["posts"]
    e.messages.info(f"wrote {output} ({posts} posts with numbers, {len(doc['trials'])} running trial(s)).")
