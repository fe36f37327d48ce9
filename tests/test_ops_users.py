"""User scoping: acting as user_123 (the project's user), other_user's calendars and items are neither shown
nor changed; `--user other_user` acts as them; reads with `--all-users` show everybody's.

The project holds tests/fixtures/ops/Q3.yaml (user_123) and OTHER.yaml (other_user, Europe/Berlin), a file
written by hand: it_their_sched (scheduled, due at the pinned now) and it_their_planned, both assigned to sam,
and a blackout `their-break`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_ops_kit import (
    as_json,
    build_click_tree_once,
    calendar_doc,
    copy_project,
    file_items,
    make_template,
    sql,
    store_state,
)

OTHER = Path("calendars/OTHER.yaml")
Q3 = Path("calendars/Q3.yaml")
AS_OTHER = ("--user", "other_user")


@pytest.fixture(autouse=True)
def _fast_cli(monkeypatch):
    build_click_tree_once(monkeypatch)


@pytest.fixture(scope="module")
def two_users_template(tmp_path_factory):
    return make_template(tmp_path_factory.mktemp("users"), ["Q3.yaml", "OTHER.yaml"])


@pytest.fixture
def two_users(two_users_template, tmp_path, monkeypatch):
    return copy_project(two_users_template, tmp_path / "project", monkeypatch)


def test_the_fixture_belongs_to_two_users(two_users, run):
    rows = sql(run, "SELECT user_id, count(*) AS n FROM content_schedule_items GROUP BY 1 ORDER BY 1")
    assert rows == [{"user_id": "other_user", "n": 2}, {"user_id": "user_123", "n": 11}]


# ---------------------------------------------------------------- writes are refused, and change nothing

REFUSED = {
    "item status": ["item", "status", "it_their_planned", "scheduled"],
    "item cancel": ["item", "cancel", "it_their_planned"],
    "item move": ["item", "move", "it_their_planned", "--to", "2026-07-09 19:00"],
    "item move --force": ["item", "move", "it_their_planned", "--to", "2026-07-09 03:00", "--force"],
    "item add": ["item", "add", "-c", "OTHER", "--video", "mine", "--platform", "youtube"],
    "assign": ["assign", "it_their_planned", "--to", "bob"],
    "assign --clear": ["assign", "it_their_sched", "--clear"],
    "calendar archive": ["calendar", "archive", "OTHER"],
    "calendar rm": ["calendar", "rm", "OTHER", "--yes"],
    "blackout add": ["blackout", "add", "-c", "OTHER", "--start", "2026-07-08", "--reschedule"],
    "blackout rm": ["blackout", "rm", "their-break", "-c", "OTHER"],
    "approve -c": ["approve", "-c", "OTHER"],
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_writes_to_another_users_data_exit_2_and_change_nothing(two_users, run, name):
    before, state = OTHER.read_bytes(), store_state(run)
    r = run(*REFUSED[name])
    assert r.exit_code == 2, r
    assert r.stderr.startswith("Error: ")
    assert "user_123" in r.stderr  # says who is acting
    assert OTHER.exists() and OTHER.read_bytes() == before
    assert store_state(run) == state


ALLOWED = {
    "item status": (["item", "status", "it_their_planned", "scheduled"], {"it_their_planned": ("status", "scheduled")}),
    "item cancel": (["item", "cancel", "it_their_planned"], {"it_their_planned": ("status", "canceled")}),
    "item move": (["item", "move", "it_their_planned", "--to", "2026-07-09 19:00"],
                  {"it_their_planned": ("at", "2026-07-09T19:00:00+02:00")}),
    "assign": (["assign", "it_their_planned", "--to", "bob"], {"it_their_planned": ("assignee", "bob")}),
    "assign --clear": (["assign", "it_their_sched", "--clear"], {"it_their_sched": ("assignee", None)}),
    "approve -c": (["approve", "-c", "OTHER"], {"it_their_planned": ("status", "scheduled")}),
    "approve": (["approve"], {"it_their_planned": ("status", "scheduled")}),
}


@pytest.mark.parametrize("name", list(ALLOWED))
def test_the_same_writes_with_user_other_user_succeed(two_users, run, name):
    args, expected = ALLOWED[name]
    q3_before = Q3.read_bytes()
    r = run(*args, *AS_OTHER)
    assert r.exit_code == 0, r
    items = file_items(OTHER)
    for item_id, (key, value) in expected.items():
        assert items[item_id].get(key) == value, items[item_id]
    assert Q3.read_bytes() == q3_before, "acting as other_user must not touch user_123's calendar"
    changed = [e for e in as_json(run, "item", "log", next(iter(expected)), *AS_OTHER) if e["action"] != "created"]
    assert changed and all(e["actor"] == "other_user" for e in changed)


def test_approve_as_user_123_leaves_other_users_planned_items_alone(two_users, run):
    before = OTHER.read_bytes()
    r = run("approve", "--format", "json")
    assert r.exit_code == 0, r
    assert "it_their_planned" not in {row["id"] for row in json.loads(r.stdout)}
    assert OTHER.read_bytes() == before


def test_calendar_archive_blackout_add_rm_and_calendar_rm_as_other_user(two_users, run):
    r = run("calendar", "archive", "OTHER", *AS_OTHER)
    assert r.exit_code == 0, r
    assert calendar_doc(OTHER)["status"] == "archived"
    r = run("blackout", "add", "-c", "OTHER", "--start", "2026-07-08", "--id", "theirs2", *AS_OTHER, "--format", "json")
    assert r.exit_code == 0, r
    assert [row["id"] for row in json.loads(r.stdout)] == ["it_their_planned"]
    assert run("blackout", "rm", "their-break", "-c", "OTHER", *AS_OTHER).exit_code == 0
    assert [b["id"] for b in calendar_doc(OTHER)["blackouts"]] == ["theirs2"]
    r = run("calendar", "rm", "OTHER", "--yes", *AS_OTHER)
    assert r.exit_code == 0, r
    assert not OTHER.exists() and Q3.exists()
    assert sql(run, "SELECT DISTINCT user_id FROM content_schedule_items") == [{"user_id": "user_123"}]


# ---------------------------------------------------------------- reads: hidden, refused, or shown when asked


@pytest.mark.parametrize("command", ["show", "log"])
def test_item_show_and_log_of_another_users_item(two_users, run, command):
    r = run("item", command, "it_their_sched")
    assert r.exit_code == 2, r
    assert "it_their_sched" in r.stderr and "user_123" in r.stderr
    assert r.stdout == ""
    for extra in (AS_OTHER, ("--all-users",)):
        r = run("item", command, "it_their_sched", "--format", "json", *extra)
        assert r.exit_code == 0, r
        assert "2026-06-15T13:30:00+02:00" in r.stdout


def test_calendar_show_of_another_users_calendar(two_users, run):
    r = run("calendar", "show", "OTHER")
    assert r.exit_code == 2, r
    assert r.stdout == "" and "it_their" not in r.stderr
    for extra in (AS_OTHER, ("--all-users",)):
        rows = as_json(run, "calendar", "show", "OTHER", *extra)
        assert [i["id"] for i in rows] == ["it_their_sched", "it_their_planned"]


def test_calendar_list(two_users, run):
    assert [c["name"] for c in as_json(run, "calendar", "list")] == ["Q3"]
    assert [(c["name"], c["user"]) for c in as_json(run, "calendar", "list", *AS_OTHER)] == [("OTHER", "other_user")]
    assert [c["name"] for c in as_json(run, "calendar", "list", "--all-users")] == ["OTHER", "Q3"]


def test_blackout_list(two_users, run):
    assert {b["calendar"] for b in as_json(run, "blackout", "list")} == {"Q3"}
    r = run("blackout", "list", "-c", "OTHER")
    assert r.exit_code == 2, r
    assert "their-break" not in r.stdout + r.stderr
    assert [b["id"] for b in as_json(run, "blackout", "list", *AS_OTHER)] == ["their-break"]
    assert [b["id"] for b in as_json(run, "blackout", "list", "-c", "OTHER", "--all-users")] == ["their-break"]
    assert {b["calendar"] for b in as_json(run, "blackout", "list", "--all-users")} == {"Q3", "OTHER"}


def test_assignments(two_users, run):
    assert run("assign", "it_planned", "--to", "sam").exit_code == 0
    assert [a["id"] for a in as_json(run, "assignments", "--worker", "sam")] == ["it_planned"]
    assert [a["id"] for a in as_json(run, "assignments", "--worker", "sam", *AS_OTHER)] == [
        "it_their_sched",
        "it_their_planned",
    ]
    rows = as_json(run, "assignments", "--worker", "sam", "--all-users")
    assert [a["id"] for a in rows] == ["it_their_sched", "it_planned", "it_their_planned"]
    assert [a["calendar"] for a in rows] == ["OTHER", "Q3", "OTHER"]


def test_due(two_users, run):
    assert as_json(run, "due", "--within", "15m") == []
    assert [d["id"] for d in as_json(run, "due", "--within", "15m", *AS_OTHER)] == ["it_their_sched"]
    assert [d["id"] for d in as_json(run, "due", "--within", "15m", "--all-users")] == ["it_their_sched"]


def test_dispatch_as_user_123_never_posts_another_users_item(two_users, run, tmp_path):
    calls = tmp_path / "calls.log"
    stub = tmp_path / "pub.sh"
    stub.write_text(f'#!/bin/sh\ncat > /dev/null\necho "$CALCLI_ITEM_ID" >> {calls}\n', encoding="utf-8")
    stub.chmod(0o755)
    before = OTHER.read_bytes()
    r = run("dispatch", "--exec", str(stub), "--quiet")
    assert r.exit_code == 0, r
    assert not calls.exists()
    assert OTHER.read_bytes() == before
    r = run("dispatch", "--exec", str(stub), "--quiet", *AS_OTHER)
    assert r.exit_code == 0, r
    assert calls.read_text(encoding="utf-8").split() == ["it_their_sched"]
    assert file_items(OTHER)["it_their_sched"]["status"] == "posted"


def test_all_users_is_for_reads_only(two_users, run):
    before = OTHER.read_bytes()
    for args in (
        ["item", "status", "it_their_planned", "scheduled", "--all-users"],
        ["item", "cancel", "it_their_planned", "--all-users"],
        ["assign", "it_their_planned", "--to", "bob", "--all-users"],
        ["approve", "--all-users"],
    ):
        r = run(*args)
        assert r.exit_code == 2, (args, r)
    assert OTHER.read_bytes() == before


def test_another_users_video_ids_do_not_block_item_add(two_users, run):
    r = run("item", "add", "-c", "Q3", "--video", "teaser", "--platform", "youtube", "--format", "json")
    assert r.exit_code == 0, r
    new = json.loads(r.stdout)[0]["id"]
    assert new != "it_their_sched"
    assert sql(run, "SELECT count(DISTINCT id) AS n, count(*) AS m FROM content_schedule_items") == [
        {"n": 14, "m": 14}
    ]


def test_refusals_do_not_reveal_another_users_calendars(two_users, run):
    r = run("calendar", "show", "NOPE")
    assert r.exit_code == 2
    assert "OTHER" not in r.stderr
    r = run("calendar", "archive", "OTHER")
    assert r.exit_code == 2
    assert "other_user" not in r.stderr
