"""The command line: version, help, usage errors, init, project discovery, output formats."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
import typer.main

import calcli
from calcli.cli.app import app

PROBE = """\
import sys
sys.argv = ['calcli', {arg!r}]
from calcli.cli.app import main
try:
    main()
except SystemExit:
    pass
print('duckdb' in sys.modules)
"""


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- version and help


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0, result
    assert result.stdout == "calcli 0.1.0\n"
    assert calcli.__version__ == "0.1.0"


def test_version_as_a_process(run_process, tmp_path):
    result = run_process("--version", cwd=tmp_path)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "calcli 0.1.0\n", "")


def test_a_process_leaves_with_its_whole_output_and_its_status(example_project, run_process):
    """calcli ends with os._exit (no interpreter teardown): the streams are flushed first."""
    r = run_process("sql", "SELECT range AS n FROM range(200000)", "--format", "csv", cwd=example_project)
    assert r.exit_code == 0, r
    assert r.stdout.splitlines() == ["n", *map(str, range(200000))]
    r = run_process("item", "show", "it_nope", cwd=example_project)
    assert r.exit_code == 2 and r.stderr.startswith("Error: "), r


def test_a_reader_that_leaves_early_is_no_error(example_project):
    """`calcli … | head -1`: the pipe breaks and calcli ends quietly (status 1, as click sets it)."""
    p = subprocess.run(
        f"{sys.executable} -m calcli sql 'SELECT range FROM range(500000)' --format csv | head -1; "
        "exit ${PIPESTATUS[0]}",
        shell=True, cwd=example_project, capture_output=True, text=True, timeout=120, executable="/bin/bash",
    )  # fmt: skip
    assert (p.returncode, p.stdout, p.stderr) == (1, "range\n", "")


@pytest.mark.parametrize("arg", ["--version", "--help"])
def test_version_and_help_do_not_import_duckdb(tmp_path, arg):
    p = subprocess.run(
        [sys.executable, "-c", PROBE.format(arg=arg)], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "False", p.stdout


def _command_paths() -> list[tuple[str, ...]]:
    root = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = []

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        paths.append(path)
        if isinstance(cmd, click.Group):
            for name, sub in sorted(cmd.commands.items()):
                walk(sub, (*path, name))

    walk(root, ())
    return paths


def _command(path: tuple[str, ...]) -> click.Command:
    cmd = typer.main.get_command(app)
    for name in path:
        cmd = cmd.commands[name]
    return cmd


HELP_PATHS = [pytest.param(p, id=" ".join(p) or "calcli", marks=[]) for p in _command_paths()]


def test_the_app_has_the_foundation_commands():
    paths = set(_command_paths())
    assert {(), ("init",), ("check",), ("sql",), ("db",), ("db", "sync"), ("db", "rebuild"), ("db", "info")} <= paths


@pytest.mark.parametrize("path", HELP_PATHS)
def test_every_command_has_an_example_in_its_help(run, path):
    cmd = _command(path)
    assert "Example" in (cmd.help or ""), f"`calcli {' '.join(path)}` help has no Example"
    result = run(*path, "--help")
    assert result.exit_code == 0, result
    assert "Example" in result.stdout


def test_unknown_flag_is_a_usage_error(run):
    result = run("--bogus")
    assert result.exit_code == 2, result
    assert "No such option" in result.stderr and "--bogus" in result.stderr
    assert result.stdout == ""


def test_unknown_flag_on_a_subcommand_is_a_usage_error(example_project, run):
    before = snapshot(example_project)
    result = run("check", "--bogus")
    assert result.exit_code == 2, result
    assert "No such option" in result.stderr
    assert snapshot(example_project) == before


def test_unknown_command_and_bad_format_are_usage_errors(example_project, run):
    assert run("frobnicate").exit_code == 2
    result = run("sql", "SELECT 1", "--format", "xml")
    assert result.exit_code == 2, result
    assert "xml" in result.stderr


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("plna",), "Error: No such command 'plna'. Did you mean 'plan'?"),
        (("item", "mvoe"), "Error: No such command 'mvoe'. Did you mean 'move'?"),
        (("db", "sycn"), "Error: No such command 'sycn'. Did you mean 'sync'?"),
    ],
)
def test_a_mistyped_command_gets_one_suggestion(example_project, run, args, line):
    result = run(*args)
    assert result.exit_code == 2, result
    assert result.stderr.strip().splitlines()[-1] == line


def test_bare_calcli_prints_no_empty_error_line(run):
    result = run()
    assert result.exit_code in (0, 2)
    assert "Usage:" in result.stdout + result.stderr
    assert "Error: \n" not in result.stderr and not result.stderr.rstrip().endswith("Error:")


# ---------------------------------------------------------------- init


def test_init_makes_a_project(tmp_path, run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init", "chan", "--user", "user_9", "--tz", "Europe/Paris")
    assert result.exit_code == 0, result
    from calcli.files.project import find_project

    project = find_project(tmp_path / "chan")
    assert (project.config.user, project.config.timezone) == ("user_9", "Europe/Paris")
    assert (tmp_path / "chan" / "calendars").is_dir()
    assert ".calcli/" in (tmp_path / "chan" / ".gitignore").read_text().splitlines()
    assert run("--project", "chan", "check").exit_code == 0


def test_init_on_an_existing_project_is_a_usage_error_and_changes_nothing(example_project, run):
    before = snapshot(example_project)
    result = run("init", "--user", "someone_else", "--tz", "Europe/Paris")
    assert result.exit_code == 2, result
    assert "already exists" in result.stderr
    assert snapshot(example_project) == before


def test_init_with_unknown_zone_exits_2_and_writes_nothing(tmp_path, run, monkeypatch):
    # A bad --tz is a bad flag value: usage, exit 2, in every command (issue 18; it was 3 here).
    monkeypatch.chdir(tmp_path)
    result = run("init", "--tz", "Mars/Base")
    assert result.exit_code == 2, result
    assert "Mars/Base" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_with_bad_user_id_exits_2_and_writes_nothing(tmp_path, run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init", "--user", "bad user")
    assert result.exit_code == 2, result
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- finding the project


@pytest.mark.parametrize("args", [("check",), ("db", "sync"), ("db", "info"), ("sql", "SELECT 1")])
def test_commands_outside_a_project_are_usage_errors(tmp_path, run, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2, result
    assert "no calcli project" in result.stderr
    assert result.stderr.startswith("Error: ")
    assert list(tmp_path.iterdir()) == []


def test_project_found_from_a_subfolder(example_project, run, monkeypatch):
    monkeypatch.chdir(example_project / "calendars")
    result = run("sql", "SELECT count(*) AS n FROM content_schedule_items", "--format", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout) == [{"n": 2}]


def test_project_flag_selects_the_project(example_project, run, monkeypatch, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    result = run(
        "--project", str(example_project), "sql", "SELECT count(*) AS n FROM content_schedule_items", "--format", "json"
    )
    assert result.exit_code == 0, result
    assert json.loads(result.stdout) == [{"n": 2}]
    assert (example_project / ".calcli" / "calcli.duckdb").exists()
    assert list(elsewhere.iterdir()) == []


def test_calcli_project_env_selects_the_project(example_project, run, monkeypatch, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("CALCLI_PROJECT", str(example_project))
    result = run("sql", "SELECT count(*) AS n FROM content_schedule_items", "--format", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout) == [{"n": 2}]


def test_project_flag_wins_over_the_env(example_project, run, monkeypatch, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("CALCLI_PROJECT", str(elsewhere))
    result = run("-p", str(example_project), "check")
    assert result.exit_code == 0, result
    assert "all valid" in result.stderr


def test_project_flag_without_a_project_is_a_usage_error(tmp_path, run):
    result = run("--project", str(tmp_path), "check")
    assert result.exit_code == 2, result
    assert "no calcli.toml" in result.stderr


# ---------------------------------------------------------------- output formats

QUERY = "SELECT 1 AS a, 'x' AS b"
TWO_ROWS = "SELECT * FROM (VALUES (1, 'x'), (2, 'y, \"z\"')) t(a, b) ORDER BY a"


def test_tsv(example_project, run):
    result = run("sql", QUERY, "--format", "tsv")
    assert result.exit_code == 0, result
    assert result.stdout == "a\tb\n1\tx\n"


def test_csv(example_project, run):
    result = run("sql", TWO_ROWS, "--format", "csv")
    assert result.exit_code == 0, result
    assert list(csv.reader(io.StringIO(result.stdout))) == [["a", "b"], ["1", "x"], ["2", 'y, "z"']]
    assert run("sql", QUERY, "--format", "csv").stdout == "a,b\n1,x\n"


def test_json_is_one_list_of_objects(example_project, run):
    result = run("sql", TWO_ROWS, "--format", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout) == [{"a": 1, "b": "x"}, {"a": 2, "b": 'y, "z"'}]
    assert json.loads(run("sql", QUERY, "--json").stdout) == [{"a": 1, "b": "x"}]


def test_json_of_an_empty_result_is_an_empty_list(example_project, run):
    result = run("sql", "SELECT 1 AS a WHERE false", "--format", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout) == []


def test_ndjson_is_one_object_per_line(example_project, run):
    result = run("sql", TWO_ROWS, "--format", "ndjson")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert [json.loads(ln) for ln in lines] == [{"a": 1, "b": "x"}, {"a": 2, "b": 'y, "z"'}]
    assert run("sql", QUERY, "--format", "ndjson").stdout == '{"a": 1, "b": "x"}\n'


def test_tsv_escapes_tabs_and_newlines(example_project, run):
    result = run("sql", "SELECT 'a' || chr(9) || 'b' || chr(10) || 'c' AS v", "--format", "tsv")
    assert result.stdout == "v\na\\tb\\nc\n"


def test_json_datetimes_carry_their_utc_offset(example_project, run):
    result = run("sql", "SELECT TIMESTAMPTZ '2026-07-01 16:00:00-04' AS t, DATE '2026-07-01' AS d", "--format", "json")
    assert result.exit_code == 0, result
    row = json.loads(result.stdout)[0]
    t = datetime.fromisoformat(row["t"])
    assert t.utcoffset() is not None, row
    assert t == datetime(2026, 7, 1, 20, tzinfo=UTC)
    assert row["d"] == "2026-07-01"


def test_db_info_json_parses(example_project, run):
    result = run("db", "info", "--format", "json")
    assert result.exit_code == 0, result
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and all(set(r) == {"table", "rows", "owner"} for r in rows)
    tables = {r["table"]: r for r in rows}
    assert tables["item_history"]["owner"] == "store"
    assert tables["content_schedule_items"]["owner"] == "files"


def test_piped_default_format_is_tsv(example_project, run_process):
    result = run_process("sql", QUERY, cwd=example_project)
    assert result.exit_code == 0, result
    assert result.stdout == "a\tb\n1\tx\n"
    assert "\x1b[" not in result.stdout + result.stderr


def test_in_process_default_format_is_tsv(example_project, run):
    assert run("sql", QUERY).stdout == "a\tb\n1\tx\n"


def test_table_format_prints_the_values(example_project, run):
    result = run("sql", QUERY, "--format", "table")
    assert result.exit_code == 0, result
    assert "a" in result.stdout and "x" in result.stdout
    assert "\x1b[" not in result.stdout


def test_data_on_stdout_messages_on_stderr(example_project, run):
    result = run("db", "sync")
    assert result.stdout == ""
    assert "Synced:" in result.stderr
    quiet = run("--quiet", "db", "sync")
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_a_run_builds_only_the_command_it_names():
    """Typer builds every registered command before running one; main() hands it only the one named
    (the whole app for help, completion and unknown words)."""
    from calcli.cli.app import _app_for, app

    light = _app_for(["-p", "somewhere", "--quiet", "analyze", "--format", "json"])
    assert [c.callback.__name__ for c in light.registered_commands] == ["analyze_cmd"]
    assert light.registered_groups == [] and len(app.registered_commands) >= 20
    assert [g.name for g in _app_for(["kpi", "import", "x.csv"]).registered_groups] == ["kpi"]
    for argv in (["--help"], [], ["nosuch"], ["-p", "analyze"]):
        assert _app_for(argv) is app, argv
