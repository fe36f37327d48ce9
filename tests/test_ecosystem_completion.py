"""Shell completion through the protocol the installed scripts use: calcli run as a process with
_CALCLI_COMPLETE=complete_bash (COMP_WORDS, COMP_CWORD) or complete_zsh (_TYPER_COMPLETE_ARGS)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from calcli.core.model import PLATFORM_IDS
from calcli.files.calendar import load_calendar

OTHER_USER_CALENDAR = """\
calendar: THEIRS
user: someone_else
title: "Someone else's plan"
timezone: UTC
period: {start: "2026-07-01", end: "2026-07-31"}
blackouts:
  - {id: not_an_item, start: "2026-07-04", end: "2026-07-04"}
items:
  - {id: it_theirs, key: m/t/youtube, video: t, platform: youtube, format: short, at: "2026-07-02T16:00:00+00:00"}
"""


@pytest.fixture
def bash(example_project, monkeypatch, capsys):
    """Complete the command line ``line`` (ending with a space to complete a new word) as bash does.

    In-process for speed (the same environment protocol and code path as a process; the tests below
    that need a real process use one)."""
    from calcli.cli.app import main

    def _complete(line: str, cwd=None, **env) -> list[str]:
        words = shlex.split(line) + ([""] if line.endswith(" ") else [])
        env = {"_CALCLI_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(words), "COMP_CWORD": str(len(words) - 1),
               **env}  # fmt: skip
        with monkeypatch.context() as m:
            m.chdir(cwd or example_project)
            for k, v in env.items():
                m.setenv(k, v)
            capsys.readouterr()
            with pytest.raises(SystemExit) as stop:
                main([])
        out = capsys.readouterr()
        assert (stop.value.code, out.err) == (0, "")
        return [line for line in out.out.splitlines() if line]

    return _complete


def example_item_ids(example_project) -> list[str]:
    return [i.id for i in load_calendar(example_project / "calendars" / "Q3.yaml").calendar.items]


def test_item_ids_are_offered_for_explain_and_item_commands(bash, example_project):
    ids = example_item_ids(example_project)
    assert len(ids) >= 2
    assert bash("calcli explain ") == ids
    assert bash("calcli item show it_teaser_") == [i for i in ids if i.startswith("it_teaser_")]
    assert bash("calcli item status ") == ids
    assert bash("calcli item status it_teaser_yt ") == ["planned", "scheduled", "posted", "failed", "canceled"]


def test_item_ids_follow_the_acting_user_like_the_commands_do(bash, example_project):
    (example_project / "calendars" / "THEIRS.yaml").write_text(OTHER_USER_CALENDAR)
    ids = example_item_ids(example_project)
    assert bash("calcli item show ") == ids  # the project's user: not someone else's, not a blackout id
    assert bash("calcli item show --all-users ") == [*ids, "it_theirs"]
    assert bash("calcli item show --user someone_else ") == ["it_theirs"]


def test_calendar_names_come_from_the_calendar_files(bash, example_project):
    assert bash("calcli plan examples/bulk.json --calendar ") == ["Q3"]
    assert bash("calcli calendar show ") == ["Q3"]
    (example_project / "calendars" / "Q4.yaml").write_text(
        (example_project / "calendars" / "Q3.yaml").read_text().replace("calendar: Q3", "calendar: Q4")
    )
    assert bash("calcli agenda -c ") == ["Q3", "Q4"]
    assert bash("calcli blackout add --calendar Q4") == ["Q4"]


def test_calendar_names_are_found_through_project_from_another_folder(bash, example_project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    assert bash("calcli calendar show ", cwd=elsewhere) == []
    assert bash(f"calcli --project {example_project} calendar show ", cwd=elsewhere) == ["Q3"]
    assert bash("calcli calendar show ", cwd=elsewhere, CALCLI_PROJECT=str(example_project)) == ["Q3"]


def test_platforms_formats_users_and_schema_names(bash, example_project):
    assert bash("calcli agenda --platform ") == [*PLATFORM_IDS, "twitter"]
    assert bash("calcli item add --platform t") == ["tiktok", "twitter"]
    assert bash("calcli item add --platform youtube --post-format ") == ["short", "long"]
    (example_project / "calendars" / "THEIRS.yaml").write_text(OTHER_USER_CALENDAR)
    assert bash("calcli approve --user ") == ["user_123", "someone_else"]
    assert bash("calcli schema k") == ["kpi-layouts"]


def test_zsh_gets_each_item_with_its_calendar_platform_time_and_status(run_process, example_project):
    result = run_process(
        cwd=example_project,
        env={"_CALCLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "calcli item show it_teaser"},
    )
    assert result.exit_code == 0
    assert result.stdout == (
        '_arguments \'*: :(("it_teaser_yt":"Q3 youtube 2026-07-01T16\\\\:00 posted"\n'
        '"it_teaser_tt":"Q3 tiktok 2026-07-01T18\\\\:00 scheduled"))\'\n'
    )


def test_the_installed_bash_script_speaks_the_protocol_tested_here(run_process, example_project):
    result = run_process(
        "--show-completion", "bash", cwd=example_project, env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    )
    assert result.exit_code == 0
    assert "_CALCLI_COMPLETE=complete_bash" in result.stdout
    assert "complete -o default -F _calcli_completion calcli" in result.stdout


def test_completion_in_a_project_process_reads_no_yaml_and_opens_no_store(example_project):
    """A Tab press must stay fast: no PyYAML, no DuckDB, no planner, however big the calendars."""
    probe = (  # calcli leaves through os._exit (calcli.cli.entry.leave): the probe runs there
        "import os, sys\n"
        "leave = os._exit\n"
        "os._exit = lambda code: (print(sorted(m for m in"
        " ('yaml', 'duckdb', 'calcli.planning.solver', 'calcli.files.calendar')"
        " if m in sys.modules), file=sys.stderr), sys.stderr.flush(), leave(code))\n"
        "from calcli.cli.entry import main\n"
        "main()\n"
    )
    env = {"_CALCLI_COMPLETE": "complete_bash", "COMP_WORDS": "calcli explain ", "COMP_CWORD": "2"}
    p = subprocess.run([sys.executable, "-c", probe], cwd=example_project, env={**os.environ, **env},
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert p.returncode == 0
    assert p.stdout.splitlines() == example_item_ids(example_project)
    assert p.stderr == "[]\n"


def test_version_still_answers_with_completion_on(run):
    assert run("--version").stdout == "calcli 0.1.0\n"
    assert run("--help").exit_code == 0
    assert "--install-completion" in run("--help").stdout


def test_platforms_and_item_ids_on_the_other_commands(bash, example_project):
    ids = example_item_ids(example_project)
    assert set(bash("calcli platforms ")) >= set(PLATFORM_IDS)
    assert set(bash("calcli preview ")) == set(ids)
    for line in ("calcli due --platform ", "calcli analyze --platform ", "calcli export --platform "):
        assert set(bash(line)) >= set(PLATFORM_IDS), line
