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
    platforms, chosen = _platforms(store, f, prefs)
    out = []
    for p in platforms:
        weeks = by.get(p.value, {})
        # weekly goals: no daily cap needed
        lim = planning.board.limits_for(p, timing.for_platform(p), prefs.platforms.get(p))
        own = prefs.platforms.get(p)
        if not chosen and not weeks and not (own and own.posting_frequency_min):
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


def _platforms(store, f: PostFilter, prefs) -> tuple[list[Platform], bool]:
    """(the platforms whose goals to show, whether to show them even without posts in the weeks
    counted): --platform, else the calendar's ``platforms:``, else (a calendar `calcli plan` made
    has no list) the platforms its items are on or the user's preferences name — those are shown
    even when their posts are all still to come; with no calendar, every platform."""
    if f.platform:
        return [Platform(f.platform)], False
    cal = store.calendar(f.calendar) if f.calendar else None
    if cal is None:
        return sorted(Platform, key=lambda p: p.value), False
    if cal.platforms:
        return sorted(cal.platforms, key=lambda p: p.value), False
    found = {i.platform for i in store.items(calendar=cal.name, user=f.user)} or set(prefs.platforms)
    return sorted(found, key=lambda p: p.value), True
