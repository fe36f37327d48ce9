"""A/B trials of scheduling strategies: design, assignment, status and decision.

Organic audiences cannot be split per viewer, so a trial splits *posts*: the future items of a
calendar (``unit="item"``) or its whole weeks (``unit="week"``) go to arm A or arm B, and every
assignment is recorded in ``trial_assignments`` before any number is seen. The statistics live in
:mod:`calcli.analytics.stats`; docs/trials.md explains the method and its guarantees.

Items that join the calendar after the trial started, inside its period: with weeks they take the
arm of their week; with items they take the arm a seeded hash of their id gives
(:func:`hash_arm`), and ``trial status`` records it. An item keeps its arm when it is moved later
(the arm was the plan; analysing by plan keeps the comparison randomised).
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from calcli import operations
from calcli.analytics import designs, stats
from calcli.analytics.metrics import metric
from calcli.core.errors import UsageError
from calcli.core.model import OptimizationTrial, PostFilter, ScheduleStatus
from calcli.core.times import now, utc_stamp, zone
from calcli.store.base import Store

ARMS = ("a", "b")
UNITS = ("item", "week")
ASSIGNMENTS = ("blocked", "random", "alternate")
DECISIONS = ("a", "b", "none")
ACTIVE = (ScheduleStatus.PLANNED.value, ScheduleStatus.SCHEDULED.value)
VERDICT_TEXT = {
    "conclusive-b": "conclusive for B",
    "conclusive-a": "conclusive for A",
    "inconclusive": "inconclusive: the planned size was reached without a conclusion",
    "needs-more": "needs about {more} more {units} with numbers",
}


# ---------------------------------------------------------------- assignment (pure)


def trial_id_for(user: str, name: str) -> str:
    """A short, stable trial id derived from its owner and name."""
    return "tr_" + hashlib.sha1(f"{user}/{name}".encode()).hexdigest()[:8]


def assign_alternate(units: list[str]) -> dict[str, str]:
    """A, B, A, B… in the order given (time order): arms differ in size by at most one, and
    neighbouring units land in different arms, which balances slow drifts in the audience."""
    return {u: ARMS[i % 2] for i, u in enumerate(units)}


def assign_random(units: list[str], seed: int) -> dict[str, str]:
    """A seeded random permutation of half A, half B (the odd one out is a coin flip): the same
    seed gives the same assignment; arms differ in size by at most one."""
    rng = random.Random(seed)
    arms = [ARMS[i % 2] for i in range(len(units))]
    if len(units) % 2:
        arms[-1] = rng.choice(ARMS)
    rng.shuffle(arms)
    return dict(zip(units, arms, strict=True))


def hash_arm(trial_id: str, seed: int, unit: str) -> str:
    """The arm of a unit that joined after the trial started: a hash of (trial, seed, unit),
    so it is the same whenever and wherever it is computed."""
    digest = hashlib.sha256(f"{trial_id}/{seed}/{unit}".encode()).digest()
    return ARMS[digest[0] & 1]


def week_of(day: date) -> date:
    """The Monday that starts ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def parse_effect(text: str) -> float:
    """``"20%"`` or ``"0.2"`` → 0.2; a value outside (0, 10] raises ValueError."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ValueError(f"{text!r} is not an effect like 20% or 0.2") from None
    if not 0 < value <= 10 or math.isnan(value):
        raise ValueError(f"{text!r} must be a lift above 0% and at most 1000%")
    return value


# ---------------------------------------------------------------- store access


def trials(store: Store, user: str, status: str | None = None) -> list[OptimizationTrial]:
    """The user's trials, oldest first (only ``status`` ones when given)."""
    return store.trials(user, status)


def find_trial(store: Store, user: str, ref: str) -> OptimizationTrial:
    """The user's trial with id or name ``ref``; UsageError (exit 2) when there is none."""
    found = store.trials(user, ref=ref)
    if not found:
        raise UsageError(f"no trial {ref!r} for user {user}.", "List trials with `calcli trial list`.")
    return found[0]


def _load_trial(store: Store, trial_id: str) -> OptimizationTrial:
    t = store.trial(trial_id)
    if t is None:
        raise UsageError(f"no trial {trial_id!r}.", "List trials with `calcli trial list`.")
    return t


