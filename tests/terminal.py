"""Run calcli as a real process with one of its streams on a pseudo-terminal (progress displays,
formats that depend on a terminal), the other a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path


def on_a_terminal(project: Path, *args: str, tty: str | None = "stderr", no_color: bool = False):
    """``(exit code, stdout, stderr)`` of ``calcli ARGS`` run in ``project``; ``tty`` names the stream
    on a pseudo-terminal (``"stderr"``, ``"stdout"``, or None: both piped). 80 columns, colour on
    unless ``no_color``."""
    import pty

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"COLUMNS": "80", "TERM": "xterm"}
    if no_color:
        env["NO_COLOR"] = "1"
    command = [sys.executable, "-m", "calcli", *args]
    if tty is None:
        p = subprocess.run(command, cwd=project, env=env, capture_output=True, timeout=120)
        return p.returncode, p.stdout.decode(), p.stderr.decode()
    master, slave = pty.openpty()
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, tty: slave}
    p = subprocess.Popen(command, cwd=project, env=env, **streams)
    os.close(slave)
    chunks: list[bytes] = []

    def drain():  # read while it runs: a full pseudo-terminal would block the process
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    out, err = p.communicate(timeout=120)
    reader.join(timeout=10)
    os.close(master)
    seen = b"".join(chunks).decode(errors="replace")
    if tty == "stdout":
        return p.returncode, seen, err.decode()
    return p.returncode, out.decode(), seen
