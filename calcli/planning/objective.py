"""What a placement is worth: its window score times its promptness (see the README,
"How the planner works")."""

from __future__ import annotations

import math

from calcli.planning.problem import Request, Slot


class Objective:
    """A post's value: ``score * 0.5 ** (days from when its video can go out to the slot / half_life)``;
    with no half-life, its score (the objective before promptness)."""

    def __init__(self, half_life_days: float | None):
        self.decay = math.log(2) / (half_life_days * 86400.0) if half_life_days else 0.0  # per second

    def value(self, req: Request, slot: Slot) -> float:
        if not self.decay:
            return slot.score
        return slot.score * math.exp(-self.decay * max(slot.utc - req.since, 0.0))

    def promptness(self, req: Request, slot: Slot) -> float:
        """The factor in (0, 1] the wait costs: 1 at the video's ready time, 0.5 one half-life later."""
        return math.exp(-self.decay * max(slot.utc - req.since, 0.0)) if self.decay else 1.0
