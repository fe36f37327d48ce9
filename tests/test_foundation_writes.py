"""calcli's own writes: atomic file replacement, and surgical, deterministic calendar rewrites."""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from calcli.core.model import ContentScheduleItem, Platform, ScheduleStatus
from calcli.core.times import zone
from calcli.files.calendar import load_calendar
from calcli.files.calendar_emit import emit_item
from calcli.files.calendar_splice import scan_layout, splice_items
from calcli.files.text import write_atomic

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).resolve().parent / "fixtures" / "foundation"
NY = zone("America/New_York")


# ---------------------------------------------------------------- write_atomic


def test_write_atomic_replaces_content(tmp_path):
    path = tmp_path / "cal.yaml"
    path.write_text("old content\n")
    write_atomic(path, "new content\nwith ünïcode ✓\n")
    assert path.read_bytes() == "new content\nwith ünïcode ✓\n".encode()
    assert sorted(os.listdir(tmp_path)) == ["cal.yaml"], "a temp file was left behind"


def test_write_atomic_writes_newlines_verbatim(tmp_path):
    path = tmp_path / "cal.yaml"
    write_atomic(path, "a\nb\n")
    assert path.read_bytes() == b"a\nb\n"


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o664, 0o755])
def test_write_atomic_keeps_the_mode(tmp_path, mode):
    path = tmp_path / "cal.yaml"
    path.write_text("old\n")
    path.chmod(mode)
    write_atomic(path, "new\n")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_text() == "new\n"


def test_write_atomic_makes_missing_folders(tmp_path):
    path = tmp_path / "a" / "b" / "cal.yaml"
    write_atomic(path, "x: 1\n")
    assert path.read_text() == "x: 1\n"
    assert os.listdir(path.parent) == ["cal.yaml"]


def test_write_atomic_new_file_respects_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.yaml", "x: 1\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o644


def test_write_atomic_failure_in_replace_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "cal.yaml"
    path.write_text("precious\n")
    path.chmod(0o640)

    def boom(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk on fire"):
        write_atomic(path, "half-written garbage\n")
    monkeypatch.undo()
    assert path.read_text() == "precious\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["cal.yaml"], "the temp file was left behind"


def test_write_atomic_failure_while_writing_keeps_old_file(tmp_path):
    path = tmp_path / "cal.yaml"
    path.write_text("precious\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "text with a lone surrogate \ud800\n")
    assert path.read_text() == "precious\n"
    assert sorted(os.listdir(tmp_path)) == ["cal.yaml"]


def test_write_atomic_interrupt_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "cal.yaml"
    path.write_text("precious\n")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, "new\n")
    monkeypatch.undo()
    assert path.read_text() == "precious\n"
    assert sorted(os.listdir(tmp_path)) == ["cal.yaml"]


# ---------------------------------------------------------------- splice_items


def calendar_copy(tmp_path: Path, source: Path, name: str) -> Path:
    folder = tmp_path / "calendars"
    folder.mkdir(exist_ok=True)
    dest = folder / f"{name}.yaml"
    shutil.copy(source, dest)
    return dest


def new_item(
    ident: str, when: datetime, platform: Platform = Platform.X, calendar: str = "Q4", **kw
) -> ContentScheduleItem:
    return ContentScheduleItem(
        id=ident,
        idempotency_key=f"manual/{ident}/{platform.value}",
        calendar=calendar,
        user_id="user_123",
        video_job_id=ident,
        platform=platform,
        format="post",
        scheduled_at=when,
        status=ScheduleStatus.PLANNED,
        **kw,
    )


def comment_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines(keepends=True) if "#" in ln]


@pytest.fixture
def q4(tmp_path):
    return calendar_copy(tmp_path, FIX / "Q4.yaml", "Q4")


@pytest.fixture
def q3(tmp_path):
    return calendar_copy(tmp_path, ROOT / "calendars" / "Q3.yaml", "Q3")


def test_splice_without_changes_returns_the_same_bytes(q3, q4):
    for path in (q3, q4):
        cf = load_calendar(path)
        written = splice_items(cf.text, cf.layout, cf.calendar.items, [])
        assert written.text == path.read_text(encoding="utf-8")
        assert written.order == [i.id for i in cf.calendar.items]
        assert written.lines == [i.line for i in cf.calendar.items]


