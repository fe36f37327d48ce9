"""Round trips: export, import into the same calendar → "0 new, N already there"; edit one row → one update.

Runs on a copy of tests/fixtures/ops/Q3.yaml (user_123, America/New_York, July 2026; "now" is 2026-06-15)
for csv, ics, a vdir, Hootsuite and Buffer. A changed time goes through `item move`'s rules.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

OPS = Path(__file__).parent / "fixtures" / "ops"


@pytest.fixture
def q3(project):
    shutil.copy(OPS / "Q3.yaml", project / "calendars" / "Q3.yaml")
    return project


def _items(project, name="Q3"):
    from calcli.files.project import find_project
    from calcli.operations.session import session

    with session(find_project(project)) as s:
        return {i.id: i for i in s.store.items(calendar=name)}


def _history(project, item_id):
    from calcli.files.project import find_project
    from calcli.operations.session import session

    with session(find_project(project)) as s:
        rows = s.store.query(
            "SELECT action, field, old_value, new_value FROM item_history WHERE item_id = ? ORDER BY 1, 2",
            [item_id],
        )[1]
    return [tuple(r) for r in rows if r[0] != "created"]


EXPORTS = {  # format -> (export args, import args, rows in the file)
    "csv": (["-f", "csv"], ["--from", "csv"], 11),
    "ics": (["-f", "ics"], ["--from", "ics"], 11),
    "vdir": (["-f", "vdir"], ["--from", "ics"], 11),  # a folder, one .ics per item: imported as one source
    "hootsuite": (["-f", "hootsuite", "--platform", "x"], ["--from", "hootsuite", "--platform", "x"], 2),
    "buffer": (["-f", "buffer", "--platform", "x"], ["--from", "buffer", "--platform", "x"], 2),
}


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_reimport_into_the_same_calendar_finds_every_item(q3, run, fmt):
    exp, imp, n = EXPORTS[fmt]
    out = q3 / f"q3.{fmt}"
    assert run("export", *exp, "-c", "Q3", "-o", f"{out}/" if fmt == "vdir" else str(out)).exit_code == 0
    before = (q3 / "calendars" / "Q3.yaml").read_bytes()
    r = run("import", str(out), *imp, "-c", "Q3", "-f", "csv")
    assert r.exit_code == 0, r
    assert r.stderr == f"Imported into calendars/Q3.yaml: 0 new, {n} already there.\n"
    assert r.stdout == "line,id,platform,format,scheduled_at,title,change\n"
    assert (q3 / "calendars" / "Q3.yaml").read_bytes() == before
    dry = run("import", str(out), *imp, "-c", "Q3", "--dry-run")
    assert dry.stderr.splitlines()[0] == f"Would import into calendars/Q3.yaml: 0 new, {n} already there."
    assert run("check").exit_code == 0


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (old, text)
    path.write_text(text.replace(old, new), encoding="utf-8")


# format -> (the text edited in the exported file, the item, the field it changes, its new value)
TEXT_EDITS = {
    "csv": ("Video five", "Video 5", "it_x5", "title", "Video 5"),
    "ics": ("X-CALCLI-TITLE;VALUE=TEXT:Video five", "X-CALCLI-TITLE;VALUE=TEXT:Video 5", "it_x5", "title", "Video 5"),
    "vdir": ("X-CALCLI-TITLE;VALUE=TEXT:Video five", "X-CALCLI-TITLE;VALUE=TEXT:Video 5", "it_x5", "title", "Video 5"),
    "hootsuite": ("Video five,", "Video 5,", "it_x5", "title", "Video 5"),
    "buffer": ("Video five,", "Video 5,", "it_x5", "title", "Video 5"),
}


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_one_edited_row_is_one_update(q3, run, fmt):
    exp, imp, n = EXPORTS[fmt]
    old, new, item_id, field, value = TEXT_EDITS[fmt]
    out = q3 / f"q3.{fmt}"
    assert run("export", *exp, "-c", "Q3", "-o", f"{out}/" if fmt == "vdir" else str(out)).exit_code == 0
    _edit(out / f"{item_id}@calcli.ics" if fmt == "vdir" else out, old, new)
    r = run("import", str(out), *imp, "-c", "Q3", "-f", "csv")
    assert r.exit_code == 0, r
    assert r.stderr == f"Imported into calendars/Q3.yaml: 0 new, {n - 1} already there, 1 updated.\n"
    assert r.stdout.splitlines()[1].split(",")[1:] == [
        item_id,
        "x",
        "video",
        "2026-07-09T09:00:00-04:00",
        value,
        "updated",
    ]
    items = _items(q3)
    assert getattr(items[item_id], field) == value and len(items) == 11
    assert _history(q3, item_id) == [("edited", field, "Video five", value)]
    again = run("import", str(out), *imp, "-c", "Q3")
    assert again.stderr == f"Imported into calendars/Q3.yaml: 0 new, {n} already there.\n"
    assert run("check").exit_code == 0


MOVES = {  # format -> the exported time of it_yt4 and the edited one (2026-07-13 16:00 -> 07-14 15:30, legal)
    "csv": ("2026-07-13T16:00:00-04:00", "2026-07-14T15:30:00-04:00"),
    "ics": ("DTSTART;TZID=America/New_York:20260713T160000", "DTSTART;TZID=America/New_York:20260714T153000"),
}


@pytest.mark.parametrize("fmt", list(MOVES))
def test_an_edited_time_moves_the_item_by_item_moves_rules(q3, run, fmt):
    exp, imp, n = EXPORTS[fmt]
    old, new = MOVES[fmt]
    out = q3 / f"q3.{fmt}"
    assert run("export", *exp, "-c", "Q3", "-o", str(out)).exit_code == 0
    _edit(out, old, new)
    r = run("import", str(out), *imp, "-c", "Q3")
    assert r.exit_code == 0, r
    assert r.stderr == "Imported into calendars/Q3.yaml: 0 new, 10 already there, 1 updated.\n"
    assert _items(q3)["it_yt4"].scheduled_at.isoformat() == "2026-07-14T15:30:00-04:00"
    assert _history(q3, "it_yt4") == [("moved", "at", "2026-07-13T16:00:00-04:00", "2026-07-14T15:30:00-04:00")]
    # 03:30 is outside every YouTube window: refused as `item move` refuses it, the row skipped
    _edit(out, new, new.replace("15:30", "03:30").replace("T153000", "T033000"))
    before = (q3 / "calendars" / "Q3.yaml").read_bytes()
    r = run("import", str(out), *imp, "-c", "Q3")
    assert r.exit_code == 5, r
    (error,) = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert "item it_yt4 is not moved to 2026-07-14T03:30:00-04:00: outside every youtube short timing window" in error
    assert "`calcli item move it_yt4 --to 2026-07-14T03:30:00-04:00 --force` records an override" in error
    assert r.stderr.splitlines()[-1] == "Imported into calendars/Q3.yaml: 0 new, 10 already there; 1 skipped."
    assert (q3 / "calendars" / "Q3.yaml").read_bytes() == before


def test_hootsuite_link_survives_both_ways(q3, run):
    (q3 / "hs.csv").write_text("07/20/2026 09:00,Linked post,https://example.com/a\n", encoding="utf-8")
    r = run("import", "hs.csv", "--from", "hootsuite", "--platform", "x", "-c", "Q3")
    assert r.exit_code == 0, r
    out = q3 / "back.csv"
    assert run("export", "-f", "hootsuite", "-c", "Q3", "--platform", "x", "-o", str(out)).exit_code == 0
    assert "07/20/2026 09:00,Linked post,https://example.com/a" in out.read_text().splitlines()
    _edit(out, "https://example.com/a", "https://example.com/b")
    r = run("import", str(out), "--from", "hootsuite", "--platform", "x", "-c", "Q3")
    assert r.stderr == "Imported into calendars/Q3.yaml: 0 new, 2 already there, 1 updated.\n"
    (linked,) = [i for i in _items(q3).values() if i.title == "Linked post"]
    assert linked.notes == "link: https://example.com/b"


def test_a_folder_is_read_only_as_a_vdir_and_a_bad_file_in_it_is_named(q3, run):
    out = q3 / "q3.vdir"
    assert run("export", "-f", "vdir", "-c", "Q3", "-o", f"{out}/").exit_code == 0
    before = (q3 / "calendars" / "Q3.yaml").read_bytes()
    r = run("import", str(out), "--from", "csv", "-c", "Q3")
    assert r.exit_code == 3 and r.stdout == ""  # a bad file is data (3), as everywhere
    assert r.stderr == "Error: q3.vdir:1:1: a folder: only a vdir of .ics files (--from ics) is read as one\n"
    (out / "zz-broken.ics").write_text("this is no calendar\n", encoding="utf-8")
    r = run("import", str(out), "--from", "ics", "-c", "Q3")
    assert r.exit_code == 3, r
    assert r.stderr.splitlines()[0].startswith("Error: q3.vdir/zz-broken.ics:1:1: ics: "), r.stderr
    assert (q3 / "calendars" / "Q3.yaml").read_bytes() == before
