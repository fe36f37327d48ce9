"""Dispatch keeps the rules at posting time: a run that comes late holds what is past ``max_late``
as missed (exit 5, what to do) and sends a backlog spread by the spacing and daily cap, measured
against when posts really went out; runs on time (with --within) post exactly the plan."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import allow

PUBLISHER = """#!{python}
import os, sys
sys.stdin.read()
with open({calls!r}, "a", encoding="utf-8") as fh:
    fh.write(os.environ["CALCLI_ITEM_ID"] + "\\n")
print("https://example.test/" + os.environ["CALCLI_ITEM_ID"])
"""


@pytest.fixture
def publisher(project):
    calls = project / "calls.txt"
    script = project / "publish.py"
    script.write_text(PUBLISHER.format(python=sys.executable, calls=str(calls)), encoding="utf-8")
    script.chmod(0o755)
    return str(script), lambda: calls.read_text(encoding="utf-8").split() if calls.exists() else []


def calendar(project: Path, *items: tuple[str, str, str]) -> None:
    lines = ["calendar: L", "user: user_123", "timezone: America/New_York",
             'period: {start: "2027-01-01", end: "2027-03-31"}', "items:"]
    for item_id, platform, at in items:
        fmt = {"youtube": "short", "x": "video", "tiktok": "video"}[platform]
        lines.append(f'  - {{id: {item_id}, key: k/{item_id}, video: v_{item_id}, platform: {platform}, '
                     f'format: {fmt}, at: "{at}", status: scheduled}}')
    (project / "calendars" / "L.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def status(project: Path, item_id: str) -> str:
    import yaml

    doc = yaml.safe_load((project / "calendars" / "L.yaml").read_text(encoding="utf-8"))
    return next(i.get("status", "planned") for i in doc["items"] if i["id"] == item_id)


def test_a_run_weeks_late_holds_the_old_posts_as_missed_and_sends_todays(project, run, publisher, monkeypatch):
    command, calls = publisher
    calendar(project, ("jan7", "youtube", "2027-01-07T12:00"), ("jan14", "youtube", "2027-01-14T12:00"),
             ("jan30", "youtube", "2027-01-30T12:00"))
    monkeypatch.setenv("CALCLI_NOW", "2027-01-30T17:10:00+00:00")  # 12:10 in New York
    r = run("dispatch", "--exec", command)
    assert r.exit_code == 5, r
    assert calls() == ["jan30"]
    assert ("calcli dispatch: jan7 (youtube) held: missed: due 2027-01-07 12:00, 23d ago, more than youtube's "
            "max_late of 2h; re-plan it (`calcli item move jan7 --to TIME`) or cancel it (`calcli item cancel "
            "jan7`)\n") in r.stderr
    assert "calcli dispatch: jan14 (youtube) held: missed: due 2027-01-14 12:00, 16d ago" in r.stderr
    assert [status(project, i) for i in ("jan7", "jan14", "jan30")] == ["scheduled", "scheduled", "posted"]
    # the next run says so again (cron mails it) and posts nothing
    r = run("dispatch", "--exec", command, "--quiet")
    assert r.exit_code == 5 and calls() == ["jan30"] and r.stderr.count("held: missed") == 2
    # re-planned, it goes out at its new time
    assert run("item", "move", "jan7", "--to", "2027-02-03 16:00").exit_code == 0
    monkeypatch.setenv("CALCLI_NOW", "2027-02-03T21:00:00+00:00")
    r = run("dispatch", "--exec", command, "--quiet")
    assert calls() == ["jan30", "jan7"] and r.stderr.count("held: missed") == 1  # jan14 still waits for a person


def test_max_late_is_a_preference_per_platform(project, run, publisher, monkeypatch):
    command, calls = publisher
    allow(project, "youtube", max_late="1d")
    calendar(project, ("a", "youtube", "2027-01-29T12:00"))
    monkeypatch.setenv("CALCLI_NOW", "2027-01-30T12:00:00+00:00")  # 19 h late, under a day
    assert run("dispatch", "--exec", command, "--quiet").exit_code == 0 and calls() == ["a"]
    allow(project, "youtube", max_late="soon")
    r = run("check", "--format", "text")
    assert r.exit_code == 3 and "max_late" in r.stderr


def test_a_backlog_goes_out_spread_by_the_spacing(project, run, publisher, monkeypatch):
    command, calls = publisher
    allow(project, "x", max_late="6h")  # x: up to 3 a day, 2 h apart (the project's preferences)
    calendar(project, ("x1", "x", "2027-01-29T08:00"), ("x2", "x", "2027-01-29T10:00"),
             ("x3", "x", "2027-01-29T12:00"))
    monkeypatch.setenv("CALCLI_NOW", "2027-01-29T17:30:00+00:00")  # 12:30: the host slept since 07:00
    r = run("dispatch", "--exec", command)
    assert r.exit_code == 0, r
    assert calls() == ["x1"]  # the oldest first; the others would come seconds after it
    assert ("x2 (x) held: waits: posting it now would break the rule (too close to another post on this "
            "platform (minimum spacing 120 min)); a later run sends it") in r.stderr
    monkeypatch.setenv("CALCLI_NOW", "2027-01-29T18:30:00+00:00")  # an hour later: still too close to x1
    assert run("dispatch", "--exec", command, "--quiet").exit_code == 0 and calls() == ["x1"]
    monkeypatch.setenv("CALCLI_NOW", "2027-01-29T19:30:00+00:00")  # 2 h after x1 really went out
    assert run("dispatch", "--exec", command, "--quiet").exit_code == 0 and calls() == ["x1", "x2"]
    monkeypatch.setenv("CALCLI_NOW", "2027-01-29T21:30:00+00:00")  # 16:30: x3 is 4.5 h late, under 6 h
    assert run("dispatch", "--exec", command, "--quiet").exit_code == 0 and calls() == ["x1", "x2", "x3"]


def test_runs_on_time_post_the_plan_even_a_little_early(project, run, publisher, monkeypatch):
    command, calls = publisher
    calendar(project, ("x1", "x", "2027-01-29T10:00"), ("x2", "x", "2027-01-29T12:00"))
    for now in ("2027-01-29T14:50:00+00:00", "2027-01-29T16:50:00+00:00"):  # 09:50 and 11:50, --within 15m
        monkeypatch.setenv("CALCLI_NOW", now)
        r = run("dispatch", "--exec", command, "--within", "15m", "--quiet")
        assert (r.exit_code, r.stderr) == (0, "")
    assert calls() == ["x1", "x2"]


def test_due_lists_what_dispatch_would_send_and_says_what_it_holds(project, run, monkeypatch):
    calendar(project, ("old", "youtube", "2027-01-20T12:00"), ("now", "youtube", "2027-01-30T12:00"))
    monkeypatch.setenv("CALCLI_NOW", "2027-01-30T17:05:00+00:00")
    r = run("due", "--format", "tsv")
    assert r.exit_code == 0
    assert [line.split("\t")[0] for line in r.stdout.splitlines()[1:]] == ["now"]
    assert "old (youtube) is held: missed: due 2027-01-20 12:00, 10d ago" in r.stderr


def test_an_imported_schedule_keeps_its_times_with_overrides_and_dispatch_honours_them(
    project, run, publisher, monkeypatch
):
    """Hootsuite had two X posts ten minutes apart (calcli's spacing is 2 h): the import keeps them,
    says so, and records an override each; check passes; dispatch posts both on time."""
    command, calls = publisher
    (project / "h.csv").write_text("01/29/2027 10:00,First post,\n01/29/2027 10:10,Second post,\n")
    r = run("import", "h.csv", "--from", "hootsuite", "--platform", "x", "-c", "IMP")
    assert r.exit_code == 0, r
    second = r.stdout.splitlines()[2].split("\t")[1]
    assert (f"Warning: h.csv:2: {second} keeps its hootsuite time past calcli's rules (too close to another post "
            f"on this platform (minimum spacing 120 min)): an override exception records it; `calcli item move "
            f"{second}` makes it legal\n") in r.stderr
    text = (project / "calendars" / "IMP.yaml").read_text()
    assert f'{{id: override-{second}, start: "2027-01-29T10:10:00", end: "2027-01-29T10:11:00", kind: override, ' \
           f'item: {second}, reason: "as imported from hootsuite: too close' in text
    assert run("check", "--format", "text").exit_code == 0
    assert run("approve", "-c", "IMP").exit_code == 0
    for now in ("2027-01-29T15:00:00+00:00", "2027-01-29T15:10:00+00:00"):
        monkeypatch.setenv("CALCLI_NOW", now)
        assert run("dispatch", "--exec", command, "--quiet").exit_code == 0
    assert len(calls()) == 2 and calls()[1] == second