# ---------------------------------------------------------------- membership


def _in_scope(t: OptimizationTrial, item) -> bool:
    local = item.scheduled_at.date()
    return (t.platform is None or item.platform._value_ == t.platform) and t.period_start <= local <= t.period_end


def membership(store, t: OptimizationTrial) -> tuple[dict[str, str], dict[str, str], dict]:
    """(item → arm for every item in the trial, item → arm of items not yet recorded, item id → item).

    Weeks: every item of the calendar in a recorded week of the period. Items: the recorded
    items, plus items in scope that were added to the calendar after the trial started (items
    that existed then but were not eligible — already posted, canceled — stay out), by
    :func:`hash_arm`.
    """
    assigned = store.trial_assignments(t.id)
    items = {i.id: i for i in store.items(calendar=t.calendar, user=t.user_id)}
    if assigned and any(k not in items for k in assigned) and t.unit == "item":
        items.update({i.id: i for i in store.items(ids=[k for k in assigned if k not in items])})
    arms: dict[str, str] = {}
    late: dict[str, str] = {}
    if t.unit == "week":
        for i in items.values():
            if i.calendar == t.calendar and _in_scope(t, i):
                arm = assigned.get(week_of(i.scheduled_at.date()).isoformat())
                if arm:
                    arms[i.id] = arm
        return arms, late, items
    arms.update({k: v for k, v in assigned.items() if k in items})
    started = t.started_at
    for i in items.values():
        if i.id in arms or i.calendar != t.calendar or not _in_scope(t, i):
            continue
        created = None if i.created_at is None else _utc(i.created_at)
        if created is None or created <= started or (t.concluded_at is not None and created > t.concluded_at):
            continue  # there before the trial (and not eligible then), or added after its end
        if _utc(i.scheduled_at) >= started:
            late[i.id] = arms[i.id] = hash_arm(t.id, t.seed, i.id)
    return arms, late, items


def _utc(dt: datetime) -> datetime:
    """Naive UTC (the store's stamps are naive UTC already)."""
    return dt if dt.tzinfo is None else dt.astimezone(UTC).replace(tzinfo=None)


def arm_items(store, trial_id: str, arm: str) -> set[str]:
    """The ids of the items currently in ``arm`` (``"a"`` or ``"b"``) of trial ``trial_id``."""
    if arm not in ARMS:
        raise UsageError(f"unknown arm {arm!r}; a trial has arms a and b.")
    arms, _, _ = membership(store, _load_trial(store, trial_id))
    return {i for i, a in arms.items() if a == arm}


def trial_items(store, user: str) -> dict[str, tuple[str, str]]:
    """item id → (trial id, arm) for every item in a running trial of ``user``."""
    out: dict[str, tuple[str, str]] = {}
    for t in trials(store, user, "running"):
        arms, _, _ = membership(store, t)
        out.update({i: (t.id, a) for i, a in arms.items()})
    return out


# ---------------------------------------------------------------- numbers


def metric_values(store: Store, t: OptimizationTrial, ids: list[str], tz: str) -> dict[str, float | None]:
    """item → its log-scale value (None: numbers imported but no value for the metric)."""
    if not ids:
        return {}
    kind = metric(t.metric).kind
    rows = store.metric_values(PostFilter(t.user_id, items=tuple(ids)), tz, t.metric)
    return {item_id: stats.log_value(v, kind) for item_id, _, v in rows}


def history_values(store: Store, user: str, metric_name: str, platform: str | None, tz: str, unit: str) -> list[float]:
    """The user's past values of the metric on the log scale: one per post, or one per week
    (the mean of its posts) when the trial's unit is the week."""
    kind = metric(metric_name).kind
    rows = store.metric_values(PostFilter(user, platform=platform), tz, metric_name)
    values = [(local, stats.log_value(v, kind)) for _, local, v in rows if v is not None]
    if unit == "item":
        return [v for _, v in values]
    weeks: dict[date, list[float]] = {}
    for local, v in values:
        weeks.setdefault(week_of(local.date()), []).append(v)
    return [sum(vs) / len(vs) for vs in weeks.values()]


# ---------------------------------------------------------------- new


