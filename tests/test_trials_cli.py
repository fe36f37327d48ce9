"""calcli trial new|list|status|conclude end to end: exact output, KPI numbers, decisions, bad input."""

from __future__ import annotations

import json
import math
import shutil
import statistics
from pathlib import Path

import pytest
from conftest import allow

FIXTURES = Path(__file__).resolve().parent / "fixtures"

HEADER = "item_id,platform,post_id,metric_at,impressions,reach,views,likes,comments,shares\n"
NEW = ("trial", "new", "timing", "--calendar", "Q3", "--arm-a", "research windows", "--arm-b", "optimized windows",
       "--assign", "alternate")  # the blocked default is tested in test_trials_designs.py


@pytest.fixture
def cal(project, run):
    shutil.copy(FIXTURES / "trials" / "Q3.yaml", project / "calendars" / "Q3.yaml")
    return project


def core(project, fn, *args):
    from calcli.files.project import find_project
    from calcli.store import open_store

    with open_store(find_project(str(project))) as store:
        return fn(store, *args)


def test_new_assigns_future_items_alternately_and_records_them(cal, run):
    r = run(*NEW, "--seed", "7", "--format", "tsv")
    assert r.exit_code == 0, r
    assert r.stdout.splitlines() == ["unit\tarm\tstrategy\tplatform\tscheduled_at"] + [
        f"it_t{i}\t{'ab'[i % 2]}\t{['research windows', 'optimized windows'][i % 2]}\ttiktok\t"
        f"2026-07-0{i + 1}T18:00:00-04:00"
        for i in range(8)
    ]
    assert r.stderr.splitlines() == [
        "Trial tr_a1e93a57 (timing): 8 items, 4 to A (research windows), 4 to B (optimized windows); "
        "er_impressions, seed 7.",
        "Planned: 905 posts with numbers per arm to detect +20% with 80% power "
        "(log-scale sd 1.00, default (history has 0 values, fewer than 20)).",
        "Warning: the period holds 4 posts per arm, fewer than planned; posts added later join the trial, "
        "or expect an inconclusive result for an effect this small.",
    ]
    from calcli.analytics.trials import arm_items, trial_items

    assert core(cal, arm_items, "tr_a1e93a57", "a") == {"it_t0", "it_t2", "it_t4", "it_t6"}
    assert core(cal, arm_items, "tr_a1e93a57", "b") == {"it_t1", "it_t3", "it_t5", "it_t7"}
    assert core(cal, trial_items, "user_123")["it_t3"] == ("tr_a1e93a57", "b")


def test_new_reports_the_seed_and_random_assignment_is_reproducible(cal, run):
    r = run(*NEW, "--assign", "random", "--seed", "7", "--format", "json")
    assert r.exit_code == 0, r
    doc = json.loads(r.stdout)
    assert (doc["id"], doc["seed"], doc["planned_per_arm"], doc["arms"]["a"]["units"]) == ("tr_a1e93a57", 7, 905, 4)
    assert doc["sigma_source"] == "default (history has 0 values, fewer than 20)"
    from calcli.analytics.trials import assign_random

    assert {a["unit"]: a["arm"] for a in doc["assignments"]} == assign_random([f"it_t{i}" for i in range(8)], 7)
    assert r.stderr.splitlines()[0] == (
        "Trial tr_a1e93a57 (timing): 8 items, 4 to A (research windows), 4 to B (optimized windows); "
        "er_impressions, seed 7."
    )


def test_status_counts_numbers_and_posts_without_them_then_conclude_records_the_decision(cal, run, run_exported):
    assert run(*NEW, "--seed", "1").exit_code == 0
    (cal / "k.csv").write_text(  # snapshots after the four posts went out (Jul 1-4)
        HEADER
        + "it_t0,,,2026-07-10T12:00:00Z,1000,800,900,50,5,3\n"
        + "it_t2,,,2026-07-10T12:00:00Z,1000,800,900,30,5,3\n"
        + "it_t1,,,2026-07-10T12:00:00Z,1000,800,900,80,5,3\n"
        + "it_t3,,,2026-07-10T12:00:00Z,0,0,0,0,0,0\n"  # numbers, but no impressions: no rate
    )
    assert run_exported("kpi", "import", "k.csv").exit_code == 0
    r = run("trial", "status", "tr_a1e93a57", "--format", "json")
    assert r.exit_code == 0, r
    doc = json.loads(r.stdout)
    assert doc["arms"]["a"] | {} == {
        "strategy": "research windows", "units": 4, "with_numbers": 2, "without_numbers": 0, "to_come": 2,
        "dropped": 0, "mean_log": pytest.approx(-3.0, abs=0.5), "sd_log": doc["arms"]["a"]["sd_log"],
        "geometric_mean": doc["arms"]["a"]["geometric_mean"]}
    assert (doc["arms"]["b"]["with_numbers"], doc["arms"]["b"]["without_numbers"]) == (1, 1)
    assert doc["lift"] is None  # B has one value: no variance, no interval yet
    assert (doc["verdict"], doc["more_needed"]) == ("needs-more", 905 - 2 + 905 - 1)
    assert doc["verdict_text"] == "needs about 1807 more posts with numbers"
    r = run("trial", "list", "--format", "tsv")
    assert r.stdout.splitlines()[1].split("\t")[:1] + r.stdout.splitlines()[1].split("\t")[7:] == [
        "tr_a1e93a57", "2", "1", "needs-more", ""]
    r = run("trial", "conclude", "timing", "--decision", "none", "--note", "too few posts", "--format", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)[0] | {} == {
        "id": "tr_a1e93a57", "name": "timing", "status": "concluded", "decision": "none",
        "concluded_at": "2026-06-15T12:00:00+00:00", "verdict": "needs-more", "note": "too few posts"}
    r = run("trial", "conclude", "timing", "--decision", "b")
    assert (r.exit_code, r.stderr) == (
        2, "Error: trial tr_a1e93a57 was already concluded on 2026-06-15 (decision none).\n")
    from calcli.analytics.trials import trial_items

    assert core(cal, trial_items, "user_123") == {}  # concluded trials hold no items


