"""`calcli plan` and `calcli explain` end to end, in a fresh project (user user_123, America/New_York)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from calcli.files.calendar import load_calendar

VIDEOS = [
    {
        "video_job_id": "v1",
        "title": "How we built it",
        "duration_seconds": 48,
        "aspect_ratio": "9:16",
        "platforms": ["youtube", "tiktok", "instagram"],
        "status": "completed",
        "priority": "high",
    },
    {
        "video_job_id": "v2",
        "title": "Keynote cut",
        "duration_seconds": 300,
        "aspect_ratio": "16:9",
        "platforms": ["youtube", "linkedin"],
        "status": "completed",
    },
    {
        "video_job_id": "v3",
        "title": "Tips",
        "duration_seconds": 30,
        "aspect_ratio": "1:1",
        "platforms": ["x", "facebook"],
        "status": "completed",
        "ready_at": "2026-07-10T09:00:00Z",
    },
]
V4 = {
    "video_job_id": "v4",
    "title": "Bonus",
    "duration_seconds": 40,
    "aspect_ratio": "9:16",
    "platforms": ["tiktok", "youtube"],
    "status": "completed",
}
PERIOD = ("--start", "2026-07-01", "--end", "2026-07-31")
CAL = Path("calendars/Q3.yaml")


def write_bulk(path: Path, videos: list[dict], *, user: str = "user_123", job: str = "bj_cli") -> Path:
    path.write_text(
        json.dumps({"bulk_job_id": job, "user_id": user, "name": "CLI series", "videos": videos}, indent=2),
        encoding="utf-8",
    )
    return path


def count(run, table: str) -> int:
    r = run("sql", f"SELECT count(*) AS n FROM {table}", "--format", "json")
    assert r.exit_code == 0, r
    return json.loads(r.stdout)[0]["n"]


def counts(run) -> tuple[int, int]:
    return count(run, "content_schedule_items"), count(run, "item_history")


def plan_q3(run, *extra: str, bulk: str = "bulk.json"):
    return run("plan", bulk, "--calendar", "Q3", *PERIOD, *extra)


def items_by_id(path: Path = CAL) -> dict:
    return {i.id: i for i in load_calendar(path).calendar.items}


@pytest.fixture
def planned(project, run):
    """The project with bulk.json (3 videos) planned into calendars/Q3.yaml."""
    write_bulk(project / "bulk.json", VIDEOS)
    r = plan_q3(run)
    assert r.exit_code == 0, r
    return project


def test_plan_creates_the_calendar_and_a_replan_changes_nothing(planned, run):
    assert CAL.exists()
    items = items_by_id()
    assert len(items) == 7
    assert {i.idempotency_key for i in items.values()} == {
        f"bj_cli/{v['video_job_id']}/{p}" for v in VIDEOS for p in v["platforms"]
    }
    before = CAL.read_bytes()
    rows = counts(run)
    assert rows == (7, 7)
    r = plan_q3(run)
    assert r.exit_code == 0, r
    assert CAL.read_bytes() == before
    assert counts(run) == rows
    assert "7 already planned" in r.stderr


def test_adding_a_video_adds_only_its_items_and_moves_nothing(planned, run):
    before = items_by_id()
    write_bulk(Path("bulk.json"), [*VIDEOS, V4])
    r = plan_q3(run)
    assert r.exit_code == 0, r
    after = items_by_id()
    added = set(after) - set(before)
    assert {after[i].idempotency_key for i in added} == {"bj_cli/v4/tiktok", "bj_cli/v4/youtube"}
    assert set(before) <= set(after)
    for item_id, item in before.items():
        assert after[item_id].scheduled_at.isoformat() == item.scheduled_at.isoformat()
    assert counts(run) == (9, 9)


def test_dry_run_writes_nothing(planned, run):
    before, rows = CAL.read_bytes(), counts(run)
    write_bulk(Path("bulk.json"), [*VIDEOS, V4])
    r = plan_q3(run, "--dry-run")
    assert r.exit_code == 0, r
    assert "Dry run" in r.stderr
    assert CAL.read_bytes() == before
    assert counts(run) == rows


def test_dry_run_on_a_new_calendar_creates_no_file(project, run):
    write_bulk(project / "bulk.json", VIDEOS)
    r = plan_q3(run, "--dry-run", "--format", "json")
    assert r.exit_code == 0, r
    assert "Dry run" in r.stderr
    assert not CAL.exists()
    doc = json.loads(r.stdout)
    assert doc["summary"]["dry_run"] is True and doc["summary"]["written"] is False
    assert len(doc["items"]) == 7
    assert counts(run) == (0, 0)


def test_json_output(project, run):
    write_bulk(project / "bulk.json", [*VIDEOS, {**V4, "status": "processing"}])
    r = plan_q3(run, "--format", "json")
    assert r.exit_code == 0, r
    doc = json.loads(r.stdout)
    assert {"summary", "items", "unplaced", "skipped"} <= set(doc)
    assert doc["summary"]["placed"] == len(doc["items"]) == 7
    assert doc["skipped"] == [{"video_job_id": "v4", "reason": doc["skipped"][0]["reason"]}]
    assert "processing" in doc["skipped"][0]["reason"]
    on_file = items_by_id()
    for item in doc["items"]:
        assert {"id", "calendar", "video_job_id", "platform", "format", "scheduled_at", "status", "score"} <= set(item)
        assert item["calendar"] == "Q3" and item["status"] == "planned"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", item["scheduled_at"]), item
        assert isinstance(item["score"], int | float) and 0 < item["score"] <= 1
        assert item["scheduled_at"] == on_file[item["id"]].scheduled_at.isoformat()


def test_strict_with_an_unplaceable_video_exits_3_and_writes_nothing(planned, run):
    before, rows = CAL.read_bytes(), counts(run)
    keynote = {
        "video_job_id": "v9",
        "title": "Keynote",
        "duration_seconds": 720,
        "aspect_ratio": "16:9",
        "platforms": ["tiktok"],
    }
    write_bulk(Path("bulk.json"), [*VIDEOS, V4, keynote])
    r = plan_q3(run, "--strict")
    assert r.exit_code == 3, r
    assert "v9" in r.stderr and "600 s" in r.stderr
    assert CAL.read_bytes() == before
    assert counts(run) == rows


def test_strict_on_a_new_calendar_creates_no_file(project, run):
    keynote = {
        "video_job_id": "v9",
        "title": "Keynote",
        "duration_seconds": 720,
        "aspect_ratio": "16:9",
        "platforms": ["tiktok"],
    }
    write_bulk(project / "bulk.json", [*VIDEOS, keynote])
    r = plan_q3(run, "--strict")
    assert r.exit_code == 3, r
    assert not CAL.exists()


def test_unknown_platform_exits_3_naming_the_file_and_field(project, run):
    write_bulk(project / "bulk.json", [{**VIDEOS[0], "platforms": ["youtube", "myspace"]}])
    r = plan_q3(run)
    assert r.exit_code == 3, r
    assert "bulk.json" in r.stderr and "videos[0].platforms" in r.stderr
    assert "myspace" in r.stderr
    assert not CAL.exists()


def test_bulk_job_of_another_user_exits_3(project, run):
    write_bulk(project / "bulk.json", VIDEOS, user="user_999")
    r = plan_q3(run)
    assert r.exit_code == 3, r
    assert "user_999" in r.stderr
    assert not CAL.exists()


def test_explain_a_planned_item(planned, run):
    item = next(i for i in items_by_id().values() if i.platform.value == "youtube")
    r = run("explain", item.id, "--format", "table")
    assert r.exit_code == 0, r
    assert "window" in r.stdout and item.id in r.stdout
    r = run("explain", item.id, "--format", "json")
    assert r.exit_code == 0, r
    doc = json.loads(r.stdout)
    assert doc["item"]["id"] == item.id
    assert doc["window"] and re.fullmatch(r"\d\d:\d\d", doc["window"]["start"])
    local = item.scheduled_at
    assert doc["window"]["start"] <= f"{local:%H:%M}" < doc["window"]["end"].replace("00:00", "24:00")


def test_explain_default_output_has_the_window_on_stdout(planned, run):
    item = next(iter(items_by_id().values()))
    r = run("explain", item.id)
    assert r.exit_code == 0, r
    assert "window" in r.stdout


def test_explain_an_unknown_id_exits_2(planned, run):
    r = run("explain", "it_doesnotexist")
    assert r.exit_code == 2, r
    assert "it_doesnotexist" in r.stderr


def test_a_hand_written_comment_survives_a_plan_that_adds_items(planned, run):
    text = CAL.read_text(encoding="utf-8")
    first_item = re.search(r"^  - id: (it_\w+)$", text, re.M)
    text = text.replace(first_item.group(0), "  # posted early on purpose, see ticket 42\n" + first_item.group(0), 1)
    text = text.replace("items:\n", "# reviewed by Ada\nitems:\n", 1)
    CAL.write_text(text, encoding="utf-8")
    write_bulk(Path("bulk.json"), [*VIDEOS, V4])
    r = plan_q3(run)
    assert r.exit_code == 0, r
    after = CAL.read_text(encoding="utf-8")
    assert "# posted early on purpose, see ticket 42\n" + first_item.group(0) in after
    assert "# reviewed by Ada\nitems:\n" in after
    assert len(items_by_id()) == 9


def test_same_plan_in_separate_processes_with_different_hash_seeds(project, run_process):
    write_bulk(project / "bulk.json", [*VIDEOS, V4])
    outs = []
    for seed in ("1", "2"):
        r = run_process(
            "plan",
            "bulk.json",
            "--calendar",
            "Q3",
            *PERIOD,
            "--dry-run",
            "--format",
            "json",
            cwd=project,
            env={"PYTHONHASHSEED": seed},
        )
        assert r.exit_code == 0, r
        outs.append(r.stdout)
    assert outs[0] == outs[1]


SPRING_OVERRIDE = """\
platform: youtube
formats:
  short:
    label: YouTube Shorts (night test)
    duration: {min: 1, max: 180}
    aspects: ["9:16", "1:1"]
    frequency: {max_per_week: 50, max_per_day: 10}
    windows:
      - {days: [mon, tue, wed, thu, fri, sat, sun], start: "02:00", end: "04:00", score: 0.9}
