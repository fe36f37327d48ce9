"""The console script answers a Tab on an item id without the command tree (calcli.cli.fastcomplete):
what it prints must be, byte for byte and exit status too, what Typer's completion prints for the same
command line, in every shell, for the lines it takes and for those it leaves to Typer."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from calcli.cli import fastcomplete

OTHER = """\
calendar: THEIRS
user: someone_else
timezone: UTC
period: {start: "2026-07-01", end: "2026-07-31"}
items:
  - {id: it_theirs, key: m/t/youtube, video: t, platform: youtube, format: short, at: "2026-07-02T16:00:00+00:00"}
"""

LINES = [
    "calcli explain it_",
    "calcli item show it_",
    "calcli item move it_0",
    "calcli --quiet preview it_",
    "calcli assign it_zzz",
    "calcli --project {root} item status it_",
    "calcli --project={root} item cancel it_",
    "calcli --debug item log it_",
    # left to Typer: not an item id's place, an option after the command, another user, no it_ prefix
    "calcli item show --help it_",
    "calcli explain --user someone_else it_",
    "calcli calendar show it_",
    "calcli explain ",
    "calcli explain it_a it_",
]


def env_for(shell: str, line: str, action: str = "get-args") -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("_CALCLI", "_TYPER", "COMP_"))}
    if shell == "bash":
        words = line.split() + ([""] if line.endswith(" ") else [])
        return base | {"_CALCLI_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(words),
                       "COMP_CWORD": str(len(words) - 1)}  # fmt: skip
    extra = {"_TYPER_COMPLETE_FISH_ACTION": action} if shell == "fish" else {}
    return base | extra | {"_CALCLI_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}


def complete(argv: list[str], env: dict[str, str], cwd) -> tuple[int, str, str]:
    p = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def root(example_project):
    (example_project / "calendars" / "THEIRS.yaml").write_text(OTHER, encoding="utf-8")
    return example_project


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "fish is-args"])
def test_the_fast_answer_is_what_typer_prints(root, shell):
    taken = 0
    for template in LINES + ["calcli explain it_nothing"]:
        line = template.format(root=root)
        env = env_for(shell, line) if " " not in shell else env_for("fish", line, "is-args")
        fast = complete([sys.executable, "-m", "calcli"], env, root)
        typer_ = complete([sys.executable, "-c", "from calcli import cli; cli.app.main()"], env, root)
        assert fast == typer_, (shell, line)
        if fastcomplete.answer(env) is not None:
            taken += 1
            assert "it_theirs" not in fast[1], line  # the acting user's items only, as the commands
            assert fast[1].count("it_") >= (1 if line.endswith("it_") and shell != "fish is-args" else 0), fast
    assert taken == 9, taken  # the first eight lines and the last are answered here, the rest by Typer


def test_the_fast_path_imports_no_command_tree(root):
    env = env_for("zsh", "calcli explain it_")
    probe = (
        "import sys\nfrom calcli.cli import entry\nentry.leave = lambda code: None\nentry.main()\n"
        "print('LOADED', sorted(m for m in ('typer', 'click', 'rich', 'duckdb', 'yaml') if m in sys.modules))"
    )
    p = subprocess.run([sys.executable, "-c", probe], env=env, cwd=root, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("_arguments '*: :((") and p.stdout.rstrip().endswith("LOADED []"), p.stdout[-200:]