def test_an_item_added_after_the_start_joins_by_its_hashed_arm(cal, run, monkeypatch):
    assert run(*NEW, "--seed", "3").exit_code == 0
    monkeypatch.setenv("CALCLI_NOW", "2026-06-20T12:00:00+00:00")
    with (cal / "calendars" / "Q3.yaml").open("a") as f:
        f.write('  - id: it_late\n    key: job/late/tiktok\n    video: late\n    platform: tiktok\n'
                '    format: video\n    at: "2026-07-20T18:00:00-04:00"\n    status: planned\n    title: "Late"\n')
    from calcli.analytics.trials import arm_items, hash_arm

    r = run("trial", "status", "timing", "--format", "json")
    assert r.exit_code == 0, r
    arm = hash_arm("tr_a1e93a57", 3, "it_late")
    assert json.loads(r.stdout)["arms"][arm]["units"] == 5
    assert "it_late" in core(cal, arm_items, "tr_a1e93a57", arm)
    rows = core(cal, lambda s: s.query("SELECT unit, arm, method FROM trial_assignments WHERE unit = 'it_late'")[1])
    assert rows == [("it_late", arm, "hash")]
    assert run("trial", "conclude", "timing", "--decision", "none").exit_code == 0
    monkeypatch.setenv("CALCLI_NOW", "2026-06-25T12:00:00+00:00")
    with (cal / "calendars" / "Q3.yaml").open("a") as f:
        f.write('  - id: it_later\n    key: job/later/tiktok\n    video: later\n    platform: tiktok\n'
                '    format: video\n    at: "2026-07-21T18:00:00-04:00"\n    status: planned\n')
    doc = json.loads(run("trial", "status", "timing", "--format", "json").stdout)
    assert doc["arms"]["a"]["units"] + doc["arms"]["b"]["units"] == 9  # added after the conclusion: not in it
    assert "it_later" not in core(cal, arm_items, "tr_a1e93a57", "a") | core(cal, arm_items, "tr_a1e93a57", "b")


def test_week_trials_assign_whole_weeks(cal, run):
    r = run(*NEW, "--by", "week", "--start", "2026-06-29", "--end", "2026-07-26", "--format", "tsv")
    assert r.exit_code == 0, r
    assert [line.split("\t")[:2] for line in r.stdout.splitlines()[1:]] == [
        ["2026-06-29", "a"], ["2026-07-06", "b"], ["2026-07-13", "a"], ["2026-07-20", "b"]]
    from calcli.analytics.trials import arm_items

    assert core(cal, arm_items, "tr_a1e93a57", "a") == {"it_t0", "it_t1", "it_t2", "it_t3", "it_t4"}
    assert core(cal, arm_items, "tr_a1e93a57", "b") == {"it_t5", "it_t6", "it_t7"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--metric", "likes_per_hour"), "Error: unknown metric 'likes_per_hour'; choose one of er_impressions, "
         "er_reach, engagements, views, impressions, clicks, watch_time.\n"),
        (("--start", "2026-08-01"), "Error: the trial period 2026-08-01 to 2026-07-31 is empty. "
         "Give --start and --end in the future.\n"),
        (("--start", "2026-07-08"), "Error: calendar Q3 has 1 future planned or scheduled items in 2026-07-08 to "
         "2026-07-31; each arm needs at least one. Plan more posts first, or widen --start/--end.\n"),
    ],
)
def test_bad_designs_are_refused_with_one_line(cal, run, extra, message):
    r = run(*NEW, *extra)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", message)


