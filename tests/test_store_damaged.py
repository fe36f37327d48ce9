"""A damaged store file: every command says what happened and what to do, and `calcli db rebuild`
moves it aside, makes the store anew from the files and says which store-owned data it kept and lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

STORE = Path(".calcli") / "calcli.duckdb"
COPIED = [
    "item_history",
    "performance_kpi_events",
    "optimization_trials",
    "trial_assignments",
    "dispatch_attempts",
    "store_meta",
]


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".calcli" not in p.parts
    }


def counts(run) -> dict[str, int]:
    r = run("db", "info", "--format", "json")
    assert r.exit_code == 0, r
    return {row["table"]: row["rows"] for row in json.loads(r.stdout)}


@pytest.fixture
def synced(example_project, run):
    assert run("kpi", "import", "examples/analytics/kpi.csv", "--as-of", "2026-06-01T00:00:00Z").exit_code in (0, 5)
    assert run("db", "sync").exit_code == 0
    return example_project


def damaged_message(root: Path) -> str:
    return (
        f'Error: the store {STORE} is damaged and cannot be read (IO Error: The file "{root / STORE}" exists, but '
        "it is not a valid DuckDB database file!). Run `calcli db rebuild`: it moves the file aside, makes the store "
        "anew from your files and says which store-only data (history, KPI events, trials, dispatch attempts) it "
        "could not keep.\n"
    )


@pytest.mark.parametrize("args", [("agenda",), ("sql", "SELECT 1"), ("db", "sync"), ("analyze",), ("db", "info")])
def test_a_garbage_store_says_what_happened_and_what_to_do(synced, run, args):
    (synced / STORE).write_bytes(b"this is no database" * 100)
    before = files(synced)
    r = run(*args)
    assert (r.exit_code, r.stdout) == (1, ""), r
    assert r.stderr == damaged_message(synced.resolve())
    assert files(synced) == before
    assert (synced / STORE).read_bytes() == b"this is no database" * 100


def test_rebuild_moves_a_garbage_store_aside_and_names_everything_it_lost(synced, run):
    mirror = {t: n for t, n in counts(run).items() if t in ("content_schedule_items", "content_calendars")}
    (synced / STORE).write_bytes(b"\0garbage" * 1000)
    before = files(synced)
    r = run("db", "rebuild")
    assert r.exit_code == 5, r
    moved = ".calcli/calcli.duckdb.damaged-20260615T120000Z"
    lines = r.stderr.splitlines()
    assert lines[0].startswith(f"Warning: the store {STORE} is damaged and cannot be read (")
    assert lines[1] == f"Moved the damaged store to {moved}; made a new one from 3 file(s)."
    assert lines[2:-1] == [
        "Error: lost item_history (the audit trail of item changes): the damaged file cannot be opened at all",
        "Error: lost performance_kpi_events (imported KPI snapshots): the damaged file cannot be opened at all",
        "Error: lost optimization_trials (A/B trials): the damaged file cannot be opened at all",
        "Error: lost trial_assignments (the trials' arm assignments): the damaged file cannot be opened at all",
        "Error: lost dispatch_attempts (dispatch attempts): the damaged file cannot be opened at all",
        "Error: lost store_meta (the claim journal's position and small settings): the damaged file cannot be "
        "opened at all",
    ]
    assert lines[-1].startswith("The files (calendars, preferences, timing data) are whole.")
    assert (synced / moved).read_bytes() == b"\0garbage" * 1000
    assert files(synced) == before
    after = counts(run)
    assert {t: after[t] for t in mirror} == mirror
    assert after["performance_kpi_events"] == 0
    assert run("agenda").exit_code == 0
    assert run("db", "rebuild").stderr == "Rebuilt from 3 file(s); KPI events, trials and history kept.\n"


def test_rebuild_of_a_truncated_store_keeps_each_table_it_can_still_read(synced, run):
    before = counts(run)
    store = synced / STORE
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 2])
    r = run("agenda")
    assert r.exit_code == 1 and "is damaged and cannot be read (IO Error: Could not read enough bytes" in r.stderr, r
    r = run("db", "rebuild")
    assert r.exit_code in (0, 5), r
    kept = dict(
        line.split(" ")
        for line in (
            r.stderr.split("Kept from the damaged file (rows): ", 1)[1].split(".\n", 1)[0].split(", ")
            if "Kept from" in r.stderr
            else []
        )
    )
    lost = [line.split(" ")[2] for line in r.stderr.splitlines() if line.startswith("Error: lost ")]
    assert sorted([*kept, *lost]) == sorted(COPIED)
    after = counts(run)
    for table, n in kept.items():
        assert after[table] == before[table] == int(n), table
    for table in lost:
        assert after[table] == 0
    assert after["content_schedule_items"] == before["content_schedule_items"]


def test_a_readable_store_is_rebuilt_in_place_as_before(synced, run):
    before = counts(run)
    r = run("db", "rebuild")
    assert (r.exit_code, r.stderr) == (0, "Rebuilt from 3 file(s); KPI events, trials and history kept.\n")
    assert counts(run) == before
    assert sorted(p.name for p in (synced / ".calcli").iterdir() if "damaged" in p.name) == []


def _set_version(root: Path, version: int) -> None:
    import duckdb

    con = duckdb.connect(str(root / STORE))
    con.execute("INSERT INTO schema_meta VALUES (?, 'x', now())", [version])
    con.close()


def test_a_store_from_a_newer_calcli_says_so_in_one_line_and_rebuild_starts_anew(synced, run):
    from calcli.store.duckdb.schema import LATEST

    _set_version(synced, 999)
    r = run("agenda")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (
        f"Error: the store {STORE} was written by a newer calcli (schema version 999; this calcli knows up to "
        f"{LATEST}). Upgrade calcli to use it, or run `calcli db rebuild`: it moves the file aside and makes the "
        "store anew from your files for this version.\n"
    )
    rebuilt = run("db", "rebuild")
    assert rebuilt.exit_code == 5 and "Moved the damaged store to .calcli/calcli.duckdb.damaged-" in rebuilt.stderr
    assert run("agenda").exit_code == 0


def test_a_store_held_by_another_program_is_busy_in_one_line(synced, run, monkeypatch):
    import subprocess
    import sys

    monkeypatch.setenv("CALCLI_LOCK_TIMEOUT", "0.5")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time; c = duckdb.connect({str(synced / STORE)!r}); "
            "print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        r = run("agenda")
    finally:
        holder.kill()
        holder.wait()
    assert r.exit_code == 4, r
    assert r.stderr == (
        f"Error: the store {(synced / STORE).resolve()} is held by another program for more than 0.5 s; nothing was "
        "written. Close the other program (a duckdb shell?) and try again.\n"
    )
