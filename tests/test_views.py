"""Calendar views: `calcli agenda`, `calcli week`, `calcli month`, and the pure functions behind them.

The example project's calendar Q3 (America/New_York) has two items on Wed 2026-07-01:
it_teaser_yt (youtube short, 16:00, posted) and it_teaser_tt (tiktok video, 18:00, scheduled).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import allow

from calcli.core.model import ContentScheduleItem, Platform, ScheduleStatus
from calcli.core.times import zone
from calcli.operations import views

NY = "America/New_York"


def _item_yaml(item_id: str, platform: str, fmt: str, at: str, status: str = "planned", title: str = "") -> str:
    return (
        f"  - id: {item_id}\n"
        f"    key: manual/{item_id}/{platform}\n"
        f"    video: {item_id}\n"
        f"    platform: {platform}\n"
        f"    format: {fmt}\n"
        f'    at: "{at}"\n'
        f"    status: {status}\n"
        f'    title: "{title}"\n'
    )


def write_calendar(root: Path, name: str, user: str, tz: str, start: str, end: str, items: list[str]) -> None:
    text = (
        f"calendar: {name}\nuser: {user}\ntimezone: {tz}\n"
        f'period: {{start: "{start}", end: "{end}"}}\n'
        "items:\n" + "".join(items)
    )
    (root / "calendars" / f"{name}.yaml").write_text(text)


def tsv(text: str) -> list[dict]:
    lines = text.splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


@pytest.fixture
def other_user(example_project):
    """A second calendar, owned by user_999, with one item on 2026-07-02."""
    write_calendar(
        example_project,
        "Other",
        "user_999",
        NY,
        "2026-07-01",
        "2026-07-31",
        [_item_yaml("it_other", "youtube", "short", "2026-07-02T12:00:00-04:00", title="Not yours")],
    )
    return example_project


@pytest.fixture
def autumn(example_project):
    """Q4 across the end of DST in New York (Sun 2026-11-01 02:00 EDT → 01:00 EST): 16:00 local on every day."""
    write_calendar(
        example_project,
        "Q4",
        "user_123",
        NY,
        "2026-10-01",
        "2026-12-31",
        [
            _item_yaml("it_before", "youtube", "short", "2026-10-30T16:00:00-04:00", title="Before"),
            _item_yaml("it_switch", "tiktok", "video", "2026-11-01T16:00:00-05:00", title="Switch day"),
            _item_yaml("it_after", "youtube", "short", "2026-11-02T16:00:00-05:00", title="After"),
        ],
    )
    return example_project


@pytest.fixture
def wide(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


# ---------------------------------------------------------------- agenda


def test_agenda_lists_the_items_in_range_in_time_order_tsv(example_project, run, monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-29T12:00:00+00:00")
    result = run("agenda")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0].split("\t") == [
        "day",
        "time",
        "platform",
        "format",
        "status",
        "title",
        "id",
        "calendar",
        "user",
        "scheduled_at",
    ]
    rows = tsv(result.stdout)
    assert [(r["id"], r["day"], r["time"], r["platform"], r["format"], r["status"]) for r in rows] == [
        ("it_teaser_yt", "2026-07-01", "16:00", "youtube", "short", "posted"),
        ("it_teaser_tt", "2026-07-01", "18:00", "tiktok", "video", "scheduled"),
    ]
    assert rows[0]["title"] == "Summer series teaser"
    assert "\x1b" not in result.stdout


def test_agenda_json_carries_instants_with_their_offset(example_project, run, monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-29T12:00:00+00:00")
    result = run("agenda", "--json")
    assert result.exit_code == 0, result
    doc = json.loads(result.stdout)
    assert [r["id"] for r in doc] == ["it_teaser_yt", "it_teaser_tt"]
    assert doc[0]["day"] == "2026-07-01" and doc[0]["time"] == "16:00"
    assert doc[0]["scheduled_at"] == "2026-07-01T16:00:00-04:00"
    assert doc[1]["calendar"] == "Q3" and doc[1]["user"] == "user_123"


def test_agenda_starts_now_and_lasts_n_days(example_project, run, monkeypatch):
    # 17:00 New York on July 1: the 16:00 post is past, the 18:00 one is still coming.
    monkeypatch.setenv("CALCLI_NOW", "2026-07-01T21:00:00+00:00")
    assert [r["id"] for r in tsv(run("agenda").stdout)] == ["it_teaser_tt"]
    # From Sunday June 28, three days are June 28, 29 and 30: an empty agenda is a success.
    monkeypatch.setenv("CALCLI_NOW", "2026-06-28T12:00:00+00:00")
    result = run("agenda", "--days", "3")
    assert result.exit_code == 0, result
    assert tsv(result.stdout) == [] and result.stdout.startswith("day\ttime")
    assert [r["id"] for r in tsv(run("agenda", "--days", "4").stdout)] == ["it_teaser_yt", "it_teaser_tt"]
    # The default is seven days: June 28 to July 4.
    assert [r["id"] for r in tsv(run("agenda").stdout)] == ["it_teaser_yt", "it_teaser_tt"]
    monkeypatch.setenv("CALCLI_NOW", "2026-06-24T12:00:00+00:00")
    assert tsv(run("agenda").stdout) == []
    assert json.loads(run("agenda", "--days", "0", "--format", "json").stdout) == []


def test_agenda_table_groups_by_day(example_project, run, monkeypatch, wide):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-29T12:00:00+00:00")
    result = run("agenda", "--format", "table")
    assert result.exit_code == 0, result
    lines = [line for line in result.stdout.splitlines() if "it_teaser" in line]
    assert len(lines) == 2
    assert lines[0].startswith("Wed 2026-07-01") and "16:00" in lines[0] and "youtube" in lines[0]
    assert not lines[1].startswith("Wed") and "18:00" in lines[1]
    assert "\x1b" not in result.stdout  # not a terminal: no colours


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--platform", "youtube"], ["it_teaser_yt"]),
        (["--platform", "tiktok,youtube"], ["it_teaser_yt", "it_teaser_tt"]),
        (["--platform", "twitter"], []),
        (["--status", "scheduled"], ["it_teaser_tt"]),
        (["--status", "posted", "--status", "scheduled"], ["it_teaser_yt", "it_teaser_tt"]),
        (["--status", "planned"], []),
        (["--calendar", "Q3"], ["it_teaser_yt", "it_teaser_tt"]),
        (["--calendar", "Q3", "--platform", "tiktok", "--status", "scheduled"], ["it_teaser_tt"]),
    ],
)
def test_agenda_filters(example_project, run, monkeypatch, args, expected):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-29T12:00:00+00:00")
    result = run("agenda", *args)
    assert result.exit_code == 0, result
    assert [r["id"] for r in tsv(result.stdout)] == expected


def test_calendar_filter_keeps_only_that_calendar(autumn, run, monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-29T12:00:00+00:00")
    assert {r["calendar"] for r in tsv(run("agenda", "--days", "200").stdout)} == {"Q3", "Q4"}
    assert {r["id"] for r in tsv(run("agenda", "--days", "200", "-c", "Q4").stdout)} == {
        "it_before",
        "it_switch",
        "it_after",
    }


@pytest.mark.parametrize(
    "args",
    [
        ["agenda", "--platform", "myspace"],
        ["agenda", "--status", "done"],
        ["agenda", "--calendar", "Nope"],
        ["agenda", "--days", "-1"],
        ["week", "2026-13-01"],
        ["week", "July"],
        ["month", "2026-13"],
        ["month", "2026-7"],
        ["month", "2026-07-01"],
    ],
)
def test_bad_arguments_are_usage_errors(example_project, run, args):
    result = run(*args)
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert "Error" in result.stderr


def test_another_users_items_are_hidden_unless_all_users(other_user, run, monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-29T12:00:00+00:00")
    mine = tsv(run("agenda").stdout)
    assert [r["id"] for r in mine] == ["it_teaser_yt", "it_teaser_tt"]
    everyone = tsv(run("agenda", "--all-users").stdout)
    assert [r["id"] for r in everyone] == ["it_teaser_yt", "it_teaser_tt", "it_other"]
    assert everyone[-1]["user"] == "user_999"
    assert [r["id"] for r in tsv(run("agenda", "--user", "user_999").stdout)] == ["it_other"]
    # Naming the other user's calendar is refused without --all-users, allowed with it.
    refused = run("agenda", "--calendar", "Other")
    assert refused.exit_code == 2 and "Other" in refused.stderr
    assert [r["id"] for r in tsv(run("agenda", "--calendar", "Other", "--all-users").stdout)] == ["it_other"]
    # The same rule in the week and the month.
    assert [r["id"] for r in tsv(run("week", "2026-07-01").stdout)] == ["it_teaser_yt", "it_teaser_tt"]
    assert len(tsv(run("week", "2026-07-01", "--all-users").stdout)) == 3
    assert [r["date"] for r in tsv(run("month", "2026-07").stdout)] == ["2026-07-01", "2026-07-01"]
    assert "2026-07-02" in [r["date"] for r in tsv(run("month", "2026-07", "--all-users").stdout)]


def test_all_users_table_shows_the_user(other_user, run, monkeypatch, wide):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-29T12:00:00+00:00")
    result = run("agenda", "--all-users", "--format", "table")
    assert result.exit_code == 0, result
    assert "user_999" in result.stdout


# ---------------------------------------------------------------- week


def _grid_lines(text: str) -> list[list[str]]:
    return [line.split("│") for line in text.splitlines() if "│" in line]


def test_week_grid_has_seven_day_columns_with_dates_and_times(example_project, run, wide):
    result = run("week", "2026-07-01", "--format", "table")
    assert result.exit_code == 0, result
    assert "Week 27 of 2026" in result.stdout
    lines = _grid_lines(result.stdout)
    assert all(len(cells) == 7 for cells in lines)
    assert [c.strip() for c in lines[0]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert [c.strip() for c in lines[1]] == [
        f"2026-{d}" for d in ("06-29", "06-30", "07-01", "07-02", "07-03", "07-04", "07-05")
    ]
    # a week with a blackout day marks it under the date (changed with issue 18: views show blackouts)
    assert [c.strip() for c in lines[2]] == ["", "", "", "", "", "✕ july4", ""]
    items = lines[3:]
    assert len(items) == 2  # one line per item; Wednesday has two
    assert items[0][2].strip().startswith("16:00 yt") and "Summer" in items[0][2]
    assert items[1][2].strip().startswith("18:00 tt")
    assert all(not c.strip() for line in items for n, c in enumerate(line) if n != 2)
    assert "\x1b" not in result.stdout


def test_week_defaults_to_the_current_week(example_project, run, monkeypatch, wide):
    monkeypatch.setenv("CALCLI_NOW", "2026-07-05T12:00:00+00:00")  # Sunday
    result = run("week", "--format", "table")
    assert result.exit_code == 0, result
    assert "2026-06-29" in result.stdout and "2026-07-05" in result.stdout and "16:00" in result.stdout


def test_an_empty_week_is_an_empty_grid(example_project, run, wide):
    result = run("week", "2026-08-12", "--format", "table")
    assert result.exit_code == 0, result
    lines = _grid_lines(result.stdout)
    assert len(lines) == 3 and "2026-08-10" in lines[1][0]
    assert [c.strip() for c in lines[2]] == ["✕ offsite"] * 3 + [""] * 4  # Q3's linkedin offsite, Aug 10-12
    assert run("week", "2026-08-12", "--json").stdout.strip() == "[]"


@pytest.mark.parametrize("fmt", ["tsv", "csv", "json", "ndjson"])
def test_week_rows_in_every_format(example_project, run, fmt):
    result = run("week", "2026-07-01", "--format", fmt)
    assert result.exit_code == 0, result
    if fmt == "json":
        rows = json.loads(result.stdout)
    elif fmt == "ndjson":
        rows = [json.loads(line) for line in result.stdout.splitlines()]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
    else:
        rows = tsv(result.stdout)
    assert [(r["day"], r["time"], r["platform"], r["status"], r["id"]) for r in rows] == [
        ("2026-07-01", "16:00", "youtube", "posted", "it_teaser_yt"),
        ("2026-07-01", "18:00", "tiktok", "scheduled", "it_teaser_tt"),
    ]
    assert all(r["title"] == "Summer series teaser" for r in rows)
    assert run("week", "2026-07-06", "--format", fmt).exit_code == 0


def test_week_filters(example_project, run):
    assert [r["id"] for r in tsv(run("week", "2026-07-01", "--platform", "tiktok").stdout)] == ["it_teaser_tt"]
    assert [r["id"] for r in tsv(run("week", "2026-07-01", "--status", "posted").stdout)] == ["it_teaser_yt"]


def test_week_buckets_items_by_their_local_day(example_project, run):
    # Sunday 23:30 in New York is Monday in UTC: it belongs to the week of June 29.
    write_calendar(
        example_project,
        "Late",
        "user_123",
        NY,
        "2026-07-01",
        "2026-07-31",
        [_item_yaml("it_late", "x", "video", "2026-07-05T23:30:00-04:00", title="Late")],
    )
    assert "it_late" in [r["id"] for r in tsv(run("week", "2026-07-01").stdout)]
    assert "it_late" not in [r["id"] for r in tsv(run("week", "2026-07-06").stdout)]


# ---------------------------------------------------------------- month


def test_month_grid_is_aligned_like_cal_with_counts(example_project, run, wide):
    result = run("month", "2026-07", "--format", "table")
    assert result.exit_code == 0, result
    assert "July 2026" in result.stdout
    rows = [
        [c.strip() for c in line.strip().strip("│").split("│")]
        for line in result.stdout.splitlines()
        if line.startswith("│")
    ]
    assert rows[0] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    weeks = rows[1:]
    assert len(weeks) == 5
    assert weeks[0] == ["", "", "1  yt1 tt1", "2", "3", "4 ✕", "5"]  # July 1 2026 is a Wednesday; July 4 blacked out
    assert weeks[1] == [str(d) for d in range(6, 13)]
    assert weeks[-1] == ["27", "28", "29", "30", "31", "", ""]


def test_month_defaults_to_this_month(example_project, run, monkeypatch, wide):
    monkeypatch.setenv("CALCLI_NOW", "2026-07-20T12:00:00+00:00")
    result = run("month", "--format", "table")
    assert result.exit_code == 0, result
    assert "July 2026" in result.stdout and "yt1 tt1" in result.stdout


def test_month_rows_are_per_day_platform_and_status_counts(other_user, run):
    result = run("month", "2026-07", "--json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout) == [
        {"date": "2026-07-01", "platform": "youtube", "status": "posted", "count": 1},
        {"date": "2026-07-01", "platform": "tiktok", "status": "scheduled", "count": 1},
    ]
    rows = tsv(run("month", "2026-07", "--all-users").stdout)
    assert rows[-1] == {"date": "2026-07-02", "platform": "youtube", "status": "planned", "count": "1"}
    assert tsv(run("month", "2026-07", "--platform", "tiktok").stdout) == [
        {"date": "2026-07-01", "platform": "tiktok", "status": "scheduled", "count": "1"}
    ]


def test_month_counts_add_up_per_platform(example_project, run, wide):
    write_calendar(
        example_project,
        "Busy",
        "user_123",
        NY,
        "2026-07-01",
        "2026-07-31",
        [
            _item_yaml("it_b1", "youtube", "short", "2026-07-12T09:00:00-04:00"),
            _item_yaml("it_b2", "youtube", "short", "2026-07-12T15:00:00-04:00", status="scheduled"),
            _item_yaml("it_b3", "tiktok", "video", "2026-07-12T20:00:00-04:00"),
        ],
    )
    allow(example_project, "youtube", max_per_day=2)
    result = run("month", "2026-07", "--format", "table")
    assert "12  yt2 tt1" in result.stdout
    rows = tsv(run("month", "2026-07").stdout)
    assert [r for r in rows if r["date"] == "2026-07-12"] == [
        {"date": "2026-07-12", "platform": "youtube", "status": "planned", "count": "1"},
        {"date": "2026-07-12", "platform": "youtube", "status": "scheduled", "count": "1"},
        {"date": "2026-07-12", "platform": "tiktok", "status": "planned", "count": "1"},
    ]


def test_an_empty_month_is_an_empty_grid(example_project, run, wide):
    result = run("month", "2026-12", "--format", "table")
    assert result.exit_code == 0, result
    assert "December 2026 (0 items)" in result.stdout and "31" in result.stdout
    assert run("month", "2026-12", "--json").stdout.strip() == "[]"
    assert run("month", "2026-12").stdout == "date\tplatform\tstatus\tcount\n"


# ---------------------------------------------------------------- time zones


def test_items_across_a_dst_change_show_their_local_wall_time(autumn, run, monkeypatch, wide):
    monkeypatch.setenv("CALCLI_NOW", "2026-10-29T12:00:00+00:00")
    rows = json.loads(run("agenda", "--json").stdout)
    assert [(r["id"], r["day"], r["time"]) for r in rows] == [
        ("it_before", "2026-10-30", "16:00"),
        ("it_switch", "2026-11-01", "16:00"),
        ("it_after", "2026-11-02", "16:00"),
    ]
    assert [r["scheduled_at"][-6:] for r in rows] == ["-04:00", "-05:00", "-05:00"]
    grid = run("week", "2026-10-30", "--format", "table").stdout
    lines = _grid_lines(grid)
    assert lines[1][4].strip() == "2026-10-30" and lines[1][6].strip() == "2026-11-01"
    assert lines[2][4].strip().startswith("16:00 yt") and lines[2][6].strip().startswith("16:00 tt")
    assert "2026-11-02" not in grid


def test_times_are_shown_in_each_items_calendar_zone(example_project, run, monkeypatch):
    write_calendar(
        example_project,
        "Tokyo",
        "user_123",
        "Asia/Tokyo",
        "2026-07-01",
        "2026-07-31",
        [_item_yaml("it_tokyo", "youtube", "short", "2026-07-01T09:00:00+09:00")],
    )
    monkeypatch.setenv("CALCLI_NOW", "2026-06-29T12:00:00+00:00")
    rows = {r["id"]: r for r in tsv(run("agenda").stdout)}
    # 09:00 in Tokyo is 20:00 on June 30 in New York: shown on its own calendar's clock.
    assert (rows["it_tokyo"]["day"], rows["it_tokyo"]["time"]) == ("2026-07-01", "09:00")
    assert rows["it_tokyo"]["scheduled_at"] == "2026-07-01T09:00:00+09:00"


# ---------------------------------------------------------------- colours


def _terminal(monkeypatch):
    from rich.console import Console

    from calcli.cli import tables

    buf = io.StringIO()
    monkeypatch.setattr(
        tables,
        "console",
        lambda out=None, stderr=False: Console(file=buf, force_terminal=True, width=200, color_system="standard"),
    )
    return buf


def test_grids_are_coloured_by_platform_and_status_on_a_terminal(example_project, run, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    buf = _terminal(monkeypatch)
    assert run("week", "2026-07-01", "--format", "table").exit_code == 0
    text = buf.getvalue()
    assert "\x1b[31myt" in text  # youtube: red
    assert "\x1b[36mtt" in text  # tiktok: cyan
    assert "\x1b[32m18:00" in text  # scheduled: green
    buf.truncate(0)
    assert run("month", "2026-07", "--format", "table").exit_code == 0
    assert "\x1b[31myt1" in buf.getvalue()


# ---------------------------------------------------------------- help


@pytest.mark.parametrize("command", ["agenda", "week", "month"])
def test_help_has_an_example(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0, result
    assert f"Example: calcli {command}" in result.stdout
    for flag in ("--calendar", "--platform", "--status", "--user", "--all-users", "--format"):
        assert flag in result.stdout


# ---------------------------------------------------------------- pure functions


def item(item_id: str, at: str, platform: str = "youtube", status: str = "planned", tz: str = NY, **kw):
    when = datetime.fromisoformat(at).astimezone(zone(tz))
    return ContentScheduleItem(
        id=item_id,
        idempotency_key=f"k/{item_id}/{platform}",
        calendar=kw.pop("calendar", "Q3"),
        user_id=kw.pop("user", "user_123"),
        video_job_id=item_id,
        platform=Platform(platform),
        format=kw.pop("format", "short"),
        scheduled_at=when,
        status=ScheduleStatus(status),
        title=kw.pop("title", ""),
    )


def test_filters_match():
    a = item("a", "2026-07-01T16:00:00-04:00", "youtube", "planned")
    b = item("b", "2026-07-01T18:00:00-04:00", "tiktok", "posted", calendar="Q4", user="other")
    assert [i.id for i in (a, b) if views.Filters().match(i)] == ["a", "b"]
    assert [i.id for i in (a, b) if views.Filters(user="user_123").match(i)] == ["a"]
    assert [i.id for i in (a, b) if views.Filters(calendars=("Q4",)).match(i)] == ["b"]
    assert [i.id for i in (a, b) if views.Filters(platforms=(Platform.YOUTUBE,)).match(i)] == ["a"]
    assert [i.id for i in (a, b) if views.Filters(statuses=(ScheduleStatus.POSTED,)).match(i)] == ["b"]


def test_agenda_rows_are_in_range_start_included_end_excluded_and_in_time_order():
    start = datetime.fromisoformat("2026-07-01T12:00:00-04:00")
    items = [
        item("late", "2026-07-08T12:00:00-04:00"),  # exactly the end: excluded
        item("second", "2026-07-02T09:00:00-04:00"),
        item("first", "2026-07-01T12:00:00-04:00"),  # exactly now: included
        item("past", "2026-07-01T11:59:00-04:00"),
        item("b_same", "2026-07-02T09:00:00-04:00", "tiktok"),
    ]
    rows = views.agenda_rows(items, start, start + timedelta(days=7), views.Filters())
    assert [r["id"] for r in rows] == ["first", "second", "b_same"]
    assert rows[0]["day"] == date(2026, 7, 1) and rows[0]["time"] == "12:00"
    shown = views.grouped_for_display(rows)
    assert [r["day"] for r in shown] == ["Wed 2026-07-01", "Thu 2026-07-02", ""]


def test_agenda_end_is_midnight_after_whole_days_even_across_dst():
    start = datetime(2026, 10, 31, 10, 0, tzinfo=zone(NY))
    assert views.agenda_end(start, 0) == start
    assert views.agenda_end(start, 1).isoformat() == "2026-11-01T00:00:00-04:00"
    assert views.agenda_end(start, 2).isoformat() == "2026-11-02T00:00:00-05:00"
    # Santiago skips midnight when DST starts (2026-09-06): the end moves to 01:00.
    santiago = datetime(2026, 9, 5, 10, 0, tzinfo=zone("America/Santiago"))
    assert views.agenda_end(santiago, 1).isoformat() == "2026-09-06T01:00:00-03:00"


def test_week_days_is_the_iso_week():
    assert views.week_days(date(2026, 7, 1)) == [date(2026, 6, 29) + timedelta(days=n) for n in range(7)]
    assert views.week_days(date(2026, 6, 29))[0] == date(2026, 6, 29)
    assert views.week_days(date(2026, 7, 5))[-1] == date(2026, 7, 5)
    assert views.week_days(date(2027, 1, 1))[0] == date(2026, 12, 28)  # across the new year


def test_week_grid_columns_and_lines():
    items = [
        item("wed2", "2026-07-01T18:00:00-04:00", "tiktok"),
        item("wed1", "2026-07-01T16:00:00-04:00"),
        item("sun", "2026-07-05T23:30:00-04:00"),
        item("next", "2026-07-06T00:30:00-04:00"),
    ]
    grid = views.week_grid(items, date(2026, 7, 3), views.Filters())
    assert grid.days[0] == date(2026, 6, 29) and grid.iso_week == (2026, 27)
    assert [[i.id for i in col] for col in grid.columns] == [[], [], ["wed1", "wed2"], [], [], [], ["sun"]]
    lines = grid.lines()
    assert len(lines) == 2
    assert [i.id if i else None for i in lines[1]] == [None, None, "wed2", None, None, None, None]
    assert views.week_grid([], date(2026, 7, 3), views.Filters()).lines() == []


def test_week_line_fits_its_width():
    i = item("a", "2026-07-01T16:00:00-04:00", title="How we built it")
    assert views.week_line(i, 60) == "16:00 youtube short · How we built it"
    assert views.platform_label(i, 60) == "youtube"
    assert views.week_line(i, 16) == "16:00 yt How we…"
    assert views.platform_label(i, 16) == "yt"
    for width in range(1, 70):
        assert len(views.week_line(i, width)) <= width
    assert views.week_line(item("b", "2026-07-01T09:05:00-04:00", "x", format=""), 40) == "09:05 x"


def test_truncate():
    assert views.truncate("abcdef", 6) == "abcdef"
    assert views.truncate("abcdef", 4) == "abc…"
    assert views.truncate("abcdef", 1) == "…"
    assert views.truncate("abcdef", 0) == ""


def test_parse_month():
    assert views.parse_month("2026-07") == (2026, 7)
    for bad in ("2026-7", "2026-13", "2026-00", "July", "2026-07-01", "", "20260-1"):
        with pytest.raises(ValueError):
            views.parse_month(bad)


def test_month_weeks_like_cal():
    weeks = views.month_weeks(2026, 7)
    assert weeks[0] == [None, None, *[date(2026, 7, d) for d in range(1, 6)]]
    assert weeks[-1] == [*[date(2026, 7, d) for d in range(27, 32)], None, None]
    assert views.month_weeks(2026, 2)[0][6] == date(2026, 2, 1)  # February 2026 starts on a Sunday
    assert len(views.month_weeks(2026, 3)) == 6


def test_month_grid_counts_and_cells():
    items = [
        item("a", "2026-07-12T09:00:00-04:00", "tiktok"),
        item("b", "2026-07-12T10:00:00-04:00", "youtube"),
        item("c", "2026-07-12T11:00:00-04:00", "youtube", "posted"),
        item("d", "2026-08-01T00:30:00-04:00", "youtube"),  # July 31 in UTC terms, but August locally
    ]
    grid = views.month_grid(items, 2026, 7, views.Filters())
    assert grid.counts == {date(2026, 7, 12): {Platform.YOUTUBE: 2, Platform.TIKTOK: 1}}
    assert grid.total == 3 and grid.title == "July 2026"
    assert views.month_cell(date(2026, 7, 12), grid.counts[date(2026, 7, 12)]) == "12  yt2 tt1"
    assert views.month_cell(date(2026, 7, 2), None) == " 2"
    assert views.month_count_rows(items, 2026, 7, views.Filters()) == [
        {"date": date(2026, 7, 12), "platform": "youtube", "status": "planned", "count": 1},
        {"date": date(2026, 7, 12), "platform": "youtube", "status": "posted", "count": 1},
        {"date": date(2026, 7, 12), "platform": "tiktok", "status": "planned", "count": 1},
    ]
    assert views.month_count_rows(items, 2026, 8, views.Filters(statuses=(ScheduleStatus.POSTED,))) == []


def test_local_days_follow_each_items_zone():
    tokyo = item("t", "2026-07-01T09:00:00+09:00", tz="Asia/Tokyo")  # June 30 in New York
    assert views.local_day(tokyo) == date(2026, 7, 1) and views.local_time(tokyo) == "09:00"
    assert [i.id for i in views.in_days([tokyo], date(2026, 7, 1), date(2026, 7, 1), views.Filters())] == ["t"]


def test_utc_range_for_days_covers_every_zone():
    start, end = views.utc_range_for_days(date(2026, 7, 1), date(2026, 7, 31))
    assert start.tzinfo is None and end.tzinfo is None
    for tz in ("Pacific/Kiritimati", "Pacific/Pago_Pago", NY):
        first = datetime(2026, 7, 1, tzinfo=zone(tz))
        last = datetime(2026, 7, 31, 23, 59, tzinfo=zone(tz))
        for moment in (first, last):
            utc = moment.astimezone(zone("UTC")).replace(tzinfo=None)
            assert start <= utc < end


# ---------------------------------------------------------------- blackouts and an empty agenda


def test_views_mark_blackout_days_with_a_legend(example_project, run, monkeypatch, wide):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-29T12:00:00+00:00")
    legend = "✕ july4 (Independence Day): 2026-07-04 (every year)"
    agenda = run("agenda", "--format", "table")
    assert agenda.exit_code == 0, agenda
    lines = agenda.stdout.splitlines()
    (marked,) = [line for line in lines if "✕ blackout" in line]
    assert marked.startswith("Sat 2026-07-04") and marked.split() == ["Sat", "2026-07-04", "✕", "blackout", "july4"]
    assert lines[-1] == legend
    assert run("week", "2026-07-01", "--format", "table").stdout.splitlines()[-1] == legend
    assert run("month", "2026-07", "--format", "table").stdout.splitlines()[-1] == legend
    offsite = run("week", "2026-08-12", "--format", "table").stdout.splitlines()[-1]
    assert offsite == "✕ offsite (linkedin only; Team offsite): 2026-08-10 09:00 – 2026-08-12 18:00"
    assert "✕" not in run("agenda").stdout  # rows for scripts stay items only
    assert "✕" not in run("month", "2026-06", "--format", "table").stdout


def test_an_empty_agenda_says_when_the_next_item_is(example_project, run, monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-24T12:00:00+00:00")
    r = run("agenda")
    assert r.exit_code == 0 and r.stdout.startswith("day\ttime") and len(r.stdout.splitlines()) == 1
    assert r.stderr == (
        "Nothing from 2026-06-24 08:00 to 2026-07-01 00:00; the next item is it_teaser_yt on Wed 2026-07-01 16:00 "
        "(youtube short: Summer series teaser, calendar Q3).\n"
    )
    monkeypatch.setenv("CALCLI_NOW", "2026-12-24T12:00:00+00:00")
    assert run("agenda").stderr == (
        "Nothing from 2026-12-24 07:00 to 2026-12-31 00:00; nothing is planned after that either.\n"
    )
    assert run("agenda", "--platform", "x").stderr.endswith("nothing is planned after that either.\n")


def test_covers_day():
    from calcli.core.model import ScheduleException
    from calcli.operations.view_blackouts import covers_day

    july4 = ScheduleException("j", date(2020, 7, 4), date(2020, 7, 4), yearly=True)
    assert covers_day(july4, date(2031, 7, 4)) and not covers_day(july4, date(2031, 7, 5))
    holidays = ScheduleException("h", date(2026, 12, 24), date(2027, 1, 2), yearly=True)
    assert all(covers_day(holidays, d) for d in (date(2030, 12, 24), date(2030, 12, 31), date(2031, 1, 2)))
    assert not covers_day(holidays, date(2031, 1, 3)) and not covers_day(holidays, date(2030, 12, 23))
    timed = ScheduleException("t", datetime(2026, 8, 10, 9), datetime(2026, 8, 12, 0))
    assert covers_day(timed, date(2026, 8, 11)) and not covers_day(timed, date(2026, 8, 12))
    override = ScheduleException("o", date(2026, 8, 1), date(2026, 8, 1), kind="override")
    assert not covers_day(override, date(2026, 8, 1))


def test_tables_fit_80_columns_with_ids_whole(example_project, run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    long = "A long title that would never fit beside the other columns of an agenda view"
    text = (example_project / "calendars" / "Q3.yaml").read_text()
    (example_project / "calendars" / "Q3.yaml").write_text(text.replace('"Summer series teaser"', f'"{long}"', 1))
    monkeypatch.setenv("CALCLI_NOW", "2026-06-29T12:00:00+00:00")
    for args in (["agenda"], ["calendar", "show", "Q3"], ["calendar", "list"]):
        r = run(*args, "--format", "table")
        assert r.exit_code == 0, r
        lines = r.stdout.splitlines()
        assert all(len(line) <= 80 for line in lines), (args, lines)
        if args[0] != "calendar" or args[1] == "show":
            rows = [line for line in lines if "it_teaser" in line]
            assert len(rows) == 2, (args, lines)  # one line an item
            assert all(" it_teaser_yt" in row or row.startswith("it_teaser_yt") for row in rows[:1]), rows
            assert "it_teaser_tt" in rows[1] and "…" in rows[0]
    shown = run("calendar", "show", "Q3", "--format", "table").stdout
    assert "Not shown at this width: status, assignee (--format tsv shows every column)." in shown
