"""``calcli analyze`` and ``calcli optimize``: what the numbers say, and acting on it."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from calcli import analytics, operations
from calcli.cli import options
from calcli.cli.completion import complete_platform
from calcli.cli.context import env, find_project
from calcli.cli.options import CalendarOpt, FormatOpt, JsonOpt, UserOpt, output_format, parse_platform
from calcli.cli.progress import progress
from calcli.cli.render import emit_json, emit_rows
from calcli.core.errors import UsageError
from calcli.core.model import WEEKDAYS, PostFilter

PlatformOpt = Annotated[
    str | None, typer.Option("--platform", "-P", help="Only this platform.", autocompletion=complete_platform)
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help=f"First day of posts to count ({options.DAY_FORMS}; local).")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help=f"Last day of posts to count ({options.DAY_FORMS}; local).")
]
MetricOpt = Annotated[
    str,
    typer.Option(
        "--metric",
        "-m",
        help="What 'performs' means for best times: er_impressions (default), er_reach, engagements, views, "
        "impressions, clicks, watch_time.",
    ),
]

GROUP_FIGURES = ["rated_impressions", "rated_engagements", "er_impressions", "er_reach"]
# Sections in the order a person reads them; each is a list of rows in the JSON document.
SECTIONS = {
    "platforms": (
        "By platform (impr, eng and ER/impr over the rated posts; ER/reach over posts with reach)",
        ["platform", "posts", "posts_with_rate", *GROUP_FIGURES],
    ),
    "formats": (
        "By format (populations as by platform)",
        ["platform", "format", "posts", "posts_with_rate", *GROUP_FIGURES],
    ),
    "best_times": (
        "Slots against each platform's other posts (lift of the metric; interval adjusted for the slots tested)",
        ["platform", "slot", "posts", "er_impressions", "lift", "low", "high", "claim"],
    ),
    "platform_pairs": (
        "The same videos on two platforms: B's engagement rate over A's (geometric mean, 95% interval)",
        ["platform_a", "platform_b", "videos", "ratio", "low", "high", "b_higher"],
    ),
    "videos": (
        "The most-seen videos on several platforms (engagement rate per impression)",
        ["video_job_id", "title", "rates", "best"],
    ),
    "consistency": (
        "Posting against your weekly goals",
        [
            "platform",
            "min_per_week",
            "weeks_met",
            "weeks",
            "posted_per_week",
            "this_week_posted",
            "this_week_pending",
            "status",
        ],
    ),
    "recommendations": (
        "Recommendations",
        ["platform", "what", "expected_effect", "posts", "interval", "basis", "evidence"],
    ),
}
RATES = {"er_impressions", "er_reach"}
LIFTS = {"lift", "low", "high"}
SHARES = {"b_higher"}
SHOWN_BEST = 5  # best_times rows per platform in the table (JSON has them all)
SHOWN_ROWS = 12  # rows of a section in the table
HEADERS = {
    "posts_with_rate": "rated",
    "impressions": "impr",
    "engagements": "eng",
    "rated_impressions": "impr",
    "rated_engagements": "eng",
    "er_impressions": "ER/impr",
    "er_reach": "ER/reach",
    "video_job_id": "video",
    "min_per_week": "goal/wk",
    "weeks_met": "met",
    "posted_per_week": "avg/wk",
    "this_week_posted": "posted",
    "this_week_pending": "pending",
    "platform_a": "A",
    "platform_b": "B",
    "b_higher": "B higher",
}


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze_cmd)
    app.command("optimize")(optimize_cmd)


def analyze_cmd(
    ctx: typer.Context,
    calendar: CalendarOpt = None,
    platform: PlatformOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    metric_name: MetricOpt = "er_impressions",
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What your performance numbers say: engagement by platform, format and weekday × hour
    (in your time zone), the same video across platforms, posting against your weekly goals,
    and recommendations with their evidence.

    Engagement rate per impression = (likes + comments + shares + saves) / impressions (views
    where an export has no impressions); per reach = the same over reach, where reach is known.
    A time is recommended only when it beats the platform's other slots beyond chance
    (Bonferroni over every slot tested); otherwise calcli says "not enough data" and keeps the
    research windows. With --format tsv/csv/ndjson each row carries its section.

    Example: calcli analyze --calendar Q3 --since 2026-01-01
    """
    first, last, p = parsed_scope(metric_name, since, until, platform)
    e = env(ctx)
    project = find_project(e)
    with operations.session.session(project, user) as s:
        known_calendar(s, calendar)
        f = PostFilter(s.user, calendar, p, first, last)
        tz = analytics.analysis.user_zone(project, s.user)
        doc = analytics.analysis.analyze(s.store, project, f, tz, metric_name)
    out_fmt = output_format(fmt, as_json)
    if not doc["totals"]["posts"]:
        e.messages.warn(
            "no performance numbers for these posts yet: load them with `calcli kpi import`; "
            + (
                "the recommendations below are the research baselines."
                if doc["recommendations"]
                else "name a calendar or a platform (--calendar, --platform) to see its research baselines."
            )
        )
    render_analysis(doc, out_fmt)


