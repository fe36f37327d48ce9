"""Generate bench inputs: a project sized for big plans, and bulk jobs of N videos."""

from __future__ import annotations

import json
import random
from pathlib import Path

PREFS = """\
users:
  bench:
    timezone: America/New_York
    defaults:
      max_per_day: 200
      max_per_week: 1400
      min_spacing: 1m
    stagger:
      order: [youtube, tiktok, instagram]
      gap: 10m
"""


def make_project(root: Path, start: str = "2027-01-04", end: str = "2028-12-31") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "calcli.toml").write_text(
        '[project]\nuser = "bench"\ntimezone = "America/New_York"\nstore = ".calcli/calcli.duckdb"\n'
        "[planner]\nslot_minutes = 10\n"
    )
    (root / "preferences.yaml").write_text(PREFS)
    (root / "calendars").mkdir(exist_ok=True)
    return root


def make_bulk(path: Path, videos: int, seed: int = 7, job_id: str = "bj_bench") -> Path:
    rng = random.Random(seed)
    data = {
        "bulk_job_id": job_id,
        "user_id": "bench",
        "name": f"bench {videos}",
        "videos": [
            {
                "video_job_id": f"vj_{i:06d}",
                "title": f"Video {i}",
                "duration_seconds": rng.choice([15, 30, 45, 58]),
                "aspect_ratio": "9:16",
                "platforms": ["youtube", "tiktok", "instagram"],
                "status": "completed",
                "priority": rng.choice(["low", "normal", "normal", "high"]),
            }
            for i in range(videos)
        ],
    }
    path.write_text(json.dumps(data))
    return path


FORMATS = {"youtube": "short", "instagram": "reel"}


def make_calendar(
    root: Path,
    name: str,
    items: int,
    start: str = "2026-01-05",
    user: str = "bench",
    posted_before: str | None = None,
    step_minutes: int = 10,
) -> Path:
    """Write a calendar of ``items`` scheduled items directly (no planning), one every 10 minutes;
    those before ``posted_before`` (ISO instant) are already posted, as in a calendar in use."""
    from datetime import UTC, date, datetime, timedelta
    from zoneinfo import ZoneInfo

    from calcli.core.model import ContentCalendar, ContentScheduleItem, Platform, ScheduleStatus, item_id_for
    from calcli.files.calendar_emit import emit_new_calendar

    tz = ZoneInfo("America/New_York")
    first = date.fromisoformat(start)
    platforms = list(Platform)
    cutoff = datetime.fromisoformat(posted_before) if posted_before else None
    rows = []
    t0 = datetime.combine(first, datetime.min.time(), tz).astimezone(UTC)  # steps of real time, never into a DST gap
    for i in range(items):
        key = f"bj/vj_{i:06d}/{platforms[i % 6].value}"
        at = (t0 + timedelta(minutes=step_minutes * i)).astimezone(tz)
        status = ScheduleStatus.POSTED if cutoff and at < cutoff else ScheduleStatus.SCHEDULED
        fmt = FORMATS.get(platforms[i % 6].value, "video")  # one of the platform's formats (check refuses others)
        rows.append(
            ContentScheduleItem(
                item_id_for(key),
                key,
                name,
                user,
                f"vj_{i:06d}",
                platforms[i % 6],
                fmt,
                at,
                status,
                "bj",
                1.0,
                f"Video {i}",
            )
        )
    last = rows[-1].scheduled_at.date() if rows else first
    cal = ContentCalendar(name, user, "America/New_York", first, last, items=rows)
    path = root / "calendars" / f"{name}.yaml"
    path.write_text(emit_new_calendar(cal))
    return path
