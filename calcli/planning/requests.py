"""The requests of a bulk job: one per video and platform, in priority and stagger order, with its format."""

from __future__ import annotations

from datetime import datetime
from operator import itemgetter

from calcli.core.model import (
    BulkJob,
    JobPriority,
    JobStatus,
    Platform,
    PlatformTimingData,
    VideoJob,
    idempotency_key,
)
from calcli.core.times import zone
from calcli.planning.formats import choose_format
from calcli.planning.problem import PlanInput, PlanResult, Request, Skipped, Unplaced


def _rank(job: BulkJob, video: VideoJob, index: int) -> tuple:
    vp = video.priority or job.priority
    ready = video.ready_at.timestamp() if video.ready_at else 0.0
    return (-job.priority.rank, -(vp or JobPriority.NORMAL).rank, ready, index)


def build_requests(inp: PlanInput, result: PlanResult) -> list[Request]:
    """The (video, platform) requests to place, in priority and stagger order."""
    job, cal = inp.job, inp.calendar
    have = {i.idempotency_key for i in inp.existing if i.calendar == cal.name}
    default_platforms = cal.platforms or list(inp.prefs) or list(Platform)
    now_ts = inp.now.timestamp()
    position: dict[Platform, int] = {}  # a platform's place in the stagger order (its first)
    for i, p in enumerate(inp.stagger.order):
        position.setdefault(p, i)
    fits: dict[tuple, tuple] = {}  # (platform, duration, aspect) -> (format, why not)
    videos = []  # (rank, the video's requests in stagger order)
    for index, video in enumerate(job.videos):
        if video.status != JobStatus.COMPLETED:
            result.skipped.append(Skipped(video.video_job_id, f"status is {video.status.value}, not completed"))
            continue
        platforms = video.platforms if video.platforms is not None else default_platforms
        if not platforms:
            result.skipped.append(
                Skipped(video.video_job_id, "no platforms (the video names none, nor does the calendar)")
            )
            continue
        rank = _rank(job, video, index)
        earliest = max(now_ts, video.ready_at.timestamp() if video.ready_at else now_ts)
        requests = []
        for platform in sorted(platforms, key=lambda p: position.get(p, 99)):
            key = idempotency_key(job.bulk_job_id, video.video_job_id, platform)
            if key in have:
                result.already.append(key)
                continue
            if key in inp.keys_elsewhere:
                result.unplaced.append(
                    Unplaced(
                        video.video_job_id, platform.value, f"already planned in calendar {inp.keys_elsewhere[key]}"
                    )
                )
                continue
            if key in inp.excluded:
                result.unplaced.append(Unplaced(video.video_job_id, platform.value, inp.excluded[key]))
                continue
            shape = (platform, video.duration_seconds, video.aspect_ratio)
            fit = fits.get(shape)
            if fit is None:
                fit = fits[shape] = _fit(inp, *shape)
            fmt, why = fit
            if fmt is None:
                result.unplaced.append(Unplaced(video.video_job_id, platform.value, why))
                continue
            requests.append(Request(video, platform, fmt, key, rank, earliest))
        if requests:
            videos.append((rank, requests))
    # Ranks differ (each ends with the video's index): ordering the videos orders the requests.
    videos.sort(key=itemgetter(0))
    return _in_series([r for _, requests in videos for r in requests], inp)


def _in_series(requests: list[Request], inp: PlanInput) -> list[Request]:
    """Each request with its series position and the planning window's first instant."""
    cal = inp.calendar
    positions = series_positions(inp.job)
    first = max(cal.period_start, inp.start or cal.period_start)
    opens = datetime(first.year, first.month, first.day, tzinfo=zone(cal.timezone)).timestamp()
    for r in requests:
        r.series = positions[r.video.video_job_id][1]
        r.opens = opens
    return requests


def series_positions(job: BulkJob) -> dict[str, tuple[tuple, int]]:
    """Each completed video's (priority, position) in the job's series order: ``ready_at``, then
    its place in the job (the order the requests are planned in)."""
    ranks = sorted(
        (_rank(job, v, i), v.video_job_id) for i, v in enumerate(job.videos) if v.status == JobStatus.COMPLETED
    )
    return {video: (rank[:2], pos) for pos, (rank, video) in enumerate(ranks)}


def _fit(
    inp: PlanInput, platform: Platform, duration: float | None, aspect: str | None
) -> tuple[PlatformTimingData | None, str]:
    """The format a video of this shape takes on ``platform``, or None and why it cannot go there."""
    cal = inp.calendar
    if cal.platforms and platform not in cal.platforms:
        return None, f"{platform.value} is not among the calendar's platforms"
    prefs = inp.prefs.get(platform)
    if prefs is not None and not prefs.enabled:
        return None, f"{platform.value} is disabled in your preferences"
    fmt, why = choose_format(inp.timing, platform, duration, aspect)
    if fmt is None:
        return None, f"fits no {platform.value} format ({why})"
    return fmt, why
