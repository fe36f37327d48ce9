"""Prove that a change keeps calcli's behaviour byte for byte: run one scenario with two calcli builds.

    python bench/equivalence.py record --calcli PATH/TO/calcli OUT_DIR
    python bench/equivalence.py compare OUT_A OUT_B

``record`` runs a fixed scenario through the CLI only (no calcli imports, so any two versions can be
compared): the demo's commands, most other commands on the example project, and 1k/10k-video plans
with a re-plan that adds 50 videos. For every step it keeps the exit code, stdout and stderr; after
the scenario it keeps every file of the projects and every store table's rows (sorted). ``compare``
prints the first differences and exits 1 when there are any.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from gen import make_bulk, make_project  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if not k.startswith("CALCLI_")}
ENV |= {"CALCLI_NOW": "2026-06-15T12:00:00+00:00", "NO_COLOR": "1", "TZ": "UTC", "COLUMNS": "100"}

PUBLISH = """#!/bin/sh
# a publisher: posts everything but the linkedin items, which fail
read -r item
case "$CALCLI_PLATFORM" in linkedin) echo "refused" >&2; exit 1;; esac
echo "https://example.com/$CALCLI_ITEM_ID"
"""


def demo_steps() -> list[list[str]]:
    """The demo's commands and most others, on a copy of the example project."""
    fmt = ["--format"]
    steps = [
        ["check"],
        ["db", "sync"],
        ["plan", "examples/bulk.json", "--calendar", "launch"],
        ["plan", "examples/bulk.json", "--calendar", "launch", "--dry-run"],
        ["plan", "examples/bulk.json", "--calendar", "launch2", "--format", "json", "--dry-run"],
        ["explain", "it_8fec3c9dae"],
        ["explain", "it_8fec3c9dae", "--format", "json"],
        [
            "sql",
            "SELECT platform, count(*) AS items, round(avg(score), 3) AS avg_score FROM content_schedule_items "
            "GROUP BY platform ORDER BY platform",
        ],
        ["sql", "DELETE FROM content_schedule_items"],
    ]
    for f in ("tsv", "csv", "json", "ndjson", "table"):
        steps += [["calendar", "list", *fmt, f], ["calendar", "show", "launch", *fmt, f]]
    steps += [
        ["agenda", "--days", "400", "--all-users"],
        ["week", "2026-07-06"],
        ["month", "2026-07"],
        ["agenda", "--days", "60", "--format", "json"],
        ["week", "2026-07-06", "--format", "json"],
        ["month", "2026-07", "--format", "csv"],
        ["platforms"],
        ["platforms", "tiktok"],
        ["platforms", "youtube", "--format", "json"],
        ["preview", "--video", "vj_001"],
        ["preview", "it_8fec3c9dae", "--format", "json"],
        ["item", "show", "it_8fec3c9dae"],
        ["item", "log", "it_8fec3c9dae", "--format", "json"],
        ["item", "status", "it_8fec3c9dae", "scheduled"],
        ["item", "status", "it_8fec3c9dae", "posted"],
        ["item", "move", "it_c180bdea5e", "--to", "2026-07-22T16:00:00-04:00"],
        ["item", "move", "it_c180bdea5e", "--to", "2026-07-20T03:00:00-04:00"],
        ["item", "move", "it_ad61c1c1d9", "--to", "2026-07-20T03:00:00-04:00", "--force"],
        ["item", "status", "it_46a1c467fe", "canceled"],
        ["item", "log", "it_46a1c467fe"],
        ["item", "add", "-c", "launch", "--video", "extra1", "--platform", "x"],
        [
            "item",
            "add",
            "-c",
            "launch",
            "--video",
            "extra2",
            "--platform",
            "youtube",
            "--at",
            "2026-07-22T16:00:00-04:00",
        ],
        ["assign", "it_8fec3c9dae", "--to", "sam"],
        ["assignments", "--format", "json"],
        ["blackout", "add", "-c", "launch", "--start", "2026-07-24", "--end", "2026-07-25", "--reschedule"],
        ["blackout", "list", "--format", "json"],
        ["approve", "--calendar", "launch", "--until", "2026-07-31"],
        ["due", "--within", "60d", "--format", "json"],
        ["export", "--format", "ics", "-c", "launch", "-o", "out/launch.ics"],
        ["export", "--format", "csv", "-c", "launch", "-o", "out/launch.csv"],
        ["export", "--format", "json", "-c", "launch"],
        ["export", "--format", "hootsuite", "-c", "launch", "-o", "out/hoot.csv"],
        ["export", "--format", "hootsuite", "-c", "launch", "--platform", "x", "-o", "out/hoot.csv"],
        ["export", "--format", "buffer", "-c", "launch", "--platform", "tiktok", "-o", "out/buffer.csv"],
        ["import", "out/launch.csv", "--from", "csv", "-c", "imported", "--dry-run"],
        ["import", "out/launch.ics", "--from", "ics", "-c", "imported_ics"],
        ["import", "out/hoot.csv", "--from", "hootsuite", "-c", "imported_h", "--platform", "x", "--dry-run"],
        ["import", "out/buffer.csv", "--from", "buffer", "-c", "imported_b", "--platform", "tiktok"],
        ["item", "cancel", "it_8fec3c9dae"],
        ["schema"],
        ["schema", "calendar"],
        ["db", "info", "--format", "json"],
    ]
    history = [
        ["kpi", "import", "examples/analytics/kpi.csv"],
        ["kpi", "import", "examples/analytics/kpi.csv", "--format", "json"],
        ["analyze", "--calendar", "history", "--until", "2026-07-05", "--format", "table"],
        ["analyze", "--calendar", "history", "--until", "2026-07-05", "--format", "json"],
        ["analyze", "--format", "json"],
        ["analyze", "--platform", "tiktok", "--metric", "views", "--format", "tsv"],
        ["optimize", "--calendar", "launch", "--format", "table"],
        ["optimize", "--calendar", "launch", "--windows", "--format", "json"],
        [
            "trial",
            "new",
            "t1",
            "-c",
            "launch",
            "--arm-a",
            "baseline",
            "--arm-b",
            "learned",
            "--seed",
            "7",
            "--format",
            "json",
        ],
        ["trial", "list", "--format", "json"],
        ["trial", "status", "t1", "--format", "json"],
        ["trial", "conclude", "t1", "--decision", "none"],
        ["optimize", "--calendar", "launch", "--apply", "--format", "json"],
        ["db", "rebuild"],
        ["check"],
    ]
    return steps + [["@copy-history"]] + history + [["@dispatch"]]


