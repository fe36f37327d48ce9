"""One post more, or one post moved: the planner's verdict on a slot, and its best free slot."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from calcli.core.blackouts import blackout_hits
from calcli.core.model import (
    Platform,
    PlatformTimingData,
    ScheduleStatus,
    VideoJob,
    in_hours,
)
from calcli.planning.problem import PlanInput, Request, Slot
from calcli.planning.search import Planner


def single_request(
    inp: PlanInput,
    platform: Platform,
    fmt: PlatformTimingData,
    video_job_id: str,
    key: str,
    not_before: datetime | None = None,
) -> tuple[Planner, Request]:
    """A planner holding ``inp.existing`` and a request for one more post (item add / move), no
    earlier than now (and ``not_before``)."""
    planner = Planner(inp)
    planner.board(platform, fmt)
    for item in inp.existing:
        if (
            item.video_job_id == video_job_id
            and item.calendar == inp.calendar.name
            and item.status != ScheduleStatus.CANCELED
        ):
            planner.stagger.note(video_job_id, item.platform, item.scheduled_at.timestamp())
    earliest = max(inp.now.timestamp(), not_before.timestamp() if not_before else 0.0)
    req = Request(VideoJob(video_job_id), platform, fmt, key, (0,), earliest)
    return planner, req


def slot_violations(
    inp: PlanInput, platform: Platform, fmt: PlatformTimingData, video_job_id: str, key: str, at: datetime
) -> list[str]:
    """Every hard constraint a post at ``at`` would break; empty when the slot is legal."""
    tz = ZoneInfo(inp.calendar.timezone)
    local = at.astimezone(tz)
    out = []
    cal = inp.calendar
    if not (cal.period_start <= local.date() <= cal.period_end):
        out.append(f"outside the calendar's period {cal.period_start}..{cal.period_end}")
    if at.timestamp() < inp.now.timestamp():
        out.append("in the past")
    wd, tod = local.weekday(), local.time().replace(second=0, microsecond=0, tzinfo=None)
    if not any(w.covers(wd, tod) for w in fmt.windows):
        out.append(f"outside every {platform.value} {fmt.format} timing window")
    prefs = inp.prefs.get(platform)
    if prefs and wd in prefs.avoided_days:
        out.append("on a day you avoid for this platform")
    if prefs and prefs.avoided_hours and in_hours(tod, prefs.avoided_hours):
        out.append("in hours you avoid for this platform")
    for exc in cal.exceptions:
        if exc.kind == "blackout" and blackout_hits(exc, platform, local):
            out.append(f"in blackout {exc.id}" + (f" ({exc.reason})" if exc.reason else ""))
    planner, req = single_request(inp, platform, fmt, video_job_id, key)
    iso = local.date().isocalendar()
    slot = Slot(at.timestamp(), local.date(), (iso[0], iso[1]), 0.0, None, tz, fmt.format)
    why = planner.boards[platform].conflict(slot) or planner.stagger_conflict(req, slot.utc)
    if why:
        out.append(why)
    return out


def best_free_slot(inp: PlanInput, *request, not_before: datetime | None = None) -> Slot | None:
    """Where the planner would put one more post of this video on this platform (``request`` as for
    :func:`single_request`); no earlier than ``not_before``: a post moved later stays after its video's
    ``ready_at``, which calcli does not keep."""
    planner, req = single_request(inp, *request, not_before=not_before)
    return planner.best_slot(req)
