"""Hostile and broken input files: bounded work (YAML alias bombs), FILE:LINE errors for every input
format, and values that used to load silently (a NaN duration, KPI snapshots from the future, from
before their post, or with an offset no zone has). Each is refused, or reported row by row, through
the CLI, with its exit code, and nothing else is written."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

HEADER = "item_id,platform,post_id,metric_at,impressions,reach,views,likes,comments,shares\n"
CALENDAR_HEAD = (
    'calendar: BOMB\nuser: user_123\ntimezone: America/New_York\nperiod: {start: "2026-06-01", end: "2026-07-31"}\n'
)


@pytest.fixture(autouse=True)
def _after_the_posts(monkeypatch):
    """Now is after the example posts (July 2026) and their numbers."""
    monkeypatch.setenv("CALCLI_NOW", "2026-08-01T12:00:00+00:00")


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and ".calcli" not in p.parts}


def laughs(levels: int, width: int, prefix: str = "a") -> str:
    """A YAML alias bomb: each level a list of ``width`` aliases of the level below."""
    lines = [f'{prefix}0: &{prefix}0 "lol"']
    for n in range(1, levels + 1):
        lines.append(f"{prefix}{n}: &{prefix}{n} [" + ", ".join([f"*{prefix}{n - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- YAML alias bombs

def test_a_nine_level_alias_bomb_in_a_calendar_is_refused_at_its_line(example_project, run):
    (example_project / "calendars" / "BOMB.yaml").write_text(CALENDAR_HEAD + laughs(9, 9) + "items: []\n")
    r = run("check", "--format", "text")
    assert r.exit_code == 3, r
    assert r.stderr.startswith(
        "calendars/BOMB.yaml:5:5: aliases expand this document to 490,329,080 values, "
        "490,329,045 more than it holds (at most 100,000); write the values out instead of reusing anchors\n"
    ), r


def test_billion_laughs_in_preferences_is_refused_and_nothing_is_stored(example_project, run):
    prefs = example_project / "preferences.yaml"
    prefs.write_text(prefs.read_text() + laughs(9, 10, "x"))
    before = tree(example_project)
    r = run("check", "--format", "text")
    assert r.exit_code == 3, r
    assert r.stderr.startswith("preferences.yaml:38:5: aliases expand this document to 1,234,567,985 values"), r
    r = run("db", "sync")
    assert r.exit_code == 3, r
    assert tree(example_project) == before


def test_a_value_that_contains_itself_is_refused(example_project, run):
    (example_project / "calendars" / "LOOP.yaml").write_text(
        CALENDAR_HEAD.replace("BOMB", "LOOP") + "items:\n  - &x {id: a, title: [*x]}\n"
    )
    r = run("check", "--format", "text")
    assert r.exit_code == 3, r
    assert "calendars/LOOP.yaml:6:5: an alias refers to a value that contains it (a loop)" in r.stderr


def test_a_few_shared_anchors_are_fine(example_project, run):
    (example_project / "calendars" / "BOMB.yaml").write_text(CALENDAR_HEAD + laughs(3, 9) + "items: []\n")
    r = run("check", "--format", "text")
    assert "aliases expand" not in r.stderr, r


# ---------------------------------------------------------------- the bulk job

def bulk(example_project: Path, **video) -> Path:
    doc = json.loads((example_project / "examples" / "bulk.json").read_text())
    doc["videos"][0].update(video)
    path = example_project / "job.json"
    path.write_text(json.dumps(doc, indent=2))
    return path


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["NaN", "Infinity", "-Infinity"])
def test_a_duration_that_is_no_number_is_refused_with_its_line(example_project, run, value):
    path = bulk(example_project, duration_seconds=value)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "duration_seconds" in text)
    before = tree(example_project)
    r = run("plan", "job.json", "--calendar", "launch")
    assert r.exit_code == 3, r
    shown = {"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}[json.dumps(value)]
    assert f"Error: job.json:{line}: videos[0].duration_seconds: expected a positive number of seconds, " \
           f"found {shown}" in r.stderr
    assert tree(example_project) == before


def test_a_truncated_bulk_job_is_refused_at_line_and_column(example_project, run):
    (example_project / "job.json").write_text('{\n  "bulk_job_id": "bj",\n  "videos": [\n    {"video_job_id": "v')
    r = run("plan", "job.json", "--calendar", "launch")
    assert r.exit_code == 3, r
    assert r.stderr.startswith("Error: job.json:4:22: invalid JSON: Unterminated string"), r


# ---------------------------------------------------------------- KPI exports: FILE:LINE for every format

def events(run) -> list[tuple]:
    r = run("sql", "SELECT item_id, post_id, metric_at, impressions FROM performance_kpi_events "
            "ORDER BY metric_at, post_id", "--format", "json")
    assert r.exit_code == 0, r
    return [tuple(e.values()) for e in json.loads(r.stdout)]


def test_a_csv_that_is_not_utf8_is_refused_at_its_line_and_column(example_project, run):
    (example_project / "k.csv").write_bytes(
        HEADER.encode() + b"it_teaser_yt,,,2026-07-02T12:00:00Z,1000,800,900,50,5,3\n"
        + b",tiktok,caf\xe9,2026-07-02T12:00:00Z,1,1,1,1,1,1\n"
    )
    r = run("kpi", "import", "k.csv")
    assert (r.exit_code, r.stdout) == (3, ""), r
    assert r.stderr == "Error: k.csv:3:12: not UTF-8 text (byte 0xe9); save the file as UTF-8\n"
    assert events(run) == []


def test_a_bad_byte_deep_in_a_large_csv_is_found_too(example_project, run):
    rows = [f",tiktok,p{n},2026-07-02T12:00:00Z,{n},1,1,1,1,1\n".encode() for n in range(30_000)]
    rows[25_000] = b",tiktok,\xff,2026-07-02T12:00:00Z,1,1,1,1,1,1\n"
    (example_project / "k.csv").write_bytes(HEADER.encode() + b"".join(rows))
    r = run("kpi", "import", "k.csv")
    assert r.exit_code == 3, r
    assert r.stderr == "Error: k.csv:25002:9: not UTF-8 text (byte 0xff); save the file as UTF-8\n"
    assert events(run) == []


def test_truncated_json_is_refused_at_line_and_column_not_byte(example_project, run):
    (example_project / "k.json").write_text(
        '[{"item_id": "it_teaser_yt", "metric_at": "2026-07-02T12:00:00Z", "impressions": 1000},\n'
        ' {"post_id": "p2", "platform": "tiktok", "metr'
    )
    r = run("kpi", "import", "k.json")
    assert r.exit_code == 3, r
    assert r.stderr.startswith("Error: k.json:2:42: invalid JSON: Unterminated string"), r
    assert "byte" not in r.stderr
    assert events(run) == []


def test_ndjson_with_bad_lines_reports_each_by_line_and_loads_the_rest(example_project, run):
    (example_project / "k.ndjson").write_bytes(
        b'{"item_id": "it_teaser_yt", "metric_at": "2026-07-02T12:00:00Z", "impressions": 1000}\r\n'
        b'{"post_id": "p2", "platform": "tiktok", "metric_at": \n'
        b"\n"  # a blank line is no row, and keeps its number
        b"[1, 2]\n"
        b'{"post_id": "p5", "platform": "tiktok", "metric_at": "2026-07-03T12:00:00Z", "impressions": "7"}\n'
        b'{"post_id": "p6", "platform": "tiktok", "metric_at": "yesterday"}\n'
    )
    r = run("kpi", "import", "k.ndjson", "--format", "json")
    assert r.exit_code == 5, r
    assert json.loads(r.stdout) == [{"file": "k.ndjson", "layout": "canonical", "rows": 5, "added": 2,
                                     "updated": 0, "unlinked": 1, "rejected": 3}]
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: k.ndjson:2: not valid JSON (each line of NDJSON is one JSON object)",
        "Error: k.ndjson:4: not a JSON object, but array",
        "Error: k.ndjson:6: metric_at: yesterday is not a date-time",
    ]
    assert events(run) == [("it_teaser_yt", None, "2026-07-02T12:00:00", 1000), (None, "p5", "2026-07-03T12:00:00", 7)]


def test_ndjson_keys_with_spaces_and_quotes_map_through_a_layout(example_project, run):
    (example_project / "k.ndjson").write_text(
        '{"item_id": "it_teaser_yt", "metric_at": "2026-07-02T12:00:00Z", "impressions": 10, "o\\"dd": 1}\n'
    )
    r = run("kpi", "import", "k.ndjson")
    assert r.exit_code == 0, r
    assert events(run) == [("it_teaser_yt", None, "2026-07-02T12:00:00", 10)]


# ---------------------------------------------------------------- KPI values that are no snapshot

def test_snapshots_after_now_before_the_post_or_with_no_such_offset_are_bad_rows(example_project, run):
    (example_project / "k.csv").write_text(
        HEADER
        + "it_teaser_yt,,,2099-01-01T00:00:00Z,1,1,1,1,1,1\n"
        + "it_teaser_yt,,,1990-01-01T00:00:00Z,1,1,1,1,1,1\n"
        + "it_teaser_yt,,,2026-07-01T19:59:00Z,1,1,1,1,1,1\n"  # a minute before it went out (20:00Z)
        + "it_teaser_yt,,,2026-07-02T12:00:00+25:00,1,1,1,1,1,1\n"
        + "it_teaser_yt,,,2026-07-02T12:00:00-12:30,1,1,1,1,1,1\n"
        + "it_teaser_yt,,,2026-07-02T12:00:00+05:75,1,1,1,1,1,1\n"
        + ",tiktok,p1,2026-07-02T12:00:00+14:00,2,1,1,1,1,1\n"  # Kiribati: the largest offset there is
        + ",tiktok,p2,2026-07-02T12:00:00-12:00,3,1,1,1,1,1\n"
        + ",tiktok,p3,2026-07-02T12:00:00+0545,4,1,1,1,1,1\n"  # Nepal, without a colon
        + "it_teaser_yt,,,2026-07-01T20:00:00Z,5,1,1,1,1,1\n"  # the minute it went out
        + ",tiktok,p4,2026-08-01T12:30:00Z,6,1,1,1,1,1\n"  # half an hour ahead of now: clocks differ
    )
    r = run("kpi", "import", "k.csv", "--format", "json")
    assert r.exit_code == 5, r
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: k.csv:2: metric_at: 2099-01-01T00:00:00Z is after now (2026-08-01T12:00Z)",
        "Error: k.csv:3: metric_at: 1990-01-01T00:00:00Z is before the post was published (2026-07-01T20:00Z)",
        "Error: k.csv:4: metric_at: 2026-07-01T19:59:00Z is before the post was published (2026-07-01T20:00Z)",
        "Error: k.csv:5: metric_at: 2026-07-02T12:00:00+25:00 has no such UTC offset (-12:00 to +14:00)",
        "Error: k.csv:6: metric_at: 2026-07-02T12:00:00-12:30 has no such UTC offset (-12:00 to +14:00)",
        "Error: k.csv:7: metric_at: 2026-07-02T12:00:00+05:75 has no such UTC offset (-12:00 to +14:00)",
    ]
    assert [e[3] for e in events(run)] == [5, 2, 4, 3, 6]  # by metric_at in UTC


@pytest.mark.parametrize(
    "text, refused",
    [
        ("!!python/object:os.system x\n", True),
        ("a: !!python/object/apply:os.system [ls]\n", True),
        ("a:\n  - !custom 1\n", True),
        ("a: [1, !custom 2]\n", True),
        ("{a: !custom 1}\n", True),
        ("{a: 1,!custom b: 2}\n", True),
        ("? !custom k\n: v\n", True),
        ("a: &x\n  - &y [*x]\n", True),  # a loop
        ("a: &x [1, 2]\nb: [*x, *x]\n", False),  # a small alias is allowed, after the walk
    ],
)
def test_every_tag_and_alias_is_walked_whatever_its_position(text, refused, tmp_path):
    """The node walk is skipped only for text where no tag or anchor can begin; each of these has one."""
    from calcli.core.errors import InvalidInput
    from calcli.files.yamlio import _MAYBE_TAG_OR_ANCHOR, compose

    assert _MAYBE_TAG_OR_ANCHOR.search(text)
    if not refused:
        assert compose(tmp_path / "f.yaml", text) is not None
        return
    with pytest.raises(InvalidInput):
        compose(tmp_path / "f.yaml", text)
