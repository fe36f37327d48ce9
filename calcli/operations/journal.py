"""The claim journal (.calcli/dispatch.jsonl): claims, outcomes and change notices, appended and fsync'd."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import uuid
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass
from calcli.core.times import now as current_time


def journal_path(project) -> Path:
    return project.store_path.parent / "dispatch.jsonl"


def runs_dir(project) -> Path:
    return project.store_path.parent / "runs"


def stamp() -> str:
    return current_time().astimezone(UTC).isoformat(timespec="microseconds")


def append_journal(project, records: list[dict]) -> None:
    """Append records as whole lines and fsync; call with the project lock held."""
    path = journal_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def announce_changes(project, item_ids: list[str]) -> None:
    """Tell running dispatches these items changed (status, time, removal): they skip them.
    Called with the project lock held; nothing is written when dispatch has never run."""
    if item_ids and journal_path(project).exists():
        append_journal(project, [{"e": "changed", "item": i, "at": stamp()} for i in item_ids])


def read_journal(project, offset: int) -> tuple[list[dict], int]:
    """Complete records after byte ``offset``, and the offset after the last complete line."""
    path = journal_path(project)
    if not path.exists():
        return [], 0
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read()
    end = data.rfind(b"\n") + 1
    records = []
    for line in data[:end].splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue  # a line torn by a crash mid-write: nothing can be made of it
    return records, offset + end


class Run:
    """One dispatch run: its id and the lock that says it is alive."""

    def __init__(self, project):
        self.id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        folder = runs_dir(project)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{self.id}.lock"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def close(self) -> None:
        os.close(self.fd)
        self.path.unlink(missing_ok=True)


def run_alive(project, run_id: str) -> bool:
    """True while the run that wrote ``run_id`` still holds its lock."""
    path = runs_dir(project) / f"{run_id}.lock"
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
    return False


OUTPUT_TAIL = 2000  # characters of a publisher's stderr kept with a failed attempt
