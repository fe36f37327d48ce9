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

from calcli.core.blackouts import blackout_hits, touches_day
from calcli.core.model import Platform
from calcli.planning.problem import Request
from calcli.planning.search import Planner

TRIES_PER_WEEK = 24  # candidates tried for one short week (a bound on the work of a large plan)
CHAIN_TRIES = 40  # moves of a stagger predecessor (or of another video's post) tried in one plan


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
    reason: str = ""  # for a short week: the rule that kept the next video's post out of it

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
    keys: dict[str, list[str]] = {}  # video -> its requests' keys
    for r in requests:
        keys.setdefault(r.video.video_job_id, []).append(r.key)
    targets = goals(p, by_platform)
    chains = [CHAIN_TRIES]
    for platform, goal in targets.items():
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
                    moved = _move_behind(p, cands, w, still, (by_platform, targets, weeks, keys), chains)
                if not moved:
                    break
    return [r for r in unplaced if r.key in still]


def shortfall(p: Planner, by_platform: dict, targets: dict, weeks: list[Week]) -> int:
    """Posts missing from the weekly goals, over every platform's weeks that need them."""
    out = 0
    for platform, goal in targets.items():
        per_week = p.boards[platform].per_week
        for w, need in zip(weeks, _needed(p, by_platform[platform], weeks), strict=True):
            if need:
                out += max(goal - per_week.get(w.week, 0), 0)
    return out


def _move_behind(p: Planner, cands, w: Week, still: dict, ctx: tuple, chains: list[int]) -> bool:
    """A candidate the stagger keeps out of ``w``: move its video's earlier posts into ``w`` (or before)
    as well; where a predecessor's platform has no room in ``w``, another video's post there makes way
    and goes later (each choice tried, the best kept). Kept only when every post stays placed and the
    goals' shortfall falls. ``ctx``: the requests by platform, the goals, the weeks, each video's keys."""
    by_platform, targets, weeks, keys = ctx
    before = shortfall(p, by_platform, targets, weeks)
    for r in cands:
        preds = _predecessors(p, r, w, keys)
        if not preds:
            continue
        best, choice = (before, None), 0
        while chains[0] > 0:
            chains[0] -= 1
            touched: dict[str, tuple[Request, object]] = {}
            done, used = _chain(p, r, preds, w, touched, choice, keys)
            if done:
                after = shortfall(p, by_platform, targets, weeks)
                if after < best[0]:
                    best = (after, choice)
            _undo(p, touched)
            if not used:  # no post made way: no other choice to try
                break
            choice += 1
        if best[1] is not None:
            _chain(p, r, preds, w, {}, best[1], keys)
            still.pop(r.key, None)
            return True
    return False


def _placed_of(p: Planner, keys: dict, video: str) -> list[tuple[Request, object]]:
    placed = p.placed
    return [placed[k] for k in keys.get(video, ()) if k in placed]


def _predecessors(p: Planner, r: Request, w: Week, keys: dict) -> list[Request]:
    """The placed posts of ``r``'s video that the stagger puts before it and that are not before ``w``."""
    order = p.stagger.order
    mine = order.get(r.platform, len(order))
    out = []
    for q, _ in _placed_of(p, keys, r.video.video_job_id):
        if (
            q.key != r.key
            and order.get(q.platform, len(order)) < mine
            and p.placed[q.key][1].utc + p.stagger.gap > w.start
        ):
            out.append(q)
    out.sort(key=lambda q: order.get(q.platform, len(order)))
    return out


def _take(p: Planner, q: Request, touched: dict) -> None:
    if q.key not in touched:
        touched[q.key] = (q, p.placed[q.key][1] if q.key in p.placed else None)
    if q.key in p.placed:
        p.unplace(q)


def _undo(p: Planner, touched: dict) -> None:
    for q, _ in touched.values():
        if q.key in p.placed:
            p.unplace(q)
    for q, old in touched.values():
        if old is not None:
            p.place(q, old)


def _chain(p: Planner, r: Request, preds: list, w: Week, touched: dict, choice: int, keys: dict) -> tuple[bool, bool]:
    """Place ``preds`` (stagger order) before ``w``'s end and ``r`` inside ``w``, the ``choice``-th post
    that can make way doing so where needed. Returns (done, whether a post made way)."""
    _take(p, r, touched)
    for q in preds:
        _take(p, q, touched)
    displaced: list[Request] = []
    used = False
    for q in preds:
        slot = p.best_slot(q, until=w.end - 1)
        if slot is None and not used:
            used = True
            slot = _make_way(p, q, w, (touched, displaced, keys), choice)
            if slot is None:
                return False, False  # no post left to make way: no other choice to try
        if slot is None:
            return False, used
        p.place(q, slot)
    slot = p.best_slot(r, since=w.start, until=w.end - 1)
    if slot is None:
        return False, used
    p.place(r, slot)
    order = p.stagger.order
    displaced.sort(key=lambda q: (q.rank, order.get(q.platform, len(order))))
    for q in displaced:  # the posts that made way go out again, anywhere their rules allow
        slot = p.best_slot(q)
        if slot is None:
            return False, used
        p.place(q, slot)
    return True, used