def run(calcli: str, args: list[str], cwd: Path, log: list[dict]) -> None:
    proc = subprocess.run([calcli, *args], cwd=cwd, env=ENV, capture_output=True, stdin=subprocess.DEVNULL)
    log.append(
        {
            "args": args,
            "exit": proc.returncode,
            "stdout": proc.stdout.decode(errors="replace"),
            "stderr": proc.stderr.decode(errors="replace"),
        }
    )


def demo(calcli: str, work: Path, log: list[dict]) -> Path:
    root = work / "demo"
    root.mkdir()
    for name in ("calcli.toml", "preferences.yaml"):
        shutil.copy(ROOT / name, root / name)
    for name in ("calendars", "examples"):
        shutil.copytree(ROOT / name, root / name)
    (root / "out").mkdir()
    for args in demo_steps():
        if args == ["@copy-history"]:
            shutil.copy(ROOT / "examples" / "analytics" / "history.yaml", root / "calendars" / "history.yaml")
        elif args == ["@dispatch"]:
            pub = root / "publish.sh"
            pub.write_text(PUBLISH)
            pub.chmod(0o755)
            run(calcli, ["dispatch", "--exec", "./publish.sh", "--within", "90d", "--format", "json"], root, log)
            run(calcli, ["dispatch", "--exec", "./publish.sh", "--within", "90d"], root, log)
            run(calcli, ["due", "--within", "90d"], root, log)
        else:
            run(calcli, args, root, log)
    return root


def bench(calcli: str, work: Path, log: list[dict], sizes: list[int]) -> list[Path]:
    roots = []
    for videos in sizes:
        root = make_project(work / f"p{videos}")
        make_bulk(root / "bulk.json", videos)
        make_bulk(root / "more.json", 50, seed=9, job_id="bj_more")
        span = ["--start", "2027-01-04", "--end", "2028-12-31"]
        run(calcli, ["plan", "bulk.json", "--calendar", "bench", *span, "--format", "json"], root, log)
        run(calcli, ["plan", "bulk.json", "--calendar", "bench", *span, "--format", "tsv"], root, log)
        run(calcli, ["plan", "more.json", "--calendar", "bench", *span, "--format", "json"], root, log)
        run(calcli, ["check"], root, log)
        roots.append(root)
    return roots


