"""Every figure of ``calcli analyze`` against an independent computation in plain Python over the
same YAML and CSV files (csv, yaml.safe_load, zoneinfo, statistics; nothing of calcli.analytics.metrics or
calcli.analytics.analysis), plus filters, the latest-snapshot rule, posts without impressions, the
consistency statuses, tsv sections and bad input."""

from __future__ import annotations

import csv
import json
import math
import shutil
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import NormalDist
from zoneinfo import ZoneInfo

import pytest
import yaml

from calcli.analytics import stats

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "analytics"
TZ = ZoneInfo("America/New_York")
USER = "user_123"
PLATFORMS = ["facebook", "instagram", "linkedin", "tiktok", "x", "youtube"]
DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# Student's t 0.975 quantiles (published tables) by degrees of freedom; beyond 10, calcli's own
# (checked against published values in test_analytics_wording.py).
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}
DAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
COUNTS = ("impressions", "reach", "views", "likes", "comments", "shares", "saves", "clicks")


# ------------------------------------------------------------------ the independent computation


def read_items(project: Path) -> list[dict]:
    out = []
    for path in sorted((project / "calendars").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for it in doc.get("items") or []:
            local = datetime.fromisoformat(it["at"]).astimezone(TZ).replace(tzinfo=None)
            out.append({"id": it["id"], "calendar": doc["calendar"], "user": doc["user"], "video": it["video"],
                        "platform": it["platform"], "format": it.get("format"), "title": it.get("title"),
                        "status": it.get("status", "planned"), "local": local,
                        "platforms_of_calendar": doc.get("platforms") or []})
    return out


def read_kpi(*paths: Path) -> dict[str, list[dict]]:
    snaps: dict[str, dict] = defaultdict(dict)
    for path in paths:
        with path.open(newline="") as fh:
            for row in csv.DictReader(fh):
                at = datetime.fromisoformat(row["metric_at"].replace("Z", "+00:00"))
                counts = {c: int(row[c]) if row.get(c) not in (None, "") else None for c in COUNTS}
                snaps[row["item_id"]][at] = counts  # the same key again replaces
    return {item: [{"at": at, **c} for at, c in s.items()] for item, s in snaps.items()}


def posts_of(items, kpi, calendar=None, platform=None, since=None, until=None) -> list[dict]:
    """One post per item with numbers: its latest snapshot."""
    out = []
    for it in items:
        if it["id"] not in kpi or it["user"] != USER:
            continue
        if (calendar and it["calendar"] != calendar) or (platform and it["platform"] != platform):
            continue
        if (since and it["local"].date() < since) or (until and it["local"].date() > until):
            continue
        latest = max(kpi[it["id"]], key=lambda s: s["at"])
        eng = sum(latest[c] or 0 for c in ("likes", "comments", "shares", "saves"))
        exposure = latest["impressions"] if latest["impressions"] is not None else latest["views"]
        out.append({**it, **latest, "snapshots": len(kpi[it["id"]]), "eng": eng, "exposure": exposure,
                    "weekday": it["local"].weekday(), "hour": it["local"].hour})
    return out


def total(ps, key):
    vals = [p[key] for p in ps if p[key] is not None]
    return sum(vals) if vals else None


def figures(ps: list[dict]) -> dict:
    rated = [p for p in ps if (p["exposure"] or 0) > 0]
    reached = [p for p in ps if (p["reach"] or 0) > 0]
    return {
        "posts": len(ps),
        "posts_with_rate": len(rated),
        "impressions": total(ps, "exposure"),
        "reach": total(ps, "reach"),
        "engagements": sum(p["eng"] for p in ps),
        # one population per row of the table: the rated posts' exposure and engagements, ER/impr over them
        "rated_impressions": total(rated, "exposure"),
        "rated_engagements": sum(p["eng"] for p in rated) if rated else None,
        "er_impressions": sum(p["eng"] for p in rated) / sum(p["exposure"] for p in rated) if rated else None,
        "er_reach": sum(p["eng"] for p in reached) / sum(p["reach"] for p in reached) if reached else None,
        "median_post_er": statistics.median(p["eng"] / p["exposure"] for p in rated) if rated else None,
        "views": total(ps, "views"),
        "clicks": total(ps, "clicks"),
        "watch_time_seconds": None,
    }


def grouped(ps, keys) -> list[dict]:
    groups = defaultdict(list)
    for p in ps:
        groups[tuple(p[k] for k in keys)].append(p)
    return [{**dict(zip(keys, k, strict=True)), **figures(g)} for k, g in sorted(groups.items())]


def log_value(p, metric):
    if metric == "er_impressions":
        return math.log((p["eng"] + 0.5) / (p["exposure"] + 0.5)) if (p["exposure"] or 0) > 0 else None
    assert metric == "views"
    return math.log(p["views"] + 1) if p["views"] is not None else None


def with_residuals(ps, metric) -> list[dict]:
    """The posts with a value of the metric, each with its log value minus its platform-and-format mean."""
    valued = [{**p, "y": log_value(p, metric)} for p in ps]
    valued = [p for p in valued if p["y"] is not None]
    means = {k: statistics.fmean(q["y"] for q in valued if (q["platform"], q["format"]) == k)
             for k in {(p["platform"], p["format"]) for p in valued}}
    return [{**p, "r": p["y"] - means[(p["platform"], p["format"])]} for p in valued]


def slot(wd, hr):
    return f"{DAY[wd]} {hr:02d}:00-{(hr + 1) % 24:02d}:00"


def heatmap(ps, resid) -> list[dict]:
    cells = defaultdict(list)
    for p in ps:
        cells[(p["weekday"], p["hour"])].append(p)
    out = []
    for (wd, hr), g in sorted(cells.items()):
        rs = [p["r"] for p in resid if (p["weekday"], p["hour"]) == (wd, hr)]
        out.append({"weekday": wd, "hour": hr, **figures(g), "slot": slot(wd, hr),
                    "lift": math.exp(statistics.fmean(rs)) - 1 if rs else None})
    return out


def best_times(resid) -> tuple[list[dict], dict]:
    """Each platform's slots with >= 5 posts (and >= 5 others) against the platform's other posts."""
    plats = defaultdict(list)
    for p in resid:
        plats[p["platform"]].append(p)
    sd, tested = {}, []
    for name, ps in plats.items():
        groups = len({p["format"] for p in ps})
        sd[name] = math.sqrt(sum(p["r"] ** 2 for p in ps) / max(len(ps) - groups, 1))
        for wd, hr in sorted({(p["weekday"], p["hour"]) for p in ps}):
            inside = [p for p in ps if (p["weekday"], p["hour"]) == (wd, hr)]
            rest = [p for p in ps if (p["weekday"], p["hour"]) != (wd, hr)]
            if len(inside) >= 5 and len(rest) >= 5:
                tested.append((name, wd, hr, inside, rest))
    crit = NormalDist().inv_cdf(1 - 0.05 / (2 * max(len(tested), 1)))
    def compare(name, inside, rest):
        diff = statistics.fmean(p["r"] for p in inside) - statistics.fmean(p["r"] for p in rest)
        return diff, sd[name] * math.sqrt(1 / len(inside) + 1 / len(rest))

    # Step down: slots better beyond chance leave the baseline of their platform's other slots.
    better = set()
    for name, wd, hr, inside, rest in tested:
        diff, se = compare(name, inside, rest)
        if diff / se > crit:
            better.add((name, wd, hr))
    rows = []
    for name, wd, hr, inside, rest in tested:
        if (name, wd, hr) not in better:
            trimmed = [p for p in rest if (name, p["weekday"], p["hour"]) not in better]
            rest = trimmed if len(trimmed) >= 5 else rest
        diff, se = compare(name, inside, rest)
        z = diff / se
        expo = total(inside, "exposure")
        rows.append({"platform": name, "slot": slot(wd, hr), "weekday": wd, "hour": hr, "posts": len(inside),
                     "er_impressions": sum(p["eng"] for p in inside) / expo if expo else None,
                     "lift": math.exp(diff) - 1, "low": math.exp(diff - crit * se) - 1,
                     "high": math.exp(diff + crit * se) - 1, "z": z, "critical_z": crit,
                     "claim": ("better" if z > 0 else "worse") if abs(z) > crit else None})
    rows.sort(key=lambda r: (r["platform"], -r["z"]))
    return rows, {name: len(ps) for name, ps in plats.items()}


def videos(ps) -> dict:
    """The same video across platforms: paired ratios per pair of platforms, the best platform per
    video, and the twelve most-seen videos (by impressions over their platforms) as examples."""
    by = defaultdict(lambda: defaultdict(list))
    for p in ps:
        by[p["video"]][p["platform"]].append(p)
    rows = []
    for video, plats in sorted(by.items()):
        if len(plats) < 2:
            continue
        rates = {}
        for name, g in plats.items():
            rated = [p for p in g if (p["exposure"] or 0) > 0]
            expo = total(g, "exposure")
            rates[name] = {"er_impressions": sum(p["eng"] for p in rated) / expo if rated and expo else None,
                           "impressions": expo, "engagements": sum(p["eng"] for p in g)}
        known = {k: v["er_impressions"] for k, v in rates.items() if v["er_impressions"] is not None}
        rows.append({"video_job_id": video, "title": next(iter(plats.values()))[0]["title"],
                     "platforms": dict(sorted(rates.items())),
                     "best": max(known, key=lambda k: (known[k], k)) if known else None})
    pairs = []
    names = sorted({name for r in rows for name in r["platforms"]})
    for a in names:
        for b in names:
            if a >= b:
                continue
            both = [(r["platforms"][a]["er_impressions"], r["platforms"][b]["er_impressions"])
                    for r in rows if a in r["platforms"] and b in r["platforms"]]
            logs = [math.log(rb / ra) for ra, rb in both if (ra or 0) > 0 and (rb or 0) > 0]
            if not logs:
                continue
            mean = statistics.fmean(logs)
            half = None
            if len(logs) > 1:
                # Student's t with n - 1 degrees of freedom (exact quantiles: see T975 below)
                df = len(logs) - 1
                half = (T975[df] if df in T975 else stats.t975(df)) * statistics.stdev(logs) / math.sqrt(len(logs))
            pairs.append({"platform_a": a, "platform_b": b, "videos": len(logs), "ratio": math.exp(mean),
                          "low": math.exp(mean - half) if half is not None else None,
                          "high": math.exp(mean + half) if half is not None else None,
                          "b_higher": sum(x > 0 for x in logs) / len(logs)})
    wins = defaultdict(int)
    for r in rows:
        if r["best"]:
            wins[r["best"]] += 1
    seen = {r["video_job_id"]: sum(d["impressions"] or 0 for d in r["platforms"].values()) for r in rows}
    examples = sorted(rows, key=lambda r: (-seen[r["video_job_id"]], r["video_job_id"]))[:12]
    ranked = sorted(wins.items(), key=lambda kv: (-kv[1], kv[0]))
    return {"videos_compared": len(rows), "platform_pairs": pairs,
            "best_platform": [{"platform": k, "videos": n} for k, n in ranked], "videos": examples}


def goals() -> dict[str, tuple[int | None, int | None]]:
    prefs = yaml.safe_load((ROOT / "preferences.yaml").read_text())["users"][USER]["platforms"]
    return {p: (v.get("min_per_week"), v.get("max_per_week")) for p, v in prefs.items()}


def research_min(platform: str) -> int | None:
    doc = yaml.safe_load((ROOT / "timing_data" / f"{platform}.yaml").read_text())
    first = next(iter(doc["formats"].values()))
    return (first.get("frequency") or {}).get("min_per_week")


def consistency(items, today: date, calendar=None, platform=None, until=None) -> list[dict]:
    if until and until < today:
        today = until
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=4)
    weeks = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for it in items:
        if it["user"] != USER or it["status"] == "canceled" or (calendar and it["calendar"] != calendar):
            continue
        if it["local"] < datetime.combine(first, datetime.min.time()):
            continue
        wk = it["local"].date() - timedelta(days=it["local"].weekday())
        if it["status"] == "posted":
            weeks[it["platform"]][wk][0] += 1
        elif it["status"] in ("planned", "scheduled", "failed"):
            weeks[it["platform"]][wk][1] += 1
    if platform:
        names = [platform]
    elif calendar:
        names = sorted(next(it["platforms_of_calendar"] for it in items if it["calendar"] == calendar))
    else:
        names = PLATFORMS
    out = []
    for name in names:
        own_min, own_max = goals().get(name, (None, None))
        if not weeks.get(name) and not own_min:
            continue
        goal = own_min if own_min is not None else research_min(name)
        full = [weeks[name][first + timedelta(weeks=k)][0] for k in range(4)]
        posted, pending = weeks[name][monday]
        status = ("no goal" if goal is None else "missed" if full[-1] < goal
                  else "at risk" if posted + pending < goal else "on track")
        out.append({"platform": name, "min_per_week": goal, "max_per_week": own_max, "weeks": 4,
                    "weeks_met": sum(n >= goal for n in full) if goal is not None else None,
                    "posted_per_week": round(sum(full) / 4, 2), "this_week_posted": posted,
                    "this_week_pending": pending, "status": status})
    return out


