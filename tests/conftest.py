"""Shared fixtures: every test runs pinned to a time zone and a fixed "now"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# No test is timed (these machines are shared and noisy: speed belongs in `make bench`), so no
# hypothesis example has a deadline either: a loaded machine ran one past the default 200 ms.
settings.register_profile("calcli", deadline=None)
settings.load_profile("calcli")

os.environ["TZ"] = "UTC"
os.environ.setdefault("CALCLI_NOW", "2026-06-15T12:00:00+00:00")
os.environ["NO_COLOR"] = "1"
os.environ["CALCLI_LOCK_TIMEOUT"] = "2"

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _pinned(monkeypatch):
    monkeypatch.setenv("CALCLI_NOW", "2026-06-15T12:00:00+00:00")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("CALCLI_LOCK_TIMEOUT", "2")
    monkeypatch.delenv("CALCLI_PROJECT", raising=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A fresh project (user user_123, America/New_York) as the current folder."""
    from calcli.files.project import init_project

    init_project(tmp_path, "user_123", "America/New_York")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def example_project(tmp_path, monkeypatch):
    """A copy of the repository's example project (calcli.toml, preferences, calendars, examples)."""
    for name in ("calcli.toml", "preferences.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "calendars", tmp_path / "calendars")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


class Result:
    def __init__(self, code: int, out: str, err: str):
        self.exit_code, self.stdout, self.stderr = code, out, err

    def __repr__(self) -> str:
        return f"Result(exit={self.exit_code}, stdout={self.stdout[-500:]!r}, stderr={self.stderr[-500:]!r})"


@pytest.fixture
def run(capsys):
    """Run calcli in-process through its real entry point: exit code, stdout, stderr."""
    from calcli.cli.app import main

    def _run(*args: str) -> Result:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


# The day the tests' performance numbers were exported: after every snapshot in them (a snapshot
# later than "now" is a bad row), while each test reads them as of its own pinned "now".
EXPORTED_AT = "2028-01-02T00:00:00+00:00"


@pytest.fixture
def run_exported(run, monkeypatch):
    """Run calcli (a ``kpi import``) as of :data:`EXPORTED_AT`, then go back to the test's "now"."""

    def _run(*args: str) -> Result:
        now = os.environ["CALCLI_NOW"]
        monkeypatch.setenv("CALCLI_NOW", EXPORTED_AT)
        try:
            return run(*args)
        finally:
            monkeypatch.setenv("CALCLI_NOW", now)

    return _run


@pytest.fixture
def run_process():
    """Run calcli as a real process (where the process matters: exit codes, streams, locks)."""

    def _run(*args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None):
        full_env = {**os.environ, **(env or {})}
        p = subprocess.run(
            [sys.executable, "-m", "calcli", *args],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            input=input,
            timeout=120,
        )
        return Result(p.returncode, p.stdout, p.stderr)

    return _run


def allow(project: Path, platform: str, **limits: object) -> None:
    """Loosen one platform's limits in the project's preferences (user_123), for fixture calendars
    that post more often than the defaults allow: ``allow(p, "tiktok", max_per_day=2, min_spacing="6h")``."""
    import yaml

    path = project / "preferences.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["users"]["user_123"].setdefault("platforms", {}).setdefault(platform, {}).update(limits)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


# ---------------------------------------------------------------- a real PostgreSQL server


@pytest.fixture(scope="session")
def pg_server():
    """A throw-away PostgreSQL cluster for this test process (tests/pgserver.py). Without the server
    binaries the PostgreSQL tests skip, with one line saying how to run them; under CI=true they fail."""
    sys.path.insert(0, str(Path(__file__).parent))
    import pgserver

    where = pgserver.bindir()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        where, why = None, "psycopg is not installed: pip install -e '.[test]' (or make install)"
    else:
        why = pgserver.HOW_TO
    if where is None:
        if os.environ.get("CI") == "true":
            pytest.fail(why + " (CI=true: the PostgreSQL tests must run)")
        pytest.skip(why)
    server = pgserver.Server(where)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pg_db(pg_server, request):
    """A database of its own for this test on the session's server; the superuser's URL to it."""
    import re

    import psycopg

    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40] + f"_{os.getpid()}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    return pg_server.dsn(name)  # left for the cluster's removal at the end (a DROP costs more)