@dataclass
class Design:
    """What ``trial new`` asks for."""

    name: str
    calendar: str
    arm_a: str
    arm_b: str
    metric: str = "er_impressions"
    platform: str | None = None
    unit: str = "item"
    assignment: str = "blocked"
    seed: int | None = None
    min_effect: float = 0.2
    start: date | None = None
    end: date | None = None


@dataclass
class Created:
    trial: OptimizationTrial
    assignments: list[dict] = field(default_factory=list)  # unit, arm, and for items platform and time
    history_n: int = 0
    warnings: list[str] = field(default_factory=list)  # a random design whose arms differ by chance


def _units(t: OptimizationTrial, items: list) -> tuple[list[str], dict[str, object]]:
    """The units to assign in time order, and unit → item for item units."""
    if t.unit == "week":
        weeks, d = [], t.period_start
        while d <= t.period_end:
            weeks.append(d.isoformat())
            d += timedelta(days=7)
        return weeks, {}
    chosen = sorted((i for i in items if _in_scope(t, i)), key=lambda i: (i.scheduled_at, i.id))
    return [i.id for i in chosen], {i.id: i for i in chosen}


def create_trial(s, d: Design) -> Created:
    """Declare a trial, assign its units to arms and record everything; see :class:`Design`.

    Raises UsageError (exit 2) for an unknown metric or calendar, a name already used, equal
    arm labels, or fewer than two units to assign.
    """
    _check_design(d)
    tid = trial_id_for(s.user, d.name)
    if s.store.trial_taken(tid, s.user, d.name):
        raise UsageError(f"trial name {d.name!r} is already used.", "Pick another name (`calcli trial list`).")
    cal = operations.editing.open_calendar(s.store, s.project, d.calendar, s.user).calendar
    start, end = _period(d, cal)
    seed = d.seed if d.seed is not None else random.SystemRandom().randrange(2**31)
    t = OptimizationTrial(
        tid,
        s.user,
        d.name,
        d.metric,
        d.arm_a.strip(),
        d.arm_b.strip(),
        "running",
        d.assignment,
        utc_stamp(),
        calendar=cal.name,
        platform=d.platform,
        unit=d.unit,
        seed=seed,
        min_effect=d.min_effect,
        alpha=stats.ALPHA,
        period_start=start,
        period_end=end,
    )
    now_utc = _utc(now())
    active = s.store.items(calendar=cal.name, user=s.user, statuses=ACTIVE)
    units, by_id = _units(t, [i for i in active if _utc(i.scheduled_at) > now_utc])
    if len(units) < 2:
        what = "weeks" if d.unit == "week" else "future planned or scheduled items"
        on = f" on {d.platform}" if d.platform else ""
        raise UsageError(
            f"calendar {cal.name} has {len(units)} {what} in {start} to {end}{on}; each arm needs at least one.",
            "Plan more posts first, or widen --start/--end.",
        )
    arms, methods = _assign(t, units, by_id, cal.timezone)
    warnings = _confounding(t, units, arms, by_id, cal.timezone)
    hist = history_values(s.store, s.user, d.metric, d.platform, cal.timezone, d.unit)
    t = _sized(t, hist)
    s.store.add_trial(t, arms, methods)
    rows = _assignment_rows(t, units, arms, by_id)
    for r in rows:
        r["block"] = designs.block_of(methods[r["unit"]])
    return Created(t, rows, len(hist), warnings)


def _assign(t: OptimizationTrial, units: list[str], by_id: dict, tz: str) -> tuple[dict[str, str], dict[str, str]]:
    """(unit → arm, unit → recorded method) of the trial's design."""
    if t.assignment == "random":
        return assign_random(units, t.seed), dict.fromkeys(units, "random")
    if t.assignment == "alternate":
        return assign_alternate(units), dict.fromkeys(units, "alternate")
    strata = [
        designs.stratum(by_id[u].platform._value_, by_id[u].scheduled_at, tz) if u in by_id else () for u in units
    ]
    arms, blocks = designs.assign_blocked(units, strata, t.seed)
    return arms, {u: f"{designs.BLOCKED}:{blocks[u]}" if u in blocks else designs.BLOCKED for u in units}


