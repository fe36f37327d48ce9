"""Posting against the weekly goals: posts per ISO week and platform, on track, at risk or missed."""

from __future__ import annotations

from datetime import date, timedelta

from calcli import files, planning
from calcli.core.model import Platform, PostFilter
from calcli.core.times import now, zone

CONSISTENCY_WEEKS = 4  # full weeks behind "missed"


def consistency(store, project, f: PostFilter, tz: str, timing) -> list[dict]:
    """Posts per ISO week per platform against the user's minimum (preferences, else the research
    guideline): ``missed`` when the last full week fell short, ``at risk`` when this week's posted
    plus still-pending posts cannot reach it, ``on track`` otherwise."""
    today = now(zone(tz)).date()
    if f.until and f.until < today:
        today = f.until  # the state of things at the end of the period analysed
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=CONSISTENCY_WEEKS)
    prefs = files.preferences.load_preferences(project.preferences_path, f.user, tz)
    counts = store.week_counts(f.user, f.calendar, tz, first)
    by: dict[str, dict[date, tuple[int, int]]] = {}
    for platform, wk, posted, pending in counts:
        by.setdefault(platform, {})[wk] = (posted, pending)
    cal = store.calendar(f.calendar) if f.calendar else None
    if f.platform:
        platforms = [Platform(f.platform)]
    elif cal is not None:
        platforms = sorted(cal.platforms, key=lambda p: p.value)
    else:
        platforms = sorted(Platform, key=lambda p: p.value)
    out = []
    for p in platforms:
        weeks = by.get(p.value, {})
        # weekly goals: no daily cap needed
        lim = planning.board.limits_for(p, timing.for_platform(p), prefs.platforms.get(p))
        own = prefs.platforms.get(p)
        if not weeks and not (own and own.posting_frequency_min):
            continue  # a platform the user neither posts to nor set a goal for
        goal = lim.min_per_week
        full = [weeks.get(first + timedelta(weeks=k), (0, 0))[0] for k in range(CONSISTENCY_WEEKS)]
        posted, pending = weeks.get(monday, (0, 0))
        if goal is None:
            status = "no goal"
        elif full[-1] < goal:
            status = "missed"
        elif posted + pending < goal:
            status = "at risk"
        else:
            status = "on track"
        out.append(
            {
                "platform": p.value,
                "min_per_week": goal,
                "max_per_week": lim.max_per_week,
                "weeks": CONSISTENCY_WEEKS,
                "weeks_met": sum(1 for n in full if goal is not None and n >= goal) if goal is not None else None,
                "posted_per_week": round(sum(full) / CONSISTENCY_WEEKS, 2),
                "this_week_posted": posted,
                "this_week_pending": pending,
                "status": status,
            }
        )
    return out
