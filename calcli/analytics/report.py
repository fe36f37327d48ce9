"""``calcli report``: the analysis as one self-contained HTML file to look at and share.

Everything is inline — the style sheet, the charts (SVG from :mod:`calcli.analytics.charts`), no
script, no font, no image from anywhere — so the file opens offline and sends nothing anywhere.
Every figure is taken from the same document ``calcli analyze --format json`` prints (and each
running trial's ``trial status --format json``); each number cell carries that document's value
in ``data-value`` beside the text shown, so a reader (and the tests) can check one against the
other.
"""

from __future__ import annotations

import json
from html import escape

from calcli.analytics import analysis, charts, trial_status, trials

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:980px;color:#222}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
p.scope,p.note{color:#555;margin-top:0}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:left}td.n{text-align:right;
font-variant-numeric:tabular-nums}th{background:#f6f6f6}li{margin:.3rem 0}.basis{color:#666;font-size:.85rem}
.claim-better{color:#2166ac;font-weight:600}.claim-worse{color:#b2182b;font-weight:600}
"""
SLOTS_SHOWN = 5  # best and worst slots in the report


def build(session, f, tz: str, metric_name: str) -> dict:
    """The report's document: the analysis (as ``analyze`` computes it) and the status of each of
    the acting user's running trials (of the calendar, when one is chosen; as ``trial status``
    computes it, without recording late joiners)."""
    doc = {"analysis": analysis.analyze(session.store, session.project, f, tz, metric_name), "trials": []}
    for t in trials.trials(session.store, session.user, "running"):
        if f.calendar is None or t.calendar == f.calendar:
            doc["trials"].append(trial_status.status(session, t.id, record_late=False))
    return doc


def _num(value, text: str) -> str:
    raw = "" if value is None else json.dumps(value)
    return f'<td class="n" data-value="{escape(raw)}">{escape(text)}</td>'


def _pct(v, digits: int = 2) -> str:
    return "" if v is None else f"{v:.{digits}%}"


def _lift(v) -> str:
    return "" if v is None else f"{v:+.0%}"


def _table(section: str, rows: list[dict], cols: list[tuple[str, str, object]]) -> str:
    """A table of ``rows``; ``cols`` are (key, header, formatter or None for text)."""
    head = "".join(f"<th>{escape(h)}</th>" for _, h, _ in cols)
    body = []
    for r in rows:
        cells = []
        for key, _, fmt in cols:
            v = r.get(key)
            cells.append(f"<td>{escape('' if v is None else str(v))}</td>" if fmt is None else _num(v, fmt(v)))
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table data-section="{section}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _int(v) -> str:
    return "" if v is None else f"{v:,}"


POPULATION = (
    "posts: every post with numbers; rated: those with an engagement rate (impressions or views > 0); "
    "impr, eng and ER/impr: over the rated posts; ER/reach: over the posts whose reach is known."
)
GROUP_COLS = [
    ("posts", "posts", _int),
    ("posts_with_rate", "rated", _int),
    ("rated_impressions", "impr", _int),
    ("rated_engagements", "eng", _int),
    ("er_impressions", "ER/impr", _pct),
    ("er_reach", "ER/reach", _pct),
]


def _slots(doc: dict) -> str:
    rows = sorted(doc["best_times"], key=lambda r: -r["z"])
    cols = [
        ("platform", "platform", None),
        ("slot", "slot", None),
        ("posts", "posts", _int),
        ("lift", "lift", _lift),
        ("low", "low", _lift),
        ("high", "high", _lift),
        ("claim", "claim", None),
    ]
    if not rows:
        return '<p class="note" data-section="slots">No slot has enough posts to test yet.</p>'
    best, worst = rows[:SLOTS_SHOWN], rows[-SLOTS_SHOWN:][::-1] if len(rows) > SLOTS_SHOWN else []
    return (
        "<h3>Best</h3>"
        + _table("best_slots", best, cols)
        + ("<h3>Worst</h3>" + _table("worst_slots", worst, cols) if worst else "")
        + f'<p class="note">Intervals are family-wise 95% (Bonferroni over {rows[0]["tests"]} slots tested); '
        "a slot is a claim only when its interval excludes no change.</p>"
    )


def _weekly(doc: dict, key: str, label: str) -> str:
    series: dict[str, list] = {}
    for r in doc[key]:
        name = r["platform"] if key == "weekly" else r["format"]
        series.setdefault(name, []).append((str(r["week"]), r["er_impressions"]))
    return charts.lines_svg(series, label)


def _recommendations(doc: dict) -> str:
    items = []
    for r in doc["recommendations"]:
        interval = r["interval"] and f"interval {_lift(r['interval'][0])} to {_lift(r['interval'][1])}"
        facts = [r["expected_effect"], interval, r["evidence"]]
        items.append(
            f'<li data-kind="{escape(r["kind"])}"><strong>{escape(r["platform"])}</strong>: {escape(r["what"])}'
            f'<br><span class="basis">{escape("; ".join(x for x in facts if x))} [{escape(r["basis"])}]</span></li>'
        )
    return f'<ul data-section="recommendations">{"".join(items)}</ul>' if items else "<p>None.</p>"


def _trials(docs: list[dict]) -> str:
    if not docs:
        return '<p class="note" data-section="trials">No running trial.</p>'
    rows = [
        {
            "name": t["name"],
            "metric": t["metric"],
            "assignment": t["assignment"],
            "n_a": t["arms"]["a"]["with_numbers"],
            "n_b": t["arms"]["b"]["with_numbers"],
            "lift": t["lift"],
            "lift_low": t["lift_low"],
            "lift_high": t["lift_high"],
            "verdict": t["verdict_text"],
        }
        for t in docs
    ]
    cols = [
        ("name", "trial", None),
        ("metric", "metric", None),
        ("assignment", "design", None),
        ("n_a", "A with numbers", _int),
        ("n_b", "B with numbers", _int),
        ("lift", "lift B vs A", _lift),
        ("lift_low", "low", _lift),
        ("lift_high", "high", _lift),
        ("verdict", "verdict", None),
    ]
    return _table("trials", rows, cols)


def render_html(doc: dict) -> str:
    """The report as one HTML document (no external reference of any kind)."""
    a = doc["analysis"]
    scope, t = a["scope"], a["totals"]
    where = ", ".join(f"{k} {scope[k]}" for k in ("calendar", "platform", "since", "until") if scope[k]) or "all posts"
    goal_cols = [
        ("platform", "platform", None),
        ("min_per_week", "goal/wk", _int),
        ("weeks_met", "met", _int),
        ("weeks", "of weeks", _int),
        ("posted_per_week", "avg/wk", lambda v: f"{v:g}"),
        ("this_week_posted", "posted", _int),
        ("this_week_pending", "pending", _int),
        ("status", "status", None),
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>calcli report — {escape(where)}</title><style>{STYLE}</style></head><body>",
        '<h1>Performance report</h1><p class="scope" data-section="scope">'
        f"{escape(where)}; user {escape(scope['user'])}; "
        f"times in {escape(scope['timezone'])}; best times by {escape(scope['metric'])}; "
        f'<span data-value="{t["posts"]}">{t["posts"]:,}</span> posts with numbers.</p>',
        '<section id="heatmap"><h2>Weekday × hour</h2>' + charts.heatmap_svg(a["heatmap"]) + "</section>",
        f'<section id="platforms"><h2>By platform</h2><p class="note">{POPULATION}</p>'
        + _table("platforms", a["platforms"], [("platform", "platform", None), *GROUP_COLS])
        + "</section>",
        '<section id="formats"><h2>By format</h2>'
        + _table("formats", a["formats"], [("platform", "platform", None), ("format", "format", None), *GROUP_COLS])
        + "</section>",
        '<section id="over-time"><h2>Over time</h2>'
        + _weekly(a, "weekly", "ER/impr by week and platform")
        + _weekly(a, "weekly_formats", "ER/impr by week and format")
        + "</section>",
        '<section id="slots"><h2>Best and worst slots</h2>' + _slots(a) + "</section>",
        '<section id="goals"><h2>Weekly goals</h2>' + _table("consistency", a["consistency"], goal_cols) + "</section>",
        '<section id="recommendations"><h2>Recommendations</h2>' + _recommendations(a) + "</section>",
        '<section id="trials"><h2>Running trials</h2>' + _trials(doc["trials"]) + "</section>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
