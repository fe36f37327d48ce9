"""`calcli check` on bad input: exact file:line(:column) messages, every finding, nothing written.

Each case edits one file of the example project, runs `calcli check`, and proves
(1) the message names the file, the line (and column and field where there is
one) and says what is wrong, (2) no file of the project changed, byte for byte,
and (3) the exit status is 3 (invalid input).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

FIX = Path(__file__).resolve().parent / "fixtures" / "foundation"
CAL = "calendars/Q3.yaml"



def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes (to prove that nothing was written)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# ---------------------------------------------------------------- the bad-input cases
# Each case: (how to break the project, substrings that must appear in stderr).
# Line numbers refer to the example calendar calendars/Q3.yaml:
#   5 timezone, 6 period, 9 blackout july4, 13 first item (it_teaser_yt):
#   15 video, 16 platform, 20 score, 21 title; 22 second item (it_teaser_tt).


def _malformed_yaml(root: Path) -> None:
    edit(root / CAL, "    platform: youtube\n", "    platform: youtube: extra\n")


def _wrong_type(root: Path) -> None:
    edit(root / CAL, "    score: 1.0\n", "    score: high\n")


def _unknown_platform(root: Path) -> None:
    edit(root / CAL, "    platform: youtube\n", "    platform: myspace\n")


def _invalid_zone(root: Path) -> None:
    edit(root / CAL, "timezone: America/New_York\n", "timezone: Mars/Base\n")


def _reversed_period(root: Path) -> None:
    edit(
        root / CAL,
        'period: {start: "2026-07-01", end: "2026-09-30"}',
        'period: {start: "2026-09-30", end: "2026-07-01"}',
    )


def _reversed_blackout(root: Path) -> None:
    edit(root / CAL, 'start: "2026-07-04", end: "2026-07-04"', 'start: "2026-07-05", end: "2026-07-04"')


def _duplicate_item_id(root: Path) -> None:
    edit(root / CAL, "  - id: it_teaser_tt\n", "  - id: it_teaser_yt\n")


def _duplicate_key(root: Path) -> None:
    edit(
        root / CAL,
        "    video: teaser\n    platform: youtube\n",
        "    video: teaser\n    video: teaser2\n    platform: youtube\n",
    )


def _empty_file(root: Path) -> None:
    (root / CAL).write_bytes(b"")


def _binary_file(root: Path) -> None:
    (root / CAL).write_bytes(b"calendar: Q3\n\x00\x01\x02binary\xff\n")


def _title_no(root: Path) -> None:
    edit(root / CAL, '    title: "Summer series teaser"\n    assignee', "    title: no\n    assignee")


def _video_date(root: Path) -> None:
    edit(root / CAL, "    video: teaser\n    platform: youtube\n", "    video: 2026-07-01\n    platform: youtube\n")


def _timing_unquoted_time(root: Path) -> None:
    (root / "timing_data").mkdir()
    shutil.copy(FIX / "timing_youtube_unquoted_time.yaml", root / "timing_data" / "youtube.yaml")


def _bad_preferences(root: Path) -> None:
    edit(root / "preferences.yaml", "      min_spacing: 4h\n", "      min_spacing: soon\n")


CASES = {
    "malformed-yaml": (_malformed_yaml, [f"{CAL}:16:22: invalid YAML:", "mapping values are not allowed"]),
    "wrong-type": (_wrong_type, [f"{CAL}:20:12: items.score:", "expected a number", "'high'"]),
    "unknown-platform": (
        _unknown_platform,
        [f"{CAL}:16:15: items.platform:", "unknown platform 'myspace'", "known: youtube"],
    ),
    "invalid-time-zone": (_invalid_zone, [f"{CAL}:5:11: timezone:", "unknown time zone 'Mars/Base'"]),
    "reversed-period": (
        _reversed_period,
        [f"{CAL}:6:36: period.end:", "period ends (2026-07-01) before it starts (2026-09-30)"],
    ),
    "reversed-blackout": (
        _reversed_blackout,
        [f"{CAL}:9:43: blackouts.end:", "blackout ends (2026-07-04) before it starts (2026-07-05)"],
    ),
    "duplicate-item-id": (_duplicate_item_id, [f"{CAL}:22:", "duplicate item id 'it_teaser_yt'", "first at line 13"]),
    "duplicate-key": (_duplicate_key, [f"{CAL}:16:5:", "duplicate key 'video'", "first at line 15"]),
    "empty-file": (_empty_file, [f"{CAL}: file is empty"]),
    "binary-file": (_binary_file, [f"{CAL}: binary file", "NUL"]),
    "yaml11-no-is-false": (_title_no, [f"{CAL}:30:12: items.title:", "no was read as false", 'quote it: "no"']),
    "yaml11-unquoted-date": (
        _video_date,
        [f"{CAL}:15:12: items.video:", "2026-07-01 was read as a date", '"2026-07-01"'],
    ),
    "yaml11-sexagesimal-time": (
        _timing_unquoted_time,
        [
            "timing_data/youtube.yaml:6:30: formats.short.windows.start:",
            "12:30 was read as the number 750",
            'quote it: "12:30"',
        ],
    ),
    "bad-preferences": (
        _bad_preferences,
        ["preferences.yaml:7:20: users.user_123.defaults.min_spacing:", "invalid duration: 'soon'"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_check_reports_bad_input_with_file_line_and_writes_nothing(example_project, run, case):
    breaker, expected = CASES[case]
    breaker(example_project)
    before = snapshot(example_project)

    result = run("check", "--format", "text")

    for text in expected:
        assert text in result.stderr, (text, result)
    assert "problem(s)" in result.stderr
    assert "all valid" not in result.stderr
    assert snapshot(example_project) == before, "calcli check changed a file"
    assert not (example_project / ".calcli").exists(), "calcli check created the store"


@pytest.mark.parametrize("case", list(CASES))
def test_check_exits_3_on_bad_input(example_project, run, case):
    CASES[case][0](example_project)
    result = run("check", "--format", "text")
    assert "problem(s)" in result.stderr
    assert result.exit_code == 3, result


def test_check_exits_3_as_a_real_process(example_project, run_process):
    _wrong_type(example_project)
    result = run_process("check", "--format", "text", cwd=example_project)
    assert f"{CAL}:20:12" in result.stderr
    assert result.exit_code == 3, result


def test_check_json_reports_findings_and_exits_3(example_project, run):
    import json

    _wrong_type(example_project)
    result = run("check", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["ok"] is False
    assert doc["findings"] == [
        {"path": CAL, "line": 20, "column": 12, "message": "items.score: expected a number, found the text 'high'"}
    ]
    assert result.exit_code == 3


def test_check_json_lists_the_finding(example_project, run):
    import json

    _wrong_type(example_project)
    doc = json.loads(run("check", "--format", "json").stdout)
    assert doc["ok"] is False
    assert doc["findings"] == [
        {"path": CAL, "line": 20, "column": 12, "message": "items.score: expected a number, found the text 'high'"}
    ]


# ---------------------------------------------------------------- a tag never constructs anything


def test_python_tag_is_refused_and_nothing_executes(example_project, run, monkeypatch, tmp_path_factory):
    marker = tmp_path_factory.mktemp("pwn") / "pwned"
    calls = []
    monkeypatch.setattr(os, "system", lambda cmd: calls.append(cmd) or 0)
    edit(
        example_project / CAL,
        '    title: "Summer series teaser"\n    assignee',
        f'    title: !!python/object/apply:os.system ["touch {marker}"]\n    assignee',
    )
    before = snapshot(example_project)

    result = run("check", "--format", "text")

    assert f"{CAL}:30:12:" in result.stderr
    assert "python/object/apply:os.system" in result.stderr and "not allowed" in result.stderr
    assert calls == [], "os.system was called while reading a calendar"
    assert not marker.exists()
    assert snapshot(example_project) == before


def test_python_tag_in_a_real_process_executes_nothing(example_project, run_process, tmp_path_factory):
    marker = tmp_path_factory.mktemp("pwn") / "pwned"
    edit(
        example_project / CAL,
        '    title: "Summer series teaser"\n    assignee',
        f'    title: !!python/object/apply:os.system ["touch {marker}"]\n    assignee',
    )
    for args in (("check", "--format", "text"), ("db", "sync")):
        result = run_process(*args, cwd=example_project)
        assert "not allowed" in result.stderr, result
        assert not marker.exists(), f"`calcli {' '.join(args)}` ran os.system"


def test_db_sync_refuses_a_bad_calendar_with_exit_3(example_project, run):
    """Commands other than `check` raise InvalidInput, which does map to exit 3."""
    _wrong_type(example_project)
    result = run("db", "sync")
    assert result.exit_code == 3, result
    assert result.stderr.startswith("Error: ")
    assert f"{CAL}:20:12: items.score: expected a number" in result.stderr


# ---------------------------------------------------------------- every finding of a file


def test_check_lists_every_finding_of_a_file(example_project, run):
    _wrong_type(example_project)  # line 20
    edit(example_project / CAL, "    platform: tiktok\n", "    platform: myspace\n")  # line 25
    result = run("check", "--format", "text")
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith(CAL)]
    assert len(lines) == 2, result
    assert lines[0].startswith(f"{CAL}:20:12: items.score:")
    assert lines[1].startswith(f"{CAL}:25:15: items.platform: unknown platform 'myspace'")
    assert "2 problem(s)" in result.stderr


def test_check_lists_findings_of_every_file(example_project, run):
    _wrong_type(example_project)
    _bad_preferences(example_project)
    result = run("check", "--format", "text")
    assert f"{CAL}:20:12:" in result.stderr
    assert "preferences.yaml:7:20:" in result.stderr
    assert "2 problem(s)" in result.stderr


def test_two_findings_in_one_item_are_both_reported(example_project, run):
    edit(
        example_project / CAL,
        "    platform: youtube\n    format: short\n",
        "    platform: myspace\n    format: [short]\n",
    )
    result = run("check", "--format", "text")
    assert f"{CAL}:16:15: items.platform: unknown platform 'myspace'" in result.stderr
    assert f"{CAL}:17:13: items.format:" in result.stderr


def test_clean_example_project_is_all_valid(example_project, run):
    before = snapshot(example_project)
    result = run("check", "--format", "text")
    assert result.exit_code == 0, result
    assert "all valid" in result.stderr
    assert snapshot(example_project) == before


def test_clean_example_bulk_job_is_valid(example_project, run):
    result = run("check", "--format", "text", "examples/bulk.json")
    assert result.exit_code == 0, result
    assert "4 file(s) checked, all valid" in result.stderr


# ---------------------------------------------------------------- calcli.toml


def test_malformed_toml_exits_3_with_its_line(example_project, run):
    shutil.copy(FIX / "calcli_malformed.toml", example_project / "calcli.toml")
    before = snapshot(example_project)
    result = run("check", "--format", "text")
    assert result.exit_code == 3, result
    assert "calcli.toml:3:" in result.stderr
    assert "invalid TOML" in result.stderr
    assert result.stderr.startswith("Error: ")
    assert snapshot(example_project) == before


def test_invalid_toml_value_exits_3_with_key_and_line(example_project, run):
    shutil.copy(FIX / "calcli_bad_slot.toml", example_project / "calcli.toml")
    result = run("check", "--format", "text")
    assert result.exit_code == 3, result
    assert "calcli.toml:6: slot_minutes: must be one of 5, 10, 15, 20, 30, 60" in result.stderr


# ---------------------------------------------------------------- bulk.json as an extra file


def _bulk(root: Path, name: str) -> str:
    shutil.copy(FIX / name, root / "examples" / name)
    return f"examples/{name}"


def test_bulk_json_syntax_error_names_line_and_column(example_project, run):
    rel = _bulk(example_project, "bulk_syntax_error.json")
    before = snapshot(example_project)
    result = run("check", "--format", "text", rel)
    assert f"{rel}:4:31: invalid JSON: Expecting property name" in result.stderr, result
    assert snapshot(example_project) == before


def test_bulk_json_unknown_platform_and_bad_status_name_their_lines(example_project, run):
    rel = _bulk(example_project, "bulk_bad_values.json")
    before = snapshot(example_project)
    result = run("check", "--format", "text", rel)
    assert f"{rel}:6: videos[0].platforms: unknown platform 'myspace'" in result.stderr, result
    assert f"{rel}:8: videos[1].status: 'done' is not one of pending, processing, completed" in result.stderr
    assert "2 problem(s)" in result.stderr
    assert snapshot(example_project) == before


def test_bulk_json_findings_exit_3(example_project, run):
    rel = _bulk(example_project, "bulk_bad_values.json")
    assert run("check", "--format", "text", rel).exit_code == 3


def test_bulk_json_with_escaped_emoji_keeps_line_numbers(example_project, run):
    rel = _bulk(example_project, "bulk_surrogate_escape.json")
    result = run("check", "--format", "text", rel)
    assert "videos[0].status: 'done' is not one of" in result.stderr, result
    assert f"{rel}:8: videos[0].status" in result.stderr, result


def test_missing_extra_file_is_a_finding(example_project, run):
    result = run("check", "--format", "text", "examples/nope.json")
    assert "examples/nope.json: file not found" in result.stderr
