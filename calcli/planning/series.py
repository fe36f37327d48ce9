"""Series order: on one platform, a bulk job's videos of one priority go out in the job's order.

The order is the requests' own (``ready_at``, then position in the job), so the greedy pass,
which takes requests in that order, keeps it by itself; the local searches keep it through
:meth:`SeriesBook.bounds`. A more important video is not held back by a lesser one's order
(each priority is its own series).
"""

from __future__ import annotations

import bisect

from calcli.core.model import Platform
from calcli.planning.stagger import NEVER


class SeriesBook:
    """Per (platform, priority): the placed posts' series positions (sorted) and instants."""

    def __init__(self, videos: dict[str, tuple[tuple, int]] | None):
        """``videos``: each video's (priority, position) (None: no series order)."""
        self.enabled = videos is not None
        self.videos = videos or {}
        self.positions: dict[tuple, list[int]] = {}
        self.at: dict[tuple, dict[int, float]] = {}

    def note(self, video: str, platform: Platform, utc: float) -> None:
        """Record a post already on a calendar (of a video of the job)."""
        if video in self.videos:
            klass, pos = self.videos[video]
            self.add(platform, klass, pos, utc)

    def add(self, platform: Platform, klass: tuple, pos: int, utc: float) -> None:
        if not self.enabled or pos < 0:
            return
        k = (platform, klass)
        at = self.at.setdefault(k, {})
        if pos not in at:
            bisect.insort(self.positions.setdefault(k, []), pos)
        at[pos] = utc

    def remove(self, platform: Platform, klass: tuple, pos: int) -> None:
        if not self.enabled or pos < 0:
            return
        k = (platform, klass)
        at = self.at.get(k)
        if at is None or pos not in at:
            return
        del at[pos]
        ps = self.positions[k]
        del ps[bisect.bisect_left(ps, pos)]

    def bounds(self, platform: Platform, klass: tuple, pos: int) -> tuple[float, float]:
        """After the placed post just before ``pos`` in the series, before the one just after."""
        if not self.enabled or pos < 0:
            return -NEVER, NEVER
        k = (platform, klass)
        ps = self.positions.get(k)
        if not ps:
            return -NEVER, NEVER
        at = self.at[k]
        i = bisect.bisect_left(ps, pos)
        lo = at[ps[i - 1]] + 1.0 if i > 0 else -NEVER
        j = i + 1 if i < len(ps) and ps[i] == pos else i
        hi = at[ps[j]] - 1.0 if j < len(ps) else NEVER
        return lo, hi

    def clip(self, req, lo: float, hi: float) -> tuple[float, float]:
        """``[lo, hi]`` narrowed to what series order leaves ``req`` (a Request)."""
        if not self.enabled:
            return lo, hi
        slo, shi = self.bounds(req.platform, req.rank[:2], req.series)
        return max(lo, slo), min(hi, shi)

    def conflict(self, req, utc: float) -> str | None:
        """Why a post of ``req`` (a Request) at ``utc`` breaks series order, or None."""
        if not self.enabled:
            return None
        lo, hi = self.bounds(req.platform, req.rank[:2], req.series)
        if utc < lo:
            return "series order: an earlier video of the job goes out later on this platform"
        if utc > hi:
            return "series order: a later video of the job goes out earlier on this platform"
        return None