def research_windows(platform: str) -> tuple[set[str], float]:
    """Every research window of the platform as text, and the third-best score (the cut-off)."""
    doc = yaml.safe_load((ROOT / "timing_data" / f"{platform}.yaml").read_text())
    wins = {(w["score"], tuple(sorted(DAY_KEYS.index(d) for d in w["days"])), w["start"], w["end"])
            for f in doc["formats"].values() for w in f.get("windows") or []}

    def days(ds):
        if len(ds) == 7:
            return "every day"
        runs = []
        for d in ds:
            if runs and d == runs[-1][-1] + 1:
                runs[-1].append(d)
            else:
                runs.append([d])
        return ",".join(DAY[r[0]] if len(r) == 1 else f"{DAY[r[0]]},{DAY[r[1]]}" if len(r) == 2
                        else f"{DAY[r[0]]}-{DAY[r[-1]]}" for r in runs)

    texts = {(f"{days(d)} {s}-{e} (score {sc:.2f})", sc) for sc, d, s, e in wins}
    cut = sorted((sc for _, sc in texts), reverse=True)[: 3][-1]
    return {t for t, sc in texts if sc >= cut}, cut


def expected(project: Path, kpi_files, *, calendar=None, platform=None, since=None, until=None,
             metric="er_impressions", today=date(2026, 6, 15)) -> dict:
    items = read_items(project)
    ps = posts_of(items, read_kpi(*kpi_files), calendar, platform, since, until)
    resid = with_residuals(ps, metric)
    times, model_posts = best_times(resid)
    rated = [p for p in ps if (p["exposure"] or 0) > 0]
    doc = {
        "totals": {"posts": len(ps), "posts_with_rate": len(rated), "snapshots": sum(p["snapshots"] for p in ps),
                   "first": min(p["local"] for p in ps).isoformat() if ps else None,
                   "last": max(p["local"] for p in ps).isoformat() if ps else None},
        "platforms": grouped(ps, ["platform"]),
        "formats": grouped(ps, ["platform", "format"]),
        "heatmap": heatmap(ps, resid),
        "best_times": times,
        **videos(ps),
        "consistency": consistency(items, today, calendar, platform, until),
    }
    doc["model_posts"] = model_posts
    return doc


