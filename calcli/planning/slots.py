"""Candidate slots: every allowed posting instant of a platform format in the period, best first."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from calcli.core.blackouts import blackout_hits, touches_day
from calcli.core.model import (
    PlatformTimingData,
    TimingWindow,
    UserSchedulingPreferences,
    in_hours,
)
from calcli.core.times import daterange, resolve_local
from calcli.planning.board import Limits
from calcli.planning.problem import PlanInput, Slot

PREFERENCE_BONUS = 0.05


def _day_layout(
    fmt: PlatformTimingData, weekday: int, step: timedelta, prefs: UserSchedulingPreferences | None
) -> list[tuple[time, TimingWindow, float]]:
    """The slot times of one weekday with their best window and score (preferences applied).

    The times are each window's own grid (from its start, every ``step``); a time's window is the
    best of all the windows that cover it, not only the one whose grid it is on."""
    times: dict[time, TimingWindow] = {}
    anchor = date(2001, 1, 1)  # any date: only the times of day matter here
    todays = [w for w in fmt.windows if weekday in w.days]
    for w in todays:
        t = datetime.combine(anchor, w.start)
        stop = datetime.combine(anchor + timedelta(days=1) if w.end == time(0) else anchor, w.end)
        while t < stop and t.date() == anchor:
            times.setdefault(t.time(), w)
            t += step
    for tod in times:
        covering = [w for w in todays if w.start <= tod and (w.end == time(0) or tod < w.end)]
        times[tod] = max(covering, key=lambda w: w.score)  # the first of the best on a tie
    out = []
    for tod in sorted(times):
        if prefs and prefs.avoided_hours and in_hours(tod, prefs.avoided_hours):
            continue
        w = times[tod]
        score = w.score
        if prefs and (
            weekday in prefs.preferred_days or (prefs.preferred_hours and in_hours(tod, prefs.preferred_hours))
        ):
            score = min(1.0, score + PREFERENCE_BONUS)
        out.append((tod, w, round(score, 4)))
    return out


def candidate_slots(
    inp: PlanInput, fmt: PlatformTimingData, limits: Limits, tz: ZoneInfo, first: date, last: date
) -> list[Slot]:
    """Every allowed slot of one platform format, best first (score desc, then time).

    A day whose UTC offset is the same at both ends has no DST change, so its
    wall-clock times map to instants with that one offset; only the few days
    with a change go through :func:`resolve_local` slot by slot.
    """
    step = timedelta(minutes=inp.slot_minutes)
    prefs = limits.prefs
    now_ts = inp.now.timestamp()
    name = fmt.format
    exceptions = [e for e in inp.calendar.exceptions if e.applies_to(fmt.platform)]
    by_score: dict[float, list[Slot]] = {}  # each list fills in time order: no sort needed
    # Per weekday, each slot time: (seconds after midnight, time of day, window, score, its score's list).
    layouts = [
        []
        if prefs and wd in prefs.avoided_days
        else [
            (tod.hour * 3600 + tod.minute * 60, tod, w, score, by_score.setdefault(score, []))
            for tod, w, score in _day_layout(fmt, wd, step, prefs)
        ]
        for wd in range(7)
    ]
    one_day = timedelta(days=1)
    for day in daterange(first, last):
        layout = layouts[day.weekday()]
        if not layout:
            continue
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        next_midnight = midnight + one_day
        offset = midnight.utcoffset()
        steady = offset == next_midnight.utcoffset()
        base = midnight.timestamp()
        iso = day.isocalendar()
        week = (iso[0], iso[1])
        blackouts = [e for e in exceptions if touches_day(e, day)]
        for secs, tod, w, score, bucket in layout:
            if steady:
                utc = base + secs
            else:
                at = resolve_local(datetime.combine(day, tod), tz)
                if at is None:
                    continue  # a wall-clock time that does not exist today (spring forward)
                utc = at.timestamp()
            if utc < now_ts:
                continue
            slot = Slot(utc, day, week, score, w, tz, name)
            if blackouts and any(blackout_hits(e, fmt.platform, slot.at) for e in blackouts):
                continue
            bucket.append(slot)
    return [slot for score in sorted(by_score, reverse=True) for slot in by_score[score]]
