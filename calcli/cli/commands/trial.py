"""``calcli trial new|list|status|conclude``: A/B trials of scheduling strategies."""

from __future__ import annotations

from typing import Annotated

import typer

from calcli import analytics
from calcli.cli.completion import complete_platform
from calcli.cli.context import session
from calcli.cli.options import (
    CalendarOpt,
    FormatOpt,
    JsonOpt,
    UserOpt,
    command_group,
    output_format,
    parse_date,
    parse_platform,
)
from calcli.cli.render import emit_json, emit_rows
from calcli.core.errors import UsageError

trial_app = command_group(
    "A/B trials of two scheduling strategies, with statistics that stay valid when you look every day.\n\n"
    "Future posts (or whole weeks) of a calendar are assigned to arm A or B and recorded; `status` "
    "compares the arms on a pre-declared metric (log scale, always-valid 95% confidence sequence) and "
    "says: conclusive for A, conclusive for B, needs about N more posts, or inconclusive. See docs/trials.md.\n\n"
    'Example: calcli trial new timing --calendar Q3 --arm-a "research windows" --arm-b "optimized windows"'
)

ASSIGN_COLUMNS = ["unit", "arm", "strategy", "platform", "scheduled_at"]
LIST_COLUMNS = ["id", "name", "calendar", "metric", "unit", "status", "started_at", "n_a", "n_b", "verdict", "decision"]


def register(app: typer.Typer) -> None:
    app.add_typer(trial_app, name="trial")


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x:+.1%}"


