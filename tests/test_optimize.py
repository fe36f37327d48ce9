"""calcli optimize: learned windows, the moves they suggest, --apply, and what stays put.

The fixture is the example history (26 simulated weeks in which TikTok on Thursdays 19:00 is
really better and Sundays 20:00 worse) loaded into a copy of the example project, with "now"
the day after the history ends.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta

import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

NOW = "2026-07-06T12:00:00+00:00"


@pytest.fixture
def history(example_project, run, run_exported, monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", NOW)
    shutil.copy(ROOT / "examples/analytics/history.yaml", example_project / "calendars/history.yaml")
    assert run_exported("kpi", "import", str(ROOT / "examples/analytics/kpi.csv")).exit_code == 0
    assert run("calendar", "new", "next", "--start", "2026-07-06", "--end", "2026-08-30").exit_code == 0
    return example_project


def add(run, video: str, at: str, platform: str = "tiktok") -> str:
    r = run("item", "add", "-c", "next", "--video", video, "--platform", platform, "--at", at, "--format", "json")
    assert r.exit_code == 0, r
    return json.loads(r.stdout)[0]["id"]


def optimize(run, *args: str) -> dict:
    r = run("optimize", *args, "--format", "json")
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def test_a_planned_post_moves_to_the_learned_window_and_apply_writes_it(history, run):
    item = add(run, "solo1", "2026-07-12 20:00")  # Sunday 20:00: the research's best, the data's worst
    before = (history / "calendars/next.yaml").read_text()

    doc = optimize(run, "-c", "next")
    assert [m["item"] for m in doc["moves"]] == [item]
    move = doc["moves"][0]
    assert move["from"] == "2026-07-12T20:00:00-04:00"
    assert move["to"] == "2026-07-16T19:00:00-04:00"  # Thursday 19:00, four days later
    assert move["gain"] >= 0.05 and move["score_to"] > move["score_from"]
    assert doc["applied"] is False and doc["learned_file"] is None
    thu = [w for w in doc["windows"] if w["platform"] == "tiktok" and w["days"] == "thu" and w["start"] == "19:00"]
    assert thu and thu[0]["score"] == 1 and thu[0]["lift"] > 0.2 and thu[0]["posts"] == 25
    # Platforms whose slots do not differ beyond chance keep the research windows (none learned).
    assert {w["platform"] for w in doc["windows"]} == {"tiktok"}
    assert (history / "calendars/next.yaml").read_text() == before  # a look changes nothing
    assert not (history / "timing_data/learned.yaml").exists()

    r = run("optimize", "-c", "next", "--apply")
    assert r.exit_code == 0, r
    assert "1 planned post(s) moved." in r.stderr
    assert "wrote timing_data/learned.yaml: future plans use the learned windows." in r.stderr
    assert 'at: "2026-07-16T19:00:00-04:00"' in (history / "calendars/next.yaml").read_text()
    log = run("item", "log", item, "--format", "json")
    entries = json.loads(log.stdout)
    assert any(e["action"] == "optimized" and e["new"] == "2026-07-16T19:00:00-04:00" for e in entries), entries
    assert run("check", "--format", "text").exit_code == 0
    assert optimize(run, "-c", "next")["moves"] == []  # applied: nothing left to gain

    # The planner now uses the learned windows: a new TikTok post goes to a Thursday 19:00.
    r = run("item", "add", "-c", "next", "--video", "solo2", "--platform", "tiktok", "--format", "json")
    assert r.exit_code == 0, r
    at = datetime.fromisoformat(json.loads(r.stdout)[0]["scheduled_at"])
    assert (at.weekday(), at.hour) == (3, 19)


def test_moves_stay_inside_the_horizon_and_never_go_earlier(history, run):
    item = add(run, "solo1", "2026-07-12 20:00")
    doc = optimize(run, "-c", "next", "--horizon", "3")
    for m in doc["moves"]:
        start, to = datetime.fromisoformat(m["from"]), datetime.fromisoformat(m["to"])
        assert start < to <= start + timedelta(days=3), m
    assert [m["item"] for m in doc["moves"]] == [item]
    assert optimize(run, "-c", "next", "--min-gain", "5")["moves"] == []  # +500% is never expected


def test_posts_in_a_running_trial_stay_unless_their_arm_is_named(history, run):
    ids = [add(run, f"v{k}", f"2026-07-{12 + 7 * k} 20:00") for k in range(2)]  # two Sundays 20:00
    r = run("trial", "new", "timing", "-c", "next", "--arm-a", "research", "--arm-b", "learned")
    assert r.exit_code == 0, r
    assert optimize(run, "-c", "next")["moves"] == []  # both are in the trial
    doc = optimize(run, "-c", "next", "--trial", "timing", "--arm", "b")
    arms = json.loads(run("trial", "status", "timing", "--format", "json").stdout)
    assert doc["moves"] and {m["item"] for m in doc["moves"]} <= set(ids)
    assert len(doc["moves"]) == 1, (doc["moves"], arms)


def test_without_numbers_the_research_windows_stand(example_project, run, monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", NOW)
    r = run("optimize", "--apply", "--format", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout) == {
        "metric": "er_impressions",
        "learned": [],
        "windows": [],
        "moves": [],
        "applied": True,
        "learned_file": None,
    }
    assert "not enough data: no platform has 20 posts with numbers; the research windows stand." in r.stderr
    assert not (example_project / "timing_data").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arm", "b"], "--trial and --arm go together"),
        (["--trial", "t", "--arm", "c"], "'c' is not an arm (a or b)"),
        (["--metric", "likes"], "'likes' is not one of er_impressions"),
        (["--horizon", "0"], "--horizon >= 1"),
    ],
)
def test_bad_options_exit_2(example_project, run, args, message):
    r = run("optimize", *args)
    assert r.exit_code == 2, r
    assert message in r.stderr


def test_unknown_calendar_exits_2(example_project, run):
    r = run("optimize", "-c", "nope")
    assert r.exit_code == 2, r
    assert "Error: no calendar 'nope' for user user_123." in r.stderr


def test_a_broken_learned_file_is_reported_by_check_with_its_line(example_project, run):
    path = example_project / "timing_data/learned.yaml"
    path.parent.mkdir()
    path.write_text(
        "metric: er_impressions\nplatforms:\n  myspace:\n    formats: {}\n  tiktok:\n    formats:\n"
        '      video:\n        - {days: [thu], start: "19:00", end: "18:00", score: 1}\n'
    )
    r = run("check", "--format", "text")
    assert r.exit_code == 3, r
    assert "timing_data/learned.yaml:3:3: platforms.myspace: 'myspace' is not a platform" in r.stderr
    assert "timing_data/learned.yaml:8:" in r.stderr and "window ends (18:00) before it starts (19:00)" in r.stderr


@given(
    st.lists(
        st.tuples(st.integers(1, 40), st.floats(-1, 1, allow_nan=False)),
        min_size=1,
        max_size=12,
    ),
    st.floats(0.05, 1.5),
)
def test_shrinkage_pulls_every_slot_toward_the_research_baseline(cells, sd):
    from calcli.analytics.claims import Cell, PlatformModel
    from calcli.analytics.optimize import learn_platform

    model = PlatformModel("tiktok", sum(n for n, _ in cells) + 50, sd)
    model.cells = [Cell("tiktok", k % 7, k // 7, n, mean, None) for k, (n, mean) in enumerate(cells)]
    learned = learn_platform(model)
    for c in model.cells:
        e = learned.effects[(c.weekday, c.hour)]
        assert abs(e.shrunk) <= abs(e.raw) + 1e-12
        assert e.shrunk == 0 or (e.shrunk > 0) == (e.raw > 0)
    if learned.tau == 0:
        assert all(e.shrunk == 0 for e in learned.effects.values())


def test_each_move_sees_the_moves_before_it(history, run):
    """Posts on Sunday, Monday and Tuesday all want the one Thursday 19:00: the first takes it, the
    others go elsewhere (spacing and caps count the earlier moves), and the applied calendar passes check."""
    ids = [add(run, f"rival{k}", f"2026-07-{12 + k} 20:00") for k in range(3)]
    doc = optimize(run, "-c", "next")
    targets = [m["to"] for m in doc["moves"]]
    assert targets and len(set(targets)) == len(targets), targets
    assert targets.count("2026-07-16T19:00:00-04:00") == 1
    assert {m["item"] for m in doc["moves"]} <= set(ids)
    assert run("optimize", "-c", "next", "--apply").exit_code == 0
    assert run("check", "--format", "text").exit_code == 0
