"""The cron side: `calcli due` and `calcli dispatch --exec PUBLISHER`.

Most tests run in a copy of a project holding tests/fixtures/ops/DUE.yaml (America/New_York; now is pinned
at 08:00 there): scheduled items at 07:30, 08:00, 08:10, 08:15 and 08:16, and a planned, a posted and a
canceled one before now. The publisher is a stub written into tmp_path; it records what it was given.
The last two tests run real overlapping processes: 8 dispatchers sharing 200 items, and a dispatcher
killed mid-run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import allow
from test_ops_kit import (
    as_json,
    build_click_tree_once,
    copy_project,
    file_items,
    item_block,
    log,
    make_template,
    show,
    sql,
)

CAL = Path("calendars/DUE.yaml")
DUE_NOW = ["it_late", "it_now"]
DUE_15M = ["it_late", "it_now", "it_in10", "it_in15"]

STUB = """#!{python}
# A publisher for the tests: records what it was given, then does what STUB_MODE says.
import json, os, sys, time
doc = json.load(sys.stdin)
env = {{k: v for k, v in os.environ.items() if k.startswith("CALCLI_")}}
with open({calls!r}, "a", encoding="utf-8") as fh:
    fh.write(json.dumps({{"stdin": doc, "env": env}}) + "\\n")
mode = os.environ.get("STUB_MODE", "ok")
if mode == "ok":
    print("uploading " + doc["id"] + " ...")
    print("https://example.test/post/" + doc["id"] + "/" + str(doc["attempt"]))
elif mode == "fail":
    sys.stderr.write("START-OF-STDERR " + "x" * 5000 + "\\n")
    sys.stderr.write("upload rejected: quota exceeded for today\\n")
    sys.exit(7)
elif mode == "sleep":
    time.sleep(5)
    print("too late")
