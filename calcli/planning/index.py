"""A platform format's slots by score level, searched for the best free one in a time interval."""

from __future__ import annotations

import bisect
import math
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
        self,
        lo: float,
        hi: float,
        board: Board,
        skips: Skips | None = None,
        above: float = -1.0,
        accept=None,
        decay: float = 0.0,
        ref: float = 0.0,
    ) -> Slot | None:
        """The free slot in ``[lo, hi]`` of the highest value (then the earliest), valued above ``above``.

        A slot's value is ``score * exp(-decay * (utc - ref))`` (``decay`` 0: its score). In a level
        (one score) the earliest free slot is its best; a level whose score, at ``lo``, cannot beat
        the best found is passed over, and a level's walk stops where its value falls below it.
        """
        free = board.free
        best: Slot | None = None
        best_value, best_at = above, None
        for level, (score, slots, times) in enumerate(self.levels):
            top = score if not decay else score * math.exp(-decay * max(lo - ref, 0.0))
            if top <= best_value:
                break  # levels are best first, and all share the decay at lo: none below can beat it
            stop = hi
            if decay and best_value > 0:
                stop = min(hi, ref + math.log(score / best_value) / decay)
            skip = None
            if skips is not None:
                if not skips.left[level]:
                    continue
                skip = skips.pointers[level]
            i = bisect.bisect_left(times, lo)
            if skip is not None and skip[i] != i:
                i = _find(skip, i)
            n = len(slots)
            while i < n and times[i] <= stop:
                slot = slots[i]
                if free(slot):
                    if accept is None or accept(slot):
                        value = score if not decay else score * math.exp(-decay * (times[i] - ref))
                        if value > best_value:
                            best, best_value, best_at = slot, value, (level, i)
                        break
                    i = i + 1 if skip is None else _find(skip, i + 1)
                elif skip is not None:
                    skip[i] = i + 1
                    skips.left[level] -= 1
                    i = _find(skip, i + 1)
                else:
                    i += 1
            if best is not None and not decay:
                break
        if best is not None and skips is not None:  # the caller takes it
            level, i = best_at
            skips.pointers[level][i] = i + 1
            skips.left[level] -= 1
        return best


def _find(skip: list[int], i: int) -> int:
    """The first position from ``i`` on not skipped for good (path compression on the way)."""
    root = i
    while skip[root] != root:
        root = skip[root]
    while skip[i] != root:
        skip[i], i = root, skip[i]
    return root
