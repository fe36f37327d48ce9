"""Which videos take the scarce slots (the objective with promptness).

In an oversubscribed stretch the greedy pass gives slots to the videos first in the job's order. A
post's value counts from its video's ready time, so a video ready later can be worth more in the
same slot than one that has waited; the optimum picks which videos go out. :func:`reselect` tries,
for each video with posts left out, to take the place of a placed video of the same or a lesser
priority (the whole video or one of its posts; the video put out goes elsewhere where its rules
allow, or in turn takes a third video's place; a post in the way may move to its own best other
slot), and keeps a swap only when the plan places as many posts and its value grows (per priority
class, the most important first). Every move goes through the planner's feasibility: hard rules and
series order hold. Its work is bounded (a number of trials per request and the planner's budget).
"""

from __future__ import annotations

from calcli.planning.local import blockers, spend
from calcli.planning.problem import Request, Slot
from calcli.planning.search import Planner

TRIALS_PER_REQUEST = 50  # swaps tried per request of the job (each costs a few slot searches)


class Journal:
    """The posts a trial moved and where they were, to keep or undo it."""

    def __init__(self, p: Planner):
        self.p = p
        self.old: dict[str, tuple[Request, Slot | None]] = {}

    def note(self, r: Request) -> None:
        if r.key not in self.old:
            placed = self.p.placed.get(r.key)
            self.old[r.key] = (r, placed[1] if placed else None)

    def unplace(self, r: Request) -> None:
        self.note(r)
        self.p.unplace(r)

    def place(self, r: Request, slot: Slot) -> None:
        self.note(r)
        self.p.place(r, slot)

    def gain(self) -> bool:
        """More posts, or as many and more value, over the posts moved."""
        now, then = [0, 0.0, 0.0, 0.0, 0.0], [0, 0.0, 0.0, 0.0, 0.0]
        for r, old in self.old.values():
            placed = self.p.placed.get(r.key)
            for acc, slot in ((now, placed[1] if placed else None), (then, old)):
                if slot is not None:
                    acc[0] += 1
                    acc[1 + min(max(r.klass, 0), 3)] += self.p.value(r, slot)
        if now[0] != then[0]:
            return now[0] > then[0]
        for x, y in zip(now[1:], then[1:], strict=True):
            if abs(x - y) > 1e-9:
                return x > y
        return False

    def undo(self) -> None:
        p = self.p
        for r, _ in self.old.values():
            if r.key in p.placed:
                p.unplace(r)
        for r, old in self.old.values():
            if old is not None:
                p.place(r, old)
        self.old.clear()

    def keep_into(self, outer: Journal) -> None:
        for key, was in self.old.items():
            outer.old.setdefault(key, was)


def reselect(p: Planner, requests: list[Request], rounds: int = 3) -> None:
    by_video: dict[str, list[Request]] = {}
    for r in requests:
        by_video.setdefault(r.video.video_job_id, []).append(r)
    trials = [TRIALS_PER_REQUEST * len(requests)]
    # One-for-one swaps first, then a third video in turn, then with a post in the way moving.
    for depth, room in ((0, False), (1, False), (0, True), (1, True)):
        for _ in range(rounds):
            changed = False
            for video in by_video.values():
                out = [r for r in video if r.key not in p.placed]
                for mine in [video] + ([[r] for r in out] if len(out) > 1 else []):
                    if all(r.key in p.placed for r in mine):
                        continue
                    for other in _rivals(p, mine, by_video):
                        trials[0] -= 1
                        if trials[0] < 0 or not spend(p, 10):
                            return
                        j = Journal(p)
                        if _swap(p, j, mine, by_video[other], (by_video, depth, room, trials)):
                            changed = True
                            break
            if not changed:
                break


def _rivals(p: Planner, reqs: list[Request], by_video: dict) -> list[str]:
    """Videos holding new posts on the platforms ``reqs`` left out want, not more important."""
    want = {r.platform for r in reqs if r.key not in p.placed}
    rank, me = reqs[0].rank[:2], reqs[0].video.video_job_id
    return sorted(
        {
            q.video.video_job_id
            for q, _ in p.placed.values()
            if q.platform in want and q.rank[:2] >= rank and q.video.video_job_id != me
        }
    )


def _swap(p: Planner, j: Journal, mine: list[Request], theirs: list[Request], ctx: tuple) -> bool:
    """Put ``theirs`` out, place ``mine`` (stagger order), put ``theirs`` back where it fits; kept (in
    ``j``) when the journal gains, else undone."""
    by_video, depth, room, trials = ctx
    for r in theirs:
        if r.key in p.placed:
            j.unplace(r)
    order = p.stagger.order
    stagger = lambda r: order.get(r.platform, len(order))  # noqa: E731
    for r in sorted(mine, key=stagger):
        if r.key not in p.placed and not (room and _place_moving_one(p, j, r)):
            slot = p.best_slot(r)
            if slot is not None:
                j.place(r, slot)
    for r in sorted(theirs, key=stagger):
        slot = p.best_slot(r)
        if slot is not None:
            j.place(r, slot)
    if j.gain():
        return True
    if depth > 0 and any(r.key not in p.placed for r in theirs):
        skip = mine[0].video.video_job_id
        for third in _rivals(p, theirs, by_video):
            trials[0] -= 1
            if third == skip or trials[0] < 0 or not spend(p, 10):
                continue
            inner = Journal(p)
            if _swap(p, inner, theirs, by_video[third], (by_video, depth - 1, room, trials)):
                inner.keep_into(j)
                if j.gain():
                    return True
            else:
                continue
            break  # the inner swap was kept but the whole is no better: undo all
    j.undo()
    return False


def _place_moving_one(p: Planner, j: Journal, req: Request, tries: int = 40) -> bool:
    """Place ``req`` in one of its ``tries`` most valuable slots, moving one post in its way to
    that post's best other slot; False (nothing changed) when none works."""
    j.note(req)
    slots = sorted((s for s in p.slots_for(req) if s.utc >= req.earliest), key=lambda s: -p.value(req, s))
    for slot in slots[:tries]:
        if p.feasible(req, slot):
            j.place(req, slot)
            return True
        for victim in blockers(p, req, slot):
            if not spend(p, 4):
                return False
            vslot = p.placed[victim.key][1]
            p.unplace(victim)
            if p.feasible(req, slot):
                p.place(req, slot)
                alt = p.best_slot(victim)
                if alt is not None:
                    p.place(victim, alt)
                    j.old.setdefault(victim.key, (victim, vslot))
                    return True
                p.unplace(req)
            p.place(victim, vslot)
    return False
