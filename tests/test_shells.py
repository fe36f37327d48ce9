"""Issue 18 §4: each shell's completion script, and the protocol it speaks, through real processes
(bash itself runs the bash script; zsh and fish are run where installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent  # the venv's bin: calcli is installed there


def calcli(*args, cwd=None, **env):
    full = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run([str(BIN / "calcli"), *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "shell, marker",
    [
        ("bash", "complete -o default -F _calcli_completion calcli"),
        ("zsh", "#compdef calcli"),
        ("fish", "complete --command calcli"),
    ],
)
def test_show_completion_prints_the_named_shells_script(shell, marker):
    r = calcli("--show-completion", shell)
    assert r.returncode == 0, r.stderr
    assert marker in r.stdout
    assert "_CALCLI_COMPLETE=complete_" + shell in r.stdout


def test_show_completion_without_a_shell_is_a_usage_error():
    r = calcli("--show-completion")
    assert r.returncode == 2
    assert r.stderr.strip().endswith("Error: Option '--show-completion' requires an argument.")
    assert calcli("--show-completion", "tcsh").returncode == 2


def test_bash_runs_the_bash_script_and_completes_item_ids(example_project):
    script = calcli("--show-completion", "bash").stdout
    program = (
        script
        + "\nCOMP_WORDS=(calcli item show it_teaser_); COMP_CWORD=3; _calcli_completion calcli"
        + '\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    r = subprocess.run(["bash", "--norc", "-c", program], cwd=example_project, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["it_teaser_yt", "it_teaser_tt"]
    assert subprocess.run(["bash", "-n", "-c", script]).returncode == 0


def test_fish_protocol_gives_each_item_with_its_help(example_project):
    env = {"_CALCLI_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "calcli item show it_teaser"}
    r = calcli(cwd=example_project, _TYPER_COMPLETE_FISH_ACTION="get-args", **env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "it_teaser_yt\tQ3 youtube 2026-07-01T16:00 posted",
        "it_teaser_tt\tQ3 tiktok 2026-07-01T18:00 scheduled",
    ]
    assert calcli(cwd=example_project, _TYPER_COMPLETE_FISH_ACTION="is-args", **env).returncode == 0


def test_many_matches_come_without_help(example_project, monkeypatch):
    from calcli.cli import completion

    monkeypatch.setattr(completion, "HELP_LIMIT", 1)
    monkeypatch.chdir(example_project)

    class Ctx:
        params: dict = {}
        parent = None

    assert completion.complete_item(Ctx(), "it_teaser_") == [("it_teaser_yt", ""), ("it_teaser_tt", "")]
    assert completion.complete_item(Ctx(), "it_teaser_y") == [("it_teaser_yt", "Q3 youtube 2026-07-01T16:00 posted")]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_parses_the_zsh_script():
    script = calcli("--show-completion", "zsh").stdout
    assert subprocess.run(["zsh", "-n", "-c", script]).returncode == 0


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_parses_the_fish_script():
    script = calcli("--show-completion", "fish").stdout
    assert subprocess.run(["fish", "--no-execute", "-c", script]).returncode == 0


def test_the_man_page_is_generated_from_the_current_help_texts_and_renders_cleanly():
    from calcli.cli import mangen

    root = Path(__file__).resolve().parent.parent
    page = (root / "docs" / "calcli.1").read_text(encoding="utf-8")
    assert page == mangen.render(), "docs/calcli.1 is out of date: run `make docs` and commit it"
    assert page.isascii()
    for needed in (".SS calcli item show", "CALCLI_FORMAT", ".SH EXIT STATUS", "\\fB\\-\\-columns\\fR"):
        assert needed in page, needed
    if shutil.which("groff"):
        r = subprocess.run(["groff", "-man", "-ww", "-z"], input=page, capture_output=True, text=True)
        assert (r.returncode, r.stderr) == (0, "")
