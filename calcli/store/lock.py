"""The project lock: calcli processes on one machine take turns through an ``flock`` on a sidecar file."""

from __future__ import annotations

import errno
import fcntl
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from calcli.core.errors import BusyError


def lock_timeout(default: float) -> float:
    """How long to wait for the project: ``CALCLI_LOCK_TIMEOUT`` (seconds) over the project's setting."""
    env = os.environ.get("CALCLI_LOCK_TIMEOUT")
    return float(env) if env else default


@contextmanager
def project_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path``; BusyError after ``timeout`` seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    delay = 0.01
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise BusyError(
                        f"another calcli holds the project (lock {path}) for more than {timeout:g} s; "
                        "nothing was written.",
                        "Try again when it has finished.",
                    ) from None
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.25)
        yield
    finally:
        os.close(fd)