def test_splice_inserts_new_items_in_time_order_and_keeps_every_other_byte(q4):
    cf = load_calendar(q4)
    original = cf.text
    new = [
        new_item("it_z", datetime(2026, 12, 4, 16, tzinfo=NY)),  # after the last
        new_item("it_b", datetime(2026, 10, 8, 16, tzinfo=NY)),  # between it_a and it_c
        new_item("it_0", datetime(2026, 10, 2, 16, tzinfo=NY)),  # before the first
    ]
    written = splice_items(original, cf.layout, cf.calendar.items, new)

    # only the new items were added: removing their text gives back the original bytes
    stripped = written.text
    for item in new:
        assert stripped.count(emit_item(item)) == 1
        stripped = stripped.replace(emit_item(item), "")
    assert stripped == original

    # the header up to and including `items:` is byte-for-byte the same
    head = "".join(original.splitlines(keepends=True)[: cf.layout.items_key_line + 1])
    assert written.text.startswith(head)
    # every comment survives, in order, and each item keeps the comment written above it
    assert comment_lines(written.text) == comment_lines(original)
    assert "  # first item: the kickoff\n  - id: it_a\n" in written.text
    assert "\n  # second item, after a blank line\n  - id: it_c\n" in written.text
    assert written.text.endswith('# a comment after the items block\nnotes: "calendar-level notes after the items"\n')

    path = q4
    path.write_text(written.text, encoding="utf-8")
    again = load_calendar(path)
    ids = [i.id for i in again.calendar.items]
    assert ids == ["it_0", "it_a", "it_b", "it_c", "it_z"] == written.order
    times = [i.scheduled_at for i in again.calendar.items]
    assert times == sorted(times)
    assert [i.line for i in again.calendar.items] == written.lines


def test_splice_is_deterministic(q4):
    cf = load_calendar(q4)
    new = [new_item(f"it_{n}", datetime(2026, 10, 1 + n, 9, tzinfo=NY)) for n in range(1, 9)]
    # two items at the same instant are ordered by platform, then id
    new.append(new_item("it_same_fb", datetime(2026, 10, 5, 16, tzinfo=NY), Platform.FACEBOOK))
    first = splice_items(cf.text, cf.layout, cf.calendar.items, new)
    second = splice_items(cf.text, cf.layout, cf.calendar.items, list(reversed(new)))
    third = splice_items(cf.text, cf.layout, cf.calendar.items, sorted(new, key=lambda i: i.id))
    assert first.text == second.text == third.text
    assert first.order == second.order == third.order


def test_splice_twice_is_a_fixed_point(q4):
    cf = load_calendar(q4)
    written = splice_items(
        cf.text, cf.layout, cf.calendar.items, [new_item("it_b", datetime(2026, 10, 8, 16, tzinfo=NY))]
    )
    q4.write_text(written.text, encoding="utf-8")
    again = load_calendar(q4)
    assert splice_items(again.text, again.layout, again.calendar.items, []).text == written.text


def test_splice_into_example_calendar_keeps_header_and_comment(q3):
    cf = load_calendar(q3)
    teaser = cf.calendar.items[0]
    extra = new_item("it_new", teaser.scheduled_at + timedelta(hours=1), calendar="Q3")
    written = splice_items(cf.text, cf.layout, cf.calendar.items, [extra])
    head = "".join(cf.text.splitlines(keepends=True)[:12])  # through the comment above the first item
    assert written.text.startswith(head)
    assert comment_lines(written.text) == comment_lines(cf.text)
    assert written.order == ["it_teaser_yt", "it_new", "it_teaser_tt"]
    assert written.text.replace(emit_item(extra), "") == cf.text


def test_splice_removed_drops_only_that_item(q4):
    cf = load_calendar(q4)
    written = splice_items(cf.text, cf.layout, cf.calendar.items, [], removed={"it_c"})
    assert "it_c" not in written.text
    assert "  # first item: the kickoff\n" in written.text
    assert written.text.endswith('notes: "calendar-level notes after the items"\n')
    q4.write_text(written.text, encoding="utf-8")
    assert [i.id for i in load_calendar(q4).calendar.items] == ["it_a"]