"""


def test_a_project_timing_override_across_spring_forward(project, run):
    """America/New_York skips 02:00-03:00 on 2027-03-14: the post of that day goes to 03:00 EDT."""
    (project / "timing_data").mkdir()
    (project / "timing_data" / "youtube.yaml").write_text(SPRING_OVERRIDE, encoding="utf-8")
    vids = [
        {
            "video_job_id": f"n{k}",
            "title": f"Night {k}",
            "duration_seconds": 30,
            "aspect_ratio": "9:16",
            "platforms": ["youtube"],
        }
        for k in range(3)
    ]
    write_bulk(project / "bulk.json", vids)
    r = run("plan", "bulk.json", "--calendar", "Night", "--start", "2027-03-13", "--end", "2027-03-15")
    assert r.exit_code == 0, r
    times = sorted(i.scheduled_at for i in load_calendar(Path("calendars/Night.yaml")).calendar.items)
    assert [t.isoformat() for t in times] == [
        "2027-03-13T02:00:00-05:00",
        "2027-03-14T03:00:00-04:00",
        "2027-03-15T02:00:00-04:00",
    ]


def _youtube_shorts(prefix: str, n: int) -> list[dict]:
    return [
        {
            "video_job_id": f"{prefix}{k}",
            "title": f"Short {prefix}{k}",
            "duration_seconds": 30,
            "aspect_ratio": "9:16",
            "platforms": ["youtube"],
        }
        for k in range(n)
    ]


def test_items_on_another_calendar_in_the_same_period_count_against_the_weekly_cap(project, run):
    """preferences.yaml (calcli init): YouTube at most 3 a week and 1 a day."""
    write_bulk(project / "a.json", _youtube_shorts("a", 2), job="bj_a")
    write_bulk(project / "b.json", _youtube_shorts("b", 3), job="bj_b")
    assert run("plan", "a.json", "--calendar", "A", "--start", "2026-07-06", "--end", "2026-07-12").exit_code == 0
    r = run("plan", "b.json", "--calendar", "B", "--start", "2026-07-06", "--end", "2026-07-12")
    assert r.exit_code == 0, r
    a = load_calendar(Path("calendars/A.yaml")).calendar.items
    b = load_calendar(Path("calendars/B.yaml")).calendar.items
    assert len(a) == 2 and len(b) == 1
    assert len({i.scheduled_at.date() for i in a + b}) == 3


def test_items_on_another_calendar_earlier_in_the_same_iso_week_count_against_the_weekly_cap(project, run):
    write_bulk(project / "a.json", _youtube_shorts("a", 2), job="bj_a")
    write_bulk(project / "b.json", _youtube_shorts("b", 3), job="bj_b")
    assert run("plan", "a.json", "--calendar", "A", "--start", "2026-07-06", "--end", "2026-07-07").exit_code == 0
    r = run("plan", "b.json", "--calendar", "B", "--start", "2026-07-08", "--end", "2026-07-12")
    assert r.exit_code == 0, r
    a = load_calendar(Path("calendars/A.yaml")).calendar.items
    b = load_calendar(Path("calendars/B.yaml")).calendar.items
    assert len(a) == 2
    assert len(a) + len(b) <= 3, [i.scheduled_at.isoformat() for i in a + b]


def test_replan_changes_nothing_when_a_platform_mixes_formats(project, run):
    (project / "preferences.yaml").write_text(
        "users:\n  user_123:\n    timezone: America/New_York\n    defaults: {max_per_day: 1}\n", encoding="utf-8"
    )
    vids = [
        {
            "video_job_id": "long",
            "title": "Long one",
            "duration_seconds": 600,
            "aspect_ratio": "16:9",
            "platforms": ["youtube"],
        }
    ]
    vids += _youtube_shorts("s", 3)
    write_bulk(project / "bulk.json", vids)
    week = ("--start", "2026-07-06", "--end", "2026-07-12")
    assert run("plan", "bulk.json", "--calendar", "W", *week).exit_code == 0
    before = Path("calendars/W.yaml").read_bytes()
    r = run("plan", "bulk.json", "--calendar", "W", *week)
    assert r.exit_code == 0, r
    assert Path("calendars/W.yaml").read_bytes() == before, r.stderr
