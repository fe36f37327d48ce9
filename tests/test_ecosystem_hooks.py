"""The pre-commit hook (.pre-commit-hooks.yaml) and the generated command reference (docs/commands.md)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from calcli.cli.docgen import missing_help, render

ROOT = Path(__file__).resolve().parent.parent


def the_hook() -> dict:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["calcli-check"]
    return hooks[0]


def test_the_hook_runs_calcli_check_once_for_the_whole_project():
    hook = the_hook()
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False  # calcli check validates the project; extra files would be bulk/calendars
    entry = shlex.split(hook["entry"])
    # --format text: the FILE:LINE lines a hook shows (piped, check's default is TSV like every data command)
    assert entry == ["calcli", "check", "--format", "text"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts[entry[0]] == "calcli.cli.entry:main"  # the console script pre-commit installs


def test_the_hook_runs_when_a_file_calcli_reads_is_committed_and_not_otherwise():
    files = re.compile(the_hook()["files"])  # pre-commit matches with Python's re.search
    for path in (
        "calcli.toml",
        "preferences.yaml",
        "calendars/Q3.yaml",
        "timing_data/youtube.yaml",
        "timing_data/limits.yaml",
        "channel/calendars/Q3.yaml",
        "channel/calcli.toml",
    ):
        assert files.search(path), path
    for path in (
        "README.md",
        "examples/bulk.json",
        "calendars/notes.txt",
        "my_calcli.toml",
        "calendars/old/Q1.yaml",
        "tests/fixtures/preferences.yaml.bak",
    ):
        assert not files.search(path), path


def test_the_hook_entry_passes_on_the_example_project_and_stops_a_broken_calendar(run_process, example_project):
    command = shlex.split(the_hook()["entry"])[1:]  # run as `python -m calcli`: the same entry point
    ok = run_process(*command, cwd=example_project)
    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, "", "3 file(s) checked, all valid.\n")
    calendar = example_project / "calendars" / "Q3.yaml"
    calendar.write_text(calendar.read_text().replace("status: posted", "status: done", 1))
    broken = run_process(*command, cwd=example_project)
    assert (broken.exit_code, broken.stdout) == (3, "")
    assert broken.stderr == (
        "calendars/Q3.yaml:19:13: items.status: 'done' is not one of planned, scheduled, posted, failed, canceled\n"
        "1 problem(s) in 3 file(s).\n"
    )


def test_docs_commands_md_is_generated_from_the_current_commands():
    """Regenerated in a process with a narrow terminal and colour forced: the output may depend on neither."""
    env = {**os.environ, "COLUMNS": "37", "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    p = subprocess.run([sys.executable, "-m", "calcli.cli.docgen"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=60)  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "\x1b[" not in p.stdout
    current = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert p.stdout == current, "docs/commands.md is out of date: run `make docs` and commit it"


def test_the_reference_covers_every_command_and_option():
    text = render()
    for heading in ("## `calcli plan`", "## `calcli item show`", "## `calcli db sync`", "## `calcli schema`"):
        assert heading in text
    assert "| `ITEM_ID` | argument | The item id (it_…), as in the calendar file. |" in text
    assert "| `--calendar`, `-c` | TEXT, required | The calendar to plan into (calendars/NAME.yaml); made when" in text


def test_every_command_and_parameter_has_help_text():
    assert missing_help() == []


def test_a_command_or_option_without_help_is_reported():
    import typer.main

    tiny = typer.Typer()

    @tiny.command()
    def documented(name: str = typer.Argument(..., help="A name."), loud: bool = typer.Option(False, help="Shout.")):
        """Say hello."""

    @tiny.command()
    def bare(name: str = typer.Argument(...), count: int = typer.Option(1)):
        pass

    root = typer.main.get_command(tiny)
    assert missing_help(root) == ["calcli", "calcli bare", "calcli bare NAME", "calcli bare --count"]
