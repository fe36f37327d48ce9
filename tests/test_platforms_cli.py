"""`calcli platforms`, `calcli preview`, `calcli check` on variants, project overrides of the limits registry,
and the registry's daily caps in the planner."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from calcli.core.model import BulkJob, ContentCalendar, Platform, Stagger, UserSchedulingPreferences, VideoJob
from calcli.files.timing import load_timing
from calcli.planning.board import limits_for
from calcli.planning.problem import PlanInput
from calcli.planning.registry import Limit, load_registry
from calcli.planning.solver import plan
from calcli.planning.variants import length

HERE = Path(__file__).resolve().parent / "fixtures" / "platforms"
FB = Platform.FACEBOOK
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def tsv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


def use_limits(project, name: str) -> None:
    (project / "timing_data").mkdir(exist_ok=True)
    shutil.copy(HERE / name, project / "timing_data" / "limits.yaml")


# ---------------------------------------------------------------- calcli platforms


@pytest.mark.parametrize("fmt", ["tsv", "json"])
def test_platforms_lists_every_platform(run, tmp_path, monkeypatch, fmt):
    monkeypatch.chdir(tmp_path)  # outside a project: the shipped registry
    r = run("platforms", "--format", fmt)
    assert r.exit_code == 0, r
    rows = tsv(r.stdout) if fmt == "tsv" else json.loads(r.stdout)
    assert set(rows[0]) == {"platform", "item", "value", "counted", "source", "note"}
    by = {}
    for row in rows:
        by.setdefault(row["platform"], []).append(row)
    assert list(by) == [p.value for p in Platform]
    reg = load_registry()
    timing = load_timing()
    for p in Platform:
        items = {row["item"]: row for row in by[p.value]}
        # formats with durations and aspects
        for f in timing.for_platform(p):
            row = items[f"format {f.format}"]
            assert f"{f.min_duration:g}–{f.max_duration:g} s" in row["value"]
            assert row["source"] == f"timing_data/{p.value}.yaml (2026-11-01)"
        # every text/count limit with its value, counting rule and source
        for name, lim in reg.get(p).fields.items():
            row = items[lim.label or name]
            want = str(lim.max) if lim.min is None else f"{lim.min}–{lim.max}"
            assert str(row["value"]) == want
            assert row["counted"] == (lim.count if name in ("title", "caption", "tags_chars") else "items")
            assert row["source"] == lim.source
        # the daily cap
        cap = items["posts a day"]
        assert str(cap["value"]) == str(reg.get(p).posts_per_day.max)
        assert cap["source"] and cap["counted"] == "posts"
        # the overview has no windows (those are in the one-platform view)
        assert not any(i.strip().startswith("window") for i in items)


def test_platforms_tsv_values(run, project):
    r = run("platforms", "--format", "tsv")
    assert r.exit_code == 0, r
    lines = r.stdout.splitlines()
    assert "youtube\ttitle\t2–100\tchars\tPZc YoutubeSettingsDto; LT\t" in lines
    assert any(line.startswith("tiktok\tformat video\t3–600 s; 9:16 or 16:9\t") for line in lines)
    assert any(line.startswith("facebook\tposts a day\t30\tposts\tDV; Adobe\t") for line in lines)
    assert any(line.startswith("instagram\thashtags\t30\titems\t") for line in lines)


def test_platforms_x_in_detail(run, project):
    r = run("platforms", "x", "--json")
    assert r.exit_code == 0, r
    rows = json.loads(r.stdout)
    assert {row["platform"] for row in rows} == {"x"}
    (text,) = [row for row in rows if row["item"] == "text"]
    assert text["value"] == 280
    assert text["counted"] == "x-weighted"
    assert "others: 25,000 on paid tiers (BFd, BFs); 4,000 for Verified (PZc)" in text["note"]
    assert "why: the free tier's 280 fits every account" in text["note"]
    assert text["source"] == "BFd; BFs; Orshot"
    items = [row["item"] for row in rows]
    assert "format video" in items
    assert any(i.strip() == "window (video)" for i in items)
    assert any(i.strip() == "frequency (video)" for i in items)
    (cap,) = [row for row in rows if row["item"] == "posts a day"]
    assert cap["value"] == 2400 and "300 per 3 hours" in cap["note"]


def test_platforms_twitter_alias_and_tsv(run, project):
    r = run("platforms", "twitter", "--format", "tsv")
    assert r.exit_code == 0, r
    assert "x\ttext\t280\tx-weighted\tBFd; BFs; Orshot\t" in r.stdout
    assert "youtube" not in r.stdout


def test_platforms_unknown_platform_is_a_usage_error(run, project):
    r = run("platforms", "myspace")
    assert r.exit_code == 2, r
    assert "myspace" in r.stderr


# ---------------------------------------------------------------- calcli preview


@pytest.fixture
def planned(example_project, run):
    r = run("plan", "examples/bulk.json", "--calendar", "Q3")
    assert r.exit_code == 0, r
    return example_project


def test_preview_video_tsv(run, planned):
    r = run("preview", "--video", "vj_001", "--format", "tsv")
    assert r.exit_code == 0, r
    rows = tsv(r.stdout)
    assert list(rows[0]) == ["item", "platform", "field", "length", "limit", "counted", "room", "text"]
    assert [row["platform"] for row in rows] == ["youtube"] * 3 + ["tiktok"] * 3 + ["instagram"] * 3
    by = {(row["platform"], row["field"]): row for row in rows}
    yt_title = by[("youtube", "title")]
    assert (yt_title["text"], yt_title["length"], yt_title["limit"], yt_title["room"]) == (
        "How we built it",
        "15",
        "100",
        "85",
    )
    desc = by[("youtube", "description")]
    assert desc["text"] == "Behind the scenes of the launch. #launch #bts"
    assert (desc["length"], desc["limit"], desc["counted"], desc["room"]) == ("45", "5000", "chars", "4955")
    for p, limit in (("tiktok", 2000), ("instagram", 2200)):
        cap = by[(p, "caption")]
        assert cap["limit"] == str(limit) and cap["counted"] == "utf16"
        assert int(cap["room"]) == limit - int(cap["length"])
        assert cap["text"].startswith("How we built it")
        assert cap["text"].endswith("#launch #bts")
    assert by[("instagram", "hashtags")]["limit"] == "30"
    assert by[("instagram", "hashtags")]["room"] == "28"


def test_preview_video_json_lengths_follow_the_counting_rule(run, planned):
    r = run("preview", "--video", "vj_003", "--json")
    assert r.exit_code == 0, r
    rows = json.loads(r.stdout)
    assert {row["platform"] for row in rows} == {"youtube", "tiktok", "instagram", "x"}
    reg = load_registry()
    for row in rows:
        if row["limit"] is None or row["field"] == "hashtags":
            continue
        lim = Limit(max=row["limit"], count=row["counted"])
        assert row["length"] == length(row["text"], lim)
        assert row["room"] == row["limit"] - row["length"]
    (x_text,) = [row for row in rows if row["platform"] == "x" and row["field"] == "text"]
    assert x_text["text"] == "Three tips in 30 seconds #tips"
    assert (x_text["limit"], x_text["counted"]) == (reg.get(Platform.X).fields["caption"].max, "x-weighted")


def test_preview_one_item(run, planned):
    r = run("preview", "--video", "vj_003", "--json")
    x_id = next(row["item"] for row in json.loads(r.stdout) if row["platform"] == "x")
    r = run("preview", x_id, "--json")
    assert r.exit_code == 0, r
    rows = json.loads(r.stdout)
    assert {row["item"] for row in rows} == {x_id}
    assert [row["field"] for row in rows] == ["title", "text", "hashtags"]


@pytest.mark.parametrize(
    "args",
    [(), ("it_8fec3c9dae", "--video", "vj_001")],
    ids=["neither", "both"],
)
def test_preview_needs_exactly_one_of_id_and_video(run, planned, args):
    r = run("preview", *args)
    assert r.exit_code == 2, r
    assert "--video" in r.stderr
    assert r.stdout == ""


def test_preview_unknown_video_or_item(run, planned):
    assert run("preview", "--video", "vj_nope").exit_code == 2
    assert run("preview", "it_nope").exit_code == 2


# ---------------------------------------------------------------- calcli check on hand-edited variants


def _edit_item(project, video: str, platform: str, key: str, value: str) -> int:
    """Set ``key: value`` in the calendars/Q3.yaml item of ``video`` on ``platform``; the line number of that key."""
    path = project / "calendars" / "Q3.yaml"
    lines = path.read_text().splitlines(keepends=True)
    starts = [k for k, line in enumerate(lines) if line.lstrip().startswith("- id: ")] + [len(lines)]
    for a, b in zip(starts, starts[1:], strict=False):
        block = [line.strip() for line in lines[a:b]]
        if f"video: {video}" in block and f"platform: {platform}" in block:
            (i,) = [k for k in range(a, b) if lines[k].strip().startswith(f"{key}:")]
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            lines[i] = f"{indent}{key}: {value}\n"
            path.write_text("".join(lines))
            return i + 1
    raise AssertionError(f"no item of {video} on {platform}")


def _edit_x_caption(project, new: str) -> int:
    return _edit_item(project, "vj_003", "x", "caption", json.dumps(new, ensure_ascii=False))


def test_check_flags_a_hand_edited_x_caption_and_passes_after_the_fix(run, planned):
    lim = load_registry().get(Platform.X).fields["caption"]
    over = "Three tips in 30 seconds #tips " + "日" * 125  # 31 + 250 = 281 weighted, only 156 characters
    assert length(over, lim) == 281
    line = _edit_x_caption(planned, over)
    r = run("check", "--format", "text")
    assert r.exit_code == 3, r
    out = r.stdout + r.stderr
    finding = next(x for x in out.splitlines() if "items.caption" in x)
    assert finding.startswith(f"calendars/Q3.yaml:{line}:")
    assert "281" in finding and "280" in finding and "over the limit of 280 by 1" in finding
    assert "x text" in finding
    fixed = "Three tips in 30 seconds #tips " + "日" * 124 + "a"  # exactly 280
    assert length(fixed, lim) == 280
    assert _edit_x_caption(planned, fixed) == line
    r = run("check", "--format", "text")
    assert r.exit_code == 0, r


def test_check_flags_too_many_instagram_hashtags(run, planned):
    tags = ", ".join(f"t{i}" for i in range(31))
    line = _edit_item(planned, "vj_001", "instagram", "hashtags", f"[{tags}]")
    r = run("check", "--format", "text")
    assert r.exit_code == 3, r
    finding = next(x for x in (r.stdout + r.stderr).splitlines() if "items.hashtags" in x)
    assert finding.startswith(f"calendars/Q3.yaml:{line}:")
    assert "instagram hashtags is 31, over the limit of 30 by 1" in finding
    _edit_item(planned, "vj_001", "instagram", "hashtags", f"[{tags.rsplit(', ', 1)[0]}]")
    assert run("check", "--format", "text").exit_code == 0


def test_plan_never_writes_what_check_rejects(run, project):
    bulk = {
        "bulk_job_id": "bj_short",
        "user_id": "user_123",
        "videos": [
            {
                "video_job_id": "v1",
                "title": "A",
                "duration_seconds": 30,
                "aspect_ratio": "9:16",
                "platforms": ["youtube"],
            }
        ],
    }
    (project / "bulk.json").write_text(json.dumps(bulk))
    r = run("plan", "bulk.json", "--calendar", "Q3", "--start", "2026-07-01", "--end", "2026-07-31")
    assert r.exit_code == 0, r
    r = run("check", "--format", "text")
    assert r.exit_code == 0, r


# ---------------------------------------------------------------- project overrides of limits.yaml


def test_project_override_changes_one_limit(run, planned):
    use_limits(planned, "limits_override.yaml")
    r = run("platforms", "x", "--json")
    assert r.exit_code == 0, r
    (text,) = [row for row in json.loads(r.stdout) if row["item"] == "text"]
    assert (text["value"], text["counted"], text["source"]) == (200, "x-weighted", "house style guide")
    assert "others: 280 (X free tier)" in text["note"] and "why: shorter posts read better" in text["note"]
    # the other limits and platforms are the shipped ones
    r = run("platforms", "--json")
    rows = json.loads(r.stdout)
    caps = {row["platform"]: row["value"] for row in rows if row["item"] == "posts a day"}
    assert caps == {"youtube": 100, "tiktok": 15, "instagram": 50, "x": 2400, "linkedin": 150, "facebook": 2}
    assert any(row["platform"] == "tiktok" and row["item"] == "caption" and row["value"] == 2000 for row in rows)
    # check measures against the project's limit: 201 weighted is now over, 200 passes
    line = _edit_x_caption(planned, "a" * 201)
    r = run("check", "--format", "text")
    assert r.exit_code == 3, r
    assert f"calendars/Q3.yaml:{line}:" in r.stdout + r.stderr
    assert "over the limit of 200 by 1" in r.stdout + r.stderr
    _edit_x_caption(planned, "a" * 200)
    assert run("check", "--format", "text").exit_code == 0
    # and preview shows it
    r = run("preview", "--video", "vj_003", "--json")
    (x_text,) = [row for row in json.loads(r.stdout) if row["platform"] == "x" and row["field"] == "text"]
    assert (x_text["limit"], x_text["room"]) == (200, 0)


def test_project_override_applies_to_planning(run, project):
    use_limits(project, "limits_override.yaml")
    shutil.copy(HERE / "preferences_facebook_100.yaml", project / "preferences.yaml")
    bulk = {
        "bulk_job_id": "bj_x",
        "user_id": "user_123",
        "videos": [
            {
                "video_job_id": "v1",
                "title": "word " * 60,
                "duration_seconds": 30,
                "aspect_ratio": "16:9",
                "hashtags": ["one", "two"],
                "platforms": ["x"],
            }
        ],
    }
    (project / "bulk.json").write_text(json.dumps(bulk))
    r = run("plan", "bulk.json", "--calendar", "Q3", "--start", "2026-07-01", "--end", "2026-07-31")
    assert r.exit_code == 0, r
    r = run("preview", "--video", "v1", "--json")
    (x_text,) = [row for row in json.loads(r.stdout) if row["field"] == "text"]
    assert x_text["limit"] == 200 and 0 <= x_text["room"] <= 200
    assert x_text["length"] > 150, "cut near the project's limit, not far below it"
    assert run("check", "--format", "text").exit_code == 0


def test_project_override_of_max_keeps_the_counting_rule(run, project):
    use_limits(project, "limits_max_only.yaml")
    r = run("platforms", "x", "--json")
    assert r.exit_code == 0, r
    (text,) = [row for row in json.loads(r.stdout) if row["item"] in ("text", "caption")]
    assert text["value"] == 200
    assert text["counted"] == "x-weighted"


def test_bad_override_is_reported_by_check_with_file_and_line(run, project):
    use_limits(project, "limits_bad.yaml")
    r = run("check", "--format", "text")
    assert r.exit_code == 3, r
    out = r.stdout + r.stderr
    unknown = next(x for x in out.splitlines() if "unknown field 'bio'" in x)
    assert unknown.startswith("timing_data/limits.yaml:5:")
    below = next(x for x in out.splitlines() if "min 10 is above max 5" in x)
    assert below.startswith("timing_data/limits.yaml:8:")


def test_bad_override_stops_other_commands_with_exit_3(run, project):
    use_limits(project, "limits_bad.yaml")
    r = run("platforms", "x")
    assert r.exit_code == 3, r
    assert "timing_data/limits.yaml:5:" in r.stderr


# ---------------------------------------------------------------- the registry's daily cap in the planner


def _facebook_burst(n: int, first: date, last: date, caps: dict) -> PlanInput:
    vids = [
        VideoJob(f"v{i:03d}", title=f"Clip {i}", duration_seconds=60, aspect_ratio="16:9", platforms=[FB])
        for i in range(n)
    ]
    cal = ContentCalendar("CAP", "user_1", "UTC", first, last)
    job = BulkJob("bj_cap", "user_1", videos=vids)
    prefs = {FB: UserSchedulingPreferences("user_1", FB, "UTC", max_per_day=100, posting_frequency_max=1000)}
    return PlanInput(job, cal, [], load_timing(), prefs, Stagger(), NOW, slot_minutes=10, platform_caps=caps)


def test_limits_for_takes_the_lower_of_user_and_platform_caps():
    formats = load_timing().for_platform(FB)
    user = UserSchedulingPreferences("u", FB, "UTC", max_per_day=100)
    assert limits_for(FB, formats, user, 30).max_per_day == 30
    assert limits_for(FB, formats, UserSchedulingPreferences("u", FB, "UTC", max_per_day=3), 30).max_per_day == 3
    assert limits_for(FB, formats, None, 30).max_per_day == 30
    assert limits_for(FB, formats, user, None).max_per_day == 100


def test_planner_never_puts_more_than_30_facebook_posts_on_a_day():
    caps = load_registry().daily_caps()
    assert caps[FB] == 30
    day = date(2026, 7, 1)  # a Wednesday: 08:00-18:00 in 10-minute steps is 60 slots
    result = plan(_facebook_burst(40, day, day, caps))
    assert len(result.items) == 30
    assert len(result.unplaced) == 10
    assert all("daily cap" in u.reason for u in result.unplaced), result.unplaced[0].reason
    # without the platform's cap, the user's 100 a day would have let all 40 in
    assert len(plan(_facebook_burst(40, day, day, {})).items) == 40


def test_planner_daily_cap_holds_on_every_day():
    caps = load_registry().daily_caps()
    result = plan(_facebook_burst(75, date(2026, 7, 1), date(2026, 7, 3), caps))  # Wed-Fri
    per_day: dict[date, int] = {}
    for item in result.items:
        d = item.scheduled_at.date()
        per_day[d] = per_day.get(d, 0) + 1
    assert max(per_day.values()) <= 30
    assert len(result.items) == 75


def test_plan_cli_respects_the_registry_cap_over_user_preferences(run, project):
    """preferences allow 100 Facebook posts a day; the project's registry says 2."""
    use_limits(project, "limits_override.yaml")
    shutil.copy(HERE / "preferences_facebook_100.yaml", project / "preferences.yaml")
    shutil.copy(HERE / "bulk_facebook.json", project / "bulk.json")
    r = run("plan", "bulk.json", "--calendar", "FB", "--start", "2026-07-01", "--end", "2026-07-01", "--format", "tsv")
    assert r.exit_code == 0, r
    rows = tsv(r.stdout)
    placed = [row for row in rows if row["result"] == "placed"]
    unplaced = [row for row in rows if row["result"] == "unplaced"]
    assert len(placed) == 2
    assert len(unplaced) == 3
    assert all("daily cap" in row["reason"] for row in unplaced), [row["reason"] for row in unplaced]