"""


@pytest.fixture(autouse=True)
def _fast_cli(monkeypatch):
    build_click_tree_once(monkeypatch)


@pytest.fixture(scope="module")
def due_template(tmp_path_factory):
    return make_template(tmp_path_factory.mktemp("due"), ["DUE.yaml"])


@pytest.fixture
def due_project(due_template, tmp_path, monkeypatch):
    return copy_project(due_template, tmp_path / "project", monkeypatch)


@pytest.fixture
def stub(tmp_path):
    """(command, calls): the publisher command line and a function returning the calls it received."""
    calls = tmp_path / "calls.jsonl"
    script = tmp_path / "publish.py"
    script.write_text(STUB.format(python=sys.executable, calls=str(calls)), encoding="utf-8")
    script.chmod(0o755)

    def received() -> list[dict]:
        if not calls.exists():
            return []
        return [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()]

    return str(script), received


def attempts(run, item_id: str) -> list[dict]:
    return sql(
        run,
        "SELECT attempt, outcome, post_ref, exit_code FROM dispatch_attempts "
        f"WHERE item_id = '{item_id}' ORDER BY attempt",
    )


# ---------------------------------------------------------------- due


def test_due_lists_exactly_the_scheduled_items_whose_time_is_reached(due_project, run):
    before = CAL.read_bytes()
    rows = as_json(run, "due", "--within", "15m")
    assert [r["id"] for r in rows] == DUE_15M
    assert all(r["status"] == "scheduled" and r["attempt"] == 1 and r["retry"] is False for r in rows)
    assert [r["id"] for r in as_json(run, "due")] == DUE_NOW
    assert [r["id"] for r in as_json(run, "due", "--within", "14m")] == ["it_late", "it_now", "it_in10"]
    assert [r["id"] for r in as_json(run, "due", "--within", "16m")] == [*DUE_15M, "it_in16"]
    assert [r["id"] for r in as_json(run, "due", "--within", "15m", "--platform", "x")] == ["it_in10"]
    assert CAL.read_bytes() == before


def test_due_follows_the_clock(due_project, run, monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-15T11:45:00+00:00")  # 07:45 in New York
    assert [r["id"] for r in as_json(run, "due")] == ["it_late"]
    monkeypatch.setenv("CALCLI_NOW", "2026-06-15T11:00:00+00:00")
    assert as_json(run, "due") == []
    assert [r["id"] for r in as_json(run, "due", "--within", "1h")] == DUE_NOW


def test_due_with_nothing_due_loads_no_yaml_machinery(due_project, run):
    """cron runs `calcli due` every few minutes: when the files are unchanged and nothing is due it
    reads only the store, and imports neither the YAML parser nor the file-writing code."""
    assert run("db", "sync").exit_code == 0
    code = (
        "import sys\nfrom calcli.cli.app import main\n"
        "try:\n    main(['due', '--format', 'json'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "print(sorted(m for m in ('yaml', 'calcli.operations.editing', 'calcli.files.calendar',"
        " 'calcli.files.preferences') if m in sys.modules))"
    )
    env = {**os.environ, "CALCLI_NOW": "2026-06-15T11:00:00+00:00"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.splitlines() == ["[]", "[]"]  # due's JSON (nothing due), then the modules loaded


def test_due_with_a_bad_duration_is_a_usage_error(due_project, run):
    r = run("due", "--within", "soon")
    assert r.exit_code == 2, r
    assert "--within" in r.stderr


# ---------------------------------------------------------------- dispatch


def test_dispatch_gives_the_publisher_the_item_on_stdin_and_in_the_environment(due_project, run, stub):
    command, received = stub
    before = CAL.read_text(encoding="utf-8")
    r = run("dispatch", "--exec", command, "--within", "15m", "--format", "json")
    assert r.exit_code == 0, r
    calls = received()
    assert [c["env"]["CALCLI_ITEM_ID"] for c in calls] == DUE_15M
    late = calls[0]
    env = late["env"]
    assert env["CALCLI_ITEM_ID"] == "it_late"
    assert env["CALCLI_PLATFORM"] == "youtube"
    assert env["CALCLI_VIDEO_ID"] == "v1"
    assert env["CALCLI_TITLE"] == 'Launch "day" & ünïcode'
    assert env["CALCLI_CAPTION"] == "Caption: the launch, in 60 seconds #launch"
    assert env["CALCLI_SCHEDULED_AT"] == "2026-06-15T07:30:00-04:00"
    doc = late["stdin"]
    assert doc["id"] == "it_late" and doc["platform"] == "youtube" and doc["video_job_id"] == "v1"
    assert doc["title"] == 'Launch "day" & ünïcode'
    assert doc["caption"] == "Caption: the launch, in 60 seconds #launch"
    assert doc["scheduled_at"] == "2026-06-15T07:30:00-04:00"
    assert doc["attempt"] == 1 and doc["calendar"] == "DUE" and doc["user"] == "user_123"
    now = calls[1]
    assert now["env"]["CALCLI_CAPTION"] == "Right now"  # no notes: the caption is the title
    assert now["env"]["CALCLI_PLATFORM"] == "tiktok"
    # every item posted, with the publisher's last stdout line as its post
    report = {row["id"]: row for row in json.loads(r.stdout)}
    items = file_items(CAL)
    for item_id in DUE_15M:
        url = f"https://example.test/post/{item_id}/1"
        assert report[item_id]["outcome"] == "posted" and report[item_id]["post"] == url
        assert items[item_id]["status"] == "posted"
        assert items[item_id]["post"] == url
        assert attempts(run, item_id) == [{"attempt": 1, "outcome": "posted", "post_ref": url, "exit_code": 0}]
        shown = show(run, item_id)
        assert shown["item"]["status"] == "posted" and shown["item"]["post"] == url
        changes = [(e["old"], e["new"]) for e in log(run, item_id) if e["field"] == "status"]
        assert changes == [("scheduled", "posted")]
    assert items["it_in16"]["status"] == "scheduled" and items["it_planned_early"]["status"] == "planned"
    # the file changed only where the dispatched items did: a status line and a new post line each
    after = CAL.read_text(encoding="utf-8")
    assert len(after.splitlines()) == len(before.splitlines()) + len(DUE_15M)
    for item_id in ["it_posted_early", "it_canceled_early", "it_planned_early", "it_in16"]:
        assert item_block(after, item_id) == item_block(before, item_id)
    # and a second run has nothing to do
    r = run("dispatch", "--exec", command, "--within", "15m", "--quiet")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    assert len(received()) == len(DUE_15M)


def test_dispatch_quiet_prints_nothing_on_success(due_project, run_process, stub):
    command, received = stub
    r = run_process("dispatch", "--exec", command, "--quiet", input="")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", ""), r
    assert [c["env"]["CALCLI_ITEM_ID"] for c in received()] == DUE_NOW
    assert {file_items(CAL)[i]["status"] for i in DUE_NOW} == {"posted"}


def test_dispatch_with_nothing_due_is_a_quiet_success(due_project, run, stub, monkeypatch):
    command, received = stub
    monkeypatch.setenv("CALCLI_NOW", "2026-06-15T10:00:00+00:00")
    r = run("dispatch", "--exec", command, "--quiet")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    assert received() == []


def test_a_failing_publisher_fails_the_item_and_retries_it_with_backoff(due_project, run, stub, monkeypatch):
    command, received = stub
    monkeypatch.setenv("STUB_MODE", "fail")
    dispatch = ("dispatch", "--exec", command, "--platform", "youtube", "--quiet")

    def at(minutes: int) -> None:
        h, m = divmod(minutes, 60)
        monkeypatch.setenv("CALCLI_NOW", f"2026-06-15T{12 + h:02d}:{m:02d}:00+00:00")

    r = run(*dispatch)
    assert r.exit_code == 5, r
    assert r.stdout == ""
    assert "it_late" in r.stderr and "failed" in r.stderr and "quota exceeded for today" in r.stderr
    assert file_items(CAL)["it_late"]["status"] == "failed"
    shown = show(run, "it_late")
    assert shown["item"]["status"] == "failed"
    [attempt] = shown["attempts"]
    assert attempt["outcome"] == "failed" and attempt["exit_code"] == 7
    assert attempt["error"].endswith("upload rejected: quota exceeded for today")
    assert "START-OF-STDERR" not in attempt["error"] and len(attempt["error"]) <= 2000
    assert [c["stdin"]["attempt"] for c in received()] == [1]

    # not before the backoff (5 min after the failure) …
    for minute in (0, 4):
        at(minute)
        r = run(*dispatch)
        assert r.exit_code == 0, r
        assert "it_late" not in [d["id"] for d in as_json(run, "due")]
    assert len(received()) == 1
    # … but after it: attempt 2, which fails again
    at(5)
    assert [(d["id"], d["attempt"], d["retry"]) for d in as_json(run, "due", "--platform", "youtube")] == [
        ("it_late", 2, True)
    ]
    r = run(*dispatch)
    assert r.exit_code == 5, r
    assert [(c["stdin"]["attempt"], c["env"]["CALCLI_ATTEMPT"]) for c in received()] == [(1, "1"), (2, "2")]
    # the backoff doubles: attempt 3 comes 10 minutes after attempt 2
    at(14)
    assert run(*dispatch).exit_code == 0
    assert len(received()) == 2
    at(15)
    assert run(*dispatch).exit_code == 5
    assert len(received()) == 3
    # three attempts is the default maximum: never a fourth, however long one waits
    allow(due_project, "youtube", max_late="8d")
    monkeypatch.setenv("CALCLI_NOW", "2026-06-20T12:00:00+00:00")
    r = run(*dispatch)
    assert r.exit_code == 0, r
    assert len(received()) == 3
    assert "it_late" not in [d["id"] for d in as_json(run, "due")]
    assert [a["outcome"] for a in attempts(run, "it_late")] == ["failed"] * 3
    # a larger --max-attempts allows one more; this time the publisher succeeds
    monkeypatch.setenv("STUB_MODE", "ok")
    r = run(*dispatch, "--max-attempts", "4")
    assert r.exit_code == 0, r
    assert len(received()) == 4
    assert file_items(CAL)["it_late"]["status"] == "posted"
    assert file_items(CAL)["it_late"]["post"] == "https://example.test/post/it_late/4"
    assert [a["outcome"] for a in attempts(run, "it_late")] == ["failed", "failed", "failed", "posted"]
    # the history has every step (each retry run moves it failed → scheduled, then to its outcome)
    changes = Counter((e["actor"], e["old"], e["new"]) for e in log(run, "it_late") if e["field"] == "status")
    assert changes == {
        ("dispatch:user_123", "scheduled", "failed"): 3,
        ("dispatch:user_123", "failed", "scheduled"): 3,
        ("dispatch:user_123", "scheduled", "posted"): 1,
    }


def test_max_attempts_1_never_retries(due_project, run, stub, monkeypatch):
    command, received = stub
    monkeypatch.setenv("STUB_MODE", "fail")
    assert run("dispatch", "--exec", command, "--platform", "tiktok", "--max-attempts", "1").exit_code == 5
    monkeypatch.setenv("CALCLI_NOW", "2026-06-16T12:00:00+00:00")
    assert run("dispatch", "--exec", command, "--platform", "tiktok", "--max-attempts", "1").exit_code == 0
    assert [c["env"]["CALCLI_ITEM_ID"] for c in received()] == ["it_now"]


def test_a_publisher_past_its_timeout_is_killed_and_its_item_unconfirmed(due_project, run, stub, monkeypatch):
    command, received = stub
    monkeypatch.setenv("STUB_MODE", "sleep")
    dispatch = ("dispatch", "--exec", command, "--platform", "youtube", "--timeout", "1", "--quiet")
    started = time.monotonic()
    r = run(*dispatch)
    assert time.monotonic() - started < 4.5, "the publisher was not killed at its timeout"
    assert r.exit_code == 5, r
    assert r.stdout == ""
    assert "it_late" in r.stderr and "unconfirmed" in r.stderr
    assert len(received()) == 1
    assert file_items(CAL)["it_late"]["status"] == "scheduled"
    assert sql(run, "SELECT item_id, outcome FROM dispatch_attempts") == [
        {"item_id": "it_late", "outcome": "unconfirmed"}
    ]
    # later runs never hand it out again, but keep reporting it (exit 5) until a person settles it
    monkeypatch.setenv("STUB_MODE", "ok")
    for now in ("2026-06-15T12:30:00+00:00", "2026-06-16T12:00:00+00:00"):
        monkeypatch.setenv("CALCLI_NOW", now)
        r = run(*dispatch)
        assert r.exit_code == 5, r
        assert r.stdout == ""
        assert "it_late" in r.stderr and "unconfirmed" in r.stderr and "calcli item status it_late" in r.stderr
        r = run("due", "--format", "json")
        assert r.exit_code == 0, r
        assert "it_late" not in [d["id"] for d in json.loads(r.stdout)]
        assert "it_late" in r.stderr and "unconfirmed" in r.stderr
    assert len(received()) == 1
    assert file_items(CAL)["it_late"]["status"] == "scheduled"
    # a person checks the platform and says it went out
    r = run("item", "status", "it_late", "posted", "--post", "https://youtu.be/late")
    assert r.exit_code == 0, r
    assert file_items(CAL)["it_late"]["status"] == "posted"
    assert attempts(run, "it_late")[0]["outcome"] == "posted"
    r = run(*dispatch)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    assert len(received()) == 1


def test_an_unconfirmed_item_settled_as_failed_is_retried(due_project, run, stub, monkeypatch):
    command, received = stub
    monkeypatch.setenv("STUB_MODE", "sleep")
    dispatch = ("dispatch", "--exec", command, "--platform", "youtube", "--timeout", "1", "--quiet")
    assert run(*dispatch).exit_code == 5
    assert run("item", "status", "it_late", "failed", "--note", "nothing on the channel").exit_code == 0
    monkeypatch.setenv("STUB_MODE", "ok")
    monkeypatch.setenv("CALCLI_NOW", "2026-06-15T13:00:00+00:00")
    r = run(*dispatch)
    assert r.exit_code == 0, r
    assert [c["stdin"]["attempt"] for c in received()] == [1, 2]
    assert file_items(CAL)["it_late"]["status"] == "posted"


def test_dispatch_limit_takes_the_oldest_items_first(due_project, run, stub):
    command, received = stub
    r = run("dispatch", "--exec", command, "--within", "15m", "--limit", "2", "--quiet")
    assert r.exit_code == 0, r
    assert [c["env"]["CALCLI_ITEM_ID"] for c in received()] == ["it_late", "it_now"]
    assert [d["id"] for d in as_json(run, "due", "--within", "15m")] == ["it_in10", "it_in15"]


def test_dispatch_exits_4_and_publishes_nothing_while_the_project_is_busy(due_project, run, run_process, stub):
    import fcntl

    command, received = stub
    before = CAL.read_bytes()
    fd = os.open(due_project / ".calcli" / "calcli.duckdb.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        r = run_process("dispatch", "--exec", command, "--quiet", env={"CALCLI_LOCK_TIMEOUT": "0.5"}, input="")
    finally:
        os.close(fd)
    assert r.exit_code == 4, r
    assert r.stderr.startswith("Error: ") and "nothing was written" in r.stderr
    assert received() == []
    assert CAL.read_bytes() == before
    assert [d["id"] for d in as_json(run, "due")] == DUE_NOW


def test_canceling_an_unconfirmed_item_settles_it(due_project, run, stub, monkeypatch):
    command, received = stub
    monkeypatch.setenv("STUB_MODE", "sleep")
    dispatch = ("dispatch", "--exec", command, "--platform", "youtube", "--timeout", "1", "--quiet")
    assert run(*dispatch).exit_code == 5
    r = run("item", "cancel", "it_late", "--note", "nothing on the channel; dropped")
    assert r.exit_code == 0, r
    r = run(*dispatch)
    assert (r.exit_code, r.stderr) == (0, ""), r
    assert len(received()) == 1


def test_an_item_canceled_during_a_run_is_not_published(due_project, run, tmp_path):
    published = tmp_path / "slow.log"
    publisher = recording_publisher(tmp_path / "slow.sh", published, sleep=0.5)
    env = {**os.environ, "CALCLI_LOCK_TIMEOUT": "30"}
    proc = subprocess.Popen([sys.executable, "-m", "calcli", "dispatch", "--exec", publisher, "--within", "15m",
                             "--quiet"], cwd=due_project, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (published.exists() and published.read_text(encoding="utf-8").strip()):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        r = run("item", "cancel", "it_in15", "--note", "pulled: wrong cut")
        assert r.exit_code == 0, r
    finally:
        proc.wait(timeout=30)
    assert file_items(CAL)["it_in15"]["status"] == "canceled"
    assert "it_in15" not in published.read_text(encoding="utf-8").split()


def test_an_item_already_posted_is_not_published_again_when_the_file_reverts(due_project, run, stub, monkeypatch):
    command, received = stub
    before = CAL.read_text(encoding="utf-8")
    assert run("dispatch", "--exec", command, "--platform", "youtube", "--quiet").exit_code == 0
    assert len(received()) == 1
    CAL.write_text(before, encoding="utf-8")  # what `git checkout calendars/DUE.yaml` does
    monkeypatch.setenv("CALCLI_NOW", "2026-06-15T12:10:00+00:00")
    r = run("dispatch", "--exec", command, "--platform", "youtube", "--quiet")
    # the store knows it is posted: the reverted file is refused, and nothing goes out until it is fixed
    assert r.exit_code == 3, r
    assert "items.status: item it_late: posted -> scheduled: posted is final (the post is out); " in r.stderr
    assert len(received()) == 1


def test_dispatch_posts_nothing_inside_a_blackout(due_project, run, stub):
    command, received = stub
    r = run("blackout", "add", "-c", "DUE", "--start", "2026-06-15", "--reason", "pause everything")
    assert r.exit_code == 0, r
    run("dispatch", "--exec", command, "--quiet")
    assert received() == []
    assert {file_items(CAL)[i]["status"] for i in DUE_NOW} == {"scheduled"}


LOCK_GRABBER = """#!{python}
# Publishes, and leaves behind a process that holds the project lock for a moment (another calcli, say).
import fcntl, os, sys, time
sys.stdin.read()
with open({calls!r}, "a", encoding="utf-8") as fh:
    fh.write(os.environ["CALCLI_ITEM_ID"] + "\\n")