CLOCK = {
    "source_files": ("mtime_ns", "synced_at"),
    "dispatch_attempts": ("claimed_at", "finished_at", "run_id"),
    "content_calendars": ("created_at", "updated_at"),
}


def store_rows(db: Path, work: Path) -> dict[str, str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    out = {}
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall():
        cols = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
        # Wall-clock readings (file times, dispatch claim times, run ids) differ between any two runs.
        shown = ", ".join("'-'" if c in CLOCK.get(table, ()) else f'"{c}"' for c in cols)
        rows = con.execute(f'SELECT {shown} FROM "{table}" ORDER BY ALL').fetchall()
        if table == "store_meta":  # the journal's length holds run ids (host, pid): it differs between runs
            rows = [(k, "-" if k == "journal_offset" else v) for k, v in rows]
        text = json.dumps([cols] + [[repr(v) for v in r] for r in rows]).replace(str(work), "WORK")
        out[table] = hashlib.sha256(text.encode()).hexdigest() + f" ({len(rows)} rows)"
    con.close()
    return out


def snapshot(root: Path, work: Path) -> dict[str, str]:
    files = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_file() and not rel.startswith(".calcli/") and "__pycache__" not in rel:
            files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    db = root / ".calcli" / "calcli.duckdb"
    if db.exists():
        files |= {f"store:{t}": h for t, h in store_rows(db, work).items()}
    return files


def record(calcli: str, out: Path, sizes: list[int]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="calcli-eq-"))
    log: list[dict] = []
    try:
        roots = [demo(calcli, work, log)] + bench(calcli, work, log, sizes)
        state = {root.name: snapshot(root, work) for root in roots}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for entry in log:  # the scratch folder's name differs between runs
        for key in ("stdout", "stderr"):
            entry[key] = entry[key].replace(str(work), "WORK")
    (out / "steps.json").write_text(json.dumps(log, indent=1))
    (out / "state.json").write_text(json.dumps(state, indent=1, sort_keys=True))
    print(f"{len(log)} steps, {sum(len(s) for s in state.values())} files and tables recorded in {out}")


FLOAT = re.compile(r"-?\d+\.\d{13,}(e-?\d+)?")


def _rounded(text: str) -> str:
    """Floats to 12 significant digits: DuckDB's parallel sums differ in the last bits between runs."""
    return FLOAT.sub(lambda m: f"{float(m.group()):.12g}", text)


def compare(a: Path, b: Path) -> int:
    diffs = 0
    steps_a, steps_b = (json.loads((d / "steps.json").read_text()) for d in (a, b))
    if len(steps_a) != len(steps_b):
        print(f"step count differs: {len(steps_a)} vs {len(steps_b)}")
        diffs += 1
    for x, y in zip(steps_a, steps_b, strict=False):
        for key in ("args", "exit", "stdout", "stderr"):
            if x[key] != y[key] and not (key in ("stdout", "stderr") and _rounded(x[key]) == _rounded(y[key])):
                diffs += 1
                print(f"calcli {' '.join(x['args'])}: {key} differs")
                if key in ("stdout", "stderr"):
                    import difflib

                    lines = difflib.unified_diff(x[key].splitlines(), y[key].splitlines(), lineterm="", n=1)
                    print("\n".join(list(lines)[:12]))
                else:
                    print(f"  {x[key]!r} vs {y[key]!r}")
    state_a, state_b = (json.loads((d / "state.json").read_text()) for d in (a, b))
    for project in sorted(set(state_a) | set(state_b)):
        fa, fb = state_a.get(project, {}), state_b.get(project, {})
        for name in sorted(set(fa) | set(fb)):
            if fa.get(name) != fb.get(name):
                diffs += 1
                print(f"{project}/{name}: {fa.get(name)} vs {fb.get(name)}")
    n_files = sum(len(s) for s in state_a.values())
    print(
        f"{len(steps_a)} steps (exit code, stdout, stderr) and {n_files} files/tables compared: "
        + ("identical" if not diffs else f"{diffs} differences")
    )
    return 1 if diffs else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("--calcli", required=True, help="the calcli executable to run")
    rec.add_argument("--sizes", default="1000,10000", help="bench plan sizes (videos)")
    rec.add_argument("out", type=Path)
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("a", type=Path)
    cmp_.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.cmd == "record":
        record(str(Path(args.calcli).resolve()), args.out, [int(s) for s in args.sizes.split(",")])
    else:
        raise SystemExit(compare(args.a, args.b))


if __name__ == "__main__":
    main()
