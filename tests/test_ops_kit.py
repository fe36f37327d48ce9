"""Helpers shared by the ops tests (test_ops_*.py); this module holds no tests of its own.

The fixture calendars live in tests/fixtures/ops/: Q3.yaml (user_123, America/New_York, July 2026,
one item in every status) and OTHER.yaml (other_user, Europe/Berlin).
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

OPS = Path(__file__).resolve().parent / "fixtures" / "ops"
NOW = "2026-06-15T12:00:00+00:00"

# The preferences `calcli init` writes (and the research baselines): what the tests hold the planner to.
CAP = {"youtube": 1, "tiktok": 1, "x": 3}
SPACING = {"youtube": timedelta(hours=4), "tiktok": timedelta(hours=4), "x": timedelta(hours=2)}
STAGGER = ["youtube", "tiktok", "instagram", "facebook", "linkedin", "x"]
STAGGER_GAP = timedelta(hours=1)

STATE_SQL = (
    "SELECT (SELECT list(t ORDER BY t.id) FROM content_schedule_items AS t) AS items, "
    "(SELECT list(e ORDER BY e.calendar_id, e.id) FROM schedule_exceptions AS e) AS exceptions, "
    "(SELECT list(a ORDER BY a.item_id) FROM schedule_assignments AS a) AS assignments, "
    "(SELECT list(c ORDER BY c.id) FROM content_calendars AS c) AS calendars, "
    "(SELECT list(h ORDER BY h.changed_at, h.item_id, h.action, h.field, h.new_value) FROM item_history AS h) "
    "AS history"
)

_COMMANDS: dict = {}


def build_click_tree_once(monkeypatch) -> None:
    """Build calcli's click command tree once per session: the same commands through the same `main`,
    without Typer's ~0.15 s of signature introspection on every in-process call."""
    import typer.main

    real = _COMMANDS.setdefault("real", typer.main.get_command)

    def cached(app):
        if app not in _COMMANDS:
            _COMMANDS[app] = real(app)
        return _COMMANDS[app]

    monkeypatch.setattr(typer.main, "get_command", cached)


def make_template(root: Path, calendars: list[str]) -> Path:
    """A project (user_123, America/New_York) holding these fixture calendars, synced once at NOW."""
    from calcli.files.project import find_project, init_project
    from calcli.operations.session import session

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CALCLI_NOW", NOW)
        init_project(root, "user_123", "America/New_York")
        for name in calendars:
            shutil.copy(OPS / name, root / "calendars" / name)
        with session(find_project(root)):
            pass
    return root


def copy_project(template: Path, dest: Path, monkeypatch) -> Path:
    """A copy of a synced template as the current folder (copying keeps the files' mtimes: no re-read)."""
    shutil.copytree(template, dest)
    monkeypatch.chdir(dest)
    return dest


def sql(run, query: str) -> list[dict]:
    """The store as it is, every user's rows (a test's view of the state, not a user's)."""
    r = run("sql", query, "--all-users", "--format", "json")
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def store_state(run) -> list[dict]:
    """Calendars, items, blackouts, assignments and history as `calcli sql` shows them (one query)."""
    return sql(run, STATE_SQL)


def show(run, item_id: str, *extra: str) -> dict:
    r = run("item", "show", item_id, "--format", "json", *extra)
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def log(run, item_id: str, *extra: str) -> list[dict]:
    r = run("item", "log", item_id, "--format", "json", *extra)
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def as_json(run, *args: str) -> list | dict:
    r = run(*args, "--format", "json")
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def calendar_doc(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def file_items(path: Path) -> dict[str, dict]:
    return {i["id"]: i for i in calendar_doc(path).get("items") or []}


def item_block(text: str, item_id: str) -> str:
    """The lines of one item in a calendar file's text."""
    after = text.split(f"- id: {item_id}\n", 1)[1]
    return after.split("\n  - id:", 1)[0]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, (old, text)
    return text.replace(old, new)


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(old, new) for every line that differs; both texts must have the same number of lines."""
    a, b = before.splitlines(), after.splitlines()
    assert len(a) == len(b), "lines were added or removed"
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def in_window(platform: str, fmt: str, at: datetime) -> bool:
    """Whether ``at`` (aware, in the calendar's zone) lies inside a research window of the format."""
    from calcli.core.model import Platform
    from calcli.files.timing import load_timing

    f = load_timing().get(Platform.parse(platform), fmt)
    assert f is not None, (platform, fmt)
    return any(w.covers(at.weekday(), at.time().replace(tzinfo=None)) for w in f.windows)


def assert_legal_slot(item: dict, others: list[dict], blackout_days: set) -> None:
    """The hard constraints, checked independently of the planner, for ``item`` among ``others``
    (file-item dicts: platform, format, at, status, video)."""
    at = datetime.fromisoformat(item["at"])
    assert in_window(item["platform"], item["format"], at), item
    assert at.date() not in blackout_days, item
    live = [o for o in others if o["id"] != item["id"] and o["status"] != "canceled"]
    same = [o for o in live if o["platform"] == item["platform"]]
    day = [o for o in same if datetime.fromisoformat(o["at"]).date() == at.date()]
    assert len(day) + 1 <= CAP[item["platform"]], (item, day)
    for o in same:
        assert abs(datetime.fromisoformat(o["at"]) - at) >= SPACING[item["platform"]], (item, o)
    for o in live:
        if o["video"] != item["video"]:
            continue
        first, then = sorted([o, item], key=lambda i: STAGGER.index(i["platform"]))
        gap = datetime.fromisoformat(then["at"]) - datetime.fromisoformat(first["at"])
        assert gap >= STAGGER_GAP, ("stagger", first, then)
