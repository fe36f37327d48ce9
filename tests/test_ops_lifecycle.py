"""The item lifecycle through the CLI: `calcli item status ID NEW` and `calcli item cancel ID`.

planned → scheduled / canceled; scheduled → posted / failed / canceled; failed → scheduled / canceled;
posted and canceled are final. A legal step changes the item's `status:` line and nothing else in the
calendar file, and is audited (`calcli item log`); an illegal one exits 3, names the current status and
the legal next ones, and leaves the file and the store exactly as they were.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from test_ops_kit import build_click_tree_once, copy_project, log, make_template, show, sql, store_state

from calcli.core.model import TRANSITIONS, ScheduleStatus

CAL = Path("calendars/Q3.yaml")
# The fixture calendar holds one item in every status.
ITEM_IN = {
    "planned": "it_planned",
    "scheduled": "it_sched",
    "failed": "it_failed",
    "posted": "it_posted",
    "canceled": "it_canceled",
}
STATUSES = [s.value for s in ScheduleStatus]
LEGAL = [(a, b) for a in STATUSES for b in STATUSES if ScheduleStatus(b) in TRANSITIONS[ScheduleStatus(a)]]
ILLEGAL = [(a, b) for a in STATUSES for b in STATUSES if (a, b) not in LEGAL]
LATER = "2026-06-16T09:30:00+00:00"  # the change happens a day after the calendar was first read


@pytest.fixture(autouse=True)
def _fast_cli(monkeypatch):
    build_click_tree_once(monkeypatch)


@pytest.fixture(scope="module")
def q3_template(tmp_path_factory):
    return make_template(tmp_path_factory.mktemp("q3"), ["Q3.yaml"])


@pytest.fixture
def q3(q3_template, tmp_path, monkeypatch):
    return copy_project(q3_template, tmp_path / "project", monkeypatch)


def expected_after_status_change(text: str, item_id: str, old: str, new: str) -> str:
    """``text`` with only the `status:` line of ``item_id`` changed from ``old`` to ``new``."""
    lines = text.splitlines(keepends=True)
    start = next(n for n, line in enumerate(lines) if line.strip() == f"- id: {item_id}")
    n = next(n for n in range(start + 1, len(lines)) if lines[n].strip().startswith("status:"))
    assert lines[n].strip() == f"status: {old}"
    lines[n] = lines[n].replace(f"status: {old}", f"status: {new}")
    return "".join(lines)


def legal_text(status: str) -> str:
    legal = sorted(s.value for s in TRANSITIONS[ScheduleStatus(status)])
    return ", ".join(legal) if legal else "none (final status)"


def test_the_transition_table_is_the_documented_one():
    assert set(LEGAL) == {
        ("planned", "scheduled"),
        ("planned", "canceled"),
        ("scheduled", "posted"),
        ("scheduled", "failed"),
        ("scheduled", "canceled"),
        ("failed", "scheduled"),
        ("failed", "canceled"),
    }
    assert len(ILLEGAL) == 25 - 7


def _assert_legal_change(run, item_id: str, old: str, new: str, before: str, created_before: str) -> None:
    assert CAL.read_text(encoding="utf-8") == expected_after_status_change(before, item_id, old, new)
    item = show(run, item_id)["item"]
    assert item["status"] == new
    assert item["created_at"] == created_before, "created_at must not move on a change"
    assert item["updated_at"].startswith("2026-06-16T09:30")
    assert datetime.fromisoformat(item["updated_at"]) > datetime.fromisoformat(item["created_at"])
    rows = sql(run, f"SELECT status FROM content_schedule_items WHERE id = '{item_id}'")
    assert rows == [{"status": new}]
    entries = log(run, item_id)
    assert entries[0]["actor"] == "file" and entries[0]["action"] == "created"
    change = [e for e in entries if e["field"] == "status"]
    assert change == [
        {"at": change[0]["at"], "actor": "user_123", "action": "status", "field": "status", "old": old, "new": new}
    ]
    assert change[0]["at"].startswith("2026-06-16T09:30")


@pytest.mark.parametrize(("old", "new"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_legal_status_change_rewrites_one_line_and_is_audited(q3, run, monkeypatch, old, new):
    item_id = ITEM_IN[old]
    before = CAL.read_text(encoding="utf-8")
    created = show(run, item_id)["item"]["created_at"]
    assert created.startswith("2026-06-15T12:00")
    monkeypatch.setenv("CALCLI_NOW", LATER)
    r = run("item", "status", item_id, new)
    assert r.exit_code == 0, r
    assert f"{item_id}: {new}" in r.stderr
    assert r.stdout == ""
    _assert_legal_change(run, item_id, old, new, before, created)


@pytest.mark.parametrize("old", ["planned", "scheduled", "failed"])
def test_item_cancel_is_the_legal_step_to_canceled(q3, run, monkeypatch, old):
    item_id = ITEM_IN[old]
    before = CAL.read_text(encoding="utf-8")
    created = show(run, item_id)["item"]["created_at"]
    monkeypatch.setenv("CALCLI_NOW", LATER)
    r = run("item", "cancel", item_id)
    assert r.exit_code == 0, r
    _assert_legal_change(run, item_id, old, "canceled", before, created)


def _assert_refused(run, r, item_id: str, old: str, new: str, before_bytes: bytes, before_store: list) -> None:
    assert r.exit_code == 3, r
    assert r.stdout == ""
    assert f"from {old} to {new}" in r.stderr
    assert f"legal next statuses: {legal_text(old)}" in r.stderr
    assert item_id in r.stderr
    assert CAL.read_bytes() == before_bytes
    assert store_state(run) == before_store


@pytest.mark.parametrize(("old", "new"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_illegal_status_change_exits_3_and_changes_nothing(q3, run, old, new):
    item_id = ITEM_IN[old]
    before_bytes = CAL.read_bytes()
    before_store = store_state(run)
    r = run("item", "status", item_id, new)
    _assert_refused(run, r, item_id, old, new, before_bytes, before_store)


@pytest.mark.parametrize("old", ["posted", "canceled"])
def test_item_cancel_of_a_final_item_exits_3_and_changes_nothing(q3, run, old):
    item_id = ITEM_IN[old]
    before_bytes = CAL.read_bytes()
    before_store = store_state(run)
    r = run("item", "cancel", item_id, "--note", "too late")
    _assert_refused(run, r, item_id, old, "canceled", before_bytes, before_store)


def test_a_full_life_is_one_line_per_step_in_the_log(q3, run, monkeypatch):
    """planned → scheduled → failed → scheduled → posted, with a note and the post URL."""
    steps = [
        ("2026-06-16T09:00:00+00:00", "scheduled", ()),
        ("2026-06-17T09:00:00+00:00", "failed", ("--note", "upload rejected")),
        ("2026-06-18T09:00:00+00:00", "scheduled", ()),
        ("2026-06-19T09:00:00+00:00", "posted", ("--post", "https://youtu.be/abc123")),
    ]
    for now, status, extra in steps:
        monkeypatch.setenv("CALCLI_NOW", now)
        r = run("item", "status", "it_planned", status, *extra)
        assert r.exit_code == 0, r
    entries = [e for e in log(run, "it_planned") if e["field"] == "status"]
    assert [(e["old"], e["new"], e["actor"]) for e in entries] == [
        ("planned", "scheduled", "user_123"),
        ("scheduled", "failed", "user_123"),
        ("failed", "scheduled", "user_123"),
        ("scheduled", "posted", "user_123"),
    ]
    everything = log(run, "it_planned")
    assert any(e["action"] == "note" and e["new"] == "upload rejected" for e in everything)
    assert any(e["field"] == "post" and e["new"] == "https://youtu.be/abc123" for e in everything)
    text = CAL.read_text(encoding="utf-8")
    block = text.split("- id: it_planned", 1)[1].split("- id:", 1)[0]
    assert "status: posted" in block
    assert "https://youtu.be/abc123" in block
    item = show(run, "it_planned")["item"]
    assert item["post"] == "https://youtu.be/abc123"
    assert item["updated_at"].startswith("2026-06-19T09:00")
    assert item["created_at"].startswith("2026-06-15T12:00")
    # posted is final: nothing moves it any more
    r = run("item", "status", "it_planned", "scheduled")
    assert r.exit_code == 3 and "from posted to scheduled" in r.stderr


def test_unknown_item_or_status_is_a_usage_error(q3, run):
    before = CAL.read_bytes()
    r = run("item", "status", "it_nope", "scheduled")
    assert r.exit_code == 2, r
    assert "it_nope" in r.stderr
    r = run("item", "cancel", "it_nope")
    assert r.exit_code == 2, r
    r = run("item", "status", "it_planned", "published")
    assert r.exit_code == 2, r
    assert "published" in r.stderr
    assert CAL.read_bytes() == before


def test_status_words_are_case_insensitive(q3, run):
    r = run("item", "status", "it_planned", "Scheduled")
    assert r.exit_code == 0, r
    assert show(run, "it_planned")["item"]["status"] == "scheduled"


def test_refusal_is_one_clean_error_line(q3, run):
    r = run("item", "status", "it_posted", "scheduled")
    assert r.exit_code == 3
    assert r.stderr == (
        "Error: item it_posted: cannot change status from posted to scheduled; "
        "legal next statuses: none (final status)\n"
    )


def test_item_log_keeps_the_order_of_changes_made_at_the_same_instant(q3, run):
    assert run("item", "status", "it_planned", "scheduled").exit_code == 0
    assert run("assign", "it_planned", "--to", "sam").exit_code == 0
    assert run("item", "cancel", "it_planned").exit_code == 0
    actions = [(e["action"], e["new"]) for e in log(run, "it_planned")]
    assert actions == [("created", actions[0][1]), ("status", "scheduled"), ("assigned", "sam"), ("status", "canceled")]


def test_audit_times_in_json_carry_their_offset(q3, run):
    item = show(run, "it_planned")["item"]
    for key in ("created_at", "updated_at"):
        assert datetime.fromisoformat(item[key]).tzinfo is not None, item[key]
    for entry in log(run, "it_planned"):
        assert datetime.fromisoformat(entry["at"]).tzinfo is not None, entry
