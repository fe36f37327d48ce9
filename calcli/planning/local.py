"""The planner's local searches after the greedy pass: repair, swap, improve and trade.

Each takes the planner's state and changes it in place, within the planner's work budget
(``Planner.spend``): a large job stays fast, small jobs get them in full.
"""

from __future__ import annotations

from calcli.core.model import idempotency_key
from calcli.planning.problem import Request, Slot
from calcli.planning.search import Planner


def spend(p: Planner, n: int = 1) -> bool:
    """Take ``n`` from the planner's work budget; False once it is spent (for good)."""
    p.budget -= n
    return p.budget > 0


def repair(p: Planner, unplaced: list[Request]) -> list[Request]:
    """Place more: let an unplaced request eject a placed one that can move elsewhere."""
    return [req for req in unplaced if not make_room(p, req)[0]]


def swap_in(p: Planner, unplaced: list[Request]) -> list[Request]:
    """Score more with as many posts: an unplaced request takes the slot of a placed one that
    cannot move elsewhere, when its slot scores higher (or its video is more important). The
    request put out is left unplaced; it never displaces a more important video's post. (When
    the one in its way can move after all, both are placed: one more post, better still.)"""
    still = []
    for req in unplaced:
        placed, out = make_room(p, req, swap=True)
        if not placed:
            still.append(req)
        elif out is not None:
            still.append(out)
    return still


def could_make_room(p: Planner, req: Request) -> bool:
    """Only new items can move: whether one could free a slot for ``req`` (a new item on its
    platform, or a new post of its own video)."""
    if p.new_on.get(req.platform):
        return True
    job = p.inp.job.bulk_job_id
    return any(
        idempotency_key(job, req.video.video_job_id, platform) in p.placed
        for platform in p.by_video.get(req.video.video_job_id, {})
    )


def make_room(p: Planner, req: Request, swap: bool = False) -> tuple[bool, Request | None]:
    """Place ``req`` in a slot (best first) held by a new item that then moves to another slot.
    With ``swap``, that item may also be put out when it has nowhere to go, if the swap raises
    the objective (see value_of). Whether ``req`` got a slot, and the request it put out."""
    if not could_make_room(p, req):
        return False, None
    for slot in p.slots_for(req):
        if not spend(
            p,
        ):
            return False, None
        if slot.utc < req.earliest:
            continue
        for victim in blockers(p, req, slot):
            if swap:
                vscore = p.value(victim, p.placed[victim.key][1])
                if victim.klass < req.klass or (victim.klass == req.klass and p.value(req, slot) <= vscore + 1e-9):
                    continue  # putting it out would not raise the objective
            if not spend(p, 4):
                return False, None
            vslot = p.unplace(victim)
            if p.feasible(req, slot):
                p.place(req, slot)
                alt = p.best_slot(victim)
                if alt is not None:
                    p.place(victim, alt)
                    return True, None
                if swap:
                    return True, victim
                p.unplace(req)
            p.place(victim, vslot)
    return False, None


def blockers(p: Planner, req: Request, slot: Slot) -> list[Request]:
    """Placed new requests whose removal might free ``slot``: same platform and day or
    week (caps, spacing), or the same video (stagger)."""
    keys = set(p.on_day.get((req.platform, slot.day), ()))
    lim = p.limits[req.platform]
    why = p.boards[req.platform].conflict(slot)
    if why and "weekly" in why:
        keys |= p.on_week.get((req.platform, slot.week), set())
    if lim.spacing > 86400:
        keys |= p.on_week.get((req.platform, slot.week), set())
    for other_platform in p.by_video.get(req.video.video_job_id, {}):
        keys.add(idempotency_key(req.key.split("/")[0], req.video.video_job_id, other_platform))
    out = [p.placed[k][0] for k in keys if k in p.placed and k != req.key]
    out.sort(key=lambda r: (r.rank, r.key))
    return out


def improve(p: Planner, requests: list[Request], rounds: int = 4) -> None:
    """Move new items to better slots (alone, or trading with another) while the total grows."""
    for _ in range(rounds):
        changed = False
        for req in requests:
            if req.key not in p.placed:
                continue
            if not spend(p, 10):
                return  # the work budget is spent (for good): nothing more moves
            current = p.placed[req.key][1]
            value = p.value(req, current)
            old = p.unplace(req)
            better = p.best_slot(req, better_than=value)
            if better is not None and p.value(req, better) > value:
                p.place(req, better)
                changed = True
                continue
            p.place(req, old)
            if trade(p, req):
                changed = True
        if not changed:
            break


def trade(p: Planner, req: Request) -> bool:
    """Take a better slot held by another new item when that item can go elsewhere for a net gain."""
    _, current = p.placed[req.key]
    value = p.value(req, current)
    for slot in p.slots_for(req):
        if slot.score <= value:  # a slot's value is at most its score
            break
        if slot.utc < req.earliest or p.value(req, slot) <= value:
            continue
        if not spend(
            p,
        ):
            return False
        for other in blockers(p, req, slot):
            if other.key == req.key or other.key not in p.placed or not spend(p, 4):
                continue
            oslot = p.placed[other.key][1]
            if other.rank[:2] < req.rank[:2] and other.platform == req.platform:
                continue  # a more important video keeps its better slot: priority before total score
            before = value + p.value(other, oslot)
            p.unplace(req)
            p.unplace(other)
            if p.feasible(req, slot):
                p.place(req, slot)
                alt = p.best_slot(other)
                if alt is not None and p.value(req, slot) + p.value(other, alt) > before + 1e-9:
                    p.place(other, alt)
                    return True
                p.unplace(req)
            p.place(req, current)
            p.place(other, oslot)
    return False
