"""Why an item has its slot: its window and score, and what rules out each better slot (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from calcli.core.model import BulkJob, ContentScheduleItem, Platform, UserPreferences, VideoJob
from calcli.core.times import zone
from calcli.core.timing import TimingTable
from calcli.planning.problem import PlanInput, Request, Slot
from calcli.planning.search import Planner
from calcli.planning.slots import candidate_slots


@dataclass
class Explanation:
    item: ContentScheduleItem
    window: dict | None
    rank: int | None
    candidates: int
    better: list[dict]
    limits: dict
    notes: list[str]
    terms: dict = field(default_factory=dict)  # the objective's terms for this item
    earlier: list[dict] = field(default_factory=list)  # earlier slots and what rules each out


def explain(
    item, cal, others, timing: TimingTable, prefs: UserPreferences, history, slot_minutes: int, caps: dict
) -> Explanation:

    fmt = timing.get(item.platform, item.format) or timing.for_platform(item.platform)[0]
    planned_at = history[0][0] if history else item.scheduled_at - timedelta(days=3650)
    job = BulkJob(item.bulk_job_id or "manual", item.user_id)
    inp = PlanInput(
        job=job,
        calendar=cal,
        existing=others,
        timing=timing,
        prefs={p: prefs.for_platform(p, cal.timezone) for p in Platform},
        stagger=prefs.stagger,
        now=min(planned_at, item.scheduled_at),
        slot_minutes=slot_minutes,
        platform_caps=caps,
    )
    planner = Planner(inp)
    planner.board(item.platform, fmt)
    for o in others:
        if o.video_job_id == item.video_job_id and o.calendar == item.calendar:
            planner.stagger.note(o.video_job_id, o.platform, o.scheduled_at.timestamp())
    req = Request(VideoJob(item.video_job_id), item.platform, fmt, item.idempotency_key, (0,), 0.0)
    tz = zone(cal.timezone)
    slots = candidate_slots(inp, fmt, planner.limits[item.platform], tz, cal.period_start, cal.period_end)
    mine: Slot | None = next((s for s in slots if abs(s.utc - item.scheduled_at.timestamp()) < 1), None)
    notes = []
    if mine is None:
        notes.append(
            "this time is not one of the planner's allowed slots (moved by hand, or the "
            "windows, preferences or blackouts changed since it was planned)"
        )
    score = mine.score if mine else (item.score or 0.0)
    better = _better(slots, score, item.scheduled_at.timestamp(), planner, req)
    rank = slots.index(mine) + 1 if mine else None
    window = _window(mine, fmt) if mine and mine.window else None
    limits = _limits(planner.limits[item.platform], item.format, prefs)
    req.earliest = planned_at.timestamp()
    terms = _terms(item, score, planner, req, others, prefs)
    earlier = [
        {"at": s.at, "score": s.score, "ruled_out_by": planner.conflict(req, s) or "free now"}
        for s in slots
        if req.earliest <= s.utc < item.scheduled_at.timestamp()
        and s.score * 0.5 ** ((s.utc - req.earliest) / 86400.0 / terms["half_life_days"]) >= terms["value"]
    ]
    earlier.sort(key=lambda d: d["at"])
    return Explanation(item, window, rank, len(slots), better, limits, notes, terms, earlier[:10])


def _terms(item, score: float, planner: Planner, req: Request, others, prefs: UserPreferences) -> dict:
    """The objective's terms: window score, promptness (from when it was planned: an item does not
    keep its video's ready_at), and whether it counts toward its week's goal."""
    half = prefs.planning.half_life_days
    days = max(item.scheduled_at.timestamp() - req.earliest, 0.0) / 86400.0
    prompt = 0.5 ** (days / half)
    goal = planner.limits[item.platform].min_per_week
    week = item.scheduled_at.astimezone(planner.tz).isocalendar()[:2]
    before = sum(
        1
        for o in others
        if o.platform == item.platform
        and o.scheduled_at.astimezone(planner.tz).isocalendar()[:2] == week
        and o.scheduled_at < item.scheduled_at
    )
    return {
        "window_score": score,
        "days_waited": round(days, 2),
        "half_life_days": half,
        "promptness": round(prompt, 4),
        "value": round(score * prompt, 4),
        "week": f"{week[0]}-W{week[1]:02d}",
        "weekly_goal": goal,
        "post_in_week": before + 1,
        "counts_toward_goal": bool(goal and before < goal),
    }


def _better(slots: list[Slot], score: float, mine_ts: float, planner: Planner, req: Request) -> list[dict]:
    """Up to ten slots better than the item's (higher score, or as high and earlier) and what rules each out."""
    better = []
    for s in slots:
        if len(better) >= 10:
            break
        if s.score < score or (s.score == score and s.utc >= mine_ts):
            continue
        better.append({"at": s.at, "score": s.score, "ruled_out_by": planner.conflict(req, s) or "free now"})
    return better


def _window(mine: Slot, fmt) -> dict:
    w = mine.window
    end = "24:00" if w.end.hour == 0 and w.end.minute == 0 else f"{w.end:%H:%M}"
    return {
        "days": ",".join(("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d] for d in sorted(w.days)),
        "start": f"{w.start:%H:%M}",
        "end": end,
        "score": w.score,
        "source": fmt.sources.get(w.source, w.source),
    }


def _limits(lim, fmt: str, prefs: UserPreferences) -> dict:
    per_day, per_week = lim.effective(fmt)
    return {
        "max_per_day": per_day,
        "max_per_week": per_week,
        "min_spacing_minutes": int(lim.spacing // 60),
        "stagger_gap_minutes": prefs.stagger.gap_minutes,
        "stagger_order": [p.value for p in prefs.stagger.order],
    }
