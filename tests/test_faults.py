"""Fault injection: SIGKILL a real `calcli plan` and a real `calcli dispatch` at many points. After
each kill, `check` passes, the next run finishes, no temp file is left in the user's tree once any
command has run, nothing is posted twice and nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from calcli.files.text import TEMP_SUFFIX

ENV = {**os.environ, "CALCLI_NOW": "2026-06-15T12:00:00+00:00", "NO_COLOR": "1", "CALCLI_LOCK_TIMEOUT": "60"}
DELAYS = [0.1 * 1.4**k for k in range(9)]  # 0.1 s … 1.5 s: start-up, planning, writing, after


def calcli(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calcli", *args], cwd=root, env=ENV, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def killed_at(root: Path, delay: float, *args: str) -> int | None:
    """Start calcli, SIGKILL it after ``delay`` seconds; its exit code if it ended first."""
    proc = subprocess.Popen([sys.executable, "-m", "calcli", *args], cwd=root, env=ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    code = proc.poll()
    if code is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return code


def temps(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*" + TEMP_SUFFIX))


@pytest.fixture
def big(tmp_path):
    from calcli.files.project import init_project

    root = tmp_path / "p"
    init_project(root, "user_123", "America/New_York")
    videos = [{"video_job_id": f"v{i:03d}", "title": f"Episode {i}", "duration_seconds": 40, "aspect_ratio": "9:16",
               "platforms": ["youtube", "tiktok", "instagram", "x"]} for i in range(150)]
    (root / "bulk.json").write_text(json.dumps({"bulk_job_id": "bj_f", "user_id": "user_123", "videos": videos}))
    return root


def test_sigkill_at_many_points_of_a_plan_leaves_a_valid_project(big):
    plan = ("--quiet", "plan", "bulk.json", "--calendar", "K", "--start", "2026-07-01", "--end", "2026-09-30")
    finished = 0
    for delay in DELAYS:
        code = killed_at(big, delay, *plan)
        assert code in (None, 0), (delay, code)
        finished += code is not None
        r = calcli(big, "check")
        assert r.returncode == 0, (delay, r.stderr)
        assert temps(big) == [], delay  # check swept what the kill left
    assert finished < len(DELAYS)  # some kills did land mid-run
    r = calcli(big, *plan)
    assert r.returncode == 0, r.stderr
    r = calcli(big, "sql", "SELECT count(DISTINCT idempotency_key) AS k, count(*) AS n FROM content_schedule_items",
               "--format", "json")
    row = json.loads(r.stdout)[0]
    assert row["k"] == row["n"] > 0  # one item per video and platform, never two
    assert calcli(big, "db", "sync").returncode == 0 and temps(big) == []


PUBLISHER = """#!/bin/sh
cat > /dev/null
sleep 0.2
echo "$CALCLI_ITEM_ID" >> {log}
echo "https://example.test/$CALCLI_ITEM_ID"
"""


def test_sigkill_at_many_points_of_dispatch_posts_nothing_twice_and_loses_nothing(big, tmp_path):
    videos = [{"video_job_id": f"d{i:02d}", "title": f"Clip {i}", "duration_seconds": 30, "aspect_ratio": "9:16",
               "platforms": ["youtube", "tiktok"]} for i in range(12)]
    (big / "small.json").write_text(json.dumps({"bulk_job_id": "bj_d", "user_id": "user_123", "videos": videos}))
    plan = ("--quiet", "plan", "small.json", "--calendar", "D", "--start", "2026-06-16", "--end", "2026-06-30")
    assert calcli(big, *plan).returncode == 0
    assert calcli(big, "approve").returncode == 0
    log = tmp_path / "published.log"
    script = tmp_path / "pub.sh"
    script.write_text(PUBLISHER.format(log=log))
    script.chmod(0o755)
    dispatch = ("dispatch", "--exec", str(script), "--within", "16d", "--quiet")
    for delay in DELAYS[3:]:
        assert killed_at(big, delay, *dispatch) in (None, 0, 5)
        assert calcli(big, "check").returncode == 0
        published = log.read_text().split() if log.exists() else []
        assert len(published) == len(set(published)), delay  # nothing twice
    # the next run finishes the rest; what a kill left unconfirmed waits for a person, never re-sent
    r = calcli(big, *dispatch)
    assert r.returncode in (0, 5), r.stderr
    published = log.read_text().split()
    assert len(published) == len(set(published))
    rows = json.loads(calcli(big, "sql", "SELECT id, status FROM content_schedule_items", "--format", "json").stdout)
    unconfirmed = {row["item_id"] for row in json.loads(calcli(
        big, "sql", "SELECT DISTINCT item_id FROM dispatch_attempts WHERE outcome = 'unconfirmed'",
        "--format", "json").stdout)}
    posted = {row["id"] for row in rows if row["status"] == "posted"}
    assert posted <= set(published) and set(published) - posted <= unconfirmed
    assert {row["id"] for row in rows} == posted | unconfirmed  # nothing lost: posted, or waiting for a person
    assert temps(big) == []
