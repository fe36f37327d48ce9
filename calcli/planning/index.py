"""A platform format's slots by score level, searched for the best free one in a time interval."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from calcli.planning.board import Board
from calcli.planning.problem import Slot


@dataclass(slots=True)
class Skips:
    """A pruning search's state on one SlotIndex, per level: skip pointers (a slot not yet
    skipped points to itself) and how many of the level's slots are not yet skipped."""

    pointers: list[list[int]]
    left: list[int]


class SlotIndex:
    """One platform format's slots by score level (best first), each level in time order.

    ``search`` finds the best free slot inside a time interval by bisecting each
    level. Given ``Skips`` (from ``skips``, for a phase where caps and spacing only
    tighten and each slot found is taken), a full slot is skipped for good through
    path-compressed skip pointers, and so is the slot found: every slot is looked at a
    bounded number of times, and a level with no slot left is passed over at once.
    """

    def __init__(self, slots: list[Slot]):
        """``slots`` sorted best first (score descending, then time), as candidate_slots gives them."""
        self.levels: list[tuple[float, list[Slot], list[float]]] = []  # (score, slots, their instants)
        start = 0
        for end in range(1, len(slots) + 1):
            if end == len(slots) or slots[end].score != slots[start].score:
                level = slots[start:end]
                self.levels.append((level[0].score, level, [s.utc for s in level]))
                start = end

    def skips(self) -> Skips:
        """The state of a pruning search with nothing skipped yet."""
        return Skips(
            [list(range(len(slots) + 1)) for _, slots, _ in self.levels], [len(slots) for _, slots, _ in self.levels]
        )

    def search(
        self, lo: float, hi: float, board: Board, skips: Skips | None = None, above: float = -1.0, accept=None
    ) -> Slot | None:
        free = board.free
        for level, (score, slots, times) in enumerate(self.levels):
            if score <= above:
                break
            skip = None
            if skips is not None:
                if not skips.left[level]:
                    continue
                skip = skips.pointers[level]
            i = bisect.bisect_left(times, lo)
            if skip is not None and skip[i] != i:
                i = _find(skip, i)
            n = len(slots)
            while i < n and times[i] <= hi:
                slot = slots[i]
                if free(slot):
                    if accept is None or accept(slot):
                        if skip is not None:  # the caller takes it
                            skip[i] = i + 1
                            skips.left[level] -= 1
                        return slot
                    i = i + 1 if skip is None else _find(skip, i + 1)
                elif skip is not None:
                    skip[i] = i + 1
                    skips.left[level] -= 1
                    i = _find(skip, i + 1)
                else:
                    i += 1
        return None


def _find(skip: list[int], i: int) -> int:
    """The first position from ``i`` on not skipped for good (path compression on the way)."""
    root = i
    while skip[root] != root:
        root = skip[root]
    while skip[i] != root:
        skip[i], i = root, skip[i]
    return root
