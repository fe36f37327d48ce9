"""Issue 18 §1: one option set everywhere, one error map.

A walker goes over every command of the built tree (so a new command cannot forget the set), runs
each with --help, and runs every data command in the example project with the shared options,
asserting the documented exit codes: 0 for the run, 2 for a bad flag value, 3 for a bad file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import click
import pytest

from calcli.cli import app, common, docgen

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Commands that print no rows (they change files or write their own files), each with why.
NOT_DATA = {
    "init": "makes a project; prints one message",
    "assign": "changes an item; prints one message",
    "report": "writes an HTML/SVG file itself (its --format names the file kind, its -o the file)",
    "export": "writes calendar/bulk-upload files itself (its --format names the file kind, its -o the file)",
    "calendar new": "makes a calendar file",
    "calendar archive": "changes a calendar file",
    "calendar rm": "removes a calendar file",
    "item status": "changes an item",
    "item cancel": "changes an item",
    "item move": "changes an item",
    "blackout rm": "changes a calendar file",
    "db sync": "refreshes the store; prints one summary",
    "db rebuild": "remakes the store; prints one summary",
    "db grant": "makes a PostgreSQL login role; prints one message",
}
# Read commands over a period: --since/--until, with khal-style days.
PERIOD_COMMANDS = {"analyze", "report", "calendar show", "agenda", "week", "month", "due", "export"}

# One working run of every data command in the example project, and its exit code there.
RUNS = {
    "check": ([], 0),
    "plan": (["examples/bulk.json", "-c", "launch", "--dry-run"], 0),
    "explain": (["it_teaser_yt"], 0),
    "assignments": ([], 0),
    "approve": (["-c", "Q3"], 0),
    "due": ([], 0),
    "dispatch": (["--exec", "true"], 0),
    "platforms": ([], 0),
    "preview": (["it_teaser_yt"], 0),
    "analyze": (["-c", "Q3"], 0),
    "optimize": (["-c", "Q3"], 0),
    "agenda": ([], 0),
    "week": ([], 0),
    "month": ([], 0),
    "import": (["examples/q3.csv", "--from", "csv", "-c", "NEWCAL", "--dry-run"], 0),
    "sql": (["SELECT 1 AS a"], 0),
    "schema": ([], 0),
    "calendar list": ([], 0),
    "calendar show": (["Q3"], 0),
    "item show": (["it_teaser_yt"], 0),
    "item log": (["it_teaser_yt"], 0),
    "item add": (["-c", "Q3", "--video", "v{n}", "--platform", "youtube", "--at", "2026-07-20T10:00", "--force"], 0),
    "blackout add": (["-c", "Q3", "--start", "2026-09-01", "--end", "2026-09-01"], 0),
    "blackout list": (["-c", "Q3"], 0),
    "kpi import": (["examples/analytics/kpi.csv", "--dry-run"], 5),  # its rows are for the history calendar
    "trial list": ([], 0),
    "trial new": (["T{n}", "-c", "launch", "--arm-a", "baseline", "--arm-b", "optimized"], None),
    "trial status": (["T1"], None),
    "trial conclude": (["T1", "--decision", "keep-a"], None),
    "db info": ([], 0),
    # no server answers there: the same refusal must come back with the shared options
    "db push": (["postgresql://127.0.0.1:1/calcli"], None),
    "db pull": (["postgresql://127.0.0.1:1/calcli"], None),
}


def leaves():
    out = []
    for path, cmd in docgen.walk(app.command()):
        if not isinstance(cmd, click.Group):
            out.append((" ".join(path[1:]), cmd))
    return out


def opts(cmd: click.Command) -> set[str]:
    return {o for p in cmd.params for o in getattr(p, "opts", ())}


LEAVES = leaves()
DATA = [name for name, cmd in LEAVES if common.is_data_command(cmd)]


def test_every_command_is_either_a_data_command_or_says_why_not():
    names = {name for name, _ in LEAVES}
    assert set(NOT_DATA) <= names, set(NOT_DATA) - names
    assert sorted(names - set(NOT_DATA)) == sorted(DATA), "a new command: give it --format, or say why in NOT_DATA"
    assert set(RUNS) >= set(DATA), f"give these data commands a run in RUNS: {sorted(set(DATA) - set(RUNS))}"


@pytest.mark.parametrize("name, cmd", LEAVES, ids=[n for n, _ in LEAVES])
def test_every_command_takes_the_shared_options(name, cmd):
    have = opts(cmd)
    assert {"--project", "-p", "--quiet", "-q"} <= have
    if name in DATA:
        assert set(common.DATA_OPTIONS) | {"-o", "-f"} <= have, sorted(set(common.DATA_OPTIONS) - have)
    if name in PERIOD_COMMANDS:
        assert {"--since", "--until"} <= have


@pytest.mark.parametrize("name, cmd", LEAVES, ids=[n for n, _ in LEAVES])
def test_help_exits_0_and_fits_80_columns_with_every_sentence_whole(run, monkeypatch, name, cmd):
    """On an 80-column terminal no help line is wider, and each paragraph of the command's help reads
    whole once the box drawing and line breaks are taken out (nothing cut, dropped as markup or split)."""
    monkeypatch.setenv("COLUMNS", "80")
    r = run(*name.split(), "--help")
    assert r.exit_code == 0, r
    assert "Usage: calcli" in r.stdout
    assert [line for line in r.stdout.splitlines() if len(line) > 80] == []
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", r.stdout).split())
    for paragraph in (cmd.help or "").split("\n\n"):
        assert " ".join(paragraph.split()) in flat, paragraph


@pytest.fixture
def data_project(example_project, run):
    assert run("export", "--format", "csv", "-c", "Q3", "-o", "examples/q3.csv").exit_code == 0
    return example_project


class Numbered:
    """``run`` with ``{n}`` in an argument replaced by a new number each call (a new video, a new trial)."""

    def __init__(self, run):
        self.run, self.n = run, 0

    def __call__(self, *args):
        self.n += 1
        return self.run(*[a.replace("{n}", str(self.n)) for a in args])


def _prepared(run, name):
    """The run of ``name`` (a trial needs planned posts, and one made first); its args and exit code."""
    args, code = RUNS[name]
    if name.startswith("trial "):
        assert run("plan", "examples/bulk.json", "-c", "launch").exit_code == 0
    if name in ("trial status", "trial conclude"):
        made = run("trial", "new", "T1", *RUNS["trial new"][0][1:])
        assert made.exit_code == 0, made
    if code is None:  # measured here: the same code must come back with the shared options
        code = run(*name.split(), *args).exit_code
    return args, code


@pytest.mark.parametrize("name", sorted(RUNS))
def test_data_commands_with_the_shared_options(data_project, run, name):
    run = Numbered(run)
    args, code = _prepared(run, name)
    words = name.split()
    # json, no rows: one parseable document, the same exit code
    r = run(*words, *args, "--format", "json", "--limit", "1" if name == "dispatch" else "0")  # dispatch: its own
    assert r.exit_code == code, r
    if r.stdout.strip():
        doc = json.loads(r.stdout)
        if isinstance(doc, list):
            assert doc == []
    # quiet and the project named after the command: no messages, only data and errors
    r = run(*words, *args, "-q", "-p", str(data_project), "--format", "tsv", "--no-header")
    assert r.exit_code == code, r
    assert all(line.startswith("Error:") for line in r.stderr.splitlines()), r.stderr


@pytest.mark.parametrize("name", sorted(RUNS))
def test_bad_flag_values_exit_2(data_project, run, name):
    run = Numbered(run)
    args, _ = _prepared(run, name)
    words = name.split()
    for bad in (
        ["--format", "yaml"],
        ["--limit", "-1"],
        ["--columns", ","],
        ["-o", "no/such/folder/out.tsv"],
        ["-o", "calendars"],
    ):
        r = run(*words, *args, *bad)
        assert r.exit_code == 2, (bad, r)
        assert r.stderr.splitlines()[-1].startswith("Error: "), r.stderr


@pytest.mark.parametrize("name", ["calendar list", "calendar show", "blackout list", "schema", "db info"])
def test_unknown_column_is_usage_and_known_ones_are_picked_in_order(data_project, run, name):
    args, _ = RUNS[name]
    full = run(*name.split(), *args, "--format", "tsv")
    header = full.stdout.splitlines()[0].split("\t")
    r = run(*name.split(), *args, "--columns", "no_such_column")
    assert r.exit_code == 2 and r.stderr.startswith("Error: --columns: no column 'no_such_column' here"), r
    picked = [header[-1], header[0]]
    r = run(*name.split(), *args, "--format", "tsv", "--columns", ",".join(picked), "--limit", "1")
    lines = r.stdout.splitlines()
    assert lines[0].split("\t") == picked
    assert len(lines) == min(2, len(full.stdout.splitlines()))
    r = run(*name.split(), *args, "--format", "csv", "--no-header", "--columns", header[0])
    assert r.stdout.splitlines() == [line.split("\t")[0] for line in full.stdout.splitlines()[1:]]


def test_output_file_is_written_whole_and_only_on_success(data_project, run):
    r = run("calendar", "show", "Q3", "--format", "json", "-o", "q3.json")
    assert (r.exit_code, r.stdout) == (0, "")
    assert [i["id"] for i in json.loads((data_project / "q3.json").read_text())] == ["it_teaser_yt", "it_teaser_tt"]
    (data_project / "keep.tsv").write_text("old\n")
    r = run("calendar", "show", "NOPE", "-o", "keep.tsv")
    assert r.exit_code == 2
    assert (data_project / "keep.tsv").read_text() == "old\n"
    assert not [p for p in data_project.iterdir() if "calcli-tmp" in p.name]


def test_since_until_take_khal_style_days(data_project, run):
    # now is pinned to 2026-06-15; Q3's items are on 2026-07-01 (New York)
    show = lambda *a: run("calendar", "show", "Q3", "--format", "tsv", "--no-header", "--columns", "id", *a)  # noqa: E731
    assert show("--since", "today").stdout.split() == ["it_teaser_yt", "it_teaser_tt"]
    assert show("--until", "+15d").stdout.split() == []
    assert show("--until", "+16d").stdout.split() == ["it_teaser_yt", "it_teaser_tt"]
    assert show("--since", "2026-07-02").stdout.split() == []
    assert show("--until", "+2w").stdout.split() == []
    r = show("--since", "someday")
    assert r.exit_code == 2 and "'someday' is not a date YYYY-MM-DD (nor today" in r.stderr
    assert show("--since", "tomorrow", "--until", "yesterday").exit_code == 2


@pytest.mark.parametrize("name", sorted(PERIOD_COMMANDS))
def test_a_bad_period_day_is_a_usage_error_on_every_period_command(data_project, run, name):
    args = RUNS.get(name, (["-c", "Q3"] if name == "report" else ["--format", "csv", "-c", "Q3"], 0))[0]
    r = run(*name.split(), *args, "--since", "someday")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines() == [
        "Error: Invalid value for --since: 'someday' is not a date YYYY-MM-DD (nor today, tomorrow, yesterday, +7d, "
        "-3d, +2w)"
    ]
    r = run(*name.split(), *args, "--since", "tomorrow", "--until", "yesterday")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines() == ["Error: Invalid value for --until: yesterday is before --since tomorrow"]


# ---------------------------------------------------------------- the one error map


@pytest.mark.parametrize("name", [n for n, _ in LEAVES])
def test_a_usage_error_is_one_error_line_naming_the_option(run, name):
    """No click "Usage:" line before it, on every command; exit 2, nothing on stdout."""
    r = run(*name.split(), "--no-such-flag")
    assert (r.exit_code, r.stdout) == (2, ""), r
    assert r.stderr.splitlines() == ["Error: No such option '--no-such-flag'."], r.stderr


@pytest.mark.parametrize(
    "args, line",
    [
        (["plan"], "Error: Missing argument 'BULK'."),  # not given: usage (a missing *file* is data, 3)
        (["plan", "examples/bulk.json"], "Error: Missing option '--calendar' / '-c'."),
        (["agenda", "--days", "-1"], "Error: Invalid value for '--days' / '-d': -1 is not in the range 0<=x<=36500."),
        (["agenda", "--days"], "Error: Option '--days' requires an argument."),
        (["item", "show"], "Error: Missing argument 'ITEM_ID'."),
        (
            ["due", "--format", "yaml"],
            "Error: Invalid value for '--format' / '-f': 'yaml' is not one of 'table', 'tsv', 'csv', 'json', 'ndjson'.",
        ),  # fmt: skip
        (["month", "2026-13"], None),
        (
            ["calendar", "show", "NOPE"],
            "Error: no calendar 'NOPE' (yours: Q3) for user user_123. Make one with `calcli calendar new`.",
        ),  # fmt: skip
    ],
)
def test_usage_errors_of_a_few_commands(example_project, run, args, line):
    r = run(*args)
    assert (r.exit_code, r.stdout) == (2, ""), r
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("Error: "), r.stderr
    if line:
        assert r.stderr == line + "\n"


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "examples/bulk.json", "-c", "X", "--tz", "Mars/Base"],
        ["import", "examples/q3.csv", "--from", "csv", "-c", "X", "--tz", "Mars/Base"],
        ["export", "--format", "ics", "--tz", "Mars/Base"],
        ["calendar", "new", "X", "--start", "2026-07-01", "--end", "2026-07-31", "--tz", "Mars/Base"],
        ["init", "elsewhere", "--tz", "Mars/Base"],
    ],
    ids=["plan", "import", "export", "calendar-new", "init"],
)
def test_an_unknown_zone_is_a_usage_error_everywhere(data_project, run, args):
    r = run(*args)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[-1] == "Error: Invalid value for '--tz': unknown time zone 'Mars/Base'"
    assert not (data_project / "calendars" / "X.yaml").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "{f}", "-c", "X"],
        ["import", "{f}", "--from", "csv", "-c", "X"],
        ["kpi", "import", "{f}"],
        ["check", "--format", "text", "{f}"],
    ],
    ids=["plan", "import", "kpi-import", "check"],
)
@pytest.mark.parametrize("missing", ["nothere.csv", "calendars"], ids=["missing", "a-folder"])
def test_a_bad_file_is_invalid_data_everywhere(data_project, run, args, missing):
    r = run(*[a.replace("{f}", missing) for a in args])
    assert r.exit_code == 3, r
    assert missing in r.stderr
    assert not (data_project / "calendars" / "X.yaml").exists()


# ---------------------------------------------------------------- standard input


def _process(args, cwd, stdin: bytes, **env):
    full = {**os.environ, "PYTHONPATH": ROOT, **env}
    return subprocess.run(
        [sys.executable, "-m", "calcli", *args], cwd=cwd, input=stdin, capture_output=True, env=full, timeout=120
    )


def test_plan_reads_the_bulk_job_from_stdin(data_project):
    bulk = (data_project / "examples" / "bulk.json").read_bytes()
    piped = _process(["plan", "-", "-c", "launch", "--dry-run", "--format", "json"], data_project, bulk)
    named = _process(["plan", "examples/bulk.json", "-c", "launch", "--dry-run", "--format", "json"], data_project, b"")
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout) == json.loads(named.stdout)
    broken = _process(["plan", "-", "-c", "launch"], data_project, b'{"bulk_job_id": 3')
    assert broken.returncode == 3
    assert broken.stderr.decode().startswith("Error: -:1:"), broken.stderr


def test_import_and_kpi_import_read_stdin(data_project):
    rows = (data_project / "examples" / "q3.csv").read_bytes()
    r = _process(["import", "-", "--from", "csv", "-c", "NEWCAL", "--dry-run"], data_project, rows)
    assert r.returncode == 0, r.stderr
    assert (
        "Would import into calendars/NEWCAL.yaml (new calendar: 2026-07-01..2026-07-01, America/New_York): "
        "2 new, 0 already there." in r.stderr.decode()
    )
    kpis = (data_project / "examples" / "analytics" / "kpi.csv").read_bytes()
    r = _process(["kpi", "import", "-", "--dry-run", "--format", "tsv"], data_project, kpis)
    assert r.returncode == 5  # as the same file named: rows for a calendar this project lacks
    assert r.stdout.decode().splitlines()[1].split("\t")[:2] == ["-", "canonical"]
    assert "Error: -:2: item_id: no item it_h0001 of this user" in r.stderr.decode()


# ---------------------------------------------------------------- settings: flags > env > project > user config


def test_format_precedence(data_project, run, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    listing = lambda *a: run("calendar", "list", "--columns", "name", *a).stdout  # noqa: E731
    assert listing() == "name\nQ3\n"  # piped: TSV
    (tmp_path / "xdg" / "calcli").mkdir(parents=True)
    (tmp_path / "xdg" / "calcli" / "config.toml").write_text('format = "csv"\nuser = "someone"\n')
    assert listing() == "name\nQ3\n"  # csv of one plain column looks the same: ask for json to tell
    (tmp_path / "xdg" / "calcli" / "config.toml").write_text('format = "ndjson"\n')
    assert listing() == '{"name": "Q3"}\n'
    toml = data_project / "calcli.toml"
    toml.write_text(toml.read_text() + '\n[output]\nformat = "json"\n')
    assert json.loads(listing()) == [{"name": "Q3"}]
    monkeypatch.setenv("CALCLI_FORMAT", "tsv")
    assert listing() == "name\nQ3\n"
    assert listing("--format", "ndjson") == '{"name": "Q3"}\n'
    monkeypatch.setenv("CALCLI_FORMAT", "yaml")
    r = run("calendar", "list")
    assert r.exit_code == 2 and "CALCLI_FORMAT='yaml' is not a format" in r.stderr


def test_a_bad_user_config_is_invalid_data(data_project, run, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "calcli").mkdir()
    (tmp_path / "calcli" / "config.toml").write_text('format = "yaml"\n')
    r = run("calendar", "list")
    assert r.exit_code == 3
    assert r.stderr.startswith("Error: ") and r.stderr.endswith(
        "calcli/config.toml:1: format: one of table, tsv, csv, json, ndjson\n"
    )


def test_calcli_user_acts_as_that_user_below_the_flag(data_project, run, monkeypatch):
    monkeypatch.setenv("CALCLI_USER", "someone_else")
    assert run("calendar", "list", "--columns", "name").stdout == "name\n"  # Q3 is user_123's
    assert run("calendar", "list", "--columns", "name", "--user", "user_123").stdout == "name\nQ3\n"


def test_init_takes_user_and_zone_from_the_user_config(tmp_path, run, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "calcli").mkdir(parents=True)
    (tmp_path / "xdg" / "calcli" / "config.toml").write_text('user = "ana"\ntimezone = "Europe/Berlin"\n')
    monkeypatch.chdir(tmp_path)
    assert run("init", "one").exit_code == 0
    assert 'user = "ana"' in (tmp_path / "one" / "calcli.toml").read_text()
    assert 'timezone = "Europe/Berlin"' in (tmp_path / "one" / "calcli.toml").read_text()
    monkeypatch.setenv("CALCLI_USER", "bo")
    assert run("init", "two", "--tz", "UTC").exit_code == 0
    text = (tmp_path / "two" / "calcli.toml").read_text()
    assert 'user = "bo"' in text and 'timezone = "UTC"' in text


# ---------------------------------------------------------------- schema NAME in every format


def test_schema_prints_one_document_of_the_asked_format(run):
    import csv
    import io

    from calcli import schemas

    text = run("schema", "config").stdout  # piped: still the schema file itself
    assert json.loads(text) == json.loads(schemas.schema_text("config"))
    one = run("schema", "config", "--format", "ndjson").stdout.splitlines()
    assert len(one) == 1 and json.loads(one[0]) == json.loads(text)
    rows = list(csv.DictReader(io.StringIO(run("schema", "config", "--format", "csv").stdout)))
    by_field = {r["field"]: r for r in rows}
    assert by_field["project.user"]["required"] == "True" and by_field["project.user"]["type"] == "string"
    assert by_field["output.format"]["type"] == "one of table, tsv, csv, json, ndjson"
    tsv = run("schema", "config", "--format", "tsv", "--no-header", "--columns", "field").stdout.split()
    assert tsv == [r["field"] for r in rows]


def test_the_readme_first_session_works_on_any_day(data_project, run, monkeypatch):
    """`--start today --end +90d` (the README's first session) plans whatever day it is."""
    for now in ("2026-06-15T12:00:00+00:00", "2031-02-03T09:00:00+00:00"):
        monkeypatch.setenv("CALCLI_NOW", now)
        name = "F" + now[:4]
        r = run("plan", "examples/bulk.json", "--calendar", name, "--start", "today", "--end", "+90d")
        assert r.exit_code == 0, r
        cal = (data_project / "calendars" / f"{name}.yaml").read_text()
        start = now[:10]
        assert f'start: "{start}"' in cal, cal[:300]
    r = run("calendar", "new", "N1", "--start", "tomorrow", "--end", "+30d")
    assert r.exit_code == 0, r
