"""Issue 18: `agenda`, `week`, `month` and `due` take --since/--until with the shared day parser
(today, tomorrow, +7d, 2027-03-01), days on each item's calendar wall clock. The example project's
Q3 items are on 2026-07-01 (New York); "now" is pinned to 2026-06-15 12:00 UTC."""

from __future__ import annotations


def ids(r) -> list[str]:
    assert r.exit_code == 0, r
    return r.stdout.split()


def test_agenda_since_starts_at_that_day_and_until_ends_with_it(example_project, run):
    agenda = lambda *a: run("agenda", "--format", "tsv", "--no-header", "--columns", "id", *a)  # noqa: E731
    assert ids(agenda()) == []  # 7 days from now: nothing
    assert ids(agenda("--until", "+16d")) == ["it_teaser_yt", "it_teaser_tt"]  # from now to the end of 07-01
    assert ids(agenda("--until", "+15d")) == []
    assert ids(agenda("--since", "2026-07-01", "--until", "2026-07-01")) == ["it_teaser_yt", "it_teaser_tt"]
    assert ids(agenda("--since", "+16d", "--days", "1")) == ["it_teaser_yt", "it_teaser_tt"]  # --days from --since
    assert ids(agenda("--since", "2026-07-02")) == []
    assert ids(agenda("--since", "2026-06-30", "--days", "1")) == []


def test_agenda_table_names_the_period(example_project, run):
    r = run("agenda", "--format", "table", "--since", "2026-07-01", "--until", "2026-07-01")
    assert r.exit_code == 0, r
    assert "Agenda 2026-07-01 00:00 → 2026-07-02 00:00 (2 items)" in r.stdout


def test_week_and_month_keep_the_items_of_the_period(example_project, run):
    week = lambda *a: run("week", "--format", "tsv", "--no-header", "--columns", "id", *a)  # noqa: E731
    assert ids(week()) == []  # this week (2026-06-15)
    assert ids(week("--since", "2026-07-01")) == ["it_teaser_yt", "it_teaser_tt"]  # no DATE: --since's week
    assert ids(week("2026-06-29", "--since", "2026-07-02")) == []
    assert ids(week("2026-06-29", "--until", "+16d")) == ["it_teaser_yt", "it_teaser_tt"]
    month = lambda *a: run("month", "--format", "tsv", "--no-header", *a)  # noqa: E731
    july = ["2026-07-01\tyoutube\tposted\t1", "2026-07-01\ttiktok\tscheduled\t1"]
    assert month("--since", "2026-07-01").stdout.splitlines() == july  # no MONTH: --since's month
    assert month("2026-07", "--since", "2026-07-02").stdout.splitlines() == []
    assert month("2026-07", "--until", "tomorrow").stdout.splitlines() == []


def test_due_keeps_the_due_items_of_the_period(example_project, run, monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", "2026-07-01T22:30:00+00:00")  # 18:30 in New York: the tiktok teaser is due
    due = lambda *a: run("due", "--format", "tsv", "--no-header", "--columns", "id", *a)  # noqa: E731
    assert ids(due()) == ["it_teaser_tt"]
    assert ids(due("--since", "today")) == ["it_teaser_tt"]
    assert ids(due("--since", "tomorrow")) == []
    assert ids(due("--until", "yesterday")) == []


def test_a_bad_day_is_one_usage_error(example_project, run):
    r = run("week", "--until", "2026-13-01")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[-1].startswith("Error: Invalid value for --until: '2026-13-01' is not a date")
    assert r.stdout == ""