def test_unknown_calendar_same_arms_and_a_used_name_are_refused(cal, run):
    r = run("trial", "new", "t", "--calendar", "Q9", "--arm-a", "x", "--arm-b", "y")
    assert (r.exit_code, r.stderr) == (2, "Error: no calendar 'Q9' (yours: Q3) for user user_123. "
                                          "Make one with `calcli calendar new`.\n")
    r = run("trial", "new", "t", "--calendar", "Q3", "--arm-a", "x", "--arm-b", "x")
    assert (r.exit_code, r.stderr) == (2, "Error: --arm-a and --arm-b must name two different strategies.\n")
    assert run(*NEW).exit_code == 0
    r = run(*NEW)
    assert (r.exit_code, r.stderr) == (2, "Error: trial name 'timing' is already used. "
                                          "Pick another name (`calcli trial list`).\n")
    r = run("trial", "status", "nope")
    assert (r.exit_code, r.stderr) == (2, "Error: no trial 'nope' for user user_123. "
                                          "List trials with `calcli trial list`.\n")
    r = run("trial", "conclude", "timing", "--decision", "maybe")
    assert (r.exit_code, r.stderr) == (2, "Error: --decision is a, b or none, not 'maybe'.\n")
    from calcli.analytics.trials import trials

    assert [t.name for t in core(cal, trials, "user_123")] == ["timing"]


def _calendar(project, past: int, future: int) -> None:
    """A calendar with ``past`` posted TikTok posts in May 2026 (history) and ``future`` planned ones
    from 2026-07-01, two a day at 09:00 and 18:00 New York time."""
    lines = ["calendar: Big", "user: user_123", "timezone: America/New_York",
             'period: {start: "2026-05-01", end: "2026-09-30"}', "platforms: [tiktok]", "items:"]

    def item(i: str, at: str, status: str) -> list[str]:
        return [f"  - id: {i}", f"    key: job/{i}/tiktok", f"    video: {i}", "    platform: tiktok",
                "    format: video", f'    at: "{at}"', f"    status: {status}"]

    for n in range(past):
        lines += item(f"it_h{n:02d}", f"2026-05-{1 + n // 2:02d}T{9 + 9 * (n % 2):02d}:00:00-04:00", "posted")
    for n in range(future):
        lines += item(f"it_f{n:02d}", f"2026-07-{1 + n // 2:02d}T{9 + 9 * (n % 2):02d}:00:00-04:00", "planned")
    (project / "calendars" / "Big.yaml").write_text("\n".join(lines) + "\n")
    allow(project, "tiktok", max_per_day=2, max_per_week=14, min_spacing="6h")


def test_a_clear_lift_is_conclusive_for_b_and_history_sets_the_plan(project, run, run_exported):
    _calendar(project, past=24, future=24)
    # History: engagement rates of 3 % to 5.3 % (log-scale sd 0.17: statistics.stdev of log(rate + 0.001)).
    rows = [f"it_h{n:02d},,,2026-05-20T12:00:00Z,10000,9000,9500,{300 + 10 * n},0,0\n" for n in range(24)]
    (project / "h.csv").write_text(HEADER + "".join(rows))
    assert run("kpi", "import", "h.csv").exit_code == 0
    r = run("trial", "new", "freq", "--calendar", "Big", "--arm-a", "once", "--arm-b", "twice", "--seed", "5",
            "--min-effect", "50%", "--assign", "random", "--format", "json")
    assert r.exit_code == 0, r
    doc = json.loads(r.stdout)
    assert doc["sigma_source"] == "history: 24 values, sd 0.17, planned with its 80% upper bound"
    assert (doc["planned_per_arm"], doc["arms"]["a"]["units"], doc["arms"]["b"]["units"]) == (10, 12, 12)
    arms = {a["unit"]: a["arm"] for a in doc["assignments"]}
    # B's posts get about twice the engagement of A's: 8 % vs 4 %, with a little spread.
    rows = [f"{i},,,2026-08-01T12:00:00Z,10000,9000,9500,{(800 if arm == 'b' else 400) + 7 * k},0,0\n"
            for k, (i, arm) in enumerate(sorted(arms.items()))]
    (project / "k.csv").write_text(HEADER + "".join(rows))
    assert run_exported("kpi", "import", "k.csv").exit_code == 0
    r = run("trial", "status", "freq", "--format", "json")
    doc = json.loads(r.stdout)
    assert (doc["verdict"], doc["verdict_text"], doc["more_needed"]) == ("conclusive-b", "conclusive for B", 0)
    assert 0 < doc["lift_low"] < doc["lift"] < doc["lift_high"]
    logs = {arm: [math.log(int(row.split(",")[7]) / 10000 + 0.001) for row in rows if arms[row.split(",")[0]] == arm]
            for arm in "ab"}
    assert doc["lift"] == pytest.approx(math.exp(statistics.mean(logs["b"]) - statistics.mean(logs["a"])) - 1, abs=1e-5)
    assert doc["arms"]["a"]["sd_log"] == pytest.approx(statistics.stdev(logs["a"]), abs=1e-5)
    r = run("trial", "status", "freq", "--format", "tsv")
    figures = dict(line.split("\t") for line in r.stdout.splitlines()[1:])
    assert figures["with numbers"] == "A 12 · B 12"
    assert figures["verdict"] == "conclusive for B"
    assert figures["lift B vs A"] == f"{doc['lift']:+.1%}"
    r = run("trial", "conclude", "freq", "--decision", "b")
    assert (r.exit_code, r.stderr) == (0, "Concluded tr_" + doc["id"][3:] + ": decision b.\n")
