"""`calcli check` and `db sync` hold a hand-edited calendar to the rules calcli keeps itself: the
planner's hard rules, legal status steps, local times read in the calendar's zone, formats and text
limits, the project's own settings files. Each case goes through the CLI (exit code, the exact
line), then the store is checked to hold nothing of the refused edit."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest
from conftest import allow

HEAD = """calendar: T
user: user_123
timezone: America/New_York
period: {start: "2026-07-01", end: "2026-12-31"}
"""


def item(i: str, platform: str, fmt: str, at: str, video: str | None = None, **more: str) -> str:
    extra = "".join(f", {k}: {json.dumps(v)}" for k, v in more.items())
    head = f"id: {i}, key: k/{i}, video: {video or 'v_' + i}, platform: {platform}, format: {fmt}"
    return f'  - {{{head}, at: "{at}"{extra}}}\n'


def write(project: Path, *items: str, blackouts: str = "") -> Path:
    path = project / "calendars" / "T.yaml"
    path.write_text(HEAD + blackouts + "items:\n" + "".join(items), encoding="utf-8")
    return path


def problems(r) -> list[str]:
    """check's findings: one line each on stderr, then the count."""
    return r.stderr.splitlines()[:-1] if r.exit_code == 3 else []


def stored(project: Path) -> dict[str, tuple[str, str]]:
    """What the store holds of calendar T (read through the core: a command would sync first)."""
    from calcli.files.project import find_project
    from calcli.store import open_store

    proj = find_project(project)
    if not proj.store_path.exists():
        return {}
    with open_store(proj, read_only=True) as store:
        items = store.calendar_items("T")
    return {i.id: (i.status.value, i.scheduled_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")) for i in items}


MOVE = "move it with `calcli item move {id} --to TIME` (--force records an override exception)"


# ---------------------------------------------------------------- the planner's hard rules


def test_two_youtube_posts_an_hour_apart_break_the_daily_cap(project, run):
    write(project, item("a1", "youtube", "short", "2026-07-08T16:00"),
          item("a2", "youtube", "short", "2026-07-08T17:00"))
    r = run("check", "--format", "text")
    assert r.exit_code == 3
    assert problems(r) == [
        "calendars/T.yaml:7: items.at: youtube item a2 at 2026-07-08T17:00:00-04:00: daily cap reached (1 a day); "
        + MOVE.format(id="a2")]
    assert r.stderr.splitlines()[-1] == "1 problem(s) in 3 file(s)." and r.stdout == ""
    r = run("db", "sync")
    assert r.exit_code == 3 and r.stderr.endswith(
        "Nothing was synced: fix the file (or `git checkout` it), then run again.\n")
    assert stored(project) == {}


def test_spacing_counts_across_days_and_the_cap_across_calendars(project, run):
    allow(project, "youtube", max_per_day=2)
    write(project, item("a1", "youtube", "short", "2026-07-08T16:00"),
          item("a2", "youtube", "short", "2026-07-08T17:00"))
    r = run("check", "--format", "text")
    assert problems(r) == [
        "calendars/T.yaml:7: items.at: youtube item a2 at 2026-07-08T17:00:00-04:00: too close to another post on "
        "this platform (minimum spacing 240 min); " + MOVE.format(id="a2")]
    # another calendar of the same user counts against T's caps and spacing too
    (project / "calendars" / "U.yaml").write_text(
        HEAD.replace("calendar: T", "calendar: U") + "items:\n" + item("u1", "youtube", "short", "2026-07-08T12:00"),
        encoding="utf-8")
    write(project, item("a1", "youtube", "short", "2026-07-08T15:00"))
    r = run("check", "--format", "text")
    assert problems(r) == [
        "calendars/T.yaml:6: items.at: youtube item a1 at 2026-07-08T15:00:00-04:00: too close to another post on "
        "this platform (minimum spacing 240 min); " + MOVE.format(id="a1")]


def test_a_post_that_went_out_takes_its_room_first(project, run):
    """Planned at 09:00 and posted at 15:00 on one day (YouTube: 1 a day): the post is a fact, so the
    planned one earlier that day is over the cap, not passed because it comes first in time."""
    write(project, item("p1", "youtube", "short", "2026-07-08T15:00", status="posted"))
    assert run("db", "sync").exit_code == 0
    write(project, item("a1", "youtube", "short", "2026-07-08T09:00"),
          item("p1", "youtube", "short", "2026-07-08T15:00", status="posted"))
    r = run("check", "--format", "text")
    assert r.exit_code == 3
    assert problems(r) == [
        "calendars/T.yaml:6: items.at: youtube item a1 at 2026-07-08T09:00:00-04:00: daily cap reached (1 a day); "
        + MOVE.format(id="a1")]
    assert run("db", "sync").exit_code == 3
    assert stored(project) == {"p1": ("posted", "2026-07-08T19:00")}


def test_linkedin_on_a_saturday_that_preferences_avoid(project, run):
    write(project, item("a1", "linkedin", "video", "2026-07-11T10:00"))
    r = run("check", "--format", "text")
    assert problems(r) == [
        "calendars/T.yaml:6: items.at: linkedin item a1 at 2026-07-11T10:00:00-04:00: on a day you avoid for "
        "linkedin; " + MOVE.format(id="a1")]


def test_blackouts_and_the_stagger(project, run):
    write(project, item("a1", "youtube", "short", "2026-07-08T16:00", video="v1"),
          item("a2", "tiktok", "video", "2026-07-08T16:30", video="v1"),
          item("a3", "instagram", "reel", "2026-07-04T12:00"),
          blackouts='blackouts:\n  - {id: july4, start: "2026-07-04", end: "2026-07-04", reason: Holiday}\n')
    r = run("check", "--format", "text")
    assert problems(r) == [
        "calendars/T.yaml:8: items.at: youtube item a1 at 2026-07-08T16:00:00-04:00: stagger: must precede tiktok "
        "by at least 60 min; " + MOVE.format(id="a1"),
        "calendars/T.yaml:9: items.at: tiktok item a2 at 2026-07-08T16:30:00-04:00: stagger: must follow youtube "
        "by at least 60 min; " + MOVE.format(id="a2"),
        "calendars/T.yaml:10: items.at: instagram item a3 at 2026-07-04T12:00:00-04:00: in blackout july4 "
        "(Holiday); " + MOVE.format(id="a3")]


def test_an_override_exception_covers_its_item_at_its_time_only(project, run):
    override = ('blackouts:\n  - {id: override-a2, kind: override, item: a2, start: "2026-07-08T17:00", '
                'end: "2026-07-08T17:01", reason: "launch day"}\n')
    write(project, item("a1", "youtube", "short", "2026-07-08T16:00"),
          item("a2", "youtube", "short", "2026-07-08T17:00"), blackouts=override)
    assert run("check", "--format", "text").exit_code == 0
    assert run("db", "sync").exit_code == 0
    # a hand edit to another time is judged again: the override was for 17:00
    write(project, item("a1", "youtube", "short", "2026-07-08T16:00"),
          item("a2", "youtube", "short", "2026-07-08T18:00"), blackouts=override)
    r = run("check", "--format", "text")
    assert r.exit_code == 3 and "youtube item a2 at 2026-07-08T18:00:00-04:00: daily cap reached" in r.stderr
    assert stored(project)["a2"] == ("planned", "2026-07-08T21:00")  # 17:00 New York, as last synced


def test_item_move_force_records_the_override_that_check_accepts(project, run):
    write(project, item("a1", "youtube", "short", "2026-07-08T16:00"),
          item("a2", "youtube", "short", "2026-07-09T16:00"))
    assert run("check", "--format", "text").exit_code == 0
    r = run("item", "move", "a2", "--to", "2026-07-08 17:00")
    assert r.exit_code == 3 and "Use --force to record a manual override." in r.stderr
    r = run("item", "move", "a2", "--to", "2026-07-08 17:00", "--force", "--reason", "launch")
    assert r.exit_code == 0, r
    assert "kind: override" in (project / "calendars" / "T.yaml").read_text()
    assert run("check", "--format", "text").exit_code == 0


# ---------------------------------------------------------------- status steps


@pytest.mark.parametrize(
    "before, after, message",
    [
        ("planned", "posted", "planned -> posted is not a step of the lifecycle (from planned: canceled, "
         "scheduled); put `status: planned` back, then `calcli item status a1 STATUS` makes each step"),
        ("canceled", "scheduled", "canceled -> scheduled: canceled is final (a canceled post stays canceled); put "
         "`status: canceled` back (to post the video again, `calcli item add` a new item)"),
        ("posted", "planned", "posted -> planned: posted is final (the post is out); put `status: posted` back "
         "(to post the video again, `calcli item add` a new item)"),
    ],
)
def test_a_status_changed_by_hand_must_be_a_legal_step(project, run, before, after, message):
    write(project, item("a1", "youtube", "short", "2026-07-08T16:00", status=before))
    assert run("db", "sync").exit_code == 0
    history = run("item", "log", "a1", "--format", "json").stdout
    write(project, item("a1", "youtube", "short", "2026-07-08T16:00", status=after))
    r = run("check", "--format", "text")
    assert problems(r) == [f"calendars/T.yaml:6: items.status: item a1: {message}"]
    r = run("db", "sync")
    assert r.exit_code == 3 and f"Error: calendars/T.yaml:6: items.status: item a1: {message}\n" in r.stderr
    assert stored(project)["a1"][0] == before
    write(project, item("a1", "youtube", "short", "2026-07-08T16:00", status=before))
    assert run("item", "log", "a1", "--format", "json").stdout == history  # nothing of the refused edit


def test_a_legal_step_by_hand_is_synced(project, run):
    write(project, item("a1", "youtube", "short", "2026-07-08T16:00"))
    assert run("db", "sync").exit_code == 0
    write(project, item("a1", "youtube", "short", "2026-07-08T16:00", status="scheduled"))
    assert run("check", "--format", "text").exit_code == 0 and run("db", "sync").exit_code == 0
    assert stored(project)["a1"][0] == "scheduled"


# ---------------------------------------------------------------- time as people write it


def test_a_wall_clock_time_without_offset_is_read_in_the_calendars_zone(project, run):
    write(project, item("w", "youtube", "short", "2026-12-30T12:00"),  # EST
          item("s", "tiktok", "video", "2026-07-08T19:00"),  # EDT
          item("f", "instagram", "reel", "2026-11-01T01:30"))  # twice that night: the first, EDT
    assert run("check", "--format", "text").exit_code == 0 and run("db", "sync").exit_code == 0
    assert stored(project) == {"w": ("planned", "2026-12-30T17:00"), "s": ("planned", "2026-07-08T23:00"),
                               "f": ("planned", "2026-11-01T05:30")}


@pytest.mark.parametrize(
    "at, message",
    [
        ("2027-03-14T02:30", "2027-03-14T02:30 does not exist in America/New_York (the clocks jump forward "
         "there); the nearest valid times are 01:59 and 03:00"),
        ("2027-03-14T02:30-04:00", "2027-03-14T02:30 does not exist in America/New_York (the clocks jump "
         "forward there); the nearest valid times are 01:59 and 03:00"),
        ("2026-07-08T19:00+01:00", "+01:00 is not America/New_York's UTC offset at 2026-07-08T19:00 (-04:00); "
         "write that offset, or leave the offset out"),
        ("2026-12-30T12:00-04:00", "-04:00 is not America/New_York's UTC offset at 2026-12-30T12:00 (-05:00); "
         "write that offset, or leave the offset out"),
    ],
)
def test_a_time_the_zone_does_not_have_is_an_error_naming_the_right_one(project, run, at, message):
    path = write(project, item("a1", "youtube", "short", at))
    before = path.read_text()
    r = run("check", "--format", "text")
    assert r.exit_code == 3
    assert problems(r)[0].startswith("calendars/T.yaml:6:") and problems(r)[0].endswith(
        f"items.at: invalid date-time: {message}")
    assert run("db", "sync").exit_code == 3 and path.read_text() == before and stored(project) == {}


# ---------------------------------------------------------------- formats, text limits, settings files


def test_a_format_the_platform_does_not_have(project, run):
    write(project, item("a1", "tiktok", "banana", "2026-07-08T19:00"))
    r = run("check", "--format", "text")
    assert problems(r) == ["calendars/T.yaml:6: items.format: 'banana' is not a tiktok format (known: video)"]
    assert run("db", "sync").exit_code == 3 and stored(project) == {}


def test_an_x_title_over_280_weighted_characters(project, run):
    write(project, item("a1", "x", "video", "2026-07-08T12:00", title="é" * 281))
    r = run("check", "--format", "text")
    assert problems(r) == [
        "calendars/T.yaml:6: items.title: x text is 281 weighted long, over the limit of 280 by 1 (item a1)"]
    r = run("export", "--format", "csv", "-c", "T")
    assert r.exit_code == 3


def test_a_timing_file_must_name_the_platform_of_its_file_name(project, run):
    root = Path(__file__).resolve().parent.parent
    (project / "timing_data").mkdir(exist_ok=True)
    text = (root / "timing_data" / "tiktok.yaml").read_text().replace("platform: tiktok", "platform: youtube")
    (project / "timing_data" / "tiktok.yaml").write_text(text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("platform:"))
    r = run("check", "--format", "text")
    assert problems(r) == [f"timing_data/tiktok.yaml:{line}: platform: youtube in a file named tiktok.yaml; "
                           "rename the file youtube.yaml, or write `platform: tiktok`"]
    r = run("platforms", "youtube")
    assert r.exit_code == 3 and "tiktok.yaml" in r.stderr


@pytest.mark.parametrize(
    "edit, message",
    [
        (("[planner]", "[plannerr]"), "calcli.toml:6: plannerr: unknown table [plannerr]; did you mean 'planner'? "
                                      "known: project, planner, stagger"),
        (("timezone =", "timezon ="), "calcli.toml:3: timezon: unknown key in [project]; did you mean 'timezone'? "
                                      "known: user, timezone, store, lock_timeout_seconds"),
    ],
)
def test_unknown_keys_in_calcli_toml_are_errors(project, run, edit, message):
    path = project / "calcli.toml"
    path.write_text(path.read_text().replace(*edit))
    r = run("check", "--format", "text")
    assert r.exit_code == 3 and message in r.stderr, r


# ---------------------------------------------------------------- the JSON Schema agrees with check

UTC_CAL = """calendar: Z
user: user_123
timezone: UTC
period: {start: "2026-07-01", end: "2026-12-31"}
items:
  - {id: z1, key: k/z1, video: v1, platform: youtube, format: short, at: "AT"}
"""
TOML = '[project]\nuser = "user_123"\ntimezone = "UTC"\n\n[planner]\nslot_minutes = 30\n'


@pytest.mark.parametrize(
    "kind, text, accepted",
    [
        ("calendar", UTC_CAL.replace("AT", "2026-07-08T16:00:00Z"), True),
        ("calendar", UTC_CAL.replace("AT", "2026-07-08T16:00:00z"), True),
        ("calendar", UTC_CAL.replace("AT", "2026-07-08T16:00"), True),
        ("calendar", UTC_CAL.replace("AT", "2026-07-08 16:00:00+00:00"), True),
        ("calendar", UTC_CAL.replace("AT", "2026-07-08"), False),
        ("calendar", UTC_CAL.replace("AT", "16:00"), False),
        ("calendar", UTC_CAL.replace("AT", "2026-07-08T16:00:00 UTC"), False),
        ("config", TOML, True),
        ("config", TOML.replace("= 30", "= 30.0"), True),
        ("config", TOML.replace("= 30", "= 30.5"), False),
        ("config", TOML.replace("= 30", "= 7"), False),
        ("config", TOML.replace("[planner]", "[plannerr]"), False),
        ("config", TOML.replace("timezone =", "timezon ="), False),
        ("config", TOML + "\n[stagger]\norder = []\nspacing = 3\n", False),
    ],
    ids=["Z", "z", "wall", "space", "date", "time", "word", "toml", "30.0", "30.5", "7", "table", "key", "stagger"],
)
def test_the_json_schema_and_check_agree_on_each_mutation(kind, text, accepted, tmp_path):
    from test_ecosystem_schemas import calcli_findings, schema_errors

    path = tmp_path / ("Z.yaml" if kind == "calendar" else "calcli.toml")
    path.write_text(text, encoding="utf-8")
    (tmp_path / "parse").mkdir()
    said, flagged = calcli_findings(kind, path, tmp_path / "parse"), schema_errors(kind, path)
    assert (said == [], flagged == []) == (accepted, accepted), (said, flagged)


def test_blackout_reschedule_moves_a_post_only_later_and_within_the_rules(project, run):
    """calcli does not keep a video's ready_at: the post was placed after it, so a slot before its
    own time (here the free, perfect Wednesday a week earlier) could be before the video is ready."""
    write(project, item("a1", "youtube", "short", "2026-07-15T16:00"), item("a2", "youtube", "short",
                                                                              "2026-07-16T16:00"))
    r = run("blackout", "add", "-c", "T", "--start", "2026-07-15", "--reason", "travel", "--reschedule",
            "--format", "json")
    assert r.exit_code == 0, r
    moved = json.loads(r.stdout)[0]["moved_to"]
    assert moved > "2026-07-15T16:00" and not moved.startswith(("2026-07-15", "2026-07-16"))  # a2 holds the 16th
    assert run("check", "--format", "text").exit_code == 0
