"""The PostgreSQL store's figures (bench/run.py --only postgres): the same work on DuckDB and on a
throw-away PostgreSQL cluster (tests/pgserver.py) in the same run, as ratios PostgreSQL / DuckDB."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import pgserver  # noqa: E402


def _on(root: Path, url: str) -> Path:
    toml = root / "calcli.toml"
    toml.write_text(toml.read_text().replace('store = ".calcli/calcli.duckdb"', f'store = "{url}"'))
    return root


def _database(server, name: str) -> str:
    import psycopg

    with psycopg.connect(server.dsn(), autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    return server.dsn(name)


def _sync(py: str, root: Path, env: dict) -> None:
    """calcli db sync, its messages captured (a pipe left unread would stall a long one)."""
    import subprocess

    r = subprocess.run([py, "-m", "calcli", "db", "sync"], cwd=root, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"db sync failed in {root}: {r.stderr[-500:]}")


def bench_postgres(work: Path, best, run, report, py: str, env: dict, videos: int = 10_000, items: int = 50_000):
    """plan ``videos`` videos, ``due`` on ``items`` items, dispatch per item: PostgreSQL against DuckDB."""
    from gen import make_bulk, make_calendar, make_project

    where = pgserver.bindir()
    if where is None:
        print(f"postgres: skipped ({pgserver.HOW_TO})")
        return
    server = pgserver.Server(where)
    server.start()
    try:
        plan = {}
        for backend in ("duckdb", "postgres"):
            root = make_project(work / f"pg-plan-{backend}")
            bulk = make_bulk(root / "bulk.json", videos)
            cmd = [py, "-m", "calcli", "plan", str(bulk), "--calendar", "bench", "--start", "2027-01-04",
                   "--end", "2028-12-31", "--format", "json"]  # fmt: skip
            times = []
            for attempt in range(2):  # each try into an empty store
                (root / "calendars" / "bench.yaml").unlink(missing_ok=True)
                if backend == "postgres":
                    _on(make_project(root), _database(server, f"plan{attempt}"))
                else:
                    import shutil

                    shutil.rmtree(root / ".calcli", ignore_errors=True)
                times.append(run(cmd, root)[0])
            plan[backend] = min(times)
        report(
            f"postgres: plan {videos:,} videos into PostgreSQL",
            plan["postgres"],
            "the same into DuckDB",
            plan["duckdb"],
            note="best of 2; target <= 2x",
        )
        due = {}
        env["CALCLI_NOW"] = "2026-03-01T00:00:00+00:00"
        for backend in ("duckdb", "postgres"):
            root = make_project(work / f"pg-due-{backend}")
            if backend == "postgres":
                _on(root, _database(server, "due"))
            make_calendar(root, "big", items, posted_before=env["CALCLI_NOW"], step_minutes=30)  # within the caps
            _sync(py, root, env)
            due[backend] = best([py, "-m", "calcli", "due", "--within", "15m", "--format", "json"], 5, root)
        report(
            f"postgres: due on {items:,} items (PostgreSQL)",
            due["postgres"],
            "the same on DuckDB",
            due["duckdb"],
            note="best of 5; target <= 0.5 s",
        )
        per_item = {}
        env["CALCLI_NOW"] = "2026-03-01T12:00:00+00:00"  # the 100 items come in the next 50 hours
        for backend in ("duckdb", "postgres"):
            root = make_project(work / f"pg-dispatch-{backend}")
            if backend == "postgres":
                _on(root, _database(server, "dispatch"))
            make_calendar(root, "d", 100, start="2026-03-02", step_minutes=30)
            _sync(py, root, env)
            cmd = [py, "-m", "calcli", "dispatch", "--exec", "true", "--within", "4d", "--quiet"]
            wall, _ = run(cmd, root)
            idle, _ = run(cmd, root)  # nothing left: the fixed cost
            per_item[backend] = (wall - idle) / 100 * 1000
        report(
            "postgres: dispatch overhead per item (100 items)",
            per_item["postgres"],
            "the same on DuckDB",
            per_item["duckdb"],
            unit="ms",
            note="target <= 15 ms",
        )
    finally:
        server.stop()
