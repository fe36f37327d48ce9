"""The schedule generator: pure, deterministic, no I/O.

Given a bulk job, a calendar (period, zone, blackouts, what is already on it),
the platform timing windows and the user's preferences, :func:`plan` returns
the new items, the requests it could not place (with the reason) and the
videos it skipped.

How it works (see the README, "How the planner works"):

1. Candidate slots: for each platform and format, every ``slot_minutes`` step
   inside a timing window, on every day of the period, as wall-clock times in
   the calendar's zone. Nonexistent local times (spring forward) are dropped;
   ambiguous ones (fall back) take the first occurrence (RFC 5545). Slots in a
   blackout, on an avoided day or hour, or before "now" are dropped. A slot's
   score is the best score of the windows covering it (plus 0.05 on a
   preferred day or hour, capped at 1).
2. Greedy: requests in priority order (job, then video priority; then ready
   time; then input order), each video's platforms in the stagger order, each
   to its best feasible slot (highest score, then earliest).
3. Repair: an unplaced request may take a slot held by a placed one when that
   one can move to another feasible slot (one ejection), so that as many
   requests as possible are placed.
4. Improve: each new item moves to a better feasible slot, or trades slots
   with another new item, while the total score grows.

Hard constraints, never broken: inside a window; not in a blackout; within
the period; not before the video's ``ready_at`` or "now"; per platform at most
``max_per_day`` a local day and ``max_per_week`` an ISO week (counting the
items already on the user's calendars); at least ``min_spacing`` between two
posts on one platform; one video's posts follow the stagger order with at
least the stagger gap between consecutive platforms. Existing items never move.
"""

from __future__ import annotations

from datetime import time, timedelta
from functools import lru_cache
from operator import itemgetter

from calcli.core.model import (
    ContentScheduleItem,
    Platform,
    ScheduleStatus,
    TimingWindow,
    item_id_for,
)
from calcli.planning import local
from calcli.planning.board import limits_for
from calcli.planning.exact import EXACT_MAX_REQUESTS, ExactSearch
from calcli.planning.goals import fill_goals, week_status
from calcli.planning.problem import PlanInput, PlanQuality, PlanResult, Request, Slot, Unplaced, _local
from calcli.planning.requests import build_requests
from calcli.planning.reselect import reselect
from calcli.planning.search import Planner

RESELECT_MAX_REQUESTS = 2000  # which videos take scarce slots: tried on jobs up to this size


def plan(inp: PlanInput) -> PlanResult:
    """Place the bulk job's videos on the calendar; see the module docstring for the rules.

    >>> result = plan(PlanInput(job, calendar, [], load_timing(), {}, Stagger(), now))
    >>> [(i.platform.value, i.scheduled_at.isoformat()) for i in result.items]
    """
    result = PlanResult()
    result.warnings.extend(inp.timing.warnings)
    requests = build_requests(inp, result)
    planner = Planner(inp)
    failed = run(planner, requests)
    reasons: dict = {}
    for req in failed:
        why = _why_unplaced(planner, req, reasons)
        result.unplaced.append(Unplaced(req.video.video_job_id, req.platform.value, why))
    placed = []
    why = result.why
    texts: dict[tuple[int, float], str] = {}  # (id of the window, score) -> describe_window: a few for all items
    for req, slot in planner.placed.values():
        item = _item(inp, req, slot)
        text = texts.get((id(slot.window), slot.score))
        if text is None:
            text = texts[(id(slot.window), slot.score)] = describe_window(slot)
        why[item.id] = text
        placed.append(((slot.utc, req.platform._value_, item.id), item))  # slot.utc: the item's timestamp()
    placed.sort(key=itemgetter(0))
    result.items = [item for _, item in placed]
    result.unplaced.sort(key=lambda u: (u.video_job_id, u.platform))
    requested = {r.platform for r in requests} | {Platform.parse(u.platform) for u in result.unplaced}
    if inp.half_life_days:
        result.quality = plan_quality(planner, requests)
        result.warnings.extend(goal_warnings(result.quality.weeks))
    else:
        result.warnings.extend(frequency_warnings(planner, inp, requested))
    return result


def goal_warnings(weeks) -> list[str]:
    """Per platform, the full weeks short of the weekly goal while the job had videos ready for them."""
    out = []
    by_platform: dict[Platform, list] = {}
    for w in weeks:
        by_platform.setdefault(w.platform, []).append(w)
    for platform in sorted(by_platform, key=lambda p: p.value):
        ws = by_platform[platform]
        short = [w for w in ws if w.short]
        if short:
            w = short[0]
            posts = "post" if w.goal == 1 else "posts"
            out.append(
                f"{platform.value}: {len(short)} of {len(ws)} full weeks fall short of your minimum of {w.goal} "
                f"{posts} a week while videos were ready for them (e.g. {w.week[0]}-W{w.week[1]:02d} has "
                f"{w.posts}): {w.reason}"
            )
    return out


