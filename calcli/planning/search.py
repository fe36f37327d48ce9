"""The planner's state: each platform's board, the stagger, the placements, and the best free slot of a request."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from calcli.core.model import (
    Platform,
    PlatformTimingData,
    ScheduleStatus,
)
from calcli.planning.board import Board, Limits, limits_for
from calcli.planning.index import Skips, SlotIndex
from calcli.planning.objective import Objective
from calcli.planning.problem import Booked, PlanInput, Request, Slot, _booking
from calcli.planning.requests import series_positions
from calcli.planning.series import SeriesBook
from calcli.planning.slots import candidate_slots
from calcli.planning.stagger import NEVER, StaggerBook


class Planner:
    """Holds the state of one planning run; :func:`calcli.planning.solver.plan` is the entry point."""

    def __init__(self, inp: PlanInput):
        self.inp = inp
        self.tz = ZoneInfo(inp.calendar.timezone)
        cal = inp.calendar
        self.first = max(cal.period_start, inp.start or cal.period_start)
        self.last = min(cal.period_end, inp.end or cal.period_end)
        self.boards: dict[Platform, Board] = {}
        self.slots: dict[tuple[Platform, str], list[Slot]] = {}
        self.indexes: dict[tuple[Platform, str], SlotIndex] = {}
        self.skips: dict[tuple[Platform, str], Skips] = {}  # pruning searches' state while slots only fill up
        self.limits: dict[Platform, Limits] = {}
        self.placed: dict[str, tuple[Request, Slot]] = {}  # key -> placement
        self.stagger = StaggerBook(inp.stagger)
        self.by_video = self.stagger.by_video  # video -> platform -> instant of its post (hot path: one lookup)
        self.on_day: dict[tuple[Platform, date], set[str]] = {}
        self.on_week: dict[tuple[Platform, tuple[int, int]], set[str]] = {}
        self.budget = 0
        self.new_on: dict[Platform, int] = {}  # new placements per platform
        objective = Objective(inp.half_life_days)
        self.decay, self.value, self.promptness = objective.decay, objective.value, objective.promptness
        self.series = SeriesBook(series_positions(inp.job) if inp.series_order else None)

    # ------------------------------------------------------------ setup
    def board(self, platform: Platform, fmt: PlatformTimingData) -> Board:
        if platform not in self.boards:
            formats = self.inp.timing.for_platform(platform)
            if not any(f.format == fmt.format for f in formats):
                formats = [fmt, *formats]
            lim = limits_for(platform, formats, self.inp.prefs.get(platform), self.inp.platform_caps.get(platform))
            self.limits[platform] = lim
            board = Board(lim)
            canceled, tz = ScheduleStatus.CANCELED, self.tz
            for item in self.inp.existing:
                if item.platform == platform and item.status != canceled:
                    board.add(*_booking(item, tz))
            self.boards[platform] = board
        return self.boards[platform]

    def unbook(self, item) -> None:
        """Take an item already on the calendar off its platform's board (it may move)."""
        self.boards[item.platform].remove(*_booking(item, self.tz))

    def book(self, item) -> None:
        """Put an item (back) on its platform's board."""
        self.boards[item.platform].add(*_booking(item, self.tz))

    def add_existing_to_stagger(self) -> None:
        """Posts of this job's videos already on a calendar constrain the stagger of the new ones."""
        job = self.inp.job.bulk_job_id
        for item in self.inp.existing:
            if item.bulk_job_id == job and item.status != ScheduleStatus.CANCELED:
                utc = item.utc if type(item) is Booked else item.scheduled_at.timestamp()
                self.stagger.note(item.video_job_id, item.platform, utc)
                self.series.note(item.video_job_id, item.platform, utc)

    def slots_for(self, req: Request) -> list[Slot]:
        k = (req.platform, req.fmt.format)
        if k not in self.slots:
            self.slots[k] = candidate_slots(
                self.inp, req.fmt, self.limits[req.platform], self.tz, self.first, self.last
            )
        return self.slots[k]

    # ------------------------------------------------------------ feasibility
    def conflict(self, req: Request, slot: Slot) -> str | None:
        """Why ``req`` cannot take ``slot`` now, or None when it can."""
        if slot.utc < req.earliest:
            return "before the video is ready"
        why = self.boards[req.platform].conflict(slot)
        if why:
            return why
        return self.stagger_conflict(req, slot.utc) or self.series.conflict(req, slot.utc)

    def feasible(self, req: Request, slot: Slot) -> bool:
        """``conflict(req, slot) is None``, without building the message."""
        return (
            slot.utc >= req.earliest
            and self.boards[req.platform].free(slot)
            and self.stagger_conflict(req, slot.utc) is None
            and self.series.conflict(req, slot.utc) is None
        )

    def stagger_conflict(self, req: Request, utc: float) -> str | None:
        return self.stagger.conflict(req.video.video_job_id, req.platform, utc)

    def place(self, req: Request, slot: Slot) -> None:
        platform, key, day, week = req.platform, req.key, slot.day, slot.week
        self.boards[platform].add(slot.utc, day, week, slot.fmt)
        self.placed[key] = (req, slot)
        video = self.by_video.get(req.video.video_job_id)
        if video is None:
            video = self.by_video[req.video.video_job_id] = {}
        video[platform] = slot.utc
        self.series.add(platform, req.rank[:2], req.series, slot.utc)
        self.new_on[platform] = self.new_on.get(platform, 0) + 1
        keys = self.on_day.get((platform, day))
        if keys is None:
            self.on_day[(platform, day)] = {key}
        else:
            keys.add(key)
        keys = self.on_week.get((platform, week))
        if keys is None:
            self.on_week[(platform, week)] = {key}
        else:
            keys.add(key)

    def unplace(self, req: Request) -> Slot:
        _, slot = self.placed.pop(req.key)
        self.boards[req.platform].remove(slot.utc, slot.day, slot.week, slot.fmt)
        del self.by_video[req.video.video_job_id][req.platform]
        self.series.remove(req.platform, req.rank[:2], req.series)
        self.new_on[req.platform] -= 1
        self.on_day[(req.platform, slot.day)].discard(req.key)
        self.on_week[(req.platform, slot.week)].discard(req.key)
        return slot

    def bounds(self, req: Request) -> tuple[float, float]:
        """The time interval the stagger and ``ready_at`` leave for ``req``."""
        return self.series.clip(req, *self.stagger.bounds(req.video.video_job_id, req.platform, req.earliest))

    def index(self, req: Request) -> SlotIndex:
        k = (req.platform, req.fmt.format)
        index = self.indexes.get(k)
        if index is None:
            index = self.indexes[k] = SlotIndex(self.slots_for(req))
        return index

    def best_slot(
        self, req: Request, better_than: float = -1.0, prune: bool = False, until: float = NEVER, since: float = 0.0
    ) -> Slot | None:
        """The best feasible slot for ``req`` (highest value, then earliest; in ``[since, until]``), or None.
        With ``prune`` (while slots only fill up, and the slot found is taken) it skips for good what is full."""
        lo, hi = self.bounds(req)
        lo, hi = max(lo, since), min(hi, until)
        if lo > hi:
            return None
        accept = None
        if not self.stagger.complete:  # a platform outside the order: check the stagger slot by slot
            accept = lambda slot: self.stagger_conflict(req, slot.utc) is None  # noqa: E731
        index = self.index(req)
        skips = None
        if prune:
            k = (req.platform, req.fmt.format)
            skips = self.skips.get(k)
            if skips is None:
                skips = self.skips[k] = index.skips()
        return index.search(lo, hi, self.boards[req.platform], skips, better_than, accept, self.decay, req.since)
