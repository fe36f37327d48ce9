"""Day-to-day editing: `item add/move`, hand edits, `assign`/`assignments`, `approve`, `calendar …`, `blackout …`.

Runs in a copy of a project holding tests/fixtures/ops/Q3.yaml (user_123, America/New_York, July 2026);
`calcli init`'s preferences: one post a day per platform with 4 h spacing, X three a day with 2 h spacing.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from test_ops_kit import (
    as_json,
    assert_legal_slot,
    build_click_tree_once,
    calendar_doc,
    changed_lines,
    copy_project,
    file_items,
    in_window,
    item_block,
    log,
    make_template,
    replace_once,
    show,
    sql,
    store_state,
)

CAL = Path("calendars/Q3.yaml")
LATER = "2026-06-16T09:30:00+00:00"


@pytest.fixture(autouse=True)
def _fast_cli(monkeypatch):
    build_click_tree_once(monkeypatch)


@pytest.fixture(scope="module")
def q3_template(tmp_path_factory):
    return make_template(tmp_path_factory.mktemp("q3"), ["Q3.yaml"])


@pytest.fixture
def q3(q3_template, tmp_path, monkeypatch):
    return copy_project(q3_template, tmp_path / "project", monkeypatch)


def blackout_days(path: Path = CAL, year: int = 2026) -> set[date]:
    """Every day covered by a whole-day blackout of the calendar (yearly ones mapped into ``year``)."""
    days = set()
    for b in calendar_doc(path).get("blackouts") or []:
        if b.get("kind", "blackout") != "blackout" or "T" in str(b["start"]):
            continue
        start, end = date.fromisoformat(str(b["start"])), date.fromisoformat(str(b["end"]))
        if b.get("yearly"):
            start, end = start.replace(year=year), end.replace(year=year + (end.year - start.year))
        d = start
        while d <= end:
            days.add(d)
            d = date.fromordinal(d.toordinal() + 1)
    return days


# ---------------------------------------------------------------- item add


@pytest.mark.parametrize("platform", ["youtube", "tiktok", "x"])
def test_item_add_without_at_takes_a_legal_slot(q3, run, platform):
    r = run("item", "add", "-c", "Q3", "--video", "v9", "--platform", platform, "--title", "Extra", "--format", "json")
    assert r.exit_code == 0, r
    [row] = json.loads(r.stdout)
    assert row["platform"] == platform and row["status"] == "planned" and row["title"] == "Extra"
    items = file_items(CAL)
    new = items[row["id"]]
    assert new["at"] == row["scheduled_at"]
    at = datetime.fromisoformat(new["at"])
    assert date(2026, 7, 1) <= at.date() <= date(2026, 7, 31)
    assert in_window(platform, new["format"], at), new
    assert_legal_slot(new, list(items.values()), blackout_days())
    entries = log(run, row["id"])
    assert [(e["actor"], e["action"]) for e in entries] == [("user_123", "created")]
    assert sql(run, f"SELECT status FROM content_schedule_items WHERE id = '{row['id']}'") == [{"status": "planned"}]


def test_item_add_at_outside_a_window_exits_3_unless_forced(q3, run):
    before, state = CAL.read_bytes(), store_state(run)
    r = run("item", "add", "-c", "Q3", "--video", "v8", "--platform", "youtube", "--at", "2026-07-02 09:00")
    assert r.exit_code == 3, r
    assert "outside every youtube short timing window" in r.stderr
    assert CAL.read_bytes() == before
    assert store_state(run) == state
    r = run(
        "item",
        "add",
        "-c",
        "Q3",
        "--video",
        "v8",
        "--platform",
        "youtube",
        "--at",
        "2026-07-02 09:00",
        "--force",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r
    [row] = json.loads(r.stdout)
    assert row["scheduled_at"] == "2026-07-02T09:00:00-04:00"
    assert file_items(CAL)[row["id"]]["at"] == "2026-07-02T09:00:00-04:00"


def test_item_add_at_a_legal_time_is_taken_as_given(q3, run):
    r = run(
        "item",
        "add",
        "-c",
        "Q3",
        "--video",
        "v8",
        "--platform",
        "youtube",
        "--at",
        "2026-07-14T15:30",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)[0]["scheduled_at"] == "2026-07-14T15:30:00-04:00"


def test_item_add_twice_for_the_same_video_and_platform_is_refused(q3, run):
    r = run("item", "add", "-c", "Q3", "--video", "v1", "--platform", "youtube")
    assert r.exit_code == 3, r
    assert "already has a youtube post" in r.stderr


# ---------------------------------------------------------------- item move


def test_move_to_a_legal_slot_changes_only_the_at_line_and_is_audited(q3, run, monkeypatch):
    before = CAL.read_text(encoding="utf-8")
    monkeypatch.setenv("CALCLI_NOW", LATER)
    r = run("item", "move", "it_yt4", "--to", "2026-07-14 15:30")
    assert r.exit_code == 0, r
    assert "2026-07-14T15:30:00-04:00" in r.stderr
    after = CAL.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        ('    at: "2026-07-13T16:00:00-04:00"', '    at: "2026-07-14T15:30:00-04:00"')
    ]
    item = show(run, "it_yt4")["item"]
    assert item["scheduled_at"] == "2026-07-14T15:30:00-04:00"
    assert item["updated_at"].startswith("2026-06-16T09:30")
    moved = [e for e in log(run, "it_yt4") if e["action"] == "moved"]
    assert [(e["actor"], e["field"], e["old"], e["new"]) for e in moved] == [
        ("user_123", "at", "2026-07-13T16:00:00-04:00", "2026-07-14T15:30:00-04:00")
    ]
    rows = sql(run, "SELECT scheduled_utc, scheduled_local FROM content_schedule_items WHERE id = 'it_yt4'")
    assert rows == [{"scheduled_utc": "2026-07-14T19:30:00", "scheduled_local": "2026-07-14T15:30:00"}]


def test_move_accepts_a_time_with_an_offset(q3, run):
    r = run("item", "move", "it_yt4", "--to", "2026-07-14T19:30:00Z")
    assert r.exit_code == 0, r
    assert file_items(CAL)["it_yt4"]["at"] == "2026-07-14T15:30:00-04:00"


ILLEGAL_MOVES = {
    "outside-window": ("it_yt4", "2026-07-13 09:00", "outside every youtube short timing window"),
    "blackout": ("it_yt4", "2026-07-04 16:00", "in blackout july4 (Independence Day)"),
    "daily-cap": ("it_yt4", "2026-07-08 20:30", "daily cap reached (1 a day)"),
    "spacing": ("it_x5", "2026-07-02 10:00", "too close to another post on this platform (minimum spacing 120 min)"),
    "stagger": ("it_x3", "2026-07-06 16:30", "youtube"),
    "period": ("it_yt4", "2026-08-05 16:00", "outside the calendar's period 2026-07-01..2026-07-31"),
    "past": ("it_yt4", "2026-06-10 16:00", "in the past"),
}


@pytest.mark.parametrize("case", list(ILLEGAL_MOVES))
def test_move_to_an_illegal_slot_exits_3_with_the_reason_and_changes_nothing(q3, run, case):
    item_id, to, reason = ILLEGAL_MOVES[case]
    before, state = CAL.read_bytes(), store_state(run)
    r = run("item", "move", item_id, "--to", to)
    assert r.exit_code == 3, r
    assert reason in r.stderr
    assert item_id in r.stderr
    assert "--force" in r.stderr
    assert CAL.read_bytes() == before
    assert store_state(run) == state


def test_move_of_a_posted_or_canceled_item_is_refused(q3, run):
    before = CAL.read_bytes()
    for item_id in ("it_posted", "it_canceled"):
        r = run("item", "move", item_id, "--to", "2026-07-14 15:30")
        assert r.exit_code == 3, r
    assert CAL.read_bytes() == before


def test_move_of_an_unknown_item_or_to_a_bad_time_is_a_usage_error(q3, run):
    assert run("item", "move", "it_nope", "--to", "2026-07-14 15:30").exit_code == 2
    assert run("item", "move", "it_yt4", "--to", "next tuesday").exit_code == 2


def test_forced_move_records_an_override_blackout_and_history_row(q3, run):
    before = CAL.read_text(encoding="utf-8")
    r = run("item", "move", "it_yt4", "--to", "2026-07-04 16:00", "--force", "--reason", "launch day")
    assert r.exit_code == 0, r
    assert "override" in r.stderr and "july4" in r.stderr
    doc = calendar_doc(CAL)
    overrides = [b for b in doc["blackouts"] if b.get("kind") == "override"]
    assert len(overrides) == 1
    o = overrides[0]
    assert o["item"] == "it_yt4"
    assert str(o["start"]).startswith("2026-07-04T16:00")
    assert "launch day" in o["reason"] and "blackout july4" in o["reason"]
    assert file_items(CAL)["it_yt4"]["at"] == "2026-07-04T16:00:00-04:00"
    # the july4 blackout line and every item line but `at` are untouched
    after = CAL.read_text(encoding="utf-8")
    assert before.splitlines()[8] in after.splitlines()
    assert item_block(before, "it_yt4").replace("2026-07-13T16:00", "2026-07-04T16:00") == item_block(after, "it_yt4")
    entries = log(run, "it_yt4")
    assert {e["action"] for e in entries} >= {"moved", "override"}
    [ov] = [e for e in entries if e["action"] == "override"]
    assert ov["actor"] == "user_123" and "launch day" in ov["new"]
    listed = as_json(run, "blackout", "list", "-c", "Q3")
    assert [(b["id"], b["kind"], b["item"]) for b in listed if b["kind"] == "override"] == [
        (o["id"], "override", "it_yt4")
    ]
    assert sql(run, "SELECT kind, item_id FROM schedule_exceptions WHERE kind = 'override'") == [
        {"kind": "override", "item_id": "it_yt4"}
    ]
    # an override is not a blackout: a later legal move elsewhere is still judged by the real rules
    assert run("check").exit_code == 0


def test_hand_edits_are_seen_by_the_next_command_and_logged_as_file(q3, run, monkeypatch):
    text = CAL.read_text(encoding="utf-8")
    text = replace_once(text, 'at: "2026-07-13T16:00:00-04:00"', 'at: "2026-07-14T16:00:00-04:00"')
    text = replace_once(text, 'title: "Video five"', 'title: "Video five, retitled"')
    CAL.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CALCLI_NOW", LATER)
    yt4 = show(run, "it_yt4")["item"]
    assert yt4["scheduled_at"] == "2026-07-14T16:00:00-04:00"
    assert yt4["updated_at"].startswith("2026-06-16T09:30")
    assert show(run, "it_x5")["item"]["title"] == "Video five, retitled"
    edits = [(e["actor"], e["action"], e["field"], e["old"], e["new"]) for e in log(run, "it_yt4")]
    assert ("file", "edited", "at", "2026-07-13T16:00:00-04:00", "2026-07-14T16:00:00-04:00") in edits
    edits = [(e["actor"], e["action"], e["field"], e["old"], e["new"]) for e in log(run, "it_x5")]
    assert ("file", "edited", "title", "Video five", "Video five, retitled") in edits
    # seen once: the next command records nothing more
    assert len(log(run, "it_x5")) == len(edits)


def test_a_hand_edited_status_is_audited_too(q3, run):
    CAL.write_text(
        replace_once(CAL.read_text(encoding="utf-8"), "status: failed", "status: canceled"), encoding="utf-8"
    )
    entries = log(run, "it_failed")
    assert ("file", "status", "failed", "canceled") in [(e["actor"], e["field"], e["old"], e["new"]) for e in entries]


# ---------------------------------------------------------------- assignments


def test_assign_shows_up_for_the_worker_and_clear_removes_it(q3, run):
    for item_id, worker in [("it_planned", "sam"), ("it_yt4", "sam"), ("it_tt6", "sam"), ("it_x5", "alex")]:
        r = run("assign", item_id, "--to", worker)
        assert r.exit_code == 0, r
    assert "assignee: sam" in item_block(CAL.read_text(encoding="utf-8"), "it_planned")
    rows = as_json(run, "assignments", "--worker", "sam", "--due-within", "30d")
    # June 15 + 30 days: it_tt6 (July 22) is later
    assert [r["id"] for r in rows] == ["it_planned", "it_yt4"]
    assert all(r["assignee"] == "sam" for r in rows)
    rows = as_json(run, "assignments", "--worker", "sam")
    assert [r["id"] for r in rows] == ["it_planned", "it_yt4", "it_tt6"]
    assert [r["id"] for r in as_json(run, "assignments")] == ["it_planned", "it_x5", "it_yt4", "it_tt6"]
    assert sql(run, "SELECT item_id, worker FROM schedule_assignments ORDER BY item_id") == [
        {"item_id": "it_planned", "worker": "sam"},
        {"item_id": "it_tt6", "worker": "sam"},
        {"item_id": "it_x5", "worker": "alex"},
        {"item_id": "it_yt4", "worker": "sam"},
    ]
    before = CAL.read_text(encoding="utf-8")
    r = run("assign", "it_planned", "--clear")
    assert r.exit_code == 0, r
    after = CAL.read_text(encoding="utf-8")
    assert "assignee" not in item_block(after, "it_planned")
    assert len(after.splitlines()) == len(before.splitlines()) - 1
    assert [r["id"] for r in as_json(run, "assignments", "--worker", "sam", "--due-within", "30d")] == ["it_yt4"]
    entries = [e for e in log(run, "it_planned") if e["action"] == "assigned"]
    assert [(e["actor"], e["old"], e["new"]) for e in entries] == [("user_123", None, "sam"), ("user_123", "sam", None)]


def test_assignments_leave_out_posted_and_canceled_items(q3, run):
    for item_id in ("it_posted", "it_canceled", "it_sched"):
        assert run("assign", item_id, "--to", "sam").exit_code == 0
    assert [r["id"] for r in as_json(run, "assignments", "--worker", "sam")] == ["it_sched"]


def test_assign_needs_a_worker_or_clear(q3, run):
    before = CAL.read_bytes()
    assert run("assign", "it_planned").exit_code == 2
    assert run("assign", "it_planned", "--to", "bad name!").exit_code == 2
    assert run("assign", "it_nope", "--to", "sam").exit_code == 2
    assert CAL.read_bytes() == before


def test_assignments_with_a_bad_duration_is_a_usage_error(q3, run):
    r = run("assignments", "--due-within", "soon")
    assert r.exit_code == 2, r
    assert "--due-within" in r.stderr


# ---------------------------------------------------------------- approve


def test_approve_until_moves_only_planned_items_up_to_that_day(q3, run):
    r = run(
        "item",
        "add",
        "-c",
        "Q3",
        "--video",
        "v9",
        "--platform",
        "youtube",
        "--at",
        "2026-07-07 16:00",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r
    v9 = json.loads(r.stdout)[0]["id"]
    r = run("calendar", "new", "Q4", "--start", "2026-07-01", "--end", "2026-07-31")
    assert r.exit_code == 0, r
    r = run(
        "item", "add", "-c", "Q4", "--video", "q4v", "--platform", "x", "--at", "2026-07-03 09:00", "--format", "json"
    )
    assert r.exit_code == 0, r
    q4_id = json.loads(r.stdout)[0]["id"]
    before = {k: v["status"] for k, v in file_items(CAL).items()}
    r = run("approve", "--calendar", "Q3", "--until", "2026-07-08", "--format", "json")
    assert r.exit_code == 0, r
    approved = {row["id"] for row in json.loads(r.stdout)}
    # it_tt7 is 20:30 on July 8 in New York (already July 9 in UTC): the day is the calendar's
    assert approved == {"it_planned", "it_yt3", "it_x3", v9, "it_tt7"}
    assert "Approved 5 item(s)" in r.stderr
    after = {k: v["status"] for k, v in file_items(CAL).items()}
    for item_id, status in before.items():
        assert after[item_id] == ("scheduled" if item_id in approved else status), item_id
    assert file_items(Path("calendars/Q4.yaml"))[q4_id]["status"] == "planned"
    for item_id in approved:
        assert ("user_123", "planned", "scheduled") in [
            (e["actor"], e["old"], e["new"]) for e in log(run, item_id) if e["field"] == "status"
        ]
    # again: nothing left to approve, nothing written
    text = CAL.read_bytes()
    r = run("approve", "--calendar", "Q3", "--until", "2026-07-08", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout) == []
    assert CAL.read_bytes() == text


def test_approve_without_until_takes_every_planned_item_of_the_calendar(q3, run):
    r = run("approve", "-c", "Q3", "--format", "json")
    assert r.exit_code == 0, r
    assert {row["id"] for row in json.loads(r.stdout)} == {
        "it_planned",
        "it_yt3",
        "it_x3",
        "it_tt7",
        "it_x5",
        "it_yt4",
        "it_tt6",
    }
    assert {v["status"] for v in file_items(CAL).values()} == {"scheduled", "failed", "posted", "canceled"}


def test_approve_of_an_unknown_calendar_or_bad_date_is_a_usage_error(q3, run):
    before = CAL.read_bytes()
    assert run("approve", "-c", "NOPE").exit_code == 2
    assert run("approve", "-c", "Q3", "--until", "July").exit_code == 2
    assert CAL.read_bytes() == before


# ---------------------------------------------------------------- calendars


def test_calendar_new_list_show(q3, run):
    r = run(
        "calendar",
        "new",
        "Q4",
        "--start",
        "2026-10-01",
        "--end",
        "2026-12-31",
        "--title",
        "Q4 2026",
        "--platform",
        "youtube",
        "--platform",
        "tiktok",
    )
    assert r.exit_code == 0, r
    doc = calendar_doc(Path("calendars/Q4.yaml"))
    assert doc["calendar"] == "Q4" and doc["user"] == "user_123" and doc["title"] == "Q4 2026"
    assert doc["timezone"] == "America/New_York"
    assert doc["period"] == {"start": "2026-10-01", "end": "2026-12-31"}
    assert doc["platforms"] == ["youtube", "tiktok"]
    assert not doc.get("items")
    assert run("check").exit_code == 0
    rows = as_json(run, "calendar", "list")
    assert [(c["name"], c["user"], c["items"], c["posted"], c["status"]) for c in rows] == [
        ("Q3", "user_123", 11, 1, "active"),
        ("Q4", "user_123", 0, 0, "active"),
    ]
    shown = as_json(run, "calendar", "show", "Q3")
    assert [i["id"] for i in shown] == list(file_items(CAL))  # the fixture is in time order
    assert as_json(run, "calendar", "show", "Q4") == []
    # the same name again, a backwards period, an unknown zone, a bad name
    before = Path("calendars/Q4.yaml").read_bytes()
    assert run("calendar", "new", "Q4", "--start", "2026-10-01", "--end", "2026-12-31").exit_code == 2
    assert Path("calendars/Q4.yaml").read_bytes() == before
    assert run("calendar", "new", "Q5", "--start", "2026-10-01", "--end", "2026-09-01").exit_code == 2
    r = run("calendar", "new", "Q6", "--start", "2026-10-01", "--end", "2026-12-31", "--tz", "Mars/Base")
    assert r.exit_code == 2, r  # a bad flag value is usage (issue 18; it was 3)
    assert run("calendar", "new", "bad/name", "--start", "2026-10-01", "--end", "2026-12-31").exit_code == 2
    assert sorted(p.name for p in Path("calendars").glob("*.yaml")) == ["Q3.yaml", "Q4.yaml"]
    assert run("calendar", "show", "NOPE").exit_code == 2


def test_calendar_archive_sets_the_status_and_is_idempotent(q3, run):
    before = CAL.read_text(encoding="utf-8")
    r = run("calendar", "archive", "Q3")
    assert r.exit_code == 0, r
    after = CAL.read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["status: archived"]
    assert len(after.splitlines()) == len(before.splitlines()) + 1
    assert [c["status"] for c in as_json(run, "calendar", "list")] == ["archived"]
    r = run("calendar", "archive", "Q3")
    assert r.exit_code == 0, r
    assert CAL.read_text(encoding="utf-8") == after
    assert run("check").exit_code == 0


def test_plan_into_an_archived_calendar_is_refused(q3, run):
    assert run("calendar", "archive", "Q3").exit_code == 0
    Path("bulk.json").write_text(
        json.dumps(
            {
                "bulk_job_id": "bj_arch",
                "user_id": "user_123",
                "videos": [
                    {"video_job_id": "a1", "duration_seconds": 30, "aspect_ratio": "9:16", "platforms": ["youtube"]}
                ],
            }
        ),
        encoding="utf-8",
    )
    before = CAL.read_bytes()
    r = run("plan", "bulk.json", "--calendar", "Q3")
    assert r.exit_code == 2, r
    assert "archived" in r.stderr
    assert CAL.read_bytes() == before


def test_item_add_into_an_archived_calendar_is_refused(q3, run):
    assert run("calendar", "archive", "Q3").exit_code == 0
    before = CAL.read_bytes()
    r = run("item", "add", "-c", "Q3", "--video", "a2", "--platform", "youtube")
    assert r.exit_code == 2, r
    assert "archived" in r.stderr
    assert CAL.read_bytes() == before


def test_calendar_rm_without_posted_items_needs_no_confirmation(q3, run):
    assert run("calendar", "new", "scratch", "--start", "2026-07-01", "--end", "2026-07-31").exit_code == 0
    r = run(
        "item",
        "add",
        "-c",
        "scratch",
        "--video",
        "s1",
        "--platform",
        "x",
        "--at",
        "2026-07-14 09:00",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r
    sid = json.loads(r.stdout)[0]["id"]
    r = run("calendar", "rm", "scratch")
    assert r.exit_code == 0, r
    assert not Path("calendars/scratch.yaml").exists()
    assert [c["name"] for c in as_json(run, "calendar", "list")] == ["Q3"]
    assert sql(run, f"SELECT count(*) AS n FROM content_schedule_items WHERE id = '{sid}'") == [{"n": 0}]
    assert [e["action"] for e in sql(run, f"SELECT action FROM item_history WHERE item_id = '{sid}' ORDER BY ALL")] == [
        "created",
        "deleted",
    ]
    assert run("calendar", "rm", "scratch").exit_code == 2


def test_calendar_rm_with_posted_items_and_no_terminal_exits_2_and_changes_nothing(q3, run, run_process):
    state = store_state(run)
    before = CAL.read_bytes()
    r = run_process("calendar", "rm", "Q3", input="")
    assert r.exit_code == 2, r
    assert "1 posted item" in r.stderr and "--yes" in r.stderr
    assert r.stdout == ""
    assert CAL.read_bytes() == before
    assert store_state(run) == state


def test_calendar_rm_yes_removes_file_and_items_but_keeps_history(q3, run):
    history = sql(run, "SELECT count(*) AS n FROM item_history WHERE calendar_id = 'Q3'")[0]["n"]
    assert history == 11
    r = run("calendar", "rm", "Q3", "--yes")
    assert r.exit_code == 0, r
    assert not CAL.exists()
    assert sql(run, "SELECT count(*) AS n FROM content_schedule_items") == [{"n": 0}]
    assert sql(run, "SELECT count(*) AS n FROM content_calendars") == [{"n": 0}]
    assert sql(run, "SELECT count(*) AS n FROM schedule_exceptions") == [{"n": 0}]
    rows = sql(run, "SELECT action, count(*) AS n FROM item_history WHERE calendar_id = 'Q3' GROUP BY 1 ORDER BY 1")
    assert rows == [{"action": "created", "n": 11}, {"action": "deleted", "n": 11}]
    assert run("item", "show", "it_posted").exit_code == 2
    assert as_json(run, "calendar", "list") == []


# ---------------------------------------------------------------- blackouts


def test_blackout_add_lists_the_items_it_covers_and_moves_nothing(q3, run):
    before = CAL.read_text(encoding="utf-8")
    r = run(
        "blackout",
        "add",
        "-c",
        "Q3",
        "--start",
        "2026-07-06",
        "--end",
        "2026-07-07",
        "--reason",
        "Retreat",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r
    rows = json.loads(r.stdout)
    assert [(x["id"], x["moved_to"]) for x in rows] == [("it_yt3", None), ("it_x3", None)]
    assert "--reschedule" in r.stderr
    after = CAL.read_text(encoding="utf-8")
    new = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(new) == 1 and "2026-07-06" in new[0] and "2026-07-07" in new[0] and "Retreat" in new[0]
    assert file_items(CAL) == file_items_from(before)
    listed = as_json(run, "blackout", "list", "-c", "Q3")
    assert sorted((b["id"], str(b["start"]), str(b["end"]), b["reason"]) for b in listed) == [
        ("blackout-2026-07-06", "2026-07-06", "2026-07-07", "Retreat"),
        ("july4", "2026-07-04", "2026-07-04", "Independence Day"),
    ]
    # and the planner honours it from now on
    r = run("item", "move", "it_yt4", "--to", "2026-07-07 16:00")
    assert r.exit_code == 3 and "blackout-2026-07-06" in r.stderr


def file_items_from(text: str) -> dict:
    import yaml

    return {i["id"]: i for i in yaml.safe_load(text)["items"]}


def test_blackout_add_reschedule_moves_every_covered_item_to_a_legal_slot(q3, run):
    before = file_items(CAL)
    r = run(
        "blackout",
        "add",
        "-c",
        "Q3",
        "--start",
        "2026-07-06",
        "--end",
        "2026-07-09",
        "--id",
        "retreat",
        "--reschedule",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r
    rows = {x["id"]: x for x in json.loads(r.stdout)}
    # live items inside July 6-9: it_yt3, it_x3, it_tt7, it_x5 (posted and canceled ones stay put)
    assert set(rows) == {"it_yt3", "it_x3", "it_tt7", "it_x5"}
    assert "4 moved" in r.stderr
    after = file_items(CAL)
    days = blackout_days()
    assert {date(2026, 7, d) for d in (6, 7, 8, 9)} <= days
    for item_id, row in rows.items():
        assert row["moved_to"] == after[item_id]["at"], item_id
        assert after[item_id]["at"] != before[item_id]["at"]
        assert_legal_slot(after[item_id], list(after.values()), days)
        moved = [e for e in log(run, item_id) if e["action"] == "moved"]
        assert [(e["old"], e["new"]) for e in moved] == [(before[item_id]["at"], after[item_id]["at"])]
    for item_id in set(before) - set(rows):
        assert after[item_id] == before[item_id], item_id
    assert run("check").exit_code == 0


def test_following_the_rerun_with_reschedule_hint_does_not_duplicate_the_blackout(q3, run):
    args = ("blackout", "add", "-c", "Q3", "--start", "2026-07-06", "--end", "2026-07-07", "--reason", "Retreat")
    r = run(*args)
    assert r.exit_code == 0 and "rerun with --reschedule" in r.stderr, r
    r = run(*args, "--reschedule")
    assert r.exit_code == 0, r
    assert [b["id"] for b in calendar_doc(CAL)["blackouts"]] == ["july4", "blackout-2026-07-06"]


def test_blackout_for_one_platform_and_hours(q3, run):
    r = run(
        "blackout",
        "add",
        "-c",
        "Q3",
        "--start",
        "2026-07-13T15:00",
        "--end",
        "2026-07-13T17:00",
        "--platform",
        "tiktok",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r
    assert json.loads(r.stdout) == []
    r = run(
        "blackout",
        "add",
        "-c",
        "Q3",
        "--start",
        "2026-07-13T15:00",
        "--end",
        "2026-07-13T16:30",
        "--platform",
        "youtube",
        "--id",
        "yt-hours",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r
    assert [x["id"] for x in json.loads(r.stdout)] == ["it_yt4"]
    # the end is excluded
    assert run("item", "move", "it_yt4", "--to", "2026-07-13 16:30").exit_code == 0
    r = run("item", "move", "it_yt4", "--to", "2026-07-13 16:29")
    assert r.exit_code == 3 and "yt-hours" in r.stderr


def test_blackout_rm_removes_exactly_its_entry(q3, run):
    before = CAL.read_text(encoding="utf-8")
    assert run("blackout", "add", "-c", "Q3", "--start", "2026-07-20", "--id", "temp").exit_code == 0
    r = run("blackout", "rm", "temp", "-c", "Q3")
    assert r.exit_code == 0, r
    assert CAL.read_text(encoding="utf-8") == before
    assert [b["id"] for b in as_json(run, "blackout", "list", "-c", "Q3")] == ["july4"]
    r = run("blackout", "rm", "july4", "-c", "Q3")
    assert r.exit_code == 0, r
    assert as_json(run, "blackout", "list", "-c", "Q3") == []
    assert run("check").exit_code == 0
    assert run("item", "move", "it_yt4", "--to", "2026-07-04 16:00").exit_code == 0
    # unknown id, unknown calendar
    text = CAL.read_bytes()
    assert run("blackout", "rm", "july4", "-c", "Q3").exit_code == 2
    assert run("blackout", "rm", "temp", "-c", "NOPE").exit_code == 2
    assert CAL.read_bytes() == text


def test_blackout_add_rejects_bad_input_and_writes_nothing(q3, run):
    before = CAL.read_bytes()
    for args in (
        ["--start", "2026-07-10", "--end", "2026-07-09"],
        ["--start", "2026-07-10", "--end", "2026-07-11T09:00"],
        ["--start", "2026-07-10T09:00-04:00"],
        ["--start", "July 10"],
        ["--start", "2026-07-10", "--id", "july4"],
    ):
        r = run("blackout", "add", "-c", "Q3", *args)
        assert r.exit_code == 2, (args, r)
    assert CAL.read_bytes() == before


def test_a_yearly_blackout_from_an_earlier_year_covers_this_year(q3, run):
    r = run(
        "blackout", "add", "-c", "Q3", "--start", "2025-07-09", "--yearly", "--id", "anniversary", "--format", "json"
    )
    assert r.exit_code == 0, r
    assert [x["id"] for x in json.loads(r.stdout)] == ["it_x5"]
    r = run("item", "move", "it_yt4", "--to", "2026-07-09 16:00")
    assert r.exit_code == 3 and "anniversary" in r.stderr
    assert [b["yearly"] for b in as_json(run, "blackout", "list", "-c", "Q3") if b["id"] == "anniversary"] == [True]


def test_a_yearly_blackout_may_wrap_the_new_year(q3, run):
    assert run("calendar", "new", "W", "--start", "2026-12-01", "--end", "2027-01-31").exit_code == 0
    r = run("blackout", "add", "-c", "W", "--start", "2025-12-24", "--end", "2026-01-02", "--yearly", "--id", "hols")
    assert r.exit_code == 0, r
    for at in ("2026-12-24 16:00", "2026-12-31 16:00", "2027-01-02 16:00"):
        r = run("item", "add", "-c", "W", "--video", "w1", "--platform", "youtube", "--at", at)
        assert r.exit_code == 3 and "hols" in r.stderr, (at, r)
    r = run("item", "add", "-c", "W", "--video", "w1", "--platform", "youtube", "--at", "2027-01-03 16:00")
    assert r.exit_code == 0, r
    r = run("item", "add", "-c", "W", "--video", "w2", "--platform", "youtube", "--at", "2026-12-23 16:00")
    assert r.exit_code == 0, r
    # the planner keeps out of it too
    r = run("item", "add", "-c", "W", "--video", "w3", "--platform", "youtube", "--format", "json")
    assert r.exit_code == 0, r
    at = datetime.fromisoformat(json.loads(r.stdout)[0]["scheduled_at"])
    assert not (date(2026, 12, 24) <= at.date() <= date(2027, 1, 2))
