"""A big plan renders its calendar text and its output in a forked child while the store is
written (calcli.operations.editing.RENDER_ELSEWHERE_MIN, calcli.files.forked.ForkedWrite). Here the threshold is
lowered so that a small plan takes that path: it must give the same bytes as the plan rendered
in-process, and every failure must leave the calendar as it was (or fall back to rendering here)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_planner_cli import CAL, PERIOD, V4, VIDEOS, count, write_bulk

from calcli.core.model import ContentScheduleItem, Platform, ScheduleStatus
from calcli.files import forked as textio
from calcli.files.calendar_emit import emit_item
from calcli.files.calendar_emit import emitted_lines as lines_of
from calcli.operations import editing

ROWS = "SELECT * EXCLUDE (created_at, updated_at) FROM content_schedule_items ORDER BY id"
HISTORY = "SELECT * EXCLUDE (changed_at) FROM item_history ORDER BY item_id, action"


@pytest.fixture
def forks(monkeypatch):
    """Every plan takes the forked path; the list holds each ForkedWrite made."""
    made = []
    real = textio.ForkedWrite.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(editing, "RENDER_ELSEWHERE_MIN", 1)
    monkeypatch.setattr(textio.ForkedWrite, "__init__", init)
    return made


def _state(run, project: Path) -> dict:
    rows = run("sql", ROWS, "--format", "csv")
    history = run("sql", HISTORY, "--format", "csv")
    assert rows.exit_code == 0 and history.exit_code == 0
    return {"file": (project / CAL).read_bytes(), "rows": rows.stdout, "history": history.stdout}


def _plan(run, *extra: str):
    return run("plan", "bulk.json", "--calendar", "Q3", *PERIOD, *extra)


def _leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "calendars").iterdir() if p.name.endswith(".calcli-tmp"))


@pytest.mark.parametrize("fmt", ["json", "tsv", "ndjson"])
def test_a_forked_plan_writes_the_same_bytes_as_one_rendered_here(project, run, forks, monkeypatch, fmt):
    write_bulk(project / "bulk.json", VIDEOS)
    forked = _plan(run, "--format", fmt)
    assert forked.exit_code == 0, forked
    assert len(forks) == 1 and forks[0].status == 0  # the child rendered the file and the output
    got = _state(run, project)

    from calcli.files.project import init_project

    here_dir = project / "here"  # the same plan in a second project, rendered in-process
    init_project(here_dir, "user_123", "America/New_York")
    write_bulk(here_dir / "bulk.json", VIDEOS)
    monkeypatch.chdir(here_dir)
    monkeypatch.setattr(editing, "RENDER_ELSEWHERE_MIN", 10**9)
    here = _plan(run, "--format", fmt)
    assert here.exit_code == 0, here
    assert len(forks) == 1  # no second fork
    assert here.stdout == forked.stdout and here.stderr == forked.stderr
    assert _state(run, here_dir) == got
    assert _leftovers(project) == []


def test_a_forked_plan_into_an_existing_calendar_adds_only_the_new_video(project, run, forks):
    write_bulk(project / "bulk.json", VIDEOS)
    assert _plan(run).exit_code == 0
    before = (project / CAL).read_text()
    write_bulk(project / "bulk.json", [*VIDEOS, V4])
    r = _plan(run, "--format", "json")
    assert r.exit_code == 0, r
    doc = json.loads(r.stdout)
    assert {i["video_job_id"] for i in doc["items"]} == {"v4"} and doc["summary"]["already_planned"] == 7
    after = (project / CAL).read_text()
    assert len(after.splitlines()) > len(before.splitlines())
    assert count(run, "content_schedule_items") == 9
    assert os.stat(project / CAL).st_mode & 0o777 == stat.S_IMODE(os.stat(project / "calcli.toml").st_mode)


def test_a_plan_whose_store_write_fails_leaves_no_file_and_no_temp(project, run, forks, monkeypatch):
    from calcli.core.errors import CalcliError
    from calcli.store.duckdb.store import DuckDBStore as Store

    def fail(self, *args, **kwargs):
        raise CalcliError("cannot write the store: disk full")

    real = Store.replace_calendar
    monkeypatch.setattr(Store, "replace_calendar", fail)
    write_bulk(project / "bulk.json", VIDEOS)
    r = _plan(run, "--format", "json")
    assert r.exit_code == 1 and r.stdout == "", r
    assert r.stderr.strip().splitlines()[-1] == "Error: cannot write the store: disk full"
    assert len(forks) == 1 and forks[0].pid is None  # the child was stopped and reaped
    assert not (project / CAL).exists() and _leftovers(project) == []
    monkeypatch.setattr(Store, "replace_calendar", real)
    assert count(run, "content_schedule_items") == 0 and count(run, "item_history") == 0


def test_a_plan_whose_commit_fails_prints_no_plan(project, run, forks, monkeypatch):
    from calcli.core.errors import CalcliError
    from calcli.store.duckdb.store import DuckDBStore as Store

    real = Store.set_file_state

    def fail(self, path, kind, *args):
        real(self, path, kind, *args)
        if kind == "calendar":  # the plan's file is in place, its output rendered ...
            raise CalcliError("cannot write the store: disk full")  # ... when the commit fails

    monkeypatch.setattr(Store, "set_file_state", fail)
    write_bulk(project / "bulk.json", VIDEOS)
    r = _plan(run, "--format", "json")
    assert r.exit_code == 1 and r.stdout == "", r
    assert forks[0].pid is None
    monkeypatch.setattr(Store, "set_file_state", real)
    # The store rolled back; the calendar file (written before the commit) is the truth it syncs from.
    assert count(run, "content_schedule_items") == 7 and _leftovers(project) == []


def test_a_failing_child_leaves_the_work_to_this_process(project, run, forks, monkeypatch, tmp_path):
    """A child that fails (here: any render in a process other than this one) writes nothing;
    the plan renders its file and output here, with the same bytes."""
    parent = os.getpid()
    real = textio.ForkedWrite.__init__

    def init(self, path, render, then=None):
        def only_here(f):
            return lambda: f() if os.getpid() == parent else 1 / 0

        real(self, path, only_here(render), then and only_here(then))

    write_bulk(project / "bulk.json", VIDEOS)
    expected = _plan(run, "--format", "json", "--dry-run").stdout.replace('"dry_run": true', '"dry_run": false')
    monkeypatch.setattr(textio.ForkedWrite, "__init__", init)
    r = _plan(run, "--format", "json")
    assert r.exit_code == 0, r
    doc = json.loads(r.stdout)
    assert doc["summary"]["written"] is True and len(doc["items"]) == 7
    assert json.loads(r.stdout)["items"] == json.loads(expected)["items"]
    assert count(run, "content_schedule_items") == 7 and _leftovers(project) == []
    # The store's content hash is the file's: the next command does not re-parse it as changed.
    sha = hashlib.sha256((project / CAL).read_bytes()).hexdigest()
    r = run("sql", "SELECT sha256 FROM source_files WHERE kind = 'calendar'", "--format", "json")
    assert json.loads(r.stdout) == [{"sha256": sha}]


# ---------------------------------------------------------------- ForkedWrite itself


def test_forked_write_puts_the_file_in_place_with_its_mode(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("old\n")
    path.chmod(0o640)
    w = textio.ForkedWrite(path, lambda: "new ✓\n", lambda: "output")
    assert path.read_text() == "old\n"  # untouched until finish
    assert w.finish() == hashlib.sha256("new ✓\n".encode()).hexdigest()
    assert path.read_text(encoding="utf-8") == "new ✓\n" and stat.S_IMODE(path.stat().st_mode) == 0o640
    assert w.then_text() == "output" and w.status == 0
    w.abandon()  # a no-op now
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


def test_forked_write_abandoned_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("old\n")
    w = textio.ForkedWrite(path, lambda: "new\n" * 1_000_000)
    w.abandon()
    assert path.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]
    assert w.pid is None and w.finish() is None


def test_forked_write_whose_render_fails_writes_nothing(tmp_path):
    path = tmp_path / "a.yaml"
    w = textio.ForkedWrite(path, lambda: 1 / 0, lambda: "never")
    assert w.finish() is None and w.then_text() is None
    assert w.status == 1 and list(tmp_path.iterdir()) == []


def test_forked_write_whose_second_text_fails_still_writes_the_file(tmp_path):
    path = tmp_path / "a.yaml"
    w = textio.ForkedWrite(path, lambda: "x: 1\n", lambda: "\ud800")  # a lone surrogate cannot be UTF-8
    assert w.finish() is not None and path.read_text() == "x: 1\n"
    assert w.then_text() is None


def test_the_store_is_released_only_outside_a_transaction(project, run):
    from calcli.files.project import find_project
    from calcli.store import open_store

    assert run("db", "sync").exit_code == 0
    with open_store(find_project(project)) as store:
        with store.released():
            with pytest.raises(Exception, match="(?i)closed"):
                store.query("SELECT 42")  # the connection is closed in the block ...
        assert store.query("SELECT 42")[1] == [(42,)]  # ... and open again after it
        with store.atomic():
            assert not store.can_release
            with pytest.raises(RuntimeError):
                with store.released():
                    pass


# ---------------------------------------------------------------- line numbers known before the text

text = st.text(st.characters(codec="utf-8"), max_size=8)


@settings(max_examples=200, deadline=None)
@given(
    title=text,
    caption=text,
    notes=text,
    hashtags=st.lists(text, max_size=3),
    assignee=st.none() | text,
    post=st.none() | text,
    score=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    indent=st.sampled_from([2, 4]),
)
def test_emitted_lines_counts_what_emit_item_writes(title, caption, notes, hashtags, assignee, post, score, indent):
    from datetime import UTC, datetime

    item = ContentScheduleItem(
        id="it_1",
        idempotency_key="k",
        calendar="Q3",
        user_id="u",
        video_job_id="v\n1",
        platform=Platform.TIKTOK,
        format="short",
        scheduled_at=datetime(2026, 7, 1, 16, tzinfo=UTC),
        status=ScheduleStatus.PLANNED,
        score=score,
        title=title,
        caption=caption,
        notes=notes,
        hashtags=hashtags,
        assignee=assignee,
        post_ref=post,
    )
    assert lines_of(item) == emit_item(item, indent).count("\n")


def test_a_plan_that_cannot_fork_renders_here(project, run, forks, monkeypatch):
    """fork() refused (a process limit): the store is opened again and the plan is written here."""

    def refuse():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    write_bulk(project / "bulk.json", VIDEOS)
    r = _plan(run, "--format", "json")
    assert r.exit_code == 0, r
    assert forks == [] and json.loads(r.stdout)["summary"]["placed"] == 7
    assert count(run, "content_schedule_items") == 7 and _leftovers(project) == []
