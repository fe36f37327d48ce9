"""Issue 18 §2: plan, kpi import, db sync, db rebuild and optimize show a progress display on stderr
when it is a terminal (one helper, calcli.cli.progress), nothing when piped, with --quiet or with
NO_COLOR; the data stays on stdout, the exit code is the same."""

from __future__ import annotations

import pytest
from terminal import on_a_terminal

RUNS = {
    "plan": (["plan", "examples/bulk.json", "-c", "launch", "--dry-run", "--format", "tsv"], "Planning bulk.json", 0),
    "kpi import": (["kpi", "import", "examples/analytics/kpi.csv", "--dry-run"], "Importing kpi.csv", 5),
    "db sync": (["db", "sync"], "Syncing the store", 0),
    "db rebuild": (["db", "rebuild"], "Rebuilding the store", 0),
    "optimize": (["optimize", "-c", "Q3", "--format", "tsv"], "Optimizing", 0),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_long_command_shows_progress_on_a_terminal_only(example_project, name):
    args, label, code = RUNS[name]
    got, out, err = on_a_terminal(example_project, *args)
    assert got == code, err
    assert label in err and "\x1b[" in err, err
    assert "\x1b[" not in out and label not in out  # the data stays on stdout, plain
    piped = on_a_terminal(example_project, *args, tty=None)
    assert piped[0] == code and label not in piped[2] and "\x1b[" not in piped[2], piped[2]
    assert piped[1] == out  # the same data either way
    for quiet in (["--quiet", *args], args):
        got, _, err = on_a_terminal(example_project, *quiet, no_color=quiet is args)
        assert got == code and label not in err, err
