"""`calcli plan`'s data output: the JSON template equals json.dumps (a plan whose write fails
prints no plan: see test_plan_forked)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from test_planner_cli import VIDEOS, plan_q3, write_bulk

from calcli.cli.commands.plan import _item_doc, items_json
from calcli.core.model import ContentScheduleItem, Platform, ScheduleStatus

ZONES = [ZoneInfo(z) for z in ("America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata")]
text = st.text(st.characters(codec="utf-8"), max_size=12)  # quotes, backslashes, controls, emoji


@st.composite
def items(draw):
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 2 * 525_600)))
    return ContentScheduleItem(
        id=draw(text),
        idempotency_key="k",
        calendar=draw(text),
        user_id="u",
        video_job_id=draw(text),
        platform=draw(st.sampled_from(list(Platform))),
        format=draw(text),
        scheduled_at=at.astimezone(draw(st.sampled_from(ZONES))),
        status=draw(st.sampled_from(list(ScheduleStatus))),
        score=draw(st.none() | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False)),
        title=draw(text),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(items(), max_size=6), st.dictionaries(text, text, max_size=3), st.data())
def test_items_json_is_json_dumps(its, why, data):
    for i in its:  # some items have a reason, some have none
        if data.draw(st.booleans()):
            why[i.id] = data.draw(text)
    docs = [_item_doc(i) | {"title": i.title, "why": why.get(i.id, "")} for i in its]
    for d in docs:
        d["scheduled_at"] = d["scheduled_at"].isoformat(timespec="seconds")
    assert items_json(its, why) == json.dumps(docs, ensure_ascii=False)


def test_plan_json_is_one_indented_document(project, run):
    write_bulk(project / "bulk.json", VIDEOS)
    r = plan_q3(run, "--format", "json")
    assert r.exit_code == 0, r
    assert r.stdout.startswith('{\n  "summary": {\n    "calendar": "Q3",')  # small: indented
    doc = json.loads(r.stdout)
    assert doc["summary"]["written"] is True and doc["summary"]["placed"] == len(doc["items"]) == 7
    assert [d["id"] for d in doc["items"]] == [i.id for i in _calendar_items(project)]
    assert list(doc["items"][0]) == [
        "id",
        "calendar",
        "video_job_id",
        "platform",
        "format",
        "scheduled_at",
        "status",
        "score",
        "title",
        "why",
    ]


def _calendar_items(project):
    from calcli.files.calendar import load_calendar

    return load_calendar(project / "calendars" / "Q3.yaml").calendar.items


# ---------------------------------------------------------------- the `planned` audit entries, made in SQL

HISTORY_ZONES = [
    "America/New_York",
    "Asia/Kolkata",  # +05:30
    "America/St_Johns",  # -03:30 and -02:30
    "Pacific/Chatham",  # +12:45 and +13:45
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "UTC",
]


def _store_with(items, tzname: str):
    import duckdb

    from calcli.store.duckdb.rows import item_row as _item_row
    from calcli.store.duckdb.store import DuckDBStore as Store

    store = Store(duckdb.connect())
    store.migrate(new=True)
    at = datetime(2026, 12, 1)
    store.append("content_schedule_items", [_item_row(i, tzname, n, None, at, at) for n, i in enumerate(items)])
    return store, at


@settings(max_examples=60, deadline=None)
@given(
    tzname=st.sampled_from(HISTORY_ZONES),
    minutes=st.lists(st.integers(0, 5 * 525_600), min_size=1, max_size=8),
    scores=st.lists(st.none() | st.integers(0, 10_000).map(lambda n: round(n / 10_000, 4)), min_size=8, max_size=8),
)
def test_planned_history_in_sql_is_the_python_text(tzname, minutes, scores):
    """add_planned_history writes what f"{platform} {scheduled_at.isoformat()} score {score}" gives
    for the planner's items: any instant in zones with odd offsets and DST, any score it makes."""
    tz = ZoneInfo(tzname)
    items = [
        ContentScheduleItem(
            id=f"it_{n}",
            idempotency_key=f"k{n}",
            calendar="Q3",
            user_id="u",
            video_job_id=f"v{n}",
            platform=list(Platform)[n % 6],
            format="short",
            scheduled_at=(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=m)).astimezone(tz),
            score=scores[n],
        )
        for n, m in enumerate(minutes)
    ]
    store, at = _store_with(items, tzname)
    store.add_planned_history("Q3", None, "alice", at)
    got = store.con.execute("SELECT item_id, user_id, actor, action, new_value FROM item_history").fetchall()
    assert got == [
        (i.id, "u", "alice", "planned", f"{i.platform.value} {i.scheduled_at.isoformat()} score {i.score}")
        for i in items
    ]
    store.add_planned_history("Q3", [items[0].id], "bob", at)  # only the items named
    assert store.con.execute("SELECT item_id FROM item_history WHERE actor = 'bob'").fetchall() == [(items[0].id,)]


def test_every_planner_score_is_written_as_python_writes_it():
    import duckdb

    rows = duckdb.connect().execute("SELECT n, CAST(n / 10000 AS DOUBLE)::VARCHAR FROM range(10001) t(n)").fetchall()
    assert [text for _, text in rows] == [repr(round(n / 10_000, 4)) for n, _ in rows]
