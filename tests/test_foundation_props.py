"""Property tests of the YAML scalar writer and the duration parser."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calcli.core.model import ContentScheduleItem, Platform, ScheduleStatus
from calcli.core.times import parse_duration, zone
from calcli.files.calendar import load_calendar
from calcli.files.calendar_splice import splice_items
from calcli.files.yamlio import Loader, scalar

# Characters a YAML stream may not carry raw (YAML 1.1 §5.1 c-printable) plus NEL, which a
# double-quoted scalar folds into a space. scalar() must escape these.
NOT_YAML_PRINTABLE = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff\x85]")

any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
printable_text = any_text.filter(lambda s: not NOT_YAML_PRINTABLE.search(s))
tricky = st.sampled_from(
    [
        "",
        " ",
        "~",
        "null",
        "Null",
        "NULL",
        "no",
        "No",
        "off",
        "yes",
        "y",
        "n",
        "true",
        "False",
        "12:30",
        "1:00:00",
        "0x1F",
        "0o17",
        "1_000",
        "1e3",
        ".inf",
        "-.nan",
        "+1",
        "2026-07-01",
        "2026-07-01T09:00:00Z",
        "- a",
        "a: b",
        "a #b",
        "#c",
        "'q'",
        '"q"',
        "&a",
        "*a",
        "!tag",
        "%x",
        "@x",
        "`x",
        "{a}",
        "[a]",
        "|",
        ">",
        "?",
        "-",
        "a\nb",
        "a\tb",
        "a\r\nb",
        " lead",
        "trail ",
        "\u2028",
        "\u2029",
        "\ufeff",
        "é",
        "😀",
        "\\",
        "\\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(printable_text, tricky))
def test_scalar_round_trips_through_safe_load(s):
    out = scalar(s)
    assert "\n" not in out, "a scalar must stay on one line"
    assert yaml.safe_load("k: " + out)["k"] == s
    # and through the loader calcli itself reads calendars with
    assert yaml.load("k: " + out, Loader=Loader)["k"] == s  # noqa: S506 - safe (C)SafeLoader


@settings(max_examples=200, deadline=None)
@given(printable_text)
def test_scalar_inside_a_flow_list_round_trips(s):
    assert yaml.safe_load(f"k: [{scalar(s)}, {scalar(s)}]")["k"] == [s, s]


@settings(max_examples=300, deadline=None)
@given(any_text)
@example("\x7f")
@example("\x85")
@example("title\x9f")
@example("\ufffe")
def test_scalar_round_trips_any_text(s):
    assert yaml.safe_load("k: " + scalar(s))["k"] == s


NY = zone("America/New_York")
CAL_HEAD = (
    "calendar: P\nuser: user_123\ntimezone: America/New_York\n"
    'period: {start: "2026-07-01", end: "2026-09-30"}\nitems: []\n'
)


@settings(max_examples=60, deadline=None)
@given(
    title=printable_text.filter(lambda s: s != ""),
    notes=printable_text,
    assignee=st.from_regex(r"[a-z]{1,8}", fullmatch=True),
)
def test_item_text_fields_survive_write_and_read(tmp_path_factory, title, notes, assignee):
    path = tmp_path_factory.mktemp("cal") / "P.yaml"
    path.write_text(CAL_HEAD, encoding="utf-8")
    cf = load_calendar(path)
    item = ContentScheduleItem(
        id="it_1",
        idempotency_key="bj/vj/youtube",
        calendar="P",
        user_id="user_123",
        video_job_id="vj",
        platform=Platform.YOUTUBE,
        format="short",
        scheduled_at=datetime(2026, 7, 1, 16, tzinfo=NY),
        status=ScheduleStatus.PLANNED,
        title=title,
        notes=notes,
        assignee=assignee,
        score=0.75,
    )
    written = splice_items(cf.text, cf.layout, cf.calendar.items, [item])
    path.write_text(written.text, encoding="utf-8")
    back = load_calendar(path).calendar.items
    assert len(back) == 1
    got = back[0]
    assert (got.title, got.notes, got.assignee, got.score) == (title, notes, assignee, 0.75)
    assert got.scheduled_at == item.scheduled_at


# ---------------------------------------------------------------- parse_duration

hours = st.integers(min_value=0, max_value=10_000)
minutes = st.integers(min_value=0, max_value=10_000)


@given(hours, minutes)
def test_parse_duration_hours_and_minutes(h, m):
    assert parse_duration(f"{h}h{m}m") == timedelta(hours=h, minutes=m)


@given(hours, minutes, st.sampled_from(["", " "]), st.sampled_from(["h", "H"]), st.sampled_from(["m", "M"]))
def test_parse_duration_spacing_and_case(h, m, sep, hu, mu):
    assert parse_duration(f"{h}{hu}{sep}{m}{mu}") == timedelta(hours=h, minutes=m)


@given(st.integers(0, 1000), st.integers(0, 1000), hours, minutes)
def test_parse_duration_all_units(w, d, h, m):
    assert parse_duration(f"{w}w{d}d{h}h{m}m") == timedelta(weeks=w, days=d, hours=h, minutes=m)


@given(minutes)
def test_parse_duration_bare_number_is_minutes(m):
    assert parse_duration(str(m)) == timedelta(minutes=m)
    assert parse_duration(m) == timedelta(minutes=m)


@pytest.mark.parametrize("text", ["", "soon", "4x", "h", "1h30", "-1h", "1h-30m", "4 hours"])
def test_parse_duration_rejects_garbage(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("value", [True, False])
def test_parse_duration_rejects_booleans(value):
    with pytest.raises(ValueError):
        parse_duration(value)


@given(hours, minutes)
@example(0, 15)
def test_parse_duration_min_unit(h, m):
    assert parse_duration(f"{h}h{m}min") == timedelta(hours=h, minutes=m)
