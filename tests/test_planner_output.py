"""`calcli plan`'s data output: the JSON template equals json.dumps (a plan whose write fails
prints no plan: see test_plan_forked)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from test_planner_cli import VIDEOS, plan_q3, write_bulk

from calcli.cli.cmd_plan import _item_doc, items_json
from calcli.model import ContentScheduleItem, Platform, ScheduleStatus

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
    from calcli.calendars import load_calendar

    return load_calendar(project / "calendars" / "Q3.yaml").calendar.items
