"""Issue 18: `calcli check | cat` prints its findings on stdout as TSV (piped output is TSV on every
data command); on a terminal, and with --format text (what the hooks say), the FILE:LINE lines on
stderr. The exit codes are the same in every form: 0 valid, 3 findings."""

from __future__ import annotations

import json

import pytest
from terminal import on_a_terminal

FINDING = "calendars/Q3.yaml:19:13: items.status: 'done' is not one of planned, scheduled, posted, failed, canceled"
HEADER = "path\tline\tcolumn\tmessage\n"


@pytest.fixture
def broken(example_project):
    calendar = example_project / "calendars" / "Q3.yaml"
    calendar.write_text(calendar.read_text().replace("status: posted", "status: done", 1))
    return example_project


def test_piped_check_prints_its_findings_as_tsv_on_stdout(broken, run_process):
    r = run_process("check", cwd=broken)
    assert (r.exit_code, r.stderr) == (3, "1 problem(s) in 3 file(s).\n")
    assert r.stdout == HEADER + "calendars/Q3.yaml\t19\t13\titems.status: 'done' is not one of planned, scheduled, " \
                                "posted, failed, canceled\n"  # fmt: skip


def test_piped_check_of_a_valid_project_prints_the_header_only(example_project, run_process):
    r = run_process("check", cwd=example_project)
    assert (r.exit_code, r.stdout, r.stderr) == (0, HEADER, "3 file(s) checked, all valid.\n")
    r = run_process("check", "--no-header", cwd=example_project)
    assert (r.exit_code, r.stdout) == (0, "")


def test_format_text_keeps_the_hook_form_when_piped(broken, run_process):
    r = run_process("check", "--format", "text", cwd=broken)
    assert (r.exit_code, r.stdout, r.stderr) == (3, "", FINDING + "\n1 problem(s) in 3 file(s).\n")


def test_on_a_terminal_check_prints_the_lines_on_stderr(broken):
    code, out, err = on_a_terminal(broken, "check", tty="stdout", no_color=True)
    assert (code, out) == (3, "")
    assert err == FINDING + "\n1 problem(s) in 3 file(s).\n"


def test_every_format_gives_the_same_exit_code(broken, run_process):
    for fmt in ("text", "table", "tsv", "csv", "json", "ndjson"):
        assert run_process("check", "--format", fmt, cwd=broken).exit_code == 3, fmt
    r = run_process("check", "--format", "csv", cwd=broken)
    assert r.stdout.splitlines()[0] == "path,line,column,message"
    doc = json.loads(run_process("check", "--json", cwd=broken).stdout)
    assert (doc["ok"], doc["files"], doc["findings"][0]["line"]) == (False, 3, 19)


def test_a_bad_format_is_a_usage_error(example_project, run_process):
    r = run_process("check", "--format", "yaml", cwd=example_project)
    assert r.exit_code == 2 and "'yaml' is not one of 'text', 'table', 'tsv', 'csv', 'json', 'ndjson'" in r.stderr