def _confounding(t: OptimizationTrial, units: list[str], arms: dict[str, str], by_id: dict, tz: str) -> list[str]:
    """Refuse (UsageError) an alternating design whose arms differ systematically in platform,
    weekday, hour or slot; the warnings of a random design whose arms differ beyond chance."""
    if t.unit == "week" or t.assignment == designs.BLOCKED:
        return []
    rows = [(arms[u], *designs.stratum(by_id[u].platform._value_, by_id[u].scheduled_at, tz)) for u in units]
    reasons = designs.confounding(rows, systematic=t.assignment == "alternate")
    if reasons and t.assignment == "alternate":
        raise UsageError(
            "--assign alternate would confound the arms with the calendar's slots: " + "; ".join(reasons) + ".",
            "Use --assign blocked (the default: pairs within each platform, weekday and hour, in random order).",
        )
    return (
        [
            f"the random assignment split the arms unevenly ({'; '.join(reasons)}); it stays valid, but "
            "--assign blocked balances them"
        ]
        if reasons
        else []
    )


def _check_design(d: Design) -> None:
    """UsageError for an unknown metric, an empty name, arms that are not two strategies, or an
    unknown unit or assignment."""
    try:
        metric(d.metric)
    except ValueError as exc:
        raise UsageError(f"{exc}.") from None
    if not d.name.strip():
        raise UsageError("a trial needs a name.")
    if d.arm_a.strip() == d.arm_b.strip() or not d.arm_a.strip() or not d.arm_b.strip():
        raise UsageError("--arm-a and --arm-b must name two different strategies.")
    if d.unit not in UNITS or d.assignment not in ASSIGNMENTS:
        raise UsageError(
            f"--by is item or week and --assign is blocked, random or alternate, not {d.unit}/{d.assignment}."
        )


def _period(d: Design, cal) -> tuple[date, date]:
    """The trial's first and last day: from today at the earliest (a Monday for weeks) to the
    calendar's end unless given; UsageError when that is empty."""
    today = now(zone(cal.timezone)).date()
    start = max(d.start or today, today)
    end = d.end or cal.period_end
    if d.unit == "week":
        start = week_of(start) if start.weekday() == 0 else week_of(start) + timedelta(days=7)
    if end < start:
        raise UsageError(f"the trial period {start} to {end} is empty.", "Give --start and --end in the future.")
    return start, end


def _sized(t: OptimizationTrial, hist: list[float]) -> OptimizationTrial:
    """``t`` with the spread of the metric (from the user's history, else the default) and the
    planned size per arm it gives."""
    if t.unit == "week":
        sigma, source = stats.history_sigma(hist, stats.MIN_HISTORY_WEEKS, stats.DEFAULT_WEEK_SIGMA)
    else:
        sigma, source = stats.history_sigma(hist)
    planned = stats.planned_size(sigma, t.min_effect, t.alpha)
    return replace(t, planned_per_arm=planned, sigma=sigma, sigma_source=source)


def _assignment_rows(t: OptimizationTrial, units: list[str], arms: dict[str, str], by_id: dict) -> list[dict]:
    """One row per unit in time order: its arm and strategy, and for items platform and time."""
    rows = []
    for u in units:
        row = {"unit": u, "arm": arms[u], "strategy": t.arm_a if arms[u] == "a" else t.arm_b}
        if u in by_id:
            row |= {"platform": by_id[u].platform._value_, "scheduled_at": by_id[u].scheduled_at}
        rows.append(row)
    return rows


# ---------------------------------------------------------------- status


def design_doc(t: OptimizationTrial) -> dict:
    """What was declared before any data was seen (``trial new`` and ``trial status`` print it)."""
    return {
        "id": t.id,
        "name": t.name,
        "calendar": t.calendar,
        "platform": t.platform,
        "metric": t.metric,
        "unit": t.unit,
        "assignment": t.assignment,
        "seed": t.seed,
        "period": {"start": t.period_start, "end": t.period_end},
        "min_effect": t.min_effect,
        "alpha": t.alpha,
        "planned_per_arm": t.planned_per_arm,
        "sigma": rounded(t.sigma),
        "sigma_source": t.sigma_source,
    }


# ---------------------------------------------------------------- conclude


def rounded(x: float | None) -> float | None:
    if x is None or math.isinf(x):
        return None
    return round(x, 6)
