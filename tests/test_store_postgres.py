"""The PostgreSQL store against a real server (tests/pgserver.py, one cluster per test process, one
database per test): configuration, the same commands as on DuckDB, dispatch exactly once across two
clones of a project, a dispatcher SIGKILLed mid-run, and row-level security between two users."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from test_ops_dispatch import WITHIN, process_env, recording_publisher


def pg_project(root: Path, run, url: str, videos: int, platforms: list[str], user: str = "user_123") -> list[str]:
    """A project on the PostgreSQL store ``url``: ``videos`` × ``platforms`` items planned and approved
    (5-minute grid, frequent posting allowed), in calendar ``c``."""
    from calcli.files.project import init_project

    init_project(root, user, "UTC")
    (root / "preferences.yaml").write_text(
        f"users:\n  {user}:\n    timezone: UTC\n"
        "    defaults: {max_per_day: 100, max_per_week: 700, min_spacing: 1m}\n",
        encoding="utf-8",
    )
    toml = root / "calcli.toml"
    text = toml.read_text(encoding="utf-8").replace("slot_minutes = 30", "slot_minutes = 5")
    toml.write_text(
        text.replace('store = ".calcli/calcli.duckdb"', f'store = "{url}"\nlock_timeout_seconds = 120'), "utf-8"
    )
    vids = [
        {"video_job_id": f"v{i:03d}", "title": f"Video {i}", "duration_seconds": 30, "aspect_ratio": "9:16",
         "platforms": platforms}
        for i in range(videos)
    ]  # fmt: skip
    (root / "bulk.json").write_text(json.dumps({"bulk_job_id": "bj", "user_id": user, "videos": vids}), "utf-8")
    r = run("--project", str(root), "plan", str(root / "bulk.json"), "--calendar", "c",
            "--start", "2026-06-16", "--end", "2026-06-30")  # fmt: skip
    assert r.exit_code == 0, r
    r = run("--project", str(root), "approve", "--format", "json")
    assert r.exit_code == 0, r
    return [row["id"] for row in json.loads(r.stdout)]


def clone(src: Path, dst: Path) -> Path:
    """A second clone of the project (as `git clone` makes it: the files, not .calcli/)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".calcli"))
    return dst


def pg_rows(url: str, sql: str, params=None, clone: Path | None = None) -> list[tuple]:
    """Rows of ``sql`` on the server (the file-owned tables as the project ``clone`` mirrors them)."""
    import psycopg

    from calcli.files.project import find_project
    from calcli.store.postgres.schema import mirror_schema_name
    from calcli.store.postgres.store import clone_id

    with psycopg.connect(url, autocommit=True) as con:
        if clone is not None:
            con.execute(f"SET search_path = {mirror_schema_name(clone_id(find_project(clone)))}, public")
        return con.execute(sql, params).fetchall()


def file_statuses(root: Path) -> dict[str, str]:
    doc = yaml.safe_load((root / "calendars" / "c.yaml").read_text(encoding="utf-8"))
    return {i["id"]: i["status"] for i in doc["items"]}


