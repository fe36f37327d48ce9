"""Weekly goals: every full ISO week of the planning window gets a platform's ``min_per_week``
posts while the job still has videos ready for it.

A week *needs* its goal while a post of the job that was ready by the week's end goes out after it
or not at all; a week after the last video went out needs nothing (calcli does not invent posts).
:func:`fill_goals` moves such later posts (the first ones first: series order holds) or places
unplaced ones into a short week; :func:`week_status` tells, per platform and week, how it ended.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from calcli.core.model import Platform
from calcli.planning.problem import Request
from calcli.planning.search import Planner

TRIES_PER_WEEK = 24  # candidates tried for one short week (a bound on the work of a large plan)


@dataclass
class Week:
    week: tuple[int, int]
    monday: date
    start: float  # epoch seconds, local midnight on Monday
    end: float  # local midnight after Sunday


@dataclass
class WeekStatus:
    platform: Platform
    week: tuple[int, int]
    posts: int
    goal: int
    needed: bool  # videos ready by the week's end went out later or not at all

    @property
    def short(self) -> bool:
        return self.needed and self.posts < self.goal


def full_weeks(p: Planner) -> list[Week]:
    """The ISO weeks wholly inside the planning window."""
    out = []
    d = p.first + timedelta(days=(7 - p.first.weekday()) % 7)
    while d + timedelta(days=6) <= p.last:
        start = datetime(d.year, d.month, d.day, tzinfo=p.tz).timestamp()
        nxt = d + timedelta(days=7)
        end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=p.tz).timestamp()
        iso = d.isocalendar()
        out.append(Week((iso[0], iso[1]), d, start, end))
        d = nxt
    return out


def goals(p: Planner, platforms) -> dict[Platform, int]:
    """Each platform's weekly minimum (the user's, else the guideline), where it has one."""
    out = {}
    for platform in platforms:
        lim = p.limits.get(platform)
        if lim is not None and lim.min_per_week:
            out[platform] = lim.min_per_week
    return out


def fill_goals(p: Planner, requests: list[Request], unplaced: list[Request]) -> list[Request]:
    """Bring each short week of each platform up to its goal while the job has videos for it.
    Returns the requests still unplaced."""
    weeks = full_weeks(p)
    by_platform: dict[Platform, list[Request]] = {}
    for r in requests:
        by_platform.setdefault(r.platform, []).append(r)
    still = {r.key: r for r in unplaced}
    for platform, goal in goals(p, by_platform).items():
        board = p.boards[platform]
        # Moves only bring posts earlier: a week not needed now is not needed after them either.
        needed = _needed(p, by_platform[platform], weeks)
        for w, need in zip(weeks, needed, strict=True):
            if not need:
                continue
            tries = 0
            while board.per_week.get(w.week, 0) < goal and tries < TRIES_PER_WEEK:
                cands = _candidates(p, by_platform[platform], still, w)
                if not cands:
                    break
                moved = False
                for r in cands:
                    tries += 1
                    if _move_into(p, r, w, still):
                        moved = True
                        break
                    if tries >= TRIES_PER_WEEK:
                        break
                if not moved:
                    break
    return [r for r in unplaced if r.key in still]


def _candidates(p: Planner, reqs: list[Request], still: dict, w: Week) -> list[Request]:
    """Requests ready by the week's end that go out after it (first first) or not at all."""
    unplaced = [r for r in reqs if r.key in still and r.earliest < w.end]
    later = [r for r in reqs if r.key in p.placed and r.earliest < w.end and p.placed[r.key][1].utc >= w.end]
    later.sort(key=lambda r: p.placed[r.key][1].utc)
    return unplaced + later


def _move_into(p: Planner, r: Request, w: Week, still: dict) -> bool:
    old = p.unplace(r) if r.key in p.placed else None
    slot = p.best_slot(r, since=w.start, until=w.end - 1)
    if slot is not None and slot.utc >= w.start:
        p.place(r, slot)
        still.pop(r.key, None)
        return True
    if old is not None:
        p.place(r, old)
    return False


def week_status(p: Planner, requests: list[Request]) -> list[WeekStatus]:
    """Per platform with a goal and full week: its posts (all of the user's on the platform), its
    goal and whether the job still had videos for it."""
    weeks = full_weeks(p)
    by_platform: dict[Platform, list[Request]] = {}
    for r in requests:
        by_platform.setdefault(r.platform, []).append(r)
    out = []
    for platform, goal in goals(p, by_platform).items():
        board = p.boards[platform]
        needed = _needed(p, by_platform[platform], weeks)
        for w, need in zip(weeks, needed, strict=True):
            out.append(WeekStatus(platform, w.week, board.per_week.get(w.week, 0), goal, need))
    return out


def _needed(p: Planner, reqs: list[Request], weeks: list[Week]) -> list[bool]:
    """Per week: a post ready by its end went out after it or not at all (one sweep, not one per week)."""
    ends = [w.end for w in weeks]
    marks = [0] * (len(weeks) + 1)  # +1 from the first week needed, -1 after the last
    for r in reqs:
        lo = bisect.bisect_right(ends, r.earliest)  # the first week ending after it is ready
        placed = p.placed.get(r.key)
        hi = len(weeks) if placed is None else bisect.bisect_right(ends, placed[1].utc)  # weeks ending by its post
        if lo < hi:
            marks[lo] += 1
            marks[hi] -= 1
    out, open_ = [], 0
    for i in range(len(weeks)):
        open_ += marks[i]
        out.append(open_ > 0)
    return out
