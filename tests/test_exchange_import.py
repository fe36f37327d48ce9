"""calcli import: Hootsuite, Buffer, calcli CSV and .ics into a calendar; skipped rows; re-import; round trips."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIX = Path(__file__).parent / "fixtures" / "exchange"


@pytest.fixture
def files(project):
    for name in ("hootsuite_x.csv", "hootsuite_newer.csv", "buffer_tiktok.csv", "buffer_no_time.csv"):
        shutil.copy(FIX / name, project / name)
    for name in ("FALL", "HOOT"):
        shutil.copy(FIX / f"{name}.yaml", project / "calendars" / f"{name}.yaml")
    return project


def _state(project):
    from calcli.files.project import find_project
    from calcli.operations.session import session

    with session(find_project(project)) as s:
        items = s.store.items(calendar="NEW")
        counts = {
            t: s.store.query(f"SELECT count(*) FROM {t}")[1][0][0] for t in ("content_schedule_items", "item_history")
        }
        history = s.store.query(
            "SELECT item_id, action, new_value FROM item_history WHERE calendar_id = 'NEW' ORDER BY 1"
        )[1]
    return items, counts, history


def test_hootsuite_import_skips_bad_rows_and_reimport_changes_nothing(files, run):
    r = run("import", "hootsuite_x.csv", "--from", "hootsuite", "--platform", "x", "--calendar", "NEW", "-f", "csv")
    assert r.exit_code == 5, r
    assert r.stderr.splitlines() == [
        "Warning: hootsuite_x.csv:6: 2027-03-14 02:30 does not exist in America/New_York (the clocks spring forward); "
        "imported at 03:30",
        # HOOT's own X posts are at 09:00 on June 20 and 10:00 on June 21: the Hootsuite posts keep their times,
        # and say so
        "Warning: hootsuite_x.csv:1: it_8c13336745 keeps its hootsuite time past calcli's rules (slot already "
        "taken on this platform): an override exception records it; `calcli item move it_8c13336745` makes it legal",
        "Warning: hootsuite_x.csv:2: it_36eb0c6717 keeps its hootsuite time past calcli's rules (too close to "
        "another post on this platform (minimum spacing 120 min)): an override exception records it; `calcli item "
        "move it_36eb0c6717` makes it legal",
        "Error: hootsuite_x.csv:3:1: Date: '13/45/2026 09:00' is not a date and time MM/DD/YYYY HH:mm; skipped",
        "Error: hootsuite_x.csv:4:1: Date: 2026-06-10T09:00:00-04:00 is in the past (now 2026-06-15T08:00:00-04:00); "
        "skipped",
        "Error: hootsuite_x.csv:5:1: Date: duplicate of line 1 (same post, same platform); skipped",
        "Imported into calendars/NEW.yaml (new calendar: 2026-06-20..2027-03-14, America/New_York): 3 new, 0 already "
        "there; 3 skipped.",
    ]
    assert [line.split(",")[0] for line in r.stdout.splitlines()] == ["line", "1", "2", "6"]
    items, counts, history = _state(files)
    assert [(i.platform.value, i.scheduled_at.isoformat(), i.title, i.status.value) for i in items] == [
        ("x", "2026-06-20T09:00:00-04:00", "Launch day! #launch", "planned"),
        ("x", "2026-06-21T10:30:00-04:00", "Second post, with a comma", "planned"),
        ("x", "2027-03-14T03:30:00-04:00", "In the gap", "planned"),
    ]
    assert items[0].hashtags == ["launch"] and items[0].notes == "link: https://example.com/a"
    assert all(i.idempotency_key.startswith("import.hootsuite/hootsuite_") for i in items)
    assert sorted(h[1] for h in history) == ["imported"] * 3
    assert any(h[2].startswith("hootsuite hootsuite_x.csv:6 2027-03-14T03:30:00-04:00") for h in history)
    before = (files / "calendars" / "NEW.yaml").read_bytes()

    again = run("import", "hootsuite_x.csv", "--from", "hootsuite", "--platform", "x", "--calendar", "NEW")
    assert again.exit_code == 5  # the same three rows are still bad
    assert again.stderr.splitlines()[-1] == "Imported into calendars/NEW.yaml: 0 new, 3 already there; 3 skipped."
    assert (files / "calendars" / "NEW.yaml").read_bytes() == before
    assert _state(files)[1] == counts


def test_import_into_an_existing_calendar_checks_its_period(files, run):
    r = run("import", "hootsuite_x.csv", "--from", "hootsuite", "--platform", "x", "-c", "HOOT", "--dry-run")
    assert r.exit_code == 5
    assert (
        "Error: hootsuite_x.csv:6:1: Date: 2027-03-14T03:30:00-04:00 is outside calendar HOOT's period "
        "2026-06-15..2026-06-30; skipped" in r.stderr
    )
    assert r.stderr.splitlines()[-2:] == [
        "Would import into calendars/HOOT.yaml: 2 new, 0 already there; 4 skipped.",
        "Dry run: nothing was written.",
    ]
    assert (files / "calendars" / "HOOT.yaml").read_text() == (FIX / "HOOT.yaml").read_text()


def test_hootsuite_newer_layout_with_platforms(files, run):
    r = run("import", "hootsuite_newer.csv", "--from", "hootsuite", "-c", "NEW", "--json")
    assert r.exit_code == 5, r
    assert (
        "Error: hootsuite_newer.csv:3:18: Platform: unknown platform 'myspace' (youtube, tiktok, instagram, x, "
        "linkedin, facebook); skipped" in r.stderr
    )
    items, _, _ = _state(files)
    assert [(i.platform.value, i.scheduled_at.isoformat()) for i in items] == [
        ("linkedin", "2026-06-25T14:00:00-04:00"),
        ("x", "2026-06-26T09:00:00-04:00"),
    ]


def test_hootsuite_needs_a_platform(files, run):
    r = run("import", "hootsuite_x.csv", "--from", "hootsuite", "-c", "NEW")
    assert (r.exit_code, r.stderr) == (
        2,
        "Error: a hootsuite file holds one profile's posts: say which platform with --platform P.\n",
    )
    assert not (files / "calendars" / "NEW.yaml").exists()


def test_buffer_import(files, run):
    r = run("import", "buffer_tiktok.csv", "--from", "buffer", "--platform", "tiktok", "-c", "NEW")
    assert r.exit_code == 5, r
    assert r.stderr.splitlines()[:2] == [
        "Error: buffer_tiktok.csv:4:1: Text: required when there is no Image URL; skipped",
        "Error: buffer_tiktok.csv:5:11: Posting Time: empty (Buffer would queue the post; calcli needs a time); "
        "skipped",
    ]
    items, _, _ = _state(files)
    assert [(i.scheduled_at.isoformat(), i.title, i.notes) for i in items] == [
        ("2026-06-25T14:00:00-04:00", "Hello from Buffer #one", "buffer tags: promo"),
        ("2026-06-26T09:00:00-04:00", "", "image: https://img.example/a.png"),
    ]
    assert all(i.platform.value == "tiktok" and i.format for i in items)


def test_unusable_file_is_exit_3_and_writes_nothing(files, run):
    r = run("import", "buffer_no_time.csv", "--from", "buffer", "--platform", "x", "-c", "NEW")
    assert (r.exit_code, r.stderr) == (
        3,
        "Error: buffer_no_time.csv:1:1: header: no Posting Time column (Text, Image URL, Tags, Posting Time)\n",
    )
    (files / "allbad.csv").write_text("06/01/2026 09:00,Past,\nnot a date,Bad,\n")
    r = run("import", "allbad.csv", "--from", "hootsuite", "--platform", "x", "-c", "NEW")
    assert r.exit_code == 3
    assert r.stderr.splitlines() == [
        "Error: allbad.csv:1:1: Date: 2026-06-01T09:00:00-04:00 is in the past (now 2026-06-15T08:00:00-04:00)",
        "Error: allbad.csv:2:1: Date: 'not a date' is not a date and time MM/DD/YYYY HH:mm",
        "No row could be imported; nothing was written.",
    ]
    (files / "broken.csv").write_text('06/20/2026 09:00,"never closed\n')
    r = run("import", "broken.csv", "--from", "hootsuite", "--platform", "x", "-c", "NEW")
    assert (r.exit_code, r.stderr) == (3, "Error: broken.csv:1:18: csv: a quoted cell is never closed\n")
    (files / "bad.ics").write_text("BEGIN:VCALENDAR\nthis is not ical\n")
    r = run("import", "bad.ics", "--from", "ics", "--platform", "x", "-c", "NEW")
    assert r.exit_code == 3 and r.stderr.startswith("Error: bad.ics:1:1: ics: ")
    assert not (files / "calendars" / "NEW.yaml").exists()
    assert (
        run("import", "nothere.csv", "--from", "csv", "-c", "NEW").exit_code == 3
    )  # a missing file is bad data (issue 18; it was 2)


def test_foreign_ics_events(files, run):
    (files / "other.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
        "BEGIN:VEVENT\r\nUID:a1\r\nDTSTAMP:20260601T000000Z\r\nDTSTART:20260701T140000Z\r\nSUMMARY:Live\\, at last\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:a2\r\nDTSTAMP:20260601T000000Z\r\nDTSTART;VALUE=DATE:20260702\r\nSUMMARY:All day\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:a3\r\nDTSTAMP:20260601T000000Z\r\nDTSTART:20260703T090000\r\nSUMMARY:Floating\r\n"
        "RRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:a4\r\nDTSTAMP:20260601T000000Z\r\nDTSTART:20260704T090000\r\nSUMMARY:Floating\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    r = run("import", "other.ics", "--from", "ics", "--platform", "youtube", "-c", "NEW")
    assert r.exit_code == 5, r
    assert r.stderr.splitlines()[:2] == [
        "Error: other.ics:13:1: DTSTART: an all-day event has no time; skipped",
        "Error: other.ics:21:1: RRULE: recurring events are not imported; skipped",
    ]
    items, _, _ = _state(files)
    assert [(i.scheduled_at.isoformat(), i.title) for i in items] == [
        ("2026-07-01T10:00:00-04:00", "Live, at last"),
        ("2026-07-04T09:00:00-04:00", "Floating"),  # floating time: wall clock in the calendar's zone
    ]


@pytest.mark.parametrize("fmt", ["csv", "ics"])
def test_round_trip_keeps_times_platforms_titles(files, run, fmt):
    out = files / f"fall.{fmt}"
    assert run("export", "-f", fmt, "-c", "FALL", "-o", str(out)).exit_code == 0
    r = run("import", str(out), "--from", fmt, "-c", "NEW")
    assert r.exit_code == 5, r  # the canceled item is reported, not imported
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert errors[0].endswith("a canceled item is not imported; skipped") or "cancelled" in r.stderr
    # the copy lands beside FALL's own posts (same user): each keeps its time with an override
    assert all("keeps its" in line for line in r.stderr.splitlines() if line.startswith("Warning:"))
    items, _, _ = _state(files)
    original = {
        (i.platform, i.scheduled_at.astimezone(UTC), i.title, i.format, i.caption, tuple(i.hashtags))
        for i in _items_of(files, "FALL")
        if i.status.value != "canceled"
    }
    assert {
        (i.platform, i.scheduled_at.astimezone(UTC), i.title, i.format, i.caption, tuple(i.hashtags)) for i in items
    } == original
    fold = next(i for i in items if i.platform.value == "tiktok")
    assert fold.scheduled_at.isoformat() == "2026-11-01T01:30:00-04:00"  # the first 01:30, not the second
    assert (files / "calendars" / "NEW.yaml").read_text().count("status: planned") == 3
    again = run("import", str(out), "--from", fmt, "-c", "NEW")
    assert "3 already there" in again.stderr


def _items_of(project, name):
    from calcli.files.project import find_project
    from calcli.operations.session import session

    with session(find_project(project)) as s:
        return s.store.items(calendar=name)


_TEXT = st.lists(
    st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc")),
        st.sampled_from([",", ";", ":", "\\", "\n", '"', "🎉", "👩🏽‍💻", "e\u0301"]),
    ),
    min_size=1,
    max_size=60,
).map("".join)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, caption=_TEXT, minute=st.integers(0, 60 * 24 * 365))
def test_ics_text_and_time_survive_any_title(title, caption, minute):
    from datetime import timedelta

    from calcli.core.model import ContentScheduleItem, Platform
    from calcli.core.times import zone
    from calcli.exchange.ics import build_ics
    from calcli.exchange.readers import read_ics_file

    at = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)).astimezone(zone("America/New_York"))
    item = ContentScheduleItem(
        "it_x", "k/v/x", "C", "u", "v", Platform.X, "video", at, title=title, caption=caption, hashtags=["a", "b"]
    )
    text = build_ics([item], {"C": "America/New_York"}, datetime(2026, 1, 1, tzinfo=UTC)).decode("utf-8")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    (row,) = read_ics_file("t.ics", text).rows
    assert row.title == title.strip() and row.caption == caption and row.hashtags == ["a", "b"]
    assert row.when.astimezone(UTC) == at.astimezone(UTC)
