"""calcli export: .ics (parsed back with icalendar and imported into khal), CSV, JSON, Hootsuite, Buffer."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import allow
from terminal import on_a_terminal

FIX = Path(__file__).parent / "fixtures" / "exchange"
ROOT = Path(__file__).resolve().parent.parent
NY = ZoneInfo("America/New_York")


@pytest.fixture
def cals(project):
    for name in ("FALL", "HOOT"):
        shutil.copy(FIX / f"{name}.yaml", project / "calendars" / f"{name}.yaml")
    return project


def _events(text: str) -> dict:
    import icalendar

    cal = icalendar.Calendar.from_ical(text)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


# ---------------------------------------------------------------- ics


def test_ics_times_uids_status_across_dst(cals, run):
    r = run("export", "--format", "ics", "--calendar", "FALL")
    assert r.exit_code == 0, r
    assert r.stdout.startswith("BEGIN:VCALENDAR\r\n")
    events = _events(r.stdout)
    assert sorted(events) == [
        "it_fall_after@calcli",
        "it_fall_before@calcli",
        "it_fall_fold@calcli",
        "it_fall_gone@calcli",
    ]
    before, fold, after = events["it_fall_before@calcli"], events["it_fall_fold@calcli"], events["it_fall_after@calcli"]
    # (compared in UTC: an ambiguous wall time never equals an instant of another zone, PEP 495)
    assert before.decoded("dtstart").astimezone(UTC) == datetime(2026, 10, 31, 20, 0, tzinfo=UTC)
    assert fold.decoded("dtstart").astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # first 01:30 (EDT)
    assert after.decoded("dtstart").astimezone(UTC) == datetime(2026, 11, 2, 21, 0, tzinfo=UTC)
    assert before["DTSTART"].params["TZID"] == "America/New_York"
    assert "BEGIN:VTIMEZONE\r\nTZID:America/New_York" in r.stdout
    assert "DTSTART;TZID=America/New_York:20261102T160000\r\n" in r.stdout
    assert "DTSTART:20261101T053000Z\r\n" in r.stdout  # 01:30 happens twice that night: written in UTC
    assert [str(events[u]["STATUS"]) for u in sorted(events)] == ["CONFIRMED", "TENTATIVE", "CONFIRMED", "CANCELLED"]
    assert str(before["SUMMARY"]) == "youtube short: Before the change, with a comma; and a semicolon"
    assert "SUMMARY:youtube short: Before the change\\, with a comma\\; and a semicolon\r\n" in r.stdout
    assert str(after["DESCRIPTION"]).startswith("After the change\n\nSecond line #fall\n\nTitle: After the change\n")
    assert all(len(line.encode()) <= 75 for line in r.stdout.split("\r\n")), "lines are folded at 75 octets"
    again = run("export", "--format", "ics", "--calendar", "FALL")
    assert again.stdout == r.stdout  # same items, same bytes (DTSTAMP comes from the item, not the clock)


def test_ics_of_a_utc_calendar_uses_z(project, run):
    text = (FIX / "FALL.yaml").read_text().replace("timezone: America/New_York", "timezone: UTC")
    text = text.replace("calendar: FALL", "calendar: UTCCAL")
    # A calendar's times carry its own zone's offset: the New York times, as UTC.
    text = re.sub(
        r'at: "([^"]+)"',
        lambda m: f'at: "{datetime.fromisoformat(m[1]).astimezone(UTC).isoformat()}"',
        text,
    )
    (project / "calendars" / "UTCCAL.yaml").write_text(text)
    r = run("export", "-f", "ics", "-c", "UTCCAL")
    assert r.exit_code == 0, r
    assert "DTSTART:20261031T200000Z\r\n" in r.stdout
    assert "VTIMEZONE" not in r.stdout


def _khal(tmp_path: Path, tz: str) -> tuple[list[str], Path]:
    khal = ROOT / ".venv" / "bin" / "khal"
    if not khal.exists() or subprocess.run([str(khal), "--version"], capture_output=True).returncode != 0:
        pytest.skip("khal is not installed in .venv (or cannot start)")
    folder = tmp_path / f"khal-{tz.replace('/', '_')}"
    (folder / "cal").mkdir(parents=True)
    cfg = folder / "config"
    cfg.write_text(
        f"[calendars]\n[[posts]]\npath = {folder / 'cal'}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        f"local_timezone = {tz}\ndefault_timezone = {tz}\n"
        f"[sqlite]\npath = {folder / 'khal.db'}\n"
    )
    return [str(khal), "--config", str(cfg)], folder / "cal"


def test_khal_imports_the_ics_with_the_right_times(cals, run, tmp_path):
    out = tmp_path / "fall.ics"
    r = run("export", "-f", "ics", "-c", "FALL", "--status", "planned", "--status", "scheduled", "-o", str(out))
    assert r.exit_code == 0, r
    assert r.stderr == f"Wrote 3 items to {out}.\n"
    env = {**os.environ, "TZ": "UTC"}
    listing = {}
    for tz in ("America/New_York", "UTC"):
        khal, vdir = _khal(tmp_path, tz)
        p = subprocess.run([*khal, "import", "--batch", str(out)], capture_output=True, text=True, env=env)
        assert p.returncode == 0, p.stderr
        p = subprocess.run(
            [*khal, "list", "--format", "{start} {title}", "--day-format", "", "2026-10-30", "7d"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert p.returncode == 0, p.stderr
        listing[tz] = [line for line in p.stdout.splitlines() if line.strip()]
        # khal files each event under its UID: the item's stable one
        assert sorted(x.name for x in vdir.iterdir()) == [
            "it_fall_after@calcli.ics",
            "it_fall_before@calcli.ics",
            "it_fall_fold@calcli.ics",
        ]
    assert listing["America/New_York"] == [
        "2026-10-31 16:00 youtube short: Before the change, with a comma; and a semicolon",
        "2026-11-01 01:30 tiktok video: In the repeated hour 🎃",
        "2026-11-02 16:00 youtube short: After the change",
    ]
    assert [line[:16] for line in listing["UTC"]] == ["2026-10-31 20:00", "2026-11-01 05:30", "2026-11-02 21:00"]


# ---------------------------------------------------------------- csv / json


def test_csv_and_json_carry_calcli_columns(cals, run):
    r = run("export", "--format", "csv", "-c", "FALL", "--platform", "youtube", "--status", "scheduled")
    assert r.exit_code == 0, r
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert r.stdout.splitlines()[0] == (
        "id,key,calendar,user,video_job_id,platform,format,scheduled_at,timezone,status,"
        "title,caption,hashtags,assignee,notes,post"
    )
    assert [(x["id"], x["scheduled_at"], x["caption"], x["hashtags"]) for x in rows] == [
        ("it_fall_after", "2026-11-02T16:00:00-05:00", "After the change\n\nSecond line #fall", "fall")
    ]
    j = run("export", "--format", "json", "-c", "FALL")
    doc = json.loads(j.stdout)
    assert [d["scheduled_at"] for d in doc] == [
        "2026-10-31T16:00:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-02T16:00:00-05:00",
        "2026-11-03T16:00:00-05:00",
    ]
    assert doc[2]["hashtags"] == ["fall"] and doc[2]["timezone"] == "America/New_York"


def test_bad_filters_are_usage_errors(cals, run):
    r = run("export", "--format", "csv", "--status", "done")
    assert r.exit_code == 2
    assert "unknown status 'done' (known: planned, scheduled, posted, failed, canceled)" in r.stderr
    r = run("export", "--format", "csv", "--calendar", "NOPE")
    assert (r.exit_code, r.stderr) == (
        2,
        "Error: no calendar 'NOPE' (yours: FALL, HOOT) for user user_123. Make one with `calcli calendar new`.\n",
    )
    r = run("export", "--format", "pdf")
    assert r.exit_code == 2


# ---------------------------------------------------------------- hootsuite


def test_hootsuite_reports_each_broken_rule_and_writes_the_rest(cals, run):
    r = run("export", "--format", "hootsuite", "-c", "HOOT", "--platform", "x")
    assert r.exit_code == 5, r
    assert r.stdout == '06/20/2026 09:00,Post one,\n06/22/2026 10:00,"Post two, with a comma #two",\n'
    assert r.stderr.splitlines() == [
        "Error: it_h_soon: hootsuite: 2026-06-15 08:05 is not at least 10 minutes ahead of now; not exported",
        "Error: it_h_slot: hootsuite: one message per time slot; 06/20/2026 09:00 is taken by it_h_ok1; not exported",
        "Error: it_h_grid: hootsuite: 09:03:00 is not on the 5-minute grid (minutes must end in 0 or 5); "
        "calcli does not round it: move the item; not exported",
        "Error: it_h_dup: hootsuite: duplicate message; the same text is posted by it_h_ok1; not exported",
        "4 of 6 items left out (see above).",
    ]


def test_hootsuite_needs_one_profile_a_file(cals, run, tmp_path):
    r = run("export", "--format", "hootsuite", "-c", "HOOT")
    assert r.exit_code == 2
    assert r.stderr == (
        "Error: hootsuite takes one profile a file; the selection has x, youtube. "
        "Give --platform P, or -o FOLDER/ for one file per platform.\n"
    )
    out = tmp_path / "hs"
    r = run("export", "--format", "hootsuite", "-c", "HOOT", "-o", f"{out}/")
    assert r.exit_code == 5
    assert sorted(p.name for p in out.iterdir()) == ["HOOT-hootsuite-x.csv", "HOOT-hootsuite-youtube.csv"]
    assert (out / "HOOT-hootsuite-youtube.csv").read_text() == "06/22/2026 10:00,YouTube one,\n"
    assert f"Wrote 1 item to {out}/HOOT-hootsuite-youtube.csv." in r.stderr


def test_hootsuite_all_rows_broken_writes_nothing(cals, run, tmp_path):
    out = tmp_path / "soon.csv"
    r = run("export", "-f", "hootsuite", "-c", "HOOT", "--platform", "x", "--status", "scheduled", "-o", str(out))
    assert r.exit_code == 3
    assert r.stderr.splitlines()[-1] == "Nothing was written: all 1 selected items break hootsuite's rules."
    assert not out.exists()


def test_hootsuite_350_rows_a_file(project, run):
    lines = [
        "calendar: BIG\nuser: user_123\ntimezone: America/New_York\n"
        'period: {start: "2026-07-01", end: "2026-07-31"}\nitems:\n'
    ]
    for n in range(352):
        at = datetime(2026, 7, 1, 8, 0, tzinfo=NY).timestamp() + n * 300
        stamp = datetime.fromtimestamp(at, NY).isoformat()
        lines.append(
            f"  - {{id: it_big{n:03d}, key: m/big{n}/x, video: big{n}, platform: x, format: video, "
            f'at: "{stamp}", title: "Post {n}"}}\n'
        )
    (project / "calendars" / "BIG.yaml").write_text("".join(lines))
    allow(project, "x", max_per_day=400, max_per_week=400, min_spacing="5m")
    r = run("export", "-f", "hootsuite", "-c", "BIG")
    assert r.exit_code == 5, r
    assert len(r.stdout.splitlines()) == 350
    why = "hootsuite: at most 350 messages a file (-o FOLDER/ splits them into numbered files); not exported"
    assert r.stderr.splitlines()[:2] == [f"Error: it_big350: {why}", f"Error: it_big351: {why}"]
    # into a folder: nothing left out, numbered files of at most 350
    r = run("export", "-f", "hootsuite", "-c", "BIG", "-o", "out/")
    assert r.exit_code == 0, r
    assert r.stderr.splitlines() == [
        "Wrote 350 items to out/BIG-hootsuite-x-1.csv.",
        "Wrote 2 items to out/BIG-hootsuite-x-2.csv.",
        "x: 352 rows in 2 files of at most 350 (hootsuite takes 350 a file).",
    ]
    first, second = (project / "out" / "BIG-hootsuite-x-1.csv"), (project / "out" / "BIG-hootsuite-x-2.csv")
    assert len(first.read_text().splitlines()) == 350
    assert second.read_text().splitlines() == ["07/02/2026 13:10,Post 350,", "07/02/2026 13:15,Post 351,"]
    r = run("export", "-f", "buffer", "-c", "BIG", "-o", "buf/")
    assert r.exit_code == 0, r
    assert sorted(p.name for p in (project / "buf").iterdir()) == [f"BIG-buffer-x-{n}.csv" for n in (1, 2, 3, 4)]
    assert [len((project / "buf" / f"BIG-buffer-x-{n}.csv").read_text().splitlines()) for n in (1, 2, 3, 4)] == [
        101,
        101,
        101,
        53,
    ]  # a header and at most 100 rows each


# ---------------------------------------------------------------- buffer


def test_buffer_layout_in_the_channel_zone(cals, run):
    r = run("export", "--format", "buffer", "-c", "HOOT", "--platform", "x")
    assert r.exit_code == 0, r
    assert r.stdout.splitlines() == [
        "Text,Image URL,Tags,Posting Time",
        "Too soon,,,2026-06-15 08:05",
        "Post one,,,2026-06-20 09:00",
        "Same slot as post one,,,2026-06-20 09:00",
        "Off the grid,,,2026-06-20 09:03",
        "Post one,,,2026-06-21 10:00",
        '"Post two, with a comma #two",,,2026-06-22 10:00',
    ]
    utc = run("export", "--format", "buffer", "-c", "HOOT", "--platform", "youtube", "--tz", "UTC")
    assert utc.stdout.splitlines()[1] == "YouTube one,,,2026-06-22 14:00"


def test_buffer_reports_past_times(cals, run, monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-20T13:30:00+00:00")  # 09:30 in New York
    r = run("export", "--format", "buffer", "-c", "HOOT", "--platform", "x")
    assert r.exit_code == 5
    assert r.stderr.splitlines()[:4] == [
        "Error: it_h_soon: buffer: Posting Time 2026-06-15 08:05 is in the past; not exported",
        "Error: it_h_ok1: buffer: Posting Time 2026-06-20 09:00 is in the past; not exported",
        "Error: it_h_slot: buffer: Posting Time 2026-06-20 09:00 is in the past; not exported",
        "Error: it_h_grid: buffer: Posting Time 2026-06-20 09:03 is in the past; not exported",
    ]
    assert r.stdout.splitlines()[1:] == [
        "Post one,,,2026-06-21 10:00",
        '"Post two, with a comma #two",,,2026-06-22 10:00',
    ]


def test_version_and_help_do_not_import_icalendar():
    code = (
        "import sys\nfrom calcli.cli.app import main\n"
        "for args in (['--version'], ['--help'], ['export', '--help'], ['import', '--help']):\n"
        "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
        "print(sorted(m for m in ('icalendar', 'duckdb') if m in sys.modules))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.stdout.splitlines()[-1] == "[]", p.stderr


# ---------------------------------------------------------------- filters, calendar name, vdir


def _ids(csv_text: str) -> list[str]:
    return [row["id"] for row in csv.DictReader(io.StringIO(csv_text))]


def test_export_filters_calendars_platforms_and_days(cals, run):
    both = run("export", "-f", "csv", "-c", "FALL", "-c", "HOOT")
    assert both.exit_code == 0, both
    assert {row["calendar"] for row in csv.DictReader(io.StringIO(both.stdout))} == {"FALL", "HOOT"}
    assert len(_ids(both.stdout)) == 11
    yt = run("export", "-f", "csv", "-c", "FALL", "-c", "HOOT", "--platform", "youtube")
    assert _ids(yt.stdout) == ["it_h_yt", "it_fall_before", "it_fall_after", "it_fall_gone"]
    days = run("export", "-f", "csv", "-c", "HOOT", "--since", "2026-06-21", "--until", "2026-06-22")
    assert _ids(days.stdout) == ["it_h_dup", "it_h_ok2", "it_h_yt"]
    # now is 2026-06-15 08:00 in New York: tomorrow is the 16th, +7d the 22nd (local days, inclusive)
    soon = run("export", "-f", "csv", "--since", "tomorrow", "--until", "+7d")
    assert _ids(soon.stdout) == ["it_h_ok1", "it_h_slot", "it_h_grid", "it_h_dup", "it_h_ok2", "it_h_yt"]
    assert _ids(run("export", "-f", "csv", "--until", "today").stdout) == ["it_h_soon"]
    bad = run("export", "-f", "csv", "--since", "someday")
    assert bad.exit_code == 2 and (
        "Error: Invalid value for --since: 'someday' is not a date YYYY-MM-DD (nor today, tomorrow, yesterday, "
        "+7d, -3d, +2w)" in bad.stderr
    )
    backwards = run("export", "-f", "csv", "--since", "2026-07-01", "--until", "2026-06-01")
    assert backwards.exit_code == 2 and "is before --since" in backwards.stderr
    assert run("export", "-f", "csv", "-c", "FALL", "-c", "NOPE").exit_code == 2


def test_ics_names_the_calendar(cals, run):
    import icalendar

    one = run("export", "-f", "ics", "-c", "FALL")
    assert "X-WR-CALNAME:FALL\r\n" in one.stdout
    two = run("export", "-f", "ics", "-c", "HOOT", "-c", "FALL")
    assert str(icalendar.Calendar.from_ical(two.stdout)["X-WR-CALNAME"]) == "FALL, HOOT"
    assert len(_events(two.stdout)) == 11


def test_khal_reads_the_vdir_at_the_right_local_times(cals, run, tmp_path):
    vdir = tmp_path / "vdir"
    r = run("export", "-f", "vdir", "-c", "FALL", "--status", "planned", "--status", "scheduled", "-o", f"{vdir}/")
    assert r.exit_code == 0, r
    names = ["it_fall_after@calcli.ics", "it_fall_before@calcli.ics", "it_fall_fold@calcli.ics"]
    assert sorted(p.name for p in vdir.iterdir()) == names
    for p in vdir.iterdir():  # each file one VCALENDAR with one VEVENT, named for the calendar app
        text = p.read_bytes().decode()
        assert text.count("BEGIN:VEVENT") == 1 and "X-WR-CALNAME:FALL\r\n" in text
    env = {**os.environ, "TZ": "UTC"}
    listing = {}
    for tz in ("America/New_York", "UTC"):
        khal, folder = _khal(tmp_path, tz)
        folder.rmdir()
        folder.symlink_to(vdir)  # khal reads the exported vdir itself, as vdirsyncer would hand it over
        p = subprocess.run(
            [*khal, "list", "--format", "{start} {title}", "--day-format", "", "2026-10-30", "7d"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert p.returncode == 0, p.stderr
        listing[tz] = [line for line in p.stdout.splitlines() if line.strip()]
    assert listing["America/New_York"] == [
        "2026-10-31 16:00 youtube short: Before the change, with a comma; and a semicolon",
        "2026-11-01 01:30 tiktok video: In the repeated hour 🎃",
        "2026-11-02 16:00 youtube short: After the change",
    ]
    assert [line[:16] for line in listing["UTC"]] == ["2026-10-31 20:00", "2026-11-01 05:30", "2026-11-02 21:00"]
    # stable: the same export again rewrites no file (vdirsyncer sees no change)
    stamps = {p.name: p.stat().st_mtime_ns for p in vdir.iterdir()}
    os.utime(vdir / names[0], ns=(1, 1))
    stamps[names[0]] = 1
    assert run("export", "-f", "vdir", "-c", "FALL", "-o", f"{vdir}/").exit_code == 0
    assert {p.name: p.stat().st_mtime_ns for p in vdir.iterdir() if p.name in stamps} == stamps
    assert (vdir / "it_fall_gone@calcli.ics").exists()  # every status now: the canceled item too
    assert run("export", "-f", "vdir", "-c", "FALL").exit_code == 2  # a vdir needs a folder


FOREIGN = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//someone//else//EN\r\nBEGIN:VEVENT\r\nUID:dentist@example.com\r\n"
    "DTSTAMP:20261001T000000Z\r\nDTSTART:20261102T150000Z\r\nDTEND:20261102T160000Z\r\nSUMMARY:Dentist\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_a_vdir_export_removes_the_files_of_items_no_longer_exported_and_only_calcli_files(cals, run, tmp_path):
    vdir = tmp_path / "vdir"
    assert run("export", "-f", "vdir", "-c", "FALL", "-o", f"{vdir}/").exit_code == 0
    gone = vdir / "it_fall_gone@calcli.ics"
    assert gone.exists()  # canceled: exported with every status
    (vdir / "dentist@example.com.ics").write_text(FOREIGN, encoding="utf-8")  # another app's event
    (vdir / "notes@calcli.ics").write_text("not an event calcli wrote\n", encoding="utf-8")  # no X-CALCLI-ITEM
    other = gone.read_text(encoding="utf-8").replace(
        "X-CALCLI-CALENDAR;VALUE=TEXT:FALL", "X-CALCLI-CALENDAR;VALUE=TEXT:HOOT"
    )
    (vdir / "it_h_elsewhere@calcli.ics").write_text(other.replace("it_fall_gone", "it_h_elsewhere"), encoding="utf-8")
    r = run("export", "-f", "vdir", "-c", "FALL", "--status", "planned", "--status", "scheduled", "-o", f"{vdir}/")
    assert r.exit_code == 0, r
    assert f"Removed {vdir}/it_fall_gone@calcli.ics: its item is no longer exported.\n" in r.stderr
    assert r.stderr.count("Removed ") == 1
    assert sorted(p.name for p in vdir.iterdir()) == [
        "dentist@example.com.ics",
        "it_fall_after@calcli.ics",
        "it_fall_before@calcli.ics",
        "it_fall_fold@calcli.ics",
        "it_h_elsewhere@calcli.ics",  # calcli's, but of a calendar this export did not cover (-c FALL)
        "notes@calcli.ics",
    ]
    khal, folder = _khal(tmp_path, "America/New_York")  # the calendar app sees the mirror
    folder.rmdir()
    folder.symlink_to(vdir)
    p = subprocess.run(
        [*khal, "list", "--format", "{start} {title}", "--day-format", "", "2026-10-30", "7d"],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "UTC"},
    )
    assert p.returncode == 0, p.stderr
    titles = [line.split(" ", 2)[2] for line in p.stdout.splitlines() if line.strip()]
    assert "Dentist" in titles and not any("gone" in t.lower() for t in titles), titles
    # without -c the export covers every calendar of the user: HOOT's stray file goes too, others stay
    r = run("export", "-f", "vdir", "--status", "planned", "--status", "scheduled", "-o", f"{vdir}/")
    assert r.exit_code == 0, r
    assert not (vdir / "it_h_elsewhere@calcli.ics").exists()
    assert (vdir / "dentist@example.com.ics").read_bytes() == FOREIGN.encode()
    assert (vdir / "notes@calcli.ics").exists()


# ---------------------------------------------------------------- progress on a terminal


def _on_a_terminal(project: Path, *args: str, tty: bool = True, no_color: bool = False) -> tuple[int, str]:
    """Run calcli with stderr on a pseudo-terminal (or a pipe): its exit code and what stderr got."""
    code, _, err = on_a_terminal(project, *args, tty="stderr" if tty else None, no_color=no_color)
    return code, err


def test_export_and_import_show_progress_on_a_terminal_only(cals):
    code, err = _on_a_terminal(cals, "export", "-f", "vdir", "-c", "FALL", "-o", "vdir/")
    assert code == 0 and "Exporting vdir" in err and "\x1b[" in err, err
    assert "Wrote 1 item to vdir/it_fall_after@calcli.ics." in err
    code, err = _on_a_terminal(cals, "export", "-f", "vdir", "-c", "FALL", "-o", "vdir/", tty=False)
    assert code == 0 and "Exporting" not in err and "\x1b[" not in err
    code, err = _on_a_terminal(cals, "--quiet", "export", "-f", "vdir", "-c", "FALL", "-o", "vdir/")
    assert code == 0 and "Exporting" not in err, err
    code, err = _on_a_terminal(cals, "export", "-f", "vdir", "-c", "FALL", "-o", "vdir/", no_color=True)
    assert code == 0 and "Exporting" not in err, err
    code, err = _on_a_terminal(cals, "import", "vdir/it_fall_after@calcli.ics", "--from", "ics", "-c", "FALL")
    assert code == 0 and "Importing it_fall_after@calcli.ics" in err, err
    assert "Imported into calendars/FALL.yaml: 0 new, 1 already there." in err