@pytest.mark.parametrize("fixture", ["Q4_zero_indent.yaml", "Q4_flow_item.yaml", "Q4_multiline_value.yaml", "Q4.yaml"])
def test_scan_layout_agrees_with_parsed_layout_on_fixtures(tmp_path, fixture):
    cf = load_calendar(calendar_copy(tmp_path, FIX / fixture, "Q4"))
    assert scan_layout(cf.text) == cf.layout


def test_scan_layout_agrees_with_parsed_layout_on_example(q3):
    cf = load_calendar(q3)
    assert scan_layout(cf.text) == cf.layout
    assert cf.layout.items_key_line == 10 and cf.layout.item_lines == [12, 21] and cf.layout.block


HEAD = 'calendar: Q4\nuser: user_123\ntimezone: America/New_York\nperiod: {start: "2026-10-01", end: "2026-12-31"}\n'
ITEM = (
    "  - id: it_a\n    key: manual/a/x\n    video: a\n    platform: x\n    format: post\n"
    '    at: "2026-10-05T16:00:00-04:00"\n'
)
LAYOUT_VARIANTS = {
    "plain": HEAD + "items:\n" + ITEM,
    "trailing-comment": HEAD + "items:\n" + ITEM + "# trailing\n\n",
    "indented-trailing-comment": HEAD + "items:\n" + ITEM + "    # trailing, indented\n",
    "comment-on-items-key": HEAD + "items:   # the items\n" + ITEM,
    "key-after-items": HEAD + "items:\n" + ITEM + "notes: after\n",
    "empty-flow-list": HEAD + "items: []\n",
    "no-items-key": HEAD,
    "items-first": "items:\n" + ITEM + HEAD,
    "no-final-newline": HEAD + "items:\n" + ITEM.rstrip("\n"),
}


@pytest.mark.parametrize("variant", list(LAYOUT_VARIANTS))
def test_scan_layout_agrees_and_splice_stays_valid(tmp_path, variant):
    path = tmp_path / "calendars" / "Q4.yaml"
    path.parent.mkdir()
    path.write_text(LAYOUT_VARIANTS[variant], encoding="utf-8")
    cf = load_calendar(path)
    assert scan_layout(cf.text) == cf.layout

    new = [new_item("it_0", datetime(2026, 10, 2, 9, tzinfo=NY)), new_item("it_b", datetime(2026, 10, 7, 9, tzinfo=NY))]
    written = splice_items(cf.text, cf.layout, cf.calendar.items, new)
    path.write_text(written.text, encoding="utf-8")
    again = load_calendar(path)
    assert [i.id for i in again.calendar.items] == written.order
    assert [i.line for i in again.calendar.items] == written.lines
    assert scan_layout(again.text) == again.layout
    assert comment_lines(written.text) == comment_lines(cf.text)


def test_splice_into_zero_indented_items_stays_valid(tmp_path):
    path = calendar_copy(tmp_path, FIX / "Q4_zero_indent.yaml", "Q4")
    cf = load_calendar(path)
    written = splice_items(
        cf.text, cf.layout, cf.calendar.items, [new_item("it_b", datetime(2026, 10, 7, 9, tzinfo=NY))]
    )
    path.write_text(written.text, encoding="utf-8")
    assert [i.id for i in load_calendar(path).calendar.items] == ["it_a", "it_b"]


# ---------------------------------------------------------------- changed items (_update_chunk)


def diff_lines(a: str, b: str) -> list[tuple[int, str, str]]:
    la, lb = a.splitlines(), b.splitlines()
    assert len(la) == len(lb), "the number of lines changed"
    return [(n, x, y) for n, (x, y) in enumerate(zip(la, lb, strict=True), 1) if x != y]


def test_changed_status_replaces_only_that_line(q4):
    cf = load_calendar(q4)
    a = cf.calendar.items[0]
    written = splice_items(
        cf.text, cf.layout, cf.calendar.items, [], changed={a.id: replace(a, status=ScheduleStatus.SCHEDULED)}
    )
    assert diff_lines(cf.text, written.text) == [(20, "    status: planned", "    status: scheduled")]
    assert "    # a comment inside the item\n" in written.text
    assert comment_lines(written.text) == comment_lines(cf.text)