def _make_way(p: Planner, q: Request, w: Week, state: tuple, choice: int):
    """Take the ``choice``-th post of another video that lets ``q`` fit off ``q``'s platform in ``w``
    (with its video's later posts); the slot ``q`` takes then, or None. ``state``: the posts touched,
    the posts that made way, each video's keys."""
    touched, displaced, keys = state
    held = sorted(p.on_week.get((q.platform, w.week), ()), key=lambda k: p.placed[k][0].rank, reverse=True)
    for key in held:  # the least important first
        x = p.placed[key][0]
        if x.video.video_job_id == q.video.video_job_id:
            continue
        moved = [x, *_successors(p, x, keys)]
        where = {y.key: p.placed[y.key][1] for y in moved}
        fresh = [y.key for y in moved if y.key not in touched]
        for y in moved:
            _take(p, y, touched)
        slot = p.best_slot(q, since=w.start, until=w.end - 1)
        if slot is not None:
            if choice == 0:
                displaced.extend(moved)
                return slot
            choice -= 1
        for y in moved:  # this one did not help: back where it was
            p.place(y, where[y.key])
        for k in fresh:
            del touched[k]
    return None


def _successors(p: Planner, x: Request, keys: dict) -> list[Request]:
    order = p.stagger.order
    mine = order.get(x.platform, len(order))
    return [q for q, _ in _placed_of(p, keys, x.video.video_job_id) if order.get(q.platform, len(order)) > mine]


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
            status = WeekStatus(platform, w.week, board.per_week.get(w.week, 0), goal, need)
            if status.short:
                status.reason = short_reason(p, by_platform[platform], w)
            out.append(status)
    return out


def short_reason(p: Planner, reqs: list[Request], w: Week) -> str:
    """The rule that keeps the first video still owed to ``w`` out of it: a cap, spacing, a blackout,
    the stagger behind another platform's post, series order, or no video ready in time."""
    cands = [r for r in reqs if r.earliest < w.end and (r.key not in p.placed or p.placed[r.key][1].utc >= w.end)]
    cands.sort(key=lambda r: (r.earliest, r.rank, r.series))
    for r in cands:
        why = _reason_for(p, r, w)
        if why:
            return why
    return "no video ready that week"


def _reason_for(p: Planner, r: Request, w: Week) -> str | None:
    platform = r.platform.value
    old = p.unplace(r) if r.key in p.placed else None
    try:
        slots = [s for s in p.slots_for(r) if w.start <= s.utc < w.end]
        if not slots:
            return _blackout(p, r, w) or f"no {platform} window left in that week"
        ready = [s for s in slots if s.utc >= r.earliest]
        if not ready:
            return f"{r.video.video_job_id} is ready only after that week's last {platform} window"
        counts: dict[str, int] = {}
        for slot in ready:
            why = _rule(p, r, slot)
            counts[why] = counts.get(why, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    finally:
        if old is not None:
            p.place(r, old)


def _rule(p: Planner, r: Request, slot) -> str:
    """The rule ruling ``r`` out of ``slot``, in the words of the goal warning."""
    platform, lim = r.platform.value, p.limits[r.platform]
    board = p.boards[r.platform]
    day, week = lim.effective(slot.fmt)
    if day is not None and board.per_day.get(slot.day, 0) >= day:
        return f"cap of {day}/day on {platform}"
    if week is not None and board.per_week.get(slot.week, 0) >= week:
        return f"cap of {week}/week on {platform}"
    why = board.conflict(slot)
    if why and "cap" in why:
        n = why.split("(")[1].split(" ")[0]
        return f"cap of {n}/{'day' if 'daily' in why else 'week'} on {platform}"
    if why:
        return f"spacing of {int(lim.spacing // 60)} min on {platform}"
    stagger = _stagger_rule(p, r, slot.utc)
    if stagger:
        return stagger
    if p.series.conflict(r, slot.utc):
        return f"series order on {platform}: an earlier video of the job goes out later"
    return f"the plan kept {r.video.video_job_id}'s {platform} post for a later week"


def _stagger_rule(p: Planner, r: Request, utc: float) -> str | None:
    st = p.stagger
    order, mine = st.order, st.order.get(r.platform, len(st.order))
    video = r.video.video_job_id
    posts = sorted(p.by_video.get(video, {}).items(), key=lambda kv: order.get(kv[0], len(order)))
    for other, t in posts:  # the first in the stagger order that holds it back: the root of the wait
        if other != r.platform and order.get(other, len(order)) < mine and utc < t + st.gap:
            text = f"stagger behind the {other.value} post of {video} ({datetime.fromtimestamp(t, p.tz):%Y-%m-%d})"
            board, lim = p.boards.get(other), p.limits.get(other)
            if board is not None and lim is not None and lim.max_per_week is not None:
                iso = datetime.fromtimestamp(utc, p.tz).date().isocalendar()
                if board.per_week.get((iso[0], iso[1]), 0) >= lim.max_per_week:
                    text += f", and {other.value}'s cap of {lim.max_per_week}/week is full that week"
            return text
    return None


def _blackout(p: Planner, r: Request, w: Week) -> str | None:
    """The blackout days of ``w`` on ``r``'s platform, as text (None: no blackout in it)."""
    days = []
    for i in range(7):
        d = w.monday + timedelta(days=i)
        noon = datetime(d.year, d.month, d.day, 12, tzinfo=p.tz)
        if any(blackout_hits(e, r.platform, noon) for e in p.inp.calendar.exceptions if touches_day(e, d)):
            days.append(d)
    if not days:
        return None
    if len(days) == 1:
        return f"blackout {days[0]:%Y-%m-%d}"
    return f"blackout {days[0]:%Y-%m-%d} to {days[-1]:%Y-%m-%d}"


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
