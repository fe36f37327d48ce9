"""A trial's status: per arm counts and means, the always-valid interval of the lift, the verdict; conclude."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from calcli.analytics import designs, stats
from calcli.analytics.metrics import metric
from calcli.analytics.trials import (
    ARMS,
    DECISIONS,
    VERDICT_TEXT,
    design_doc,
    find_trial,
    membership,
    metric_values,
    rounded,
    week_of,
)
from calcli.core.errors import UsageError
from calcli.core.model import OptimizationTrial, ScheduleStatus
from calcli.core.times import utc_stamp


@dataclass
class ArmReport:
    label: str
    units: int = 0  # items (or weeks) in the arm
    with_numbers: int = 0  # units with a value of the metric: what the statistics use
    without_numbers: int = 0  # posted (or with numbers imported) but no value: reported, not dropped
    to_come: int = 0  # planned or scheduled, not posted yet
    dropped: int = 0  # canceled, failed, or removed from the calendar
    values: list[float] = field(default_factory=list)
    by_unit: dict[str, float] = field(default_factory=dict)  # unit (item id or week) -> its value


def _classify(t: OptimizationTrial, arms: dict[str, str], items: dict, values: dict) -> dict[str, ArmReport]:
    reports = {"a": ArmReport(t.arm_a), "b": ArmReport(t.arm_b)}
    weekly: dict[tuple[str, str], list] = {}
    for item_id, arm in sorted(arms.items()):
        item = items.get(item_id)
        key = (arm, week_of(item.scheduled_at.date()).isoformat()) if t.unit == "week" and item else (arm, item_id)
        weekly.setdefault(key, []).append((item, values.get(item_id, "absent")))
    for (arm, unit), members in weekly.items():
        r = reports[arm]
        r.units += 1
        got = [v for _, v in members if isinstance(v, float)]
        if got:
            r.with_numbers += 1
            r.values.append(sum(got) / len(got))
            r.by_unit[unit] = r.values[-1]
        elif any(v is None for _, v in members):  # numbers imported, but none for this metric
            r.without_numbers += 1
        elif any(i is not None and i.status in (ScheduleStatus.PLANNED, ScheduleStatus.SCHEDULED) for i, _ in members):
            r.to_come += 1
        elif any(i is not None and i.status == ScheduleStatus.POSTED for i, _ in members):
            r.without_numbers += 1
        else:
            r.dropped += 1
    return reports


def status(s, ref: str, record_late: bool = True) -> dict:
    """Every figure of a trial: per arm counts and log-scale means, the lift B vs A with its
    always-valid interval, the verdict and how many more units it needs. Items that joined the
    trial since it started (item trials) get their hashed arm recorded when ``record_late``."""
    t = find_trial(s.store, s.user, ref)
    cal = s.store.calendar(t.calendar)
    tz = cal.timezone if cal else s.project.config.timezone
    arms, late, items = membership(s.store, t)
    if late and record_late and t.status == "running":
        stamp = utc_stamp()
        with s.store.atomic():
            s.store.add_trial_assignments(t, late, "hash", stamp)
    reports = _classify(t, arms, items, metric_values(s.store, t, list(arms), tz))
    blocks = None
    if t.assignment == designs.BLOCKED:
        blocks = {u: b for u, m in s.store.trial_methods(t.id).items() if (b := designs.block_of(m))}
    return document(t, reports, blocks)


def pair_differences(reports: dict[str, ArmReport], blocks: dict[str, str]) -> tuple[list[float], int]:
    """(B − A of every pair whose two units have a value, units with a value outside such a pair)."""
    pairs: dict[str, dict[str, float]] = {}
    loose = 0
    for arm in ARMS:
        for unit, v in reports[arm].by_unit.items():
            if unit in blocks:
                pairs.setdefault(blocks[unit], {})[arm] = v
            else:
                loose += 1
    diffs = [p["b"] - p["a"] for _, p in sorted(pairs.items()) if len(p) == 2]
    return diffs, loose + sum(1 for p in pairs.values() if len(p) == 1)


def document(t: OptimizationTrial, reports: dict[str, ArmReport], blocks: dict[str, str] | None = None) -> dict:
    """The status document of ``trial status --format json``; with ``blocks`` (a blocked design)
    the effect is the mean pair difference, else the difference of the arms' means."""
    ma, mb = (stats.moments(reports[a].values) for a in ARMS)
    analysis: dict = {"method": "difference of the arms' means"}
    if blocks is None:
        eff = stats.effect(ma, mb, t.planned_per_arm, t.alpha)
        code, more = stats.verdict(ma, mb, t.planned_per_arm, t.alpha)
    else:
        diffs, loose = pair_differences(reports, blocks)
        md = stats.moments(diffs)
        eff = stats.paired_effect(md, t.planned_per_arm, t.alpha)
        code, more = stats.paired_verdict(md, t.planned_per_arm, t.alpha)
        analysis = {"method": "mean difference within pairs (blocked)", "pairs": md.n, "unpaired": loose}
    unit_word = "weeks" if t.unit == "week" else "posts"
    arms_doc = {}
    for a, m in zip(ARMS, (ma, mb), strict=True):
        r = reports[a]
        arms_doc[a] = {
            "strategy": r.label,
            "units": r.units,
            "with_numbers": r.with_numbers,
            "without_numbers": r.without_numbers,
            "to_come": r.to_come,
            "dropped": r.dropped,
            "mean_log": rounded(m.mean) if m.n else None,
            "sd_log": rounded(math.sqrt(m.var)) if m.n > 1 else None,
            "geometric_mean": rounded(_geo(m.mean, t.metric)) if m.n else None,
        }
    return {
        **design_doc(t),
        "status": t.status,
        "started_at": _aware(t.started_at),
        "concluded_at": _aware(t.concluded_at),
        "decision": t.decision,
        "note": t.note,
        "arms": arms_doc,
        "diff_log": rounded(eff.diff) if eff else None,
        "diff_low": rounded(eff.low) if eff else None,
        "diff_high": rounded(eff.high) if eff else None,
        "lift": rounded(eff.lift) if eff else None,
        "lift_low": rounded(eff.lift_low) if eff else None,
        "lift_high": rounded(eff.lift_high) if eff else None,
        "analysis": analysis,
        "verdict": code,
        "verdict_text": VERDICT_TEXT[code].format(more=more, units=unit_word),
        "more_needed": more,
    }


def _geo(mean_log: float, metric_name: str) -> float:
    return math.exp(mean_log) - stats.RATE_OFFSET if metric(metric_name).kind == "rate" else math.expm1(mean_log)


def _aware(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


def conclude(s, ref: str, decision: str, note: str | None) -> tuple[OptimizationTrial, dict]:
    """Record the decision (a, b or none) and when it was taken; the status document at that
    moment is returned with it. A concluded trial cannot be concluded again (UsageError)."""
    if decision not in DECISIONS:
        raise UsageError(f"--decision is a, b or none, not {decision!r}.")
    t = find_trial(s.store, s.user, ref)
    if t.status != "running":
        raise UsageError(f"trial {t.id} was already concluded on {t.concluded_at:%Y-%m-%d} (decision {t.decision}).")
    doc = status(s, ref)
    stamp = utc_stamp()
    s.store.conclude_trial(t.id, decision, note, stamp)
    return replace(t, status="concluded", concluded_at=_aware(stamp), decision=decision, note=note), doc