def close(got, want, where="doc"):
    """Equal, with floats compared by pytest.approx; dicts compare only the keys of ``want``."""
    if isinstance(want, dict):
        assert isinstance(got, dict), where
        for k, v in want.items():
            assert k in got, f"{where}.{k} missing"
            close(got[k], v, f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: {len(got)} rows, want {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            close(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), where
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def check_recommendations(doc: dict, want: dict, metric_label: str) -> None:
    """The time recommendations follow the claims; consistency ones follow the goals."""
    claims = want["best_times"]
    chosen = {doc["scope"]["platform"]} if doc["scope"]["platform"] else set()  # --platform: its baselines
    names = sorted({r["platform"] for r in want["platforms"]} | {r["platform"] for r in want["consistency"]} | chosen)
    recs = list(doc["recommendations"])
    for name in names:
        n = want["model_posts"].get(name, 0)
        better = [c for c in claims if c["platform"] == name and c["claim"] == "better"]
        worse = sorted((c for c in claims if c["platform"] == name and c["claim"] == "worse"), key=lambda c: c["z"])
        if n >= 20 and (better or worse):
            for verb, cs in (("post more at", better[:2]), ("avoid", worse[:2])):
                for c in cs:
                    r = recs.pop(0)
                    assert r["kind"] == "time" and r["platform"] == name and r["basis"] == "your data"
                    assert r["what"] == f"{verb} {c['slot']} on {name}"
                    assert r["posts"] == c["posts"]
                    assert r["interval"] == [round(c["low"], 4), round(c["high"], 4)]
                    assert r["expected_effect"].startswith(
                        f"{c['lift']:+.0%} {metric_label} against your other {name} slots")
            continue
        r = recs.pop(0)
        assert (r["kind"], r["platform"], r["basis"], r["interval"]) == ("time", name, "research baselines", None), r
        prefix = f"not enough data: keep {name}'s research windows ("
        assert r["what"].startswith(prefix) and r["what"].endswith(")")
        named = r["what"][len(prefix):-1].split("; ")
        wins, _ = research_windows(name)
        assert len(named) == min(3, len(wins)) and set(named) <= wins, (named, wins)
        if n < 20:
            assert r["evidence"] == f"{n} posts with an engagement rate (at least 20 needed)"
        else:
            assert r["evidence"].startswith(f"no slot differs beyond chance ({n} posts in ")
    for row in want["consistency"]:
        if row["status"] not in ("missed", "at risk"):
            continue
        r = recs.pop(0)
        short = row["min_per_week"] - row["this_week_posted"] - row["this_week_pending"]
        what = (f"plan {short} more {row['platform']} post{'s' if short != 1 else ''} this week" if short > 0
                else f"keep this week's {row['this_week_pending']} pending {row['platform']} posts")
        assert (r["kind"], r["platform"], r["what"], r["basis"]) == ("consistency", row["platform"], what,
                                                                    "your calendar")
        assert r["evidence"] == (f"{row['weeks_met']} of the last 4 full weeks met the goal; this week "
                                 f"{row['this_week_posted']} posted, {row['this_week_pending']} pending")
    assert recs == []


def check(doc: dict, want: dict, metric_label: str = "engagement rate per impression") -> None:
    for section in ("totals", "platforms", "formats", "heatmap", "best_times", "videos_compared", "platform_pairs",
                    "best_platform", "videos", "consistency"):
        close(doc[section], want[section], section)
    # dict key order of the rows: the sections list exactly these figures
    assert [set(r) for r in doc["platforms"]] == [set(r) for r in want["platforms"]]
    check_recommendations(doc, want, metric_label)


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def hist(example_project, run_exported):
    """The example project with the example history (H1 2026) and a small 'edge' calendar, numbers imported."""
    shutil.copy(ROOT / "examples" / "analytics" / "history.yaml", example_project / "calendars" / "history.yaml")
    shutil.copy(FIXTURES / "edge.yaml", example_project / "calendars" / "edge.yaml")
    r = run_exported("kpi", "import", "examples/analytics/kpi.csv", str(FIXTURES / "edge.csv"))
    assert r.exit_code == 0, r
    return example_project


NO_NUMBERS = ("Warning: no performance numbers for these posts yet: load them with `calcli kpi import`; "
              "the recommendations below are the research baselines.\n")
KPI = (ROOT / "examples" / "analytics" / "kpi.csv", FIXTURES / "edge.csv")


def analyze(run, *args: str) -> dict:
    r = run("analyze", "--format", "json", *args)
    assert r.exit_code == 0, r
    doc = json.loads(r.stdout)
    assert r.stderr == ("" if doc["totals"]["posts"] else NO_NUMBERS)
    return doc


# ------------------------------------------------------------------ the figures


def test_every_figure_of_the_example_history_equals_an_independent_computation(hist, run):
    doc = analyze(run, "--calendar", "history", "--until", "2026-06-30")
    want = expected(hist, KPI, calendar="history", until=date(2026, 6, 30))
    check(doc, want)
    # what the computation found, stated: the planted TikTok Thursday 19:00 is the one better slot
    assert [(c["platform"], c["slot"]) for c in want["best_times"] if c["claim"] == "better"] == [
        ("tiktok", "Thu 19:00-20:00")]
    assert want["totals"] | {} == {"posts": 303, "posts_with_rate": 303, "snapshots": 606,
                                   "first": "2026-01-06T09:00:00", "last": "2026-06-30T18:00:00"}
    assert len(doc["best_times"]) == 12
    assert [c["critical_z"] for c in doc["best_times"]] == pytest.approx([NormalDist().inv_cdf(1 - 0.05 / 24)] * 12)
    assert doc["recommendations"][2]["what"] == "post more at Thu 19:00-20:00 on tiktok"


@pytest.mark.parametrize(
    "args, scope",
    [
        ((), {}),
        (("--calendar", "edge"), {"calendar": "edge"}),
        (("--platform", "tiktok"), {"platform": "tiktok"}),
        (("--platform", "twitter"), {"platform": "x"}),
        (("--since", "2026-03-01", "--until", "2026-04-30"), {"since": date(2026, 3, 1), "until": date(2026, 4, 30)}),
        (("--calendar", "history", "--platform", "youtube", "--since", "2026-05-01"),
         {"calendar": "history", "platform": "youtube", "since": date(2026, 5, 1)}),
        (("--calendar", "Q3"), {"calendar": "Q3"}),
    ],
    ids=["all", "calendar", "platform", "alias", "period", "combined", "q3"],
)
def test_filters_choose_the_posts_and_every_figure_follows(hist, run, args, scope):
    doc = analyze(run, *args)
    want = expected(hist, KPI, **scope)
    check(doc, want)
    assert doc["scope"]["calendar"] == scope.get("calendar") and doc["scope"]["platform"] == scope.get("platform")


def test_metric_views_ranks_slots_on_log_one_plus_views(hist, run):
    doc = analyze(run, "--calendar", "history", "--metric", "views")
    want = expected(hist, KPI, calendar="history", metric="views")
    check(doc, want, "views")
    assert doc["scope"]["metric"] == "views"
    # not the engagement-rate claims: views were simulated without a slot effect
    assert [c["lift"] for c in doc["best_times"]] != pytest.approx(
        [c["lift"] for c in expected(hist, KPI, calendar="history")["best_times"]])


def test_latest_snapshot_views_without_impressions_and_a_post_with_neither(hist, run):
    doc = analyze(run, "--calendar", "edge")
    assert doc["totals"] == {"posts": 3, "posts_with_rate": 2, "snapshots": 5, "first": "2026-03-03T10:00:00",
                             "last": "2026-03-05T12:00:00"}
    tt, yt = doc["platforms"]
    # e_yt has three snapshots, the latest in the middle of the file: only its numbers count
    assert (yt["platform"], yt["posts"], yt["impressions"], yt["reach"], yt["engagements"]) == (
        "youtube", 1, 5000, 4000, 250)
    assert yt["er_impressions"] == pytest.approx(250 / 5000) and yt["er_reach"] == pytest.approx(250 / 4000)
    # e_tt has views but no impressions (its rate is per view); e_none has neither: a post, not rated
    assert (tt["platform"], tt["posts"], tt["posts_with_rate"], tt["impressions"], tt["views"]) == (
        "tiktok", 2, 1, 8000, 8000)
    assert tt["engagements"] == 440 + 30 and tt["er_impressions"] == pytest.approx(440 / 8000)
    assert tt["er_reach"] is None and tt["median_post_er"] == pytest.approx(440 / 8000)
    assert doc["videos"] == [{"video_job_id": "ve1", "title": "Edge one",
                              "platforms": {"tiktok": {"er_impressions": pytest.approx(440 / 8000),
                                                       "impressions": 8000, "engagements": 440},
                                            "youtube": {"er_impressions": pytest.approx(250 / 5000),
                                                        "impressions": 5000, "engagements": 250}},
                              "best": "tiktok"}]
    assert doc["best_times"] == []  # no slot has five posts


def test_tsv_rows_carry_their_section(hist, run):
    doc = analyze(run, "--calendar", "history")
    r = run("analyze", "--calendar", "history", "--format", "tsv")
    assert r.exit_code == 0, r
    lines = r.stdout.splitlines()
    assert lines[0].split("\t")[0] == "section"
    sections = [line.split("\t")[0] for line in lines[1:]]
    want = [name for name in ("platforms", "formats", "best_times", "platform_pairs", "videos", "consistency",
                              "recommendations")
            for _ in doc[name]]
    assert sections == want
    header = lines[0].split("\t")
    first = dict(zip(header, lines[1].split("\t"), strict=True))
    assert first["platform"] == "instagram" and first["posts"] == "76"


# ------------------------------------------------------------------ consistency


GOALS = """\
calendar: goals
user: user_123
title: "Goals"
timezone: America/New_York
period: {start: "2026-05-01", end: "2026-06-30"}
platforms: [youtube, tiktok, instagram, linkedin]
items:
"""


def goal_items() -> str:
    """youtube: one a week all along (on track); tiktok: 3 in the last full week, 2 before, this week
    1 posted + 1 planned + 1 canceled (at risk); instagram: 1 in the last full week, this week 2
    pending, one of them failed (missed); linkedin: nothing (missed, from the goal alone)."""
    rows = []
    monday = date(2026, 5, 18)
    for week in range(5):
        d = monday + timedelta(weeks=week)
        rows.append(("youtube", d + timedelta(days=1), 16, "posted"))
        for k in range(3 if week == 3 else 2 if week < 3 else 1):
            rows.append(("tiktok", d + timedelta(days=k + 1), 18, "posted"))
    this = date(2026, 6, 15)
    rows += [("tiktok", this + timedelta(days=4), 18, "planned"), ("tiktok", this + timedelta(days=5), 18, "canceled"),
             ("instagram", date(2026, 6, 10), 11, "posted"), ("instagram", this + timedelta(days=3), 11, "scheduled"),
             ("instagram", this + timedelta(days=1), 11, "failed"), ("instagram", date(2026, 5, 12), 11, "posted")]
    out = []
    for n, (platform, d, hour, status) in enumerate(rows):
        at = datetime(d.year, d.month, d.day, hour, tzinfo=TZ).isoformat()
        fmt = {"youtube": "short", "tiktok": "video", "instagram": "reel"}[platform]
        out.append(f"  - id: g{n}\n    key: goals/v{n}/{platform}\n    video: v{n}\n    platform: {platform}\n"
                   f"    format: {fmt}\n    at: \"{at}\"\n    status: {status}\n")
    return "".join(out)


@pytest.fixture
def goals_project(example_project):
    (example_project / "calendars" / "goals.yaml").write_text(GOALS + goal_items())
    return example_project


def test_consistency_statuses_on_track_at_risk_and_missed(goals_project, run, monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-17T16:00:00+00:00")  # Wednesday noon in New York
    r = run("analyze", "--calendar", "goals", "--format", "json")
    assert r.exit_code == 0, r
    doc = json.loads(r.stdout)
    want = consistency(read_items(goals_project), date(2026, 6, 17), calendar="goals")
    close(doc["consistency"], want, "consistency")
    assert [(c["platform"], c["status"], c["weeks_met"], c["this_week_posted"], c["this_week_pending"])
            for c in doc["consistency"]] == [
        ("instagram", "missed", 0, 0, 2),
        ("linkedin", "missed", 0, 0, 0),
        ("tiktok", "at risk", 1, 1, 1),
        ("youtube", "on track", 4, 1, 0),
    ]
    recs = [(r["platform"], r["what"]) for r in doc["recommendations"] if r["kind"] == "consistency"]
    assert recs == [("instagram", "keep this week's 2 pending instagram posts"),
                    ("linkedin", "plan 2 more linkedin posts this week"),
                    ("tiktok", "plan 1 more tiktok post this week")]
    assert r.stderr == NO_NUMBERS


@pytest.mark.parametrize("now, until", [("2026-06-17T16:00:00+00:00", "2026-06-09"),
                                        ("2026-06-17T16:00:00+00:00", "2026-06-30"),
                                        ("2026-06-01T03:00:00+00:00", None)])
def test_consistency_counts_the_week_of_until_or_today_in_the_users_zone(goals_project, run, monkeypatch, now,
                                                                         until):
    monkeypatch.setenv("CALCLI_NOW", now)
    args = ("--until", until) if until else ()
    r = run("analyze", "--format", "json", *args)
    assert r.exit_code == 0, r
    today = datetime.fromisoformat(now).astimezone(TZ).date()
    want = consistency(read_items(goals_project), today, until=date.fromisoformat(until) if until else None)
    close(json.loads(r.stdout)["consistency"], want, "consistency")


# ------------------------------------------------------------------ no numbers, bad input


def test_without_kpi_numbers_the_recommendations_are_the_research_baselines(example_project, run):
    r = run("analyze", "--format", "json")
    assert r.exit_code == 0, r
    assert r.stderr == NO_NUMBERS
    doc = json.loads(r.stdout)
    assert doc["totals"]["posts"] == 0 and doc["platforms"] == [] and doc["best_times"] == []
    want = expected(example_project, ())
    check(doc, want)
    time_recs = [rec for rec in doc["recommendations"] if rec["kind"] == "time"]
    assert [rec["platform"] for rec in time_recs] == [c["platform"] for c in want["consistency"]]
    assert time_recs and all(rec["basis"] == "research baselines" for rec in time_recs)


@pytest.mark.parametrize(
    "args, message",
    [
        (("--platform", "myspace"), "Error: Invalid value for --platform: unknown platform 'myspace' "
                                    "(known: youtube, tiktok, instagram, x, linkedin, facebook)"),
        (("--since", "2026-05-01", "--until", "2026-04-01"),
         "Error: Invalid value for --until: 2026-04-01 is before --since 2026-05-01"),
        (("--since", "2026-13-01"), "Error: Invalid value for --since: '2026-13-01' is not a date YYYY-MM-DD "
                                   "(nor today, tomorrow, yesterday, +7d, -3d, +2w)"),  # issue 18: relative days too
        (("--calendar", "nope"),
         "Error: no calendar 'nope' for user user_123. List calendars with `calcli calendar list`."),
        (("--metric", "foo"), "Error: Invalid value for --metric: 'foo' is not one of er_impressions, er_reach, "
                              "engagements, views, impressions, clicks, watch_time"),
    ],
    ids=["platform", "until-before-since", "date", "calendar", "metric"],
)
def test_bad_input_exits_2_with_one_error_line(hist, run, args, message):
    r = run("analyze", *args)
    assert r.exit_code == 2, r
    assert r.stdout == ""
    assert r.stderr.splitlines() == [message]  # one line: no click "Usage:" line before it (issue 18)


# ------------------------------------------------------------------ row order


def test_the_figures_do_not_depend_on_the_order_the_store_holds_its_rows_in(hist, run):
    """The same posts and numbers, stored in another order (as a copy from another store holds them),
    give the same analysis and optimisation to the last digit: a residual's mean is a difference of
    nearly equal sums, so summing in storage order moved its 12th digit."""
    import duckdb

    commands = [("analyze", "--calendar", "history", "--until", "2026-06-30"), ("optimize", "--calendar", "Q3")]

    def figures() -> list:
        out = []
        for args in commands:
            r = run(*args, "--format", "json")
            assert r.exit_code == 0, r
            out.append(json.loads(r.stdout))
        return out

    before = figures()
    con = duckdb.connect(str(hist / ".calcli" / "calcli.duckdb"))
    for table, key in (("content_schedule_items", "id"), ("performance_kpi_events", "event_key"),
                       ("kpi_latest", "item_id")):  # fmt: skip
        con.execute(f"CREATE TEMP TABLE _t AS SELECT * FROM {table}")
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} SELECT * FROM _t ORDER BY md5(CAST({key} AS VARCHAR))")
        con.execute("DROP TABLE _t")
    con.close()
    assert figures() == before