if os.fork() == 0:
    os.setsid()
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    lock = os.open({lock!r}, os.O_RDWR)
    fcntl.flock(lock, fcntl.LOCK_EX)
    time.sleep(1.5)
    os._exit(0)
time.sleep(0.3)
print("https://example.test/post/" + os.environ["CALCLI_ITEM_ID"])
"""


def test_a_busy_lock_after_publishing_does_not_lose_the_post(due_project, run, tmp_path, monkeypatch):
    toml = due_project / "calcli.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'store = ".calcli/calcli.duckdb"', 'store = ".calcli/calcli.duckdb"\nlock_timeout_seconds = 0.5'), "utf-8")
    calls = tmp_path / "calls.log"
    script = tmp_path / "grab.py"
    script.write_text(LOCK_GRABBER.format(python=sys.executable, calls=str(calls),
                                          lock=str(due_project / ".calcli" / "calcli.duckdb.lock")), "utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("CALCLI_LOCK_TIMEOUT", "30")
    r = run("dispatch", "--exec", str(script), "--platform", "youtube", "--quiet")
    time.sleep(1.5)  # let the lock holder go
    assert calls.read_text(encoding="utf-8").split() == ["it_late"]
    assert r.exit_code == 0, r
    assert file_items(CAL)["it_late"]["status"] == "posted"


# ---------------------------------------------------------------- overlapping runs


def bulk_project(root: Path, run, videos: int, platforms: list[str], calendar: str) -> list[str]:
    """A project whose user may post often (5-minute grid): ``videos`` × ``platforms`` items, approved."""
    from calcli.files.project import init_project

    init_project(root, "user_123", "UTC")
    (root / "preferences.yaml").write_text(
        "users:\n  user_123:\n    timezone: UTC\n"
        "    defaults: {max_per_day: 100, max_per_week: 700, min_spacing: 1m}\n",
        encoding="utf-8",
    )
    toml = root / "calcli.toml"
    text = toml.read_text(encoding="utf-8").replace("slot_minutes = 30", "slot_minutes = 5")
    # dispatch's per-item claim lock reads this, not CALCLI_LOCK_TIMEOUT (see the busy-lock test above)
    toml.write_text(text.replace('store = ".calcli/calcli.duckdb"', 'store = ".calcli/calcli.duckdb"\n'
                                 "lock_timeout_seconds = 120"), "utf-8")
    vids = [
        {"video_job_id": f"v{i:03d}", "title": f"Video {i}", "duration_seconds": 30, "aspect_ratio": "9:16",
         "platforms": platforms}
        for i in range(videos)
    ]
    (root / "bulk.json").write_text(
        json.dumps({"bulk_job_id": "bj_cron", "user_id": "user_123", "videos": vids}), encoding="utf-8"
    )
    r = run("--project", str(root), "plan", str(root / "bulk.json"), "--calendar", calendar,
            "--start", "2026-06-16", "--end", "2026-06-30")
    assert r.exit_code == 0, r
    r = run("--project", str(root), "approve", "--format", "json")
    assert r.exit_code == 0, r
    ids = [row["id"] for row in json.loads(r.stdout)]
    assert len(ids) == videos * len(platforms)
    return ids


WITHIN = ("--within", "16d")


def process_env(**extra: str) -> dict:
    # before the period: every item is due early, within WITHIN (on time, so the plan's own spacing holds)
    env = {**os.environ, "CALCLI_NOW": "2026-06-15T23:00:00+00:00", "CALCLI_LOCK_TIMEOUT": "120"}
    env.update(extra)
    return env


def recording_publisher(path: Path, log_file: Path, sleep: float = 0) -> str:
    path.write_text(
        "#!/bin/sh\ncat > /dev/null\n"
        f'echo "$CALCLI_ITEM_ID" >> "{log_file}"\n' + (f"sleep {sleep}\n" if sleep else "") + 'echo "posted"\n',
        encoding="utf-8",
    )
    path.chmod(0o755)
    return str(path)


def final_state(run, root: Path, calendar: str) -> tuple[dict, dict, dict]:
    """(status by id in the YAML, status by id in the store, attempt outcomes by id)."""
    doc = yaml.safe_load((root / "calendars" / f"{calendar}.yaml").read_text(encoding="utf-8"))
    in_file = {i["id"]: i["status"] for i in doc["items"]}
    r = run("--project", str(root), "sql", "SELECT id, status FROM content_schedule_items", "--format", "json")
    assert r.exit_code == 0, r
    in_store = {row["id"]: row["status"] for row in json.loads(r.stdout)}
    r = run("--project", str(root), "sql", "SELECT item_id, outcome FROM dispatch_attempts ORDER BY item_id, attempt",
            "--format", "json")
    assert r.exit_code == 0, r
    outcomes: dict[str, list[str]] = {}
    for row in json.loads(r.stdout):
        outcomes.setdefault(row["item_id"], []).append(row["outcome"])
    return in_file, in_store, outcomes


def test_eight_overlapping_dispatchers_post_each_of_200_items_exactly_once(tmp_path, run):
    root = tmp_path / "busy"
    root.mkdir()
    ids = bulk_project(root, run, 100, ["youtube", "tiktok"], "c")
    published = tmp_path / "published.log"
    publisher = recording_publisher(tmp_path / "pub.sh", published)
    env = process_env()
    r = subprocess.run([sys.executable, "-m", "calcli", "due", *WITHIN, "--format", "json"], cwd=root, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert sorted(d["id"] for d in json.loads(r.stdout)) == sorted(ids)
    procs = [
        subprocess.Popen([sys.executable, "-m", "calcli", "dispatch", "--exec", publisher, *WITHIN, "--quiet"],
                         cwd=root,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        for _ in range(8)
    ]
    results = [(p.wait(timeout=110), *p.communicate()) for p in procs]
    assert [code for code, _, _ in results] == [0] * 8, results
    assert all(out == "" and err == "" for _, out, err in results), results
    lines = published.read_text(encoding="utf-8").split()
    counts = Counter(lines)
    assert len(lines) == 200 and set(counts) == set(ids) and max(counts.values()) == 1, counts.most_common(3)
    in_file, in_store, outcomes = final_state(run, root, "c")
    assert in_file == dict.fromkeys(ids, "posted")
    assert in_store == dict.fromkeys(ids, "posted")
    assert outcomes == {i: ["posted"] for i in ids}


def test_a_killed_dispatcher_loses_nothing_and_publishes_nothing_twice(tmp_path, run):
    root = tmp_path / "killed"
    root.mkdir()
    ids = bulk_project(root, run, 6, ["youtube"], "k")
    published = tmp_path / "slow.log"
    publisher = recording_publisher(tmp_path / "slow.sh", published, sleep=1)
    env = process_env()
    proc = subprocess.Popen([sys.executable, "-m", "calcli", "dispatch", "--exec", publisher, *WITHIN, "--quiet"],
                            cwd=root,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if published.exists() and len(published.read_text(encoding="utf-8").split()) >= 3:
            break
        assert proc.poll() is None, "the dispatcher ended before it could be killed"
        time.sleep(0.05)
    else:
        pytest.fail("the dispatcher never reached its third item")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    before_restart = published.read_text(encoding="utf-8").split()
    assert 3 <= len(before_restart) < len(ids)

    r = subprocess.run([sys.executable, "-m", "calcli", "dispatch", "--exec", publisher, *WITHIN, "--quiet"], cwd=root,
                       env=env, capture_output=True, text=True, timeout=60)
    counts = Counter(published.read_text(encoding="utf-8").split())
    assert max(counts.values()) == 1, counts
    in_file, in_store, outcomes = final_state(run, root, "k")
    assert in_file == in_store
    posted = {i for i in ids if in_file[i] == "posted"}
    unconfirmed = {i for i in ids if in_file[i] == "scheduled" and outcomes.get(i) == ["unconfirmed"]}
    assert posted | unconfirmed == set(ids), (in_file, outcomes)
    assert len(unconfirmed) <= 1
    assert posted <= set(counts)
    assert all(outcomes[i] == ["posted"] for i in posted)
    # the restart reports the killed item, if there is one, and says how to settle it
    if unconfirmed:
        [killed] = unconfirmed
        assert r.returncode == 5, r.stderr
        assert killed in r.stderr and "unconfirmed" in r.stderr
        r = run("--project", str(root), "item", "status", killed, "posted")
        assert r.exit_code == 0, r
    else:
        assert r.returncode == 0, r.stderr
    r = subprocess.run([sys.executable, "-m", "calcli", "dispatch", "--exec", publisher, *WITHIN, "--quiet"], cwd=root,
                       env=env, capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert Counter(published.read_text(encoding="utf-8").split()) == counts
    in_file, in_store, _ = final_state(run, root, "k")
    assert set(in_file.values()) == {"posted"} and in_file == in_store