def dispatcher(root: Path, publisher: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "calcli", "dispatch", "--exec", publisher, *WITHIN, "--quiet"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip


# ---------------------------------------------------------------- configuration (no server needed)


def test_a_password_in_calcli_toml_is_refused_by_check(project, run):
    toml = project / "calcli.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('".calcli/calcli.duckdb"', '"postgresql://alice:s3cret@db.example/cal"'), "utf-8")
    r = run("check", "--format", "text")
    assert r.exit_code == 3, r
    line = next(x for x in r.stderr.splitlines() if "password" in x)
    assert (
        line.startswith("Error: calcli.toml:4: store: holds a password") and "PGPASSWORD" in line and ".pgpass" in line
    )
    assert "s3cret" not in r.stderr
    toml.write_text(text.replace('".calcli/calcli.duckdb"', '"postgresql:///cal?password=x"'), "utf-8")
    assert run("check").exit_code == 3


def test_check_works_offline_when_the_server_does_not_answer(project, run):
    toml = project / "calcli.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('".calcli/calcli.duckdb"', '"postgresql:///cal?host=/nonexistent&connect_timeout=1"'))
    r = run("check")
    assert r.exit_code == 0, r
    for args in (("db", "sync"), ("sql", "SELECT 1"), ("due",)):  # one line, exit 4: nothing written, try again
        r = run(*args)
        assert r.exit_code == 4, (args, r)
        [line] = r.stderr.splitlines()
        assert line.startswith("Error: cannot connect to the PostgreSQL store: ") and "try again" in line, line


def test_without_psycopg_the_error_names_the_extra(project, run, monkeypatch):
    toml = project / "calcli.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('".calcli/calcli.duckdb"', '"postgresql://db.example/cal"'), "utf-8")
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    r = run("db", "sync")
    assert r.exit_code == 1, r
    errors = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(errors) == 1 and "pip install 'calcli[postgres]'" in errors[0], r.stderr


# ---------------------------------------------------------------- the same commands on the server


def test_plan_due_and_dispatch_on_the_server(pg_db, tmp_path, run):
    root = tmp_path / "p"
    root.mkdir()
    ids = pg_project(root, run, pg_db, 5, ["youtube", "tiktok"])
    assert len(ids) == 10
    assert sorted(r[0] for r in pg_rows(pg_db, "SELECT id FROM content_schedule_items", clone=root)) == sorted(ids)
    r = run("--project", str(root), "plan", str(root / "bulk.json"), "--calendar", "c",
            "--start", "2026-06-16", "--end", "2026-06-30", "--format", "json")  # fmt: skip
    assert r.exit_code == 0 and "Nothing to add to calendars/c.yaml: 10 already planned" in r.stderr, r
    assert len(pg_rows(pg_db, "SELECT id FROM content_schedule_items", clone=root)) == 10
    publisher = recording_publisher(tmp_path / "pub.sh", tmp_path / "pub.log")
    p = dispatcher(root, publisher, process_env())
    assert p.wait(timeout=60) == 0, p.communicate()
    assert sorted((tmp_path / "pub.log").read_text().split()) == sorted(ids)
    assert set(file_statuses(root).values()) == {"posted"}
    outcomes = pg_rows(pg_db, "SELECT item_id, outcome FROM dispatch_attempts")
    assert sorted(outcomes) == sorted((i, "posted") for i in ids)
    history = pg_rows(pg_db, "SELECT count(*) FROM item_history WHERE action = 'planned'")
    assert history == [(10,)]
    # check holds a hand edit against what this clone's mirror on the server last knew
    cal = root / "calendars" / "c.yaml"
    text = cal.read_text(encoding="utf-8")
    cal.write_text(text.replace("status: posted", "status: scheduled", 1), encoding="utf-8")
    r = run("--project", str(root), "check", "--format", "text")
    assert r.exit_code == 3 and "items.status: item" in r.stderr and "posted is final" in r.stderr, r
    cal.write_text(text, encoding="utf-8")
    assert run("--project", str(root), "check").exit_code == 0
    # calcli sql runs in a read-only transaction: the server refuses a write
    r = run("--project", str(root), "sql", "DELETE FROM item_history")
    assert r.exit_code == 2 and "read-only" in r.stderr, r
    assert pg_rows(pg_db, "SELECT count(*) FROM item_history WHERE action = 'planned'") == [(10,)]
    r = run("--project", str(root), "db", "info", "--format", "json")
    counts = {row["table"]: row["rows"] for row in json.loads(r.stdout)}
    assert counts["content_schedule_items"] == 10 and counts["dispatch_attempts"] == 10


# ---------------------------------------------------------------- dispatch exactly once across hosts


def test_two_clones_with_eight_dispatchers_each_post_every_due_item_exactly_once(pg_db, tmp_path, run):
    """16 overlapping runs over the issue's 200 due items: the work is shared out between runs in both
    clones, and nothing is posted twice."""
    a = tmp_path / "a"
    a.mkdir()
    ids = pg_project(a, run, pg_db, 100, ["youtube", "tiktok"])
    b = clone(a, tmp_path / "b")
    published = tmp_path / "published.log"
    publisher = recording_publisher(tmp_path / "pub.sh", published)
    env = process_env()
    procs = [dispatcher(root, publisher, env) for _ in range(8) for root in (a, b)]
    results = [(p.wait(timeout=170), *p.communicate()) for p in procs]
    assert [code for code, _, _ in results] == [0] * 16, results
    assert all(out == "" and err == "" for _, out, err in results), results
    counts = Counter(published.read_text(encoding="utf-8").split())
    assert set(counts) == set(ids) and max(counts.values()) == 1, counts.most_common(3)
    outcomes = pg_rows(pg_db, "SELECT item_id, outcome FROM dispatch_attempts")
    assert sorted(outcomes) == sorted((i, "posted") for i in ids)
    # the runs overlapped: in each clone, more than one run posted a share of the items
    runs = pg_rows(pg_db, "SELECT clone, count(DISTINCT run_id) FROM dispatch_attempts GROUP BY 1")
    assert len(runs) == 2 and all(n >= 2 for _, n in runs), runs
    # each clone's calendar file records what that clone posted: every item posted in exactly one of them
    fa, fb = file_statuses(a), file_statuses(b)
    assert all((fa[i] == "posted") != (fb[i] == "posted") for i in ids)
    assert {fa[i] for i in ids} | {fb[i] for i in ids} == {"posted", "scheduled"}
    # the other clone's `due` holds what was posted elsewhere instead of offering it again
    r = subprocess.run([sys.executable, "-m", "calcli", "due", *WITHIN, "--format", "json"], cwd=b, env=env,
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode == 0 and json.loads(r.stdout) == [], r
    assert "posted by another clone of the project" in r.stderr and "git pull" in r.stderr


def test_a_killed_dispatcher_on_one_clone_posts_nothing_twice_and_loses_nothing(pg_db, tmp_path, run):
    a = tmp_path / "a"
    a.mkdir()
    ids = pg_project(a, run, pg_db, 4, ["youtube"])
    b = clone(a, tmp_path / "b")
    published = tmp_path / "slow.log"
    publisher = recording_publisher(tmp_path / "slow.sh", published, sleep=0.5)
    env = process_env()
    proc = dispatcher(a, publisher, env)
    deadline = time.monotonic() + 60
    while not (published.exists() and len(published.read_text().split()) >= 2):
        assert proc.poll() is None and time.monotonic() < deadline, "the dispatcher ended before it could be killed"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    live = dict(pg_rows(pg_db, "SELECT item_id, outcome FROM dispatch_attempts"))
    [claimed] = [i for i, outcome in live.items() if outcome == "running"]  # the killed run's claim
    # the other clone sees the claim's holder gone: it marks the item unconfirmed and says so (exit 5),
    # never retries it, and posts the rest
    r = dispatcher(b, publisher, env)
    code, _, err = r.wait(timeout=60), *r.communicate()
    assert code == 5 and claimed in err and "unconfirmed" in err, err
    counts = Counter(published.read_text(encoding="utf-8").split())
    assert max(counts.values()) == 1 and set(counts) == set(ids), counts
    outcomes = dict(pg_rows(pg_db, "SELECT item_id, outcome FROM dispatch_attempts"))
    assert outcomes == {i: "unconfirmed" if i == claimed else "posted" for i in ids}
    [error] = pg_rows(pg_db, "SELECT error FROM dispatch_attempts WHERE item_id = %s", [claimed])
    assert "is gone (killed, or its host went down)" in error[0] and "calcli item status" in error[0]
    # the killed clone's next run says the same (its journal knows the run is gone) and posts nothing
    r = dispatcher(a, publisher, env)
    code, _, err = r.wait(timeout=60), *r.communicate()
    assert code == 5 and claimed in err and "unconfirmed" in err, err
    # a person settles it in clone b; clone a then holds it as posted elsewhere, and it stays settled
    r = run("--project", str(b), "item", "status", claimed, "posted")
    assert r.exit_code == 0, r
    r = dispatcher(a, publisher, env)
    assert r.wait(timeout=60) == 0, r.communicate()
    assert dict(pg_rows(pg_db, "SELECT item_id, outcome FROM dispatch_attempts")) == dict.fromkeys(ids, "posted")
    assert Counter(published.read_text(encoding="utf-8").split()) == counts


# ---------------------------------------------------------------- row-level security


def role_url(url: str, role: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://{role}@")


def _fake_row(con, schema: str, table: str, user: str) -> None:
    """One row of ``user`` in ``schema.table``, every NOT NULL column given a value of its type."""
    cols = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
        "AND is_nullable = 'NO' AND is_identity = 'NO'",
        [schema, table],
    ).fetchall()
    samples = {"integer": 1, "bigint": 1, "numeric": 7, "double precision": 1.0, "boolean": False, "ARRAY": []}
    values = {c: samples.get(t, "2026-01-01" if "time" in t or t == "date" else f"{user}-{table}") for c, t in cols}
    values["user_id"] = user
    names, marks = ", ".join(values), ", ".join(["%s"] * len(values))
    con.execute(
        f'INSERT INTO "{schema}"."{table}" ({names}) OVERRIDING SYSTEM VALUE VALUES ({marks})', list(values.values())
    )


def test_alice_cannot_read_update_or_delete_bobs_rows_in_any_table(pg_db, tmp_path, run):
    import psycopg

    from calcli.store.postgres.schema import MIRROR_USER_TABLES, USER_TABLES

    admin = tmp_path / "admin"
    admin.mkdir()
    pg_project(admin, run, pg_db, 1, ["youtube"])  # the service role's project: migrates the store
    for user in ("alice", "bob"):
        r = run("--project", str(admin), "db", "grant", user)
        assert r.exit_code == 0 and f"Made role {user}: a calcli user of this store" in r.stderr, r
    r = run("--project", str(admin), "db", "grant", "alice")
    assert r.exit_code == 0 and "Role alice: a calcli user" in r.stderr  # granting again is harmless
    roots = {}
    for user in ("alice", "bob"):  # each plans as their own role: the grant is enough to work
        roots[user] = tmp_path / user
        roots[user].mkdir()
        assert len(pg_project(roots[user], run, role_url(pg_db, user), 2, ["youtube"], user=user)) == 2
    from calcli.files.project import find_project
    from calcli.store.postgres.schema import mirror_schema_name
    from calcli.store.postgres.store import clone_id

    alice_mirror = mirror_schema_name(clone_id(find_project(roots["alice"])))
    tables = [("public", t) for t in USER_TABLES] + [(alice_mirror, t) for t in MIRROR_USER_TABLES]
    with psycopg.connect(pg_db, autocommit=True) as con:  # the service role: a row of each user in every table
        for schema, table in tables:
            for user in ("alice", "bob"):
                _fake_row(con, schema, table, user)
        bob_rows = {t: con.execute(f'SELECT count(*) FROM "{s}"."{t}" WHERE user_id = %s', ["bob"]).fetchone()[0]
                    for s, t in tables}  # fmt: skip
    assert all(n >= 1 for n in bob_rows.values()), bob_rows
    with psycopg.connect(role_url(pg_db, "alice"), autocommit=True) as con:
        for schema, table in tables:
            t = f'"{schema}"."{table}"'
            assert con.execute(f"SELECT count(*) FROM {t} WHERE user_id <> 'alice'").fetchone()[0] == 0, t
            assert con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] >= 1, t  # alice sees her own
            assert con.execute(f"UPDATE {t} SET user_id = 'alice' WHERE user_id = 'bob'").rowcount == 0, t
            assert con.execute(f"DELETE FROM {t} WHERE user_id = 'bob'").rowcount == 0, t
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
                _fake_row(con, schema, table, "bob")
            # nor can she hand her own rows to bob
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
                con.execute(f"UPDATE {t} SET user_id = 'bob' WHERE user_id = 'alice'")
        bob_mirror = mirror_schema_name(clone_id(find_project(roots["bob"])))
        # bob's clone's mirror holds his items; alice sees none of them
        assert con.execute(f'SELECT count(*) FROM "{bob_mirror}".content_schedule_items').fetchone()[0] == 0
        for table in (*USER_TABLES, *MIRROR_USER_TABLES):  # row-level security is on and forced everywhere
            flags = con.execute(
                "SELECT bool_and(relrowsecurity AND relforcerowsecurity) FROM pg_class WHERE relname = %s", [table]
            ).fetchone()[0]
            assert flags is True, table
    with psycopg.connect(pg_db, autocommit=True) as con:
        after = {t: con.execute(f'SELECT count(*) FROM "{s}"."{t}" WHERE user_id = %s', ["bob"]).fetchone()[0]
                 for s, t in tables}  # fmt: skip
    assert after == bob_rows
    assert pg_rows(pg_db, "SELECT count(*) FROM content_schedule_items", clone=roots["bob"]) == [(2,)]
    # alice's own commands show her rows only
    r = run("--project", str(roots["alice"]), "sql", "SELECT DISTINCT user_id FROM content_schedule_items",
            "--format", "json")  # fmt: skip
    assert r.exit_code == 0 and json.loads(r.stdout) == [{"user_id": "alice"}], r
    # calcli sql --user: the service role reads the one user's rows (the project's user by default), as on
    # DuckDB; alice's login cannot ask for bob's, and --all-users shows her what she may see
    users = "SELECT DISTINCT user_id FROM item_history ORDER BY 1"
    for root, flags, want in (
        (admin, (), ["user_123"]),
        (admin, ("--user", "alice"), ["alice"]),
        (admin, ("--all-users",), ["alice", "bob", "user_123"]),
        (roots["alice"], ("--all-users",), ["alice"]),
        (roots["alice"], ("--user", "alice"), ["alice"]),
    ):
        r = run("--project", str(root), "sql", users, *flags, "--format", "json")
        assert r.exit_code == 0 and [row["user_id"] for row in json.loads(r.stdout)] == want, (flags, r)
    r = run("--project", str(roots["alice"]), "sql", users, "--user", "bob")
    assert r.exit_code == 2 and r.stdout == "", r
    assert r.stderr.splitlines() == [
        "Error: calcli sql --user bob: this login (alice) sees only its own rows in the PostgreSQL store "
        "(row-level security); use --user alice, or connect as bob or as the service role."
    ]


# ---------------------------------------------------------------- analytics: the same figures on both backends


def test_kpi_import_analyze_optimize_trial_and_report_give_the_same_results_on_both_backends(
    example_project, run, run_exported, pg_db, monkeypatch
):
    """The same project, first on DuckDB then on PostgreSQL, prints the same to the last digit: KPI
    imports (again: idempotent), analyze, optimize, every trial command (new with the history's spread,
    status once numbers arrived and an item joined by its hashed arm, list, conclude) and the report."""
    from conftest import ROOT

    fixtures = ROOT / "tests" / "fixtures" / "analytics"
    shutil.copy(ROOT / "examples" / "analytics" / "history.yaml", example_project / "calendars" / "history.yaml")
    shutil.copy(fixtures / "edge.yaml", example_project / "calendars" / "edge.yaml")
    trial_cal = example_project / "calendars" / "T3.yaml"  # the trial tests' eight future TikTok posts
    fixture = (ROOT / "tests" / "fixtures" / "trials" / "Q3.yaml").read_text(encoding="utf-8")
    fixture = fixture.replace("calendar: Q3", "calendar: T3").replace("07-01T18:00", "07-01T23:00")  # Q3 has 18:00
    late = (
        "  - id: it_late\n    key: job/late/tiktok\n    video: late\n    platform: tiktok\n    format: video\n"
        '    at: "2026-07-20T18:00:00-04:00"\n    status: planned\n    title: "Late"\n'
    )
    rows = "".join(f"it_t{i},,,2026-07-25T12:00:00Z,1000,800,900,{20 + 9 * i + 7 * (i % 3)},{i},2\n" for i in range(8))
    (example_project / "k.csv").write_text(
        "item_id,platform,post_id,metric_at,impressions,reach,views,likes,comments,shares\n" + rows, "utf-8"
    )
    start = os.environ["CALCLI_NOW"]

    def session() -> dict:
        monkeypatch.setenv("CALCLI_NOW", start)
        trial_cal.write_text(fixture, encoding="utf-8")
        out = {}

        def step(name: str, *args: str, exported: bool = False) -> None:
            r = (run_exported if exported else run)(*args)
            assert r.exit_code == 0, (args, r)
            out[name] = (r.stdout, r.stderr)

        step("import", "kpi", "import", "examples/analytics/kpi.csv", str(fixtures / "edge.csv"), exported=True)
        step("import again", "kpi", "import", "examples/analytics/kpi.csv", exported=True)  # idempotent on both
        step("analyze", "analyze", "--calendar", "history", "--until", "2026-06-30", "--format", "json")
        step("optimize", "optimize", "--calendar", "Q3", "--format", "json")
        step("analyze edge", "analyze", "--calendar", "edge", "--format", "json")
        step("trial new", "trial", "new", "timing", "--calendar", "T3", "--arm-a", "research windows",
             "--arm-b", "optimized windows", "--assign", "random", "--seed", "7", "--format", "json")  # fmt: skip
        step("trial numbers", "kpi", "import", "k.csv", exported=True)
        monkeypatch.setenv("CALCLI_NOW", "2026-06-20T12:00:00+00:00")
        with trial_cal.open("a", encoding="utf-8") as fh:  # an item added after the start joins by its hashed arm
            fh.write(late)
        step("trial status", "trial", "status", "timing", "--format", "json")
        step("trial list", "trial", "list", "--format", "json")
        step("report", "report", "-o", "r.html")  # every calendar's figures, the running trial among them
        out["report.html"] = (example_project / "r.html").read_text(encoding="utf-8")
        step("conclude", "trial", "conclude", "timing", "--decision", "none", "--note", "too few", "--format", "json")
        step("assignments", "sql", "SELECT trial_id, unit, arm, method FROM trial_assignments ORDER BY 1, 2",
             "--format", "json")  # fmt: skip
        return out

    on_duckdb = session()
    toml = example_project / "calcli.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('store = ".calcli/calcli.duckdb"', f'store = "{pg_db}"'), encoding="utf-8")
    status = json.loads(on_duckdb["trial status"][0])  # what is compared: numbers in both arms, the late item
    assert status["arms"]["a"]["units"] + status["arms"]["b"]["units"] == 9 and status["lift"] is not None
    assert status["sigma_source"].startswith("history: 306 values") and "<td>timing</td>" in on_duckdb["report.html"]
    assert json.loads(on_duckdb["analyze"][0])["totals"]["posts"] == 303
    on_postgres = session()
    # the same to the last digit: analysis takes the posts in item order, not in the order either store
    # holds its rows (a residual's mean is a difference of nearly equal sums)
    assert on_postgres == on_duckdb
    assert pg_rows(pg_db, "SELECT count(*) > 500 FROM performance_kpi_events") == [(True,)]
    assert pg_rows(pg_db, "SELECT status FROM optimization_trials") == [("concluded",)]
    assert pg_rows(pg_db, "SELECT method FROM trial_assignments WHERE unit = 'it_late'") == [("hash",)]


# ---------------------------------------------------------------- moving a store


def test_db_push_then_pull_moves_the_stores_own_data_with_counts_and_checksums(tmp_path, run, pg_db):
    root = tmp_path / "local"
    root.mkdir()
    ids = pg_project(root, run, ".calcli/calcli.duckdb", 3, ["youtube"])  # a DuckDB project
    publisher = recording_publisher(tmp_path / "pub.sh", tmp_path / "pub.log")
    p = dispatcher(root, publisher, process_env())
    assert p.wait(timeout=60) == 0, p.communicate()
    r = run("--project", str(root), "db", "push", pg_db, "--format", "json")
    assert r.exit_code == 0, r
    pushed = {row["table"]: row for row in json.loads(r.stdout)}
    assert pushed["dispatch_attempts"]["rows_to"] == 3 and pushed["item_history"]["rows_to"] >= 6
    assert all(row["same"] and row["checksum_from"] == row["checksum_to"] for row in pushed.values())
    assert "counts and checksums agree" in r.stderr
    assert sorted(pg_rows(pg_db, "SELECT item_id, outcome FROM dispatch_attempts")) == sorted(
        (i, "posted") for i in ids
    )
    r = run("--project", str(root), "db", "push", pg_db)  # into a store that is not empty: refused
    assert r.exit_code == 3 and "already holds item_history" in r.stderr, r
    other = tmp_path / "other"
    shutil.copytree(root, other, ignore=shutil.ignore_patterns(".calcli"))
    r = run("--project", str(other), "db", "pull", pg_db, "--format", "json")
    assert r.exit_code == 0, r
    pulled = {row["table"]: row for row in json.loads(r.stdout)}
    assert {t: (row["rows_to"], row["checksum_to"]) for t, row in pulled.items()} == {
        t: (row["rows_to"], row["checksum_to"]) for t, row in pushed.items()
    }
    r = run("--project", str(other), "sql", "SELECT count(*) AS n FROM dispatch_attempts WHERE outcome = 'posted'",
            "--format", "json")  # fmt: skip
    assert json.loads(r.stdout) == [{"n": 3}]
