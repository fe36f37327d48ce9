"""Text files without YAML: reading with findings, TOML, and atomic writes. Apart from
:mod:`calcli.files.yamlio` so that reading ``calcli.toml`` (every command does) does not load the YAML
machinery; ``calcli.files.yamlio`` re-exports these.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Iterable
from pathlib import Path

from calcli.core.errors import Finding, InvalidInput


def read_text(path: Path) -> str:
    """The file's text; binary or undecodable content is a finding, not a crash."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(Finding(str(path), None, None, "file not found")) from None
    except IsADirectoryError:
        raise InvalidInput(Finding(str(path), None, None, "is a directory, not a file")) from None
    if b"\x00" in data:
        raise InvalidInput(Finding(str(path), None, None, "binary file (contains NUL bytes)"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[start : exc.start].decode("utf-8", "replace")) + 1
        raise InvalidInput(
            Finding(str(path), line, col, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        ) from None
    if not text.strip():
        raise InvalidInput(Finding(str(path), None, None, "file is empty"))
    return text


def load_toml(path: Path) -> dict:

    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(m[1]), int(m[2])) if m else (None, None)
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise InvalidInput(Finding(str(path), line, col, f"invalid TOML: {msg}")) from None


def write_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Replace ``path`` with ``text`` (a string, or pieces written one by one as they come)
    atomically: temp file in the same folder, fsync, rename."""
    path = Path(path)
    mode, fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            if isinstance(text, str):
                fh.write(text)
            else:
                for piece in text:
                    fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        unlink_quietly(tmp)
        raise
    fsync_dir(path.parent)


def temp_beside(path: Path) -> tuple[int, int, str]:
    """The mode ``path`` keeps (or a new file gets), and an open temp file in its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=path.parent)
    return mode, fd, tmp


TEMP_SUFFIX = ".calcli-tmp"  # the project's .gitignore covers it (``calcli init`` writes the line)


def sweep_temps(folder: Path) -> list[Path]:
    """Remove the temp files in ``folder`` that a killed calcli left (``.NAME.PID.xxxx.calcli-tmp``
    whose process is gone); the ones removed. A live writer's file stays."""
    out = []
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(".") and e.name.endswith(TEMP_SUFFIX)]
    except FileNotFoundError:
        return out
    for entry in entries:
        pid = entry.name[: -len(TEMP_SUFFIX)].rsplit(".", 2)[-2]
        if pid.isdigit() and not _alive(int(pid)):
            unlink_quietly(entry.path)
            out.append(Path(entry.path))
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
