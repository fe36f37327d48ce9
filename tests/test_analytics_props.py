"""Properties of ``calcli analyze`` (hypothesis): the figures do not depend on the order of the KPI
rows, on how they are split into files, or on importing the same files again; and the parts add
up to the totals."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_analytics_figures import FIXTURES, ROOT, close

KPI = ROOT / "examples" / "analytics" / "kpi.csv"


def make_project(where: Path) -> Path:
    for name in ("calcli.toml", "preferences.yaml"):
        shutil.copy(ROOT / name, where / name)
    shutil.copytree(ROOT / "calendars", where / "calendars")
    shutil.copy(ROOT / "examples" / "analytics" / "history.yaml", where / "calendars" / "history.yaml")
    shutil.copy(FIXTURES / "edge.yaml", where / "calendars" / "edge.yaml")
    return where


def analysis(run, project: Path, files: list[Path], again: bool) -> dict:
    for _ in range(2 if again else 1):
        r = run("--project", str(project), "kpi", "import", *map(str, files))
        assert r.exit_code == 0, r
    r = run("--project", str(project), "analyze", "--format", "json")
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def parts_add_up(doc: dict) -> None:
    t = doc["totals"]
    for section in ("platforms", "formats", "heatmap"):
        assert sum(r["posts"] for r in doc[section]) == t["posts"], section
        assert sum(r["posts_with_rate"] for r in doc[section]) == t["posts_with_rate"], section
    for p in doc["platforms"]:
        fmts = [f for f in doc["formats"] if f["platform"] == p["platform"]]
        assert sum(f["engagements"] for f in fmts) == p["engagements"]
        assert sum(f["impressions"] or 0 for f in fmts) == (p["impressions"] or 0)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rnd=st.randoms(use_true_random=False), pieces=st.integers(1, 3), again=st.booleans())
def test_figures_do_not_depend_on_row_order_files_or_reimport(run_exported, rnd, pieces, again):
    header, *rows = KPI.read_text().splitlines()
    edge_header, *edge_rows = (FIXTURES / "edge.csv").read_text().splitlines()
    assert edge_header == header
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        base = analysis(run_exported, make_project(Path(a)), [KPI, FIXTURES / "edge.csv"], False)
        project = make_project(Path(b))
        shuffled = rows + edge_rows
        rnd.shuffle(shuffled)
        files = []
        for k in range(pieces):
            path = project / f"kpi{k}.csv"
            path.write_text("\n".join([header, *shuffled[k::pieces]]) + "\n")
            files.append(path)
        doc = analysis(run_exported, project, files, again)
    parts_add_up(base)
    assert base["totals"]["posts"] == 303 + 3 + 1 and base["totals"]["snapshots"] == 606 + 5 + 1
    close(doc, base)
