"""`calcli report`: one self-contained HTML file whose figures are `analyze --format json`'s, checked
in the file and in a real headless Chromium (DOM, console, network, screenshot)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import cdp
import pytest

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ["heatmap", "platforms", "formats", "over-time", "slots", "goals", "recommendations", "trials"]
ARGS = ("--calendar", "history", "--until", "2026-06-30")


@pytest.fixture
def hist(example_project, run_exported):
    shutil.copy(ROOT / "examples" / "analytics" / "history.yaml", example_project / "calendars" / "history.yaml")
    assert run_exported("kpi", "import", "examples/analytics/kpi.csv").exit_code == 0
    return example_project


def analysis(run) -> dict:
    r = run("analyze", *ARGS, "--format", "json")
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def test_report_is_self_contained_and_carries_analyzes_numbers(hist, run):
    r = run("report", *ARGS, "-o", "r.html")
    assert (r.exit_code, r.stderr) == (0, "wrote r.html (303 posts with numbers, 0 running trial(s)).\n")
    text = (hist / "r.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)  # nothing to fetch
    assert "<script" not in text and "@import" not in text and "url(" not in text
    for s in SECTIONS:
        assert f'<section id="{s}">' in text
    doc = analysis(run)
    for row in doc["platforms"]:
        cells = re.search(rf"<tr><td>{row['platform']}</td>(.*?)</tr>", text).group(1)
        values = re.findall(r'data-value="([^"]*)"', cells)
        assert values == [json.dumps(row[k]) for k in
                          ("posts", "posts_with_rate", "rated_impressions", "rated_engagements", "er_impressions",
                           "er_reach")]


def test_heatmap_alone_as_svg(hist, run):
    r = run("report", *ARGS, "--format", "svg", "-o", "h.svg")
    assert r.exit_code == 0, r
    svg = (hist / "h.svg").read_text()
    assert svg.startswith("<svg xmlns=") and svg.rstrip().endswith("</svg>")
    doc = analysis(run)
    cells = dict(re.findall(r'data-slot="([^"]+)" data-posts="(\d+)"', svg))
    assert cells == {c["slot"]: str(c["posts"]) for c in doc["heatmap"]}
    assert run("report", *ARGS, "--format", "svg").exit_code == 0 and (hist / "heatmap.svg").read_text() == svg
    r = run("report", "--format", "png")
    assert r.exit_code == 2 and "'png' is not one of html, svg" in r.stderr


def test_a_running_trial_shows_its_status(hist, run):
    shutil.copy(ROOT / "tests" / "fixtures" / "trials" / "Q3.yaml", hist / "calendars" / "Q3.yaml")
    r = run("trial", "new", "t", "--calendar", "Q3", "--arm-a", "x", "--arm-b", "y", "--seed", "1")
    assert r.exit_code == 0, r
    r = run("report", "-o", "r.html")
    assert r.exit_code == 0, r
    assert r.stderr.endswith("1 running trial(s)).\n")
    text = (hist / "r.html").read_text()
    row = re.search(r'<table data-section="trials">.*?<tbody><tr>(.*?)</tr>', text).group(1)
    assert row.startswith("<td>t</td><td>er_impressions</td><td>blocked</td>")
    assert "needs about" in row


EXPRESSION = """JSON.stringify({
  sections: [...document.querySelectorAll('section')].map(s => s.id),
  platforms: [...document.querySelectorAll('table[data-section=platforms] tbody tr')].map(tr =>
      [tr.cells[0].textContent, ...[...tr.querySelectorAll('td[data-value]')].map(td => td.dataset.value)]),
  cells: document.querySelectorAll('svg.heatmap rect[data-slot]').length,
  recommendations: document.querySelectorAll('ul[data-section=recommendations] li').length,
  height: document.body.scrollHeight,
})"""


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium: installed by .ci/install-browser where missing; skipped outside CI only
    when it cannot be installed. In CI (CI=true) a missing browser fails the test."""
    if cdp.find_browser() is None:
        done = subprocess.run(["bash", str(ROOT / ".ci" / "install-browser")], capture_output=True, text=True)
        if cdp.find_browser() is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"CI must run the browser test; installing chromium failed: {done.stderr[-500:]}")
            pytest.skip("no browser and none can be installed here")
    return cdp.find_browser()


def test_report_in_headless_chromium(hist, run, browser, tmp_path):
    assert run("report", *ARGS, "-o", "r.html").exit_code == 0
    url = (hist / "r.html").resolve().as_uri()
    shot = ROOT / "build" / "report-screenshot.png"
    shot.parent.mkdir(exist_ok=True)
    seen = cdp.open_page(url, EXPRESSION, shot)
    assert seen["console"] == [] and seen["exceptions"] == []
    assert seen["requests"] == [url]  # the file itself, nothing else
    page = json.loads(seen["value"])
    assert page["sections"] == SECTIONS
    doc = analysis(run)
    assert page["platforms"] == [
        [r["platform"], *(json.dumps(r[k]) for k in ("posts", "posts_with_rate", "rated_impressions",
                                                     "rated_engagements", "er_impressions", "er_reach"))]
        for r in doc["platforms"]]
    assert page["cells"] == len(doc["heatmap"])
    assert page["recommendations"] == len(doc["recommendations"])
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_the_browser_check_has_teeth(hist, run, browser, tmp_path):
    """A page that fetches an image and logs an error is caught by the same check."""
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><img src="http://127.0.0.1:9/x.png"><script>console.error("boom")</script></body></html>')
    seen = cdp.open_page(bad.as_uri(), "1", tmp_path / "bad.png")
    assert "http://127.0.0.1:9/x.png" in seen["requests"]
    assert seen["console"]