def parsed_scope(metric_name: str, since: str | None, until: str | None, platform: str | None):
    """(first day, last day, platform id) of --since, --until and --platform, once --metric is known."""
    check_metric(metric_name)
    first, last = options.day_range(since, until)
    return first, last, parse_platform(platform).value if platform else None


def check_metric(name: str) -> None:
    if name not in analytics.metrics.METRICS:
        raise typer.BadParameter(
            f"{name!r} is not one of {', '.join(analytics.metrics.METRICS)}", param_hint="--metric"
        )


def _rows(doc: dict, name: str) -> list[dict]:
    if name == "videos":
        return [
            {
                **v,
                "rates": " · ".join(f"{p} {_pct(d['er_impressions'])}" for p, d in sorted(v["platforms"].items())),
            }
            for v in doc["videos"]
        ]
    if name == "recommendations":
        return [
            {**r, "interval": f"{_lift(r['interval'][0])} to {_lift(r['interval'][1])}" if r["interval"] else None}
            for r in doc["recommendations"]
        ]
    return doc[name]


def _pct(v) -> str:
    return "" if v is None else f"{v:.2%}"


def _lift(v) -> str:
    return "" if v is None else f"{v:+.0%}"


def _shown(c: str, v, section: str = ""):
    if section == "platform_pairs" and c in ("ratio", "low", "high"):
        return "" if v is None else f"×{v:.2f}"
    if c in SHARES:
        return "" if v is None else f"{v:.0%}"
    return _pct(v) if c in RATES else _lift(v) if c in LIFTS else v


def render_analysis(doc: dict, fmt: str) -> None:
    if fmt == "json":
        emit_json(doc)
        return
    if fmt != "table":  # one table of rows, each naming its section
        rows, columns = [], ["section"]
        for name, (_, cols) in SECTIONS.items():
            for r in _rows(doc, name):
                rows.append({"section": name, **r})
            columns += [c for c in cols if c not in columns]
        emit_rows(rows, columns, fmt)
        return
    t = doc["totals"]
    scope = doc["scope"]
    print(
        f"{t['posts']} posts with numbers ({t['posts_with_rate']} with an engagement rate), "
        f"{t['snapshots']} snapshots; times in {scope['timezone']}; best times by {scope['metric']}."
    )
    for name, (title, cols) in SECTIONS.items():
        rows = _rows(doc, name)
        if name == "best_times":
            rows = _top_per_platform(rows)
        if rows:
            print()
            _section_table(doc, name, title, cols, rows)
    sys.stdout.flush()


