"""The stagger: one video's posts follow the platform order, each at least the gap after the one before."""

from __future__ import annotations

from calcli.core.model import Platform, Stagger

NEVER = float("inf")  # no upper bound on a post's instant


class StaggerBook:
    """Where each video's posts are (epoch seconds per platform), and what that leaves for the next one."""

    def __init__(self, stagger: Stagger):
        self.order = {p: i for i, p in enumerate(stagger.order)}
        self.gap = stagger.gap_minutes * 60.0
        self.complete = all(p in self.order for p in Platform)  # every platform has its place
        self.by_video: dict[str, dict[Platform, float]] = {}

    def note(self, video: str, platform: Platform, utc: float) -> None:
        """Record a post of ``video`` on ``platform`` (an existing item, or one placed by hand)."""
        self.by_video.setdefault(video, {})[platform] = utc

    def conflict(self, video: str, platform: Platform, utc: float) -> str | None:
        """Why a post of ``video`` on ``platform`` at ``utc`` breaks the stagger, or None."""
        order, gap = self.order, self.gap
        mine = order.get(platform, len(order))
        for other, t in self.by_video.get(video, {}).items():
            if other == platform:
                continue
            theirs = order.get(other, len(order))
            if theirs < mine and utc < t + gap:
                return f"stagger: must follow {other.value} by at least {int(gap // 60)} min"
            if theirs > mine and utc > t - gap:
                return f"stagger: must precede {other.value} by at least {int(gap // 60)} min"
            if theirs == mine and abs(utc - t) < gap:
                return f"stagger: too close to the {other.value} post"
        return None

    def bounds(self, video: str, platform: Platform, earliest: float) -> tuple[float, float]:
        """The time interval the stagger leaves a post of ``video`` on ``platform`` (from ``earliest``)."""
        lo, hi = earliest, NEVER
        posts = self.by_video.get(video)
        if not posts:
            return lo, hi
        order, gap = self.order, self.gap
        mine = order.get(platform, len(order))
        for other, t in posts.items():
            if other == platform:
                continue
            theirs = order.get(other, len(order))
            if theirs < mine:
                lo = max(lo, t + gap)
            elif theirs > mine:
                hi = min(hi, t - gap)
        return lo, hi