def plan_quality(planner: Planner, requests: list[Request]) -> PlanQuality:
    """What a user judges the plan by: weekly goals, days from ready to first post, series order."""
    q = PlanQuality(weeks=week_status(planner, requests))
    first: dict[str, float] = {}
    for req, slot in planner.placed.values():
        wait = max(slot.utc - req.since, 0.0) / 86400.0
        vid = req.video.video_job_id
        first[vid] = min(first.get(vid, wait), wait)
    q.first_post_days = sorted(first.values())
    q.inversions = series_inversions(planner)
    return q


def series_inversions(planner: Planner) -> int:
    """Pairs of consecutive videos of one priority on one platform that go out out of the job's order."""
    lines: dict[tuple, list[tuple[int, float]]] = {}
    for req, slot in planner.placed.values():
        lines.setdefault((req.platform, req.rank[:2]), []).append((req.series, slot.utc))
    out = 0
    for posts in lines.values():
        posts.sort()
        out += sum(1 for a, b in zip(posts, posts[1:], strict=False) if b[1] < a[1])
    return out


def _why_unplaced(planner: Planner, req: Request, cache: dict) -> str:
    """Name the main reason a request found no slot, from a sample of its candidate slots.

    Requests alike (platform, format, ready time, no stagger partner placed) share the answer.
    """
    partners = [p for p in planner.by_video.get(req.video.video_job_id, {}) if p != req.platform]
    key = (req.platform, req.fmt.format, req.earliest)
    if not partners and key in cache:
        return cache[key]
    sample = cache.get(("sample", *key))
    if sample is None:
        slots = planner.slots_for(req)
        if not slots:
            if planner.first > planner.last:
                return "the planning window is empty"
            return (
                "no allowed slot in the period: every window is blacked out, avoided, in the past or outside the period"
            )
        ready = [s for s in slots if s.utc >= req.earliest]
        if not ready:
            return "no slot left after the video's ready_at in the period"
        step = max(1, len(ready) // 60)  # a sample is enough to name the main reason
        sample = cache[("sample", *key)] = (len(ready), ready[::step])
    count, slots = sample
    # planner.conflict(req, slot) for each sampled slot (all at or after req.earliest): the board's
    # reason (caps, spacing: the same for every request alike, and nothing moves any more), else the
    # stagger's (this video's). Only slots the board leaves free need a look per request.
    board = cache.get(("board", *key))
    if board is None:
        b = planner.boards[req.platform]
        board = cache[("board", *key)] = [b.conflict(slot) for slot in slots]
    text = cache.get(("full", *key)) if None not in board else None
    if text is None:
        reasons: dict[str, int] = {}
        for slot, why in zip(slots, board, strict=True):
            why = why or planner.stagger_conflict(req, slot.utc) or "unknown"
            reasons[why] = reasons.get(why, 0) + 1
        top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        text = f"no slot left in the period ({count} candidate slots, most ruled out by: {top})"
        if None not in board:  # every sampled slot is full on the board: the same answer for all alike
            cache[("full", *key)] = text
    if not partners:
        cache[key] = text
    return text


def describe_window(slot: Slot) -> str:
    if slot.window is None:
        return f"score {slot.score:g}"
    return _window_text(slot.window, slot.score > slot.window.score)


@lru_cache(maxsize=256)
def _window_text(w: TimingWindow, bonus: bool) -> str:
    end = "24:00" if w.end == time(0) else f"{w.end:%H:%M}"
    return f"{_days_text(w.days)} {w.start:%H:%M}-{end} window, score {w.score:g}" + (" + preference" if bonus else "")


def _days_text(days: frozenset[int]) -> str:
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    ds = sorted(days)
    if len(ds) == 7:
        return "daily"
    if len(ds) > 2 and ds == list(range(ds[0], ds[-1] + 1)):
        return f"{names[ds[0]]}-{names[ds[-1]]}"
    return ",".join(names[d] for d in ds)


def _item(inp: PlanInput, req: Request, slot: Slot) -> ContentScheduleItem:
    # Positional: keywords cost a call on this 20-field dataclass half again as much (30,000 items).
    return ContentScheduleItem(
        item_id_for(req.key),  # id
        req.key,  # idempotency_key
        inp.calendar.name,  # calendar
        inp.calendar.user_id,  # user_id
        req.video.video_job_id,  # video_job_id
        req.platform,  # platform
        req.fmt.format,  # format
        slot.at,  # scheduled_at
        ScheduleStatus.PLANNED,  # status
        inp.job.bulk_job_id,  # bulk_job_id
        slot.score,  # score
        req.video.title,  # title
    )


def frequency_warnings(planner: Planner, inp: PlanInput, requested: set[Platform] | None = None) -> list[str]:
    """Weeks in which a platform the job posts to falls short of its minimum posts (none are invented).

    The posts counted: the calendar's items (but canceled ones) and the planner's new placements.
    """
    out = []
    placed = planner.placed.values()
    platforms = sorted({req.platform for req, _ in placed} | (requested or set()), key=lambda p: p.value)
    weeks = []
    d = planner.first
    while d <= planner.last:
        monday = d - timedelta(days=d.weekday())
        if monday >= planner.first and monday + timedelta(days=6) <= planner.last:
            weeks.append(monday.isocalendar()[:2])
        d += timedelta(days=7 - d.weekday())
    limits = {}
    for platform in platforms:
        lim = planner.limits.get(platform) or limits_for(
            platform, inp.timing.for_platform(platform), inp.prefs.get(platform), inp.platform_caps.get(platform)
        )
        if lim and lim.min_per_week and weeks:
            limits[platform] = lim
    by_platform: dict[Platform, dict[tuple, int]] = {p: {} for p in limits}  # posts per ISO week, one pass
    name, canceled = inp.calendar.name, ScheduleStatus.CANCELED
    for i in inp.existing:
        counts = by_platform.get(i.platform)
        if counts is not None and i.calendar == name and i.status != canceled:
            iso = _local(i, planner.tz).date().isocalendar()
            counts[(iso[0], iso[1])] = counts.get((iso[0], iso[1]), 0) + 1
    for req, slot in placed:  # a slot knows its local ISO week
        counts = by_platform.get(req.platform)
        if counts is not None:
            counts[slot.week] = counts.get(slot.week, 0) + 1
    for platform, lim in limits.items():
        counts = by_platform[platform]
        short = [(w, counts.get(w, 0)) for w in weeks if counts.get(w, 0) < lim.min_per_week]
        if short:
            (y, wk), n = short[0]
            posts = "post" if lim.min_per_week == 1 else "posts"
            out.append(
                f"{platform.value}: {len(short)} of {len(weeks)} full weeks fall short of your minimum of "
                f"{lim.min_per_week} {posts} a week (e.g. {y}-W{wk:02d} has {n}); calcli does not invent posts"
            )
    return out


def run(planner: Planner, requests: list[Request]) -> list[Request]:
    """The phases of a plan: greedy, repair, swap, improve, a last greedy pass, the exact search when small.
    Returns the requests left unplaced."""
    planner.add_existing_to_stagger()
    for req in requests:
        if req.platform not in planner.boards:
            planner.board(req.platform, req.fmt)
    unplaced = greedy(planner, requests)
    planner.skips.clear()  # skip pointers are only valid while nothing moves
    # Repair and improvement are local searches with a work budget (feasibility
    # checks), so that a large job stays fast; small jobs get them in full.
    planner.budget = 200_000 if len(requests) <= 2000 else 20_000
    if unplaced:
        unplaced = local.repair(planner, unplaced)
    if unplaced:
        unplaced = local.swap_in(planner, unplaced)
    local.improve(planner, requests)
    if planner.decay and unplaced and len(requests) <= RESELECT_MAX_REQUESTS:
        reselect(planner, requests)
        local.improve(planner, requests)
        unplaced = [r for r in requests if r.key not in planner.placed]  # it may put other posts out
    # Moves may have freed slots: a last pass makes the plan maximal (no unplaced
    # request has a feasible slot left), which is what makes a re-plan a no-op.
    planner.skips.clear()  # from here on slots only fill up again: skip pointers are valid
    still = greedy(planner, unplaced)
    if len(requests) <= EXACT_MAX_REQUESTS:
        ExactSearch(planner, requests).run()
        still = [r for r in requests if r.key not in planner.placed]
    if planner.inp.half_life_days:  # the objective with promptness also aims for the weekly goals
        still = fill_goals(planner, requests, still)
    if planner.series.enabled and still:
        still = place_out_of_order(planner, still)
    return still


def place_out_of_order(planner: Planner, unplaced: list[Request]) -> list[Request]:
    """More posts outrank series order: what series order alone keeps out is placed anyway (a slow
    platform first in the stagger would otherwise hold a whole series back on the fast ones); the
    summary counts the inversions."""
    planner.series.enabled = False
    planner.skips.clear()  # the goals' moves are done: from here slots only fill up (skip pointers hold)
    return greedy(planner, unplaced)


def greedy(planner: Planner, requests: list[Request]) -> list[Request]:
    """Each request in turn at its best free slot (skip pointers on: valid while slots only fill up);
    the requests that found none."""
    still = []
    for req in requests:
        slot = planner.best_slot(req, prune=True)
        if slot is None:
            still.append(req)
        else:
            planner.place(req, slot)
    return still