def _section_table(doc: dict, name: str, title: str, cols: list[str], rows: list[dict]) -> None:
    """One section of the analysis on a terminal: a list of recommendations, else a table of its first rows."""
    if name == "recommendations":
        print(title)
        for r in rows:
            print(f"- {r['platform']}: {r['what']}")
            facts = [r["expected_effect"], r["interval"] and f"interval {r['interval']}", r["evidence"]]
            print(f"    {'; '.join(x for x in facts if x)} [{r['basis']}]")
        return
    more = len(rows) - SHOWN_ROWS
    shown = [{HEADERS.get(c, c): _shown(c, r.get(c), name) for c in cols} for r in rows[:SHOWN_ROWS]]
    emit_rows(shown, [HEADERS.get(c, c) for c in cols], "table", title=title)
    if more > 0:
        print(f"… and {more} more (--format json has every row)")
    if name == "platform_pairs" and doc["best_platform"]:
        best = ", ".join(f"{b['platform']} {b['videos']}" for b in doc["best_platform"])
        print(f"Best platform per video ({doc['videos_compared']} videos on several platforms): {best}")
    if name == "formats" and doc["heatmap"]:
        print()
        print("Weekday × hour (all chosen platforms; lift against each post's platform and format)")
        for line in analytics.heatmap.heatmap_lines(doc["heatmap"]):
            print(line)


def _top_per_platform(rows: list[dict]) -> list[dict]:
    seen: dict[str, int] = {}
    out = []
    for r in rows:  # sorted by platform, then strongest first
        seen[r["platform"]] = seen.get(r["platform"], 0) + 1
        if seen[r["platform"]] <= SHOWN_BEST:
            out.append(r)
    return out


MOVE_COLUMNS = ["item", "calendar", "platform", "format", "from", "to", "score_from", "score_to", "gain", "posts"]
WINDOW_COLUMNS = ["platform", "format", "days", "start", "end", "prior", "score", "lift", "posts"]