@trial_app.command("new")
def trial_new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the trial (unique among your trials).")],
    calendar: CalendarOpt = None,
    arm_a: Annotated[str, typer.Option("--arm-a", help="Strategy of arm A, e.g. 'research windows'.")] = "",
    arm_b: Annotated[str, typer.Option("--arm-b", help="Strategy of arm B, e.g. 'optimized windows'.")] = "",
    metric: Annotated[
        str, typer.Option("--metric", help="The pre-declared metric: er_impressions, er_reach, engagements, views, …")
    ] = "er_impressions",
    platform: Annotated[
        str | None, typer.Option("--platform", help="Only this platform's posts.", autocompletion=complete_platform)
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Assign each future item, or each whole week: item | week.")] = "item",
    assign: Annotated[
        str,
        typer.Option(
            "--assign",
            help="blocked (pairs in each platform × weekday × hour, seeded; analysed by pair) | random (seeded, "
            "balanced) | alternate (A, B, A, … in time order; refused when it would confound arm with slot).",
        ),
    ] = "blocked",
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of random assignment (default: drawn, recorded).")
    ] = None,
    min_effect: Annotated[
        str, typer.Option("--min-effect", help="Smallest lift worth detecting; sets the planned size.")
    ] = "20%",
    start: Annotated[str | None, typer.Option("--start", help="First day (YYYY-MM-DD; default today).")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Last day (default: the calendar's end).")] = None,
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Declare a trial and assign the calendar's future posts (or weeks) to arms A and B.

    Only planned or scheduled items after now are assigned; every assignment is recorded in the
    store. The default design, blocked, pairs the posts of each platform × weekday × hour (weeks:
    consecutive weeks) and flips a seeded coin for which is A, so the arms cannot differ in slot;
    --assign alternate is refused when it would put a whole slot, weekday or platform in one arm.
    Posts added later join by their week (--by week) or by a seeded hash of their id (--by item).
    Prints the assignment and the planned size: posts with numbers per arm needed to detect
    --min-effect with 80% power, from the spread of the metric in your own history (log scale), or
    a stated default when you have fewer than 20 posts with numbers.

    Example: calcli trial new timing --calendar Q3 --arm-a "research windows" --arm-b "optimized windows"
    """
    effect = _checked_effect(calendar, min_effect)
    plat = parse_platform(platform)._value_ if platform else None
    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    design = analytics.trials.Design(name, calendar, arm_a, arm_b, metric, plat, by, assign, seed, effect, first, last)
    e, sess = session(ctx, user)
    with sess as s:
        made = analytics.trials.create_trial(s, design)
    _emit_assignments(made.trial, made.assignments, output_format(fmt, as_json))
    _new_messages(e, made.trial, made.assignments)
    for w in made.warnings:
        e.messages.warn(w)


def _checked_effect(calendar: str | None, min_effect: str) -> float:
    """--min-effect as a fraction, once --calendar is known to be given (both are usage errors)."""
    if not calendar:
        raise UsageError(
            "--calendar is required.", "Example: calcli trial new timing --calendar Q3 --arm-a A --arm-b B"
        )
    try:
        return analytics.trials.parse_effect(min_effect)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--min-effect") from None


def _emit_assignments(t, rows: list[dict], f: str) -> None:
    """The assignment of each unit to an arm; in JSON with the trial's design and arms."""
    n_a = sum(r["arm"] == "a" for r in rows)
    if f == "json":
        emit_json(
            {
                **analytics.trials.design_doc(t),
                "arms": {
                    "a": {"strategy": t.arm_a, "units": n_a},
                    "b": {"strategy": t.arm_b, "units": len(rows) - n_a},
                },
                "assignments": rows,
            }
        )
    else:
        emit_rows(rows, ASSIGN_COLUMNS + (["block"] if t.assignment == "blocked" else []), f)


def _new_messages(e, t, rows: list[dict]) -> None:
    """The trial's arms and seed, its planned size, and a warning when the period holds fewer units."""
    n_a = sum(r["arm"] == "a" for r in rows)
    units = "weeks" if t.unit == "week" else "posts"
    e.messages.info(
        f"Trial {t.id} ({t.name}): {len(rows)} {units if t.unit == 'week' else 'items'}, {n_a} to A ({t.arm_a}), "
        f"{len(rows) - n_a} to B ({t.arm_b}); {t.metric}, seed {t.seed}."
    )
    e.messages.info(
        f"Planned: {t.planned_per_arm} {units} with numbers per arm to detect {t.min_effect:+.0%} with 80% power "
        f"(log-scale sd {t.sigma:.2f}, {t.sigma_source})."
    )
    if t.assignment == "blocked":
        pairs = len({r["block"] for r in rows if r.get("block")})
        loose = sum(1 for r in rows if not r.get("block"))
        within = "consecutive weeks" if t.unit == "week" else "platform × weekday × hour"
        e.messages.info(
            f"Blocked: {pairs} pairs within {within}, A and B in seeded random order; {loose} unpaired "
            "(a coin-flip arm, not analysed). The analysis is the mean difference within pairs."
        )
    if min(n_a, len(rows) - n_a) < t.planned_per_arm:
        e.messages.warn(
            f"the period holds {min(n_a, len(rows) - n_a)} {units} per arm, fewer than planned; "
            "posts added later join the trial, or expect an inconclusive result for an effect this small."
        )


@trial_app.command("list")
def trial_list(ctx: typer.Context, user: UserOpt = None, fmt: FormatOpt = None, as_json: JsonOpt = False) -> None:
    """Your trials: id, name, metric, status, start, posts with numbers per arm, verdict.

    Example: calcli trial list
    """
    e, sess = session(ctx, user)
    rows = []
    with sess as s:
        for t in analytics.trials.trials(s.store, s.user):
            doc = analytics.trial_status.status(s, t.id)
            rows.append(
                {
                    **{
                        k: doc[k]
                        for k in (
                            "id",
                            "name",
                            "calendar",
                            "metric",
                            "unit",
                            "status",
                            "started_at",
                            "verdict",
                            "decision",
                        )
                    },
                    "n_a": doc["arms"]["a"]["with_numbers"],
                    "n_b": doc["arms"]["b"]["with_numbers"],
                }
            )
    emit_rows(rows, LIST_COLUMNS, output_format(fmt, as_json))


def _figures(doc: dict) -> list[dict]:
    """The status document as figure/value rows (table, TSV, CSV)."""
    a, b = doc["arms"]["a"], doc["arms"]["b"]
    rows = [
        ("trial", f"{doc['id']} ({doc['name']})"),
        ("metric", f"{doc['metric']}, per {doc['unit']}"),
        ("status", doc["status"] + (f", decision {doc['decision']}" if doc["decision"] else "")),
        ("A", a["strategy"]),
        ("B", b["strategy"]),
    ]
    for key, label in (
        ("units", "assigned"),
        ("with_numbers", "with numbers"),
        ("without_numbers", "without numbers"),
        ("to_come", "to come"),
        ("dropped", "dropped"),
        ("geometric_mean", "geometric mean"),
    ):
        rows.append((label, f"A {_cell(a[key])} · B {_cell(b[key])}"))
    interval = "" if doc["lift"] is None else f"{_pct(doc['lift_low'])} to {_pct(doc['lift_high'])}"
    rows += [
        ("lift B vs A", _pct(doc["lift"])),
        ("95% interval (any-time)", interval),
        ("planned per arm", str(doc["planned_per_arm"])),
        (
            "analysis",
            doc["analysis"]["method"]
            + (f", {doc['analysis']['pairs']} pairs with numbers" if "pairs" in doc["analysis"] else ""),
        ),
        ("verdict", doc["verdict_text"]),
    ]
    return [{"figure": k, "value": v} for k, v in rows]


def _cell(v) -> str:
    if v is None:
        return "-"
    return f"{v:.4g}" if isinstance(v, float) else str(v)


@trial_app.command("status")
def trial_status(
    ctx: typer.Context,
    trial: Annotated[str, typer.Argument(help="The trial id (or name).")],
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The effect of B vs A with an interval valid at every look, and the verdict.

    Verdicts: conclusive for B (or A) when the 95% confidence sequence of the lift excludes 0;
    needs about N more posts while an arm is short of the planned size; inconclusive when both
    reached it without a conclusion. Posts without numbers are counted, never dropped silently.

    Example: calcli trial status tr_1a2b3c4d --format json
    """
    e, sess = session(ctx, user)
    with sess as s:
        doc = analytics.trial_status.status(s, trial)
    f = output_format(fmt, as_json)
    if f == "json":
        emit_json(doc)
    elif f == "ndjson":
        emit_rows([doc], list(doc), f)
    else:
        emit_rows(_figures(doc), ["figure", "value"], f)


@trial_app.command("conclude")
def trial_conclude(
    ctx: typer.Context,
    trial: Annotated[str, typer.Argument(help="The trial id (or name).")],
    decision: Annotated[str, typer.Option("--decision", help="a, b or none: the strategy you keep.")],
    note: Annotated[str | None, typer.Option("--note", help="Why, for the record.")] = None,
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the decision (a, b or none) and when it was taken; the trial stops taking posts.

    Example: calcli trial conclude tr_1a2b3c4d --decision b --note "optimized windows won"
    """
    e, sess = session(ctx, user)
    with sess as s:
        t, doc = analytics.trial_status.conclude(s, trial, decision, note)
    emit_rows(
        [
            {
                "id": t.id,
                "name": t.name,
                "status": t.status,
                "decision": t.decision,
                "concluded_at": t.concluded_at,
                "verdict": doc["verdict"],
                "note": t.note,
            }
        ],
        ["id", "name", "status", "decision", "concluded_at", "verdict", "note"],
        output_format(fmt, as_json),
    )
    e.messages.info(f"Concluded {t.id}: decision {t.decision}.")
    if decision in ("a", "b") and doc["verdict"] != f"conclusive-{decision}":
        e.messages.warn(f"the evidence does not support that decision ({doc['verdict_text']}); recorded anyway.")
