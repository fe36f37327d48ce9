"""What `calcli plan` works out before planning: the posts a platform refuses for their title, and the
posts already planned in another of the user's calendars (by idempotency key)."""

from __future__ import annotations

import json
from pathlib import Path

PERIOD = ("--start", "2026-07-01", "--end", "2026-07-31")
VIDEOS = [
    {"video_job_id": "short", "title": " A ", "duration_seconds": 30, "platforms": ["youtube", "tiktok"]},
    {"video_job_id": "all", "title": "B", "duration_seconds": 30},  # the calendar's platforms
    {"video_job_id": "fine", "title": "Fine", "duration_seconds": 30, "platforms": ["twitter", "youtube"]},
    {"video_job_id": "blank", "title": "  ", "duration_seconds": 30, "platforms": ["youtube"]},
]


def plan(run, calendar: str) -> dict:
    Path("bulk.json").write_text(json.dumps({"bulk_job_id": "bj", "user_id": "user_123", "videos": VIDEOS}))
    r = run("plan", "bulk.json", "--calendar", calendar, *PERIOD, "--format", "json")
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def test_a_title_below_a_platforms_minimum_leaves_that_platform_out(project, run):
    doc = plan(run, "Q3")
    unplaced = {(u["video_job_id"], u["platform"]): u["reason"] for u in doc["unplaced"]}
    assert unplaced == {
        ("short", "youtube"): "the title 'A' is shorter than youtube's minimum of 2 characters",
        ("all", "youtube"): "the title 'B' is shorter than youtube's minimum of 2 characters",
    }
    placed = {(i["video_job_id"], i["platform"]) for i in doc["items"]}
    assert {("short", "tiktok"), ("fine", "x"), ("fine", "youtube"), ("blank", "youtube")} <= placed
    assert ("short", "youtube") not in placed and ("all", "youtube") not in placed


def test_posts_planned_in_another_calendar_are_not_planned_again(project, run):
    first = plan(run, "Q3")
    assert len(first["items"]) >= 8
    second = plan(run, "Q4")
    assert second["items"] == []
    elsewhere = {(u["video_job_id"], u["platform"]) for u in second["unplaced"] if u["reason"].endswith("calendar Q3")}
    assert elsewhere == {(i["video_job_id"], i["platform"]) for i in first["items"]}
    assert all(
        u["reason"] == "already planned in calendar Q3" for u in second["unplaced"] if u["reason"].endswith("Q3")
    )