def test_changed_time_and_status_keep_the_comment_inside_the_item(q4):
    cf = load_calendar(q4)
    a = cf.calendar.items[0]
    moved = replace(a, scheduled_at=a.scheduled_at + timedelta(hours=1), status=ScheduleStatus.SCHEDULED)
    written = splice_items(cf.text, cf.layout, cf.calendar.items, [], changed={a.id: moved})
    assert diff_lines(cf.text, written.text) == [
        (19, '    at: "2026-10-05T16:00:00-04:00"', '    at: "2026-10-05T17:00:00-04:00"'),
        (20, "    status: planned", "    status: scheduled"),
    ]
    q4.write_text(written.text, encoding="utf-8")
    again = load_calendar(q4).calendar.items[0]
    assert again.scheduled_at == moved.scheduled_at and again.status is ScheduleStatus.SCHEDULED


def test_changed_value_keeps_a_trailing_comment_on_its_line(q4):
    cf = load_calendar(q4)
    a = cf.calendar.items[0]
    written = splice_items(cf.text, cf.layout, cf.calendar.items, [], changed={a.id: replace(a, format="long")})
    assert diff_lines(cf.text, written.text) == [(17, "    format: short", "    format: long")]
    written = splice_items(
        cf.text, cf.layout, cf.calendar.items, [], changed={a.id: replace(a, platform=Platform.INSTAGRAM)}
    )
    assert diff_lines(cf.text, written.text) == [
        (16, "    platform: youtube   # chosen by hand", "    platform: instagram   # chosen by hand")
    ]


def test_changed_item_gets_a_new_field_as_one_new_line(q4):
    cf = load_calendar(q4)
    a = cf.calendar.items[0]
    written = splice_items(
        cf.text, cf.layout, cf.calendar.items, [], changed={a.id: replace(a, title="Kickoff: part 1")}
    )
    old, new = cf.text.splitlines(), written.text.splitlines()
    assert len(new) == len(old) + 1
    added = [ln for ln in new if ln not in old]
    assert added == ['    title: "Kickoff: part 1"']
    q4.write_text(written.text, encoding="utf-8")
    assert load_calendar(q4).calendar.items[0].title == "Kickoff: part 1"


def test_unchanged_item_in_changed_is_byte_identical(q4):
    cf = load_calendar(q4)
    a = cf.calendar.items[0]
    written = splice_items(cf.text, cf.layout, cf.calendar.items, [], changed={a.id: replace(a)})
    assert written.text == cf.text


def test_two_changes_on_one_flow_line(tmp_path):
    path = calendar_copy(tmp_path, FIX / "Q4_flow_item.yaml", "Q4")
    cf = load_calendar(path)
    a = cf.calendar.items[0]
    changed = replace(a, platform=Platform.LINKEDIN, format="video", status=ScheduleStatus.SCHEDULED)
    written = splice_items(cf.text, cf.layout, cf.calendar.items, [], changed={a.id: changed})
    path.write_text(written.text, encoding="utf-8")
    again = load_calendar(path).calendar.items[0]
    assert (again.platform, again.format, again.status) == (Platform.LINKEDIN, "video", ScheduleStatus.SCHEDULED)


def test_one_change_on_a_flow_line(tmp_path):
    path = calendar_copy(tmp_path, FIX / "Q4_flow_item.yaml", "Q4")
    cf = load_calendar(path)
    a = cf.calendar.items[0]
    written = splice_items(
        cf.text, cf.layout, cf.calendar.items, [], changed={a.id: replace(a, status=ScheduleStatus.SCHEDULED)}
    )
    assert diff_lines(cf.text, written.text) == [
        (6, cf.text.splitlines()[5], cf.text.splitlines()[5].replace("planned", "scheduled"))
    ]


def test_changed_value_on_its_own_line_is_written(tmp_path):
    path = calendar_copy(tmp_path, FIX / "Q4_multiline_value.yaml", "Q4")
    cf = load_calendar(path)
    b = cf.calendar.items[0]
    written = splice_items(cf.text, cf.layout, cf.calendar.items, [], changed={b.id: replace(b, title="New title")})
    path.write_text(written.text, encoding="utf-8")
    assert load_calendar(path).calendar.items[0].title == "New title"
