"""The bulk job contract (``calcli plan bulk.json``): parse and validate.

Unknown keys are ignored (the upstream pipeline may add fields); every problem
of a known key is reported with its line.
"""

from __future__ import annotations

from pathlib import Path

from calcli.core.errors import Finding, InvalidInput
from calcli.core.model import PLATFORM_IDS, BulkJob, JobPriority, JobStatus, Platform, VideoJob
from calcli.core.times import parse_instant
from calcli.core.timing import aspect_value
from calcli.files.jsonio import json_lines, load_json


def load_bulk_job(path: Path) -> BulkJob:
    """Read ``bulk.json``; raises InvalidInput with every finding (file:line: field: problem)."""
    data, text = load_json(path)
    problems: list[tuple[str, tuple]] = []  # (message, key path): lines are looked up at the end, together
    if not isinstance(data, dict):
        raise InvalidInput(Finding(str(path), 1, None, "expected a JSON object with bulk_job_id and videos"))

    def bad(msg: str, *keys) -> None:
        problems.append((msg, keys))

    job_id = data.get("bulk_job_id")
    if not isinstance(job_id, str) or not job_id.strip() or "/" in job_id:
        bad("bulk_job_id: missing, empty or containing '/'", "bulk_job_id")
    user = data.get("user_id")
    if not isinstance(user, str) or not user.strip():
        bad("user_id: missing or empty", "user_id")
    priority = _enum(JobPriority, data.get("priority", "normal"), lambda m: bad(f"priority: {m}", "priority"))
    videos = data.get("videos")
    job = BulkJob(str(job_id), str(user), str(data.get("name", "")), priority or JobPriority.NORMAL, path=str(path))
    if not isinstance(videos, list):
        bad("videos: missing or not a list", "videos")
        videos = []
    seen: dict[str, int] = {}
    for i, v in enumerate(videos):
        video = _video(v, i, bad)
        if video is None:
            continue
        if video.video_job_id in seen:
            bad(
                f"videos[{i}].video_job_id: duplicate {video.video_job_id!r} (also videos[{seen[video.video_job_id]}])",
                "videos",
                i,
                "video_job_id",
            )
            continue
        seen[video.video_job_id] = i
        job.videos.append(video)
    if problems:
        lines = json_lines(text, [keys for _, keys in problems])
        raise InvalidInput(
            [Finding(str(path), line, None, msg) for (msg, _), line in zip(problems, lines, strict=True)]
        )
    return job


def _video(v, i: int, bad) -> VideoJob | None:
    """One entry of ``videos``: its VideoJob, or None after reporting each of its problems."""
    if not isinstance(v, dict):
        bad(f"videos[{i}]: expected an object", "videos", i)
        return None
    errors = []

    def vbad(msg: str, key: str) -> None:
        errors.append(key)
        bad(f"videos[{i}].{key}: {msg}", "videos", i, key)

    get = v.get
    vid = get("video_job_id")
    if not isinstance(vid, str) or not vid.strip() or "/" in vid:
        vbad("missing, empty or containing '/'", "video_job_id")
    platforms = get("platforms")
    if platforms is not None:
        platforms = _platforms(platforms, vbad)
    status, priority = _status_priority(v, vbad)
    ready = get("ready_at")
    if ready is not None:
        try:
            ready = parse_instant(ready)
        except (ValueError, TypeError) as exc:
            vbad(f"invalid ready_at: {exc}", "ready_at")
    duration, aspect, tags, title, description = _shape_and_text(get, vbad)
    if errors:
        return None
    return VideoJob(
        vid,
        title or "",
        description or "",
        float(duration) if duration is not None else None,
        aspect,
        [t.lstrip("#") for t in tags] if tags else [],
        platforms,
        status,
        ready,
        priority,
        None,
    )


def _status_priority(v: dict, vbad) -> tuple[JobStatus | None, JobPriority | None]:
    """A video's status (completed when left out) and its priority (None: the job's)."""
    get = v.get
    status = get("status", "completed")
    status = _STATUSES.get(status) if type(status) is str else None
    if status is None:
        status = _enum(JobStatus, get("status", "completed"), lambda m: vbad(m, "status"))
    priority = get("priority")
    if priority is not None:
        priority = _PRIORITIES.get(priority) if type(priority) is str else None
        if priority is None:
            priority = _enum(JobPriority, v["priority"], lambda m: vbad(m, "priority"))
    return status, priority


def _shape_and_text(get, vbad) -> tuple:
    """A video's duration, aspect ratio, hashtags, title and description, each checked."""
    duration = get("duration_seconds")
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, _NUMBERS) or not 0 < duration < _INF
    ):  # NaN and Infinity are JSON to Python's reader, and no duration
        vbad(f"expected a positive number of seconds, found {duration!r}", "duration_seconds")
    aspect = get("aspect_ratio")
    if aspect is not None and not (type(aspect) is str and aspect in _GOOD_ASPECTS):  # [] or {} is no key
        if not isinstance(aspect, str) or aspect_value(aspect) is None:
            vbad(f"{aspect!r} is not an aspect ratio like 9:16", "aspect_ratio")
    tags = get("hashtags", [])
    if not isinstance(tags, list) or (tags and not all(isinstance(t, str) for t in tags)):
        vbad("expected a list of strings", "hashtags")
    title = get("title")
    if title is not None and not isinstance(title, str):
        vbad("expected text", "title")
    description = get("description")
    if description is not None and not isinstance(description, str):
        vbad("expected text", "description")
    return duration, aspect, tags, title, description


def _platforms(ids, vbad) -> list[Platform] | None:
    """A video's ``platforms``: each once, in the order given (twitter is x)."""
    if not isinstance(ids, list):
        vbad("expected a list of platform ids", "platforms")
        return None
    platforms = []
    for p in ids:
        found = _PLATFORMS.get(p) if type(p) is str else None
        if found is None:
            try:
                found = Platform.parse(p)
            except (ValueError, AttributeError):
                vbad(f"unknown platform {p!r} (known: {', '.join(PLATFORM_IDS)}; twitter = x)", "platforms")
                continue
        if found not in platforms:  # a short list: cheaper than dict.fromkeys
            platforms.append(found)
    return platforms


# The values seen in nearly every bulk job, decided once (each as ``_enum`` / ``aspect_value`` decide it).
_STATUSES = {m.value: m for m in JobStatus}
_PRIORITIES = {m.value: m for m in JobPriority}
_GOOD_ASPECTS = frozenset({"9:16", "16:9", "1:1", "4:5", "4:3", "3:4", "2:3", "21:9"})
_PLATFORMS = {name: Platform.parse(name) for name in (*PLATFORM_IDS, "twitter")}
_NUMBERS = (int, float)
_INF = float("inf")


def _enum(cls, value, report):
    try:
        return cls(str(value).strip().lower()) if isinstance(value, str) else cls(value)
    except ValueError:
        report(f"{value!r} is not one of {', '.join(m.value for m in cls)}")
        return None
