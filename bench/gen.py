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
        "[planner]\nslot_minutes = 5\n"
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
