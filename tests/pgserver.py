"""A throw-away PostgreSQL server for the tests: initdb in a temp dir as an unprivileged user, a free
port, a unix socket in the temp dir (on /dev/shm where it can be written); stopped and removed at the end.

PostgreSQL refuses to run as root, so under root the server runs as the system user ``calcli-pg``
(made with ``useradd`` when missing) through ``runuser``. Binaries: ``CALCLI_PG_BIN`` or Debian's
/usr/lib/postgresql/NN/bin, else ``pg_ctl`` on PATH.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_USER = "calcli-pg"
HOW_TO = "PostgreSQL server binaries not found: apt-get install postgresql (or set CALCLI_PG_BIN), or run .ci/run"


def bindir() -> Path | None:
    """Where initdb and pg_ctl are, or None."""
    candidates = [os.environ.get("CALCLI_PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("pg_ctl")
    candidates.append(str(Path(on_path).parent) if on_path else "")
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    if subprocess.run(["id", "-u", PG_USER], capture_output=True).returncode != 0:
        # two test workers may race to make it: what matters is that it exists afterwards
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER])
        subprocess.run(["id", "-u", PG_USER], capture_output=True, check=True)
    return ["runuser", "-u", PG_USER, "--", *argv]


class Server:
    """A running cluster; ``dsn(db, user)`` is a connection string for libpq."""

    def __init__(self, bindir: Path):
        self.bin = bindir
        # in memory where there is a tmpfs: initdb, CREATE DATABASE and the removal at the end touch
        # thousands of files, which on a loaded disk took seconds
        shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.root = Path(tempfile.mkdtemp(prefix="calcli-pg-", dir=shm))
        os.chmod(self.root, 0o755)
        self.data, self.sock = self.root / "data", self.root / "sock"
        self.sock.mkdir()
        self.port = _free_port()
        self.superuser = "postgres"
        if os.geteuid() == 0:
            _as_server_user(["true"])  # makes the user when missing
            shutil.chown(self.root, PG_USER)
            shutil.chown(self.sock, PG_USER)

    def start(self) -> None:
        initdb = [str(self.bin / "initdb"), "-D", str(self.data), "-U", self.superuser, "-A", "trust"]
        subprocess.run(_as_server_user([*initdb, "-E", "UTF8", "--no-sync"]), check=True, capture_output=True)
        opts = (
            f"-k {self.sock} -p {self.port} -c listen_addresses='' -c fsync=off -c full_page_writes=off "
            "-c synchronous_commit=off -c max_connections=200 -c shared_buffers=32MB"
        )
        ctl = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"), "-w"]
        subprocess.run(_as_server_user([*ctl, "start"]), check=True, capture_output=True)

    def stop(self) -> None:
        ctl = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
        subprocess.run(_as_server_user(ctl), capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def dsn(self, db: str = "postgres", user: str | None = None) -> str:
        return f"postgresql://{user or self.superuser}@/{db}?host={self.sock}&port={self.port}"
