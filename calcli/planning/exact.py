"""Branch and bound for small jobs: the exact optimum of the objective, starting from the heuristic plan."""

from __future__ import annotations

from datetime import timedelta

from calcli.core.model import (
    Platform,
)
from calcli.planning.problem import Request, Slot
from calcli.planning.search import Planner

EXACT_MAX_REQUESTS = 16  # jobs up to this many requests are solved exactly (within EXACT_BUDGET)


EXACT_BUDGET = 50_000  # feasibility checks the exact search may spend before it keeps what it has


def value_of(placements: list[tuple[Request, Slot]], value=None) -> tuple:
    """The planner's objective, compared lexicographically: how many posts are placed, then the total
    window score of urgent videos' posts, then high, normal and low ones (so with one priority for
    all it is simply the total score, and a more important video never gives up score to a lesser one)."""
    scores = [0.0, 0.0, 0.0, 0.0]
    for req, slot in placements:
        scores[req.klass] += slot.score if value is None else value(req, slot)
    return (len(placements), *(round(x, 9) for x in scores))


class ExactSearch:
    """Branch and bound over every request's allowed slots, starting from the heuristic plan.

    Requests are decided in priority order, each trying its slots best first and then "not placed".
    A branch is cut when an optimistic bound — each undecided request at its best slot still free,
    at most as many per platform as its remaining weekly room — cannot beat the best plan found. When
    the work budget runs out the best plan so far is kept (the heuristic's at worst), so the result
    is optimal whenever the search completes.
    """

    def __init__(self, planner: Planner, requests: list[Request]):
        self.p = planner
        self.reqs = requests
        self.budget = EXACT_BUDGET
        self.complete = True

    def run(self) -> bool:
        p = self.p
        best_plan = [(r, p.placed[r.key][1]) for r in self.reqs if r.key in p.placed]
        self.best = value_of(best_plan, p.value)
        self.best_plan = best_plan
        for r in self.reqs:
            if r.key in p.placed:
                p.unplace(r)
        self.domains = {r.key: self._domain(r) for r in self.reqs}
        self.weeks = self._weeks()
        try:
            self._search(0, [])
        except _OutOfBudget:
            self.complete = False
            for r in self.reqs:  # the branch being explored when the budget ran out is still placed
                if r.key in p.placed:
                    p.unplace(r)
        for r, slot in self.best_plan:
            p.place(r, slot)
        return self.complete

    def _domain(self, r: Request) -> list[Slot]:
        """``r``'s slots from its ready time, best value first (then earliest)."""
        slots = [s for s in self.p.slots_for(r) if s.utc >= r.earliest]
        if self.p.decay:
            slots.sort(key=lambda s: (-self.p.value(r, s), s.utc))
        return slots

    def _weeks(self) -> list[tuple[int, int]]:
        out, d = [], self.p.first
        while d <= self.p.last:
            iso = d.isocalendar()
            if (iso[0], iso[1]) not in out:
                out.append((iso[0], iso[1]))
            d += timedelta(days=1)
        return out

    def _spend(self, n: int) -> None:
        self.budget -= n
        if self.budget < 0:
            raise _OutOfBudget

    def _feasible(self, r: Request, slot: Slot) -> bool:
        p = self.p
        return (
            p.boards[r.platform].free(slot)
            and p.stagger_conflict(r, slot.utc) is None
            and p.series.conflict(r, slot.utc) is None
        )

    def _best_free(self, r: Request) -> Slot | None:
        for slot in self.domains[r.key]:
            self._spend(1)
            if self._feasible(r, slot):
                return slot
        return None

    def _bound(self, i: int, chosen: list) -> tuple:
        per_platform: dict[Platform, list[tuple[int, float]]] = {}
        for r in self.reqs[i:]:
            slot = self._best_free(r)
            if slot is not None:
                per_platform.setdefault(r.platform, []).append((r.klass, self.p.value(r, slot)))
        count, scores = len(chosen), [0.0, 0.0, 0.0, 0.0]
        for req, slot in chosen:
            scores[req.klass] += self.p.value(req, slot)
        for platform, found in per_platform.items():
            room = self._room(platform, found)
            found.sort(key=lambda x: -x[1])
            classes = {k for k, _ in found}
            take = found[:room] if len(classes) == 1 else found  # mixed classes: every score may count
            count += min(room, len(found))
            for k, score in take:
                scores[k] += score
        return (count, *(round(x, 9) for x in scores))

    def _room(self, platform: Platform, found: list) -> int:
        board = self.p.boards[platform]
        caps = [
            c for c in (board.limits.max_per_week, *(w for _, w in board.limits.format_caps.values())) if c is not None
        ]
        if not caps or len(board.limits.format_caps) > 1:
            return len(found)
        cap = min(caps)
        return sum(max(cap - board.per_week.get(w, 0), 0) for w in self.weeks)

    def _search(self, i: int, chosen: list) -> None:
        if self._bound(i, chosen) <= self.best:
            return
        if i == len(self.reqs):
            self.best, self.best_plan = value_of(chosen, self.p.value), list(chosen)
            return
        r = self.reqs[i]
        for slot in self.domains[r.key]:
            self._spend(1)
            if not self._feasible(r, slot):
                continue
            self.p.place(r, slot)
            chosen.append((r, slot))
            self._search(i + 1, chosen)
            chosen.pop()
            self.p.unplace(r)
        self._search(i + 1, chosen)


class _OutOfBudget(Exception):
    pass