def optimize_cmd(
    ctx: typer.Context,
    calendar: CalendarOpt = None,
    platform: PlatformOpt = None,
    metric_name: MetricOpt = "er_impressions",
    apply: Annotated[
        bool, typer.Option("--apply", help="Move the posts and write timing_data/learned.yaml for future plans.")
    ] = False,
    trial: Annotated[
        str | None, typer.Option("--trial", help="Only the posts of one arm of this trial (with --arm).")
    ] = None,
    arm: Annotated[str | None, typer.Option("--arm", help="The trial arm to optimize: a or b.")] = None,
    min_gain: Annotated[
        float, typer.Option("--min-gain", help="Move a post only for at least this expected gain (0.05 = +5%).")
    ] = 0.05,
    horizon: Annotated[int, typer.Option("--horizon", help="Days after its current slot a post may move.")] = 7,
    windows: Annotated[bool, typer.Option("--windows", help="List the learned windows instead of the moves.")] = False,
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Learn your best posting windows and move planned posts to them.

    Windows blend the research baselines (the prior) with your own numbers: each weekday × hour
    slot's effect is shrunk toward the baseline by how much of it chance could explain, so with
    few posts nothing changes. Lists the planned (not yet approved or posted) posts that would
    move — only later than their current slot, within --horizon days, through the planner's
    own rules (caps, spacing, blackouts, stagger) — with the expected gain. --apply moves them
    (an audit entry each) and writes timing_data/learned.yaml, which `calcli plan` then uses.
    Posts in a running trial are left alone unless you name the trial and the arm to optimize.

    Example: calcli optimize --calendar Q3 --apply
    """
    _check_optimize_options(metric_name, trial, arm, min_gain, horizon)
    p = parse_platform(platform).value if platform else None
    e = env(ctx)
    project = find_project(e)
    with progress(e.quiet, "Optimizing", None), operations.session.session(project, user) as s:
        known_calendar(s, calendar)
        only, skip = _trial_scope(s, trial, arm)
        pf = PostFilter(s.user, platform=p)
        tz = analytics.analysis.user_zone(project, s.user)
        learned = analytics.optimize.learn(s.store, project, pf, tz, metric_name)
        moves = analytics.optimize.plan_moves(s, learned, calendar, p, only, skip, min_gain, horizon)
        written = None
        if apply and learned.windows:
            written = os.path.relpath(analytics.optimize.write_learned(project, learned))
        if apply and moves:
            analytics.optimize.apply_moves(s, moves)
    _emit_optimize(learned, moves, metric_name, apply, written, windows, output_format(fmt, as_json))
    _optimize_messages(e, project, learned, moves, apply, written)


def _check_optimize_options(metric_name: str, trial: str | None, arm: str | None, min_gain: float, horizon: int):
    check_metric(metric_name)
    if (trial is None) != (arm is None):
        raise typer.BadParameter("--trial and --arm go together", param_hint="--trial/--arm")
    if arm is not None and arm.lower() not in ("a", "b"):
        raise typer.BadParameter(f"{arm!r} is not an arm (a or b)", param_hint="--arm")
    if min_gain < 0 or horizon < 1:
        raise typer.BadParameter("--min-gain must be >= 0 and --horizon >= 1", param_hint="--min-gain/--horizon")


def _emit_optimize(learned, moves, metric_name: str, apply: bool, written, windows: bool, out_fmt: str) -> None:
    """The moves (or with --windows the learned windows); in JSON one document with both."""
    move_rows = [_move_row(m) for m in moves]
    window_rows = [_window_row(w) for ws in learned.windows.values() for w in ws]
    if out_fmt == "json":
        emit_json(
            {
                "metric": metric_name,
                "learned": [
                    {"platform": k, "posts": v.posts, "slot_spread": v.tau, "post_spread": v.sd}
                    for k, v in sorted(learned.platforms.items())
                ],
                "windows": window_rows,
                "moves": move_rows,
                "applied": apply,
                "learned_file": written,
            }
        )
    elif windows:
        emit_rows(window_rows, WINDOW_COLUMNS, out_fmt)
    else:
        emit_rows(move_rows, MOVE_COLUMNS, out_fmt)


def _optimize_messages(e, project, learned, moves, apply: bool, written) -> None:
    """What was learned per platform, what moved (or would), and which learned windows apply now."""
    if not learned.platforms:
        e.messages.info(
            f"not enough data: no platform has {analytics.claims.MIN_PLATFORM_POSTS} posts with numbers; "
            "the research windows stand."
        )
    for k, v in sorted(learned.platforms.items()):
        state = "no slot differs beyond chance: its research windows stand" if v.tau == 0 else "windows learned"
        e.messages.info(f"{k}: {v.posts} posts; {state}.")
    verb = "moved" if apply else "would move"
    e.messages.info(f"{len(moves)} planned post(s) {verb}." + ("" if apply or not moves else " Run with --apply."))
    if written:
        e.messages.info(f"wrote {written}: future plans use the learned windows.")
    elif apply and (project.timing_dir / "learned.yaml").exists():
        e.messages.warn(
            "nothing learned this time; timing_data/learned.yaml from an earlier run still applies "
            "(delete it to go back to the research windows)."
        )


def known_calendar(s, name: str | None) -> None:
    """``name`` is one of the acting user's calendars; another user's is as good as missing (and the
    answer is the same, so that it tells nothing of whether it exists)."""
    cal = s.store.calendar(name) if name else None
    if name and (cal is None or cal.user_id != s.user):
        raise UsageError(f"no calendar {name!r} for user {s.user}.", "List calendars with `calcli calendar list`.")


def _trial_scope(s, trial: str | None, arm: str | None) -> tuple[set[str] | None, set[str]]:
    """(only these items, never these): one arm of a named trial, else everything outside running trials."""
    if trial is not None:
        t = analytics.trials.find_trial(s.store, s.user, trial)
        return analytics.trials.arm_items(s.store, t.id, arm.lower()), set()
    return None, set(analytics.trials.trial_items(s.store, s.user))


def _move_row(m) -> dict:
    return {
        "item": m.item.id,
        "calendar": m.item.calendar,
        "platform": m.item.platform.value,
        "format": m.item.format,
        "from": m.item.scheduled_at,
        "to": m.to,
        "score_from": round(m.score_from, 4),
        "score_to": round(m.score_to, 4),
        "gain": round(m.gain, 4),
        "posts": m.posts,
    }


def _window_row(w) -> dict:
    return {
        "platform": w.platform,
        "format": w.format,
        "days": ",".join(WEEKDAYS[d] for d in w.days),
        "start": w.start.strftime("%H:%M"),
        "end": w.end.strftime("%H:%M"),
        "prior": w.prior,
        "score": w.score,
        "lift": w.lift,
        "posts": w.posts,
    }
