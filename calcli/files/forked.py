"""A file written atomically by a forked child process while this one goes on (big plans)."""

from __future__ import annotations

import hashlib
import os
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

from calcli.files.text import fsync_dir, temp_beside, unlink_quietly


class ForkedWrite:
    """``path`` written atomically by a forked child process while this one goes on.

    The child renders the text, writes and syncs a temp file beside ``path``, reports the
    text's SHA-256 on a pipe, then renders ``then`` (another text this process will want, such
    as a command's output) into an unnamed temp file, and leaves with ``os._exit`` (nothing of
    this process's stack or exit handlers runs in it). :meth:`finish` puts the file in place;
    until then ``path`` is untouched, and :meth:`abandon` takes the write back. Fork only from a
    process without other threads (a DuckDB connection has some: see ``Store.released``).

    Example::

        w = ForkedWrite(path, lambda: render(items))   # renders on the other core
        ...                                            # meanwhile: the store's rows
        sha = w.finish() or write_here()               # None: the child failed, nothing written
    """

    def __init__(self, path: Path, render: Callable[[], str], then: Callable[[], str] | None = None) -> None:
        self.path = Path(path)
        self.pid: int | None = None
        self.reader: int | None = None
        self.status: int | None = None
        self.then = None
        self.mode, fd, self.tmp = temp_beside(self.path)
        opened = [fd]
        try:
            if then is not None:
                self.then = tempfile.TemporaryFile()
            reader, writer = os.pipe()
            opened += [reader, writer]
            pid = os.fork()
        except BaseException:
            for f in opened:
                os.close(f)
            self.abandon()
            raise
        if pid == 0:
            _child(render, fd, then, self.then, reader, writer)  # never returns
        os.close(fd)
        os.close(writer)
        self.pid, self.reader = pid, reader

    def finish(self) -> str | None:
        """Wait until the file is synced; put it in place and return the SHA-256 (hex) of its text.
        None when the child failed: then nothing is in place and the temp file is gone."""
        report = self._read(64)
        if len(report) != 64:
            self.abandon()
            return None
        try:
            os.chmod(self.tmp, self.mode)
            os.replace(self.tmp, self.path)
        except BaseException:
            self.abandon()
            raise
        self.tmp = None
        fsync_dir(self.path.parent)
        return report.decode("ascii")

    def then_text(self) -> str | None:
        """The ``then`` text, once the child has left (after :meth:`finish`); None when it failed."""
        done = self._read(1)
        self._reap()
        if done != b"." or self.status != 0 or self.then is None:
            return None
        with self.then:
            self.then.seek(0)
            return self.then.read().decode("utf-8")

    def abandon(self) -> None:
        """Stop the child if it still runs and remove its temp files (the file, if not in place)."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._reap()
        self._discard()
        if self.then is not None:
            self.then.close()

    def _read(self, size: int) -> bytes:
        data = b""
        while self.reader is not None and len(data) < size and (chunk := os.read(self.reader, size - len(data))):
            data += chunk
        return data

    def _reap(self) -> None:
        if self.reader is not None:
            os.close(self.reader)
            self.reader = None
        if self.pid is not None:
            _, status = os.waitpid(self.pid, 0)
            self.pid, self.status = None, os.waitstatus_to_exitcode(status)

    def _discard(self) -> None:
        if self.tmp is not None:
            unlink_quietly(self.tmp)
            self.tmp = None


def _child(render: Callable[[], str], fd: int, then, then_file, reader: int, writer: int) -> None:
    """The forked child of :class:`ForkedWrite`. It reports the file's SHA-256 once the file is
    synced, then ``.`` once ``then``'s text is written; exit status 0 only when all went well."""
    code = 1
    try:
        os.close(reader)
        data = render().encode("utf-8")
        _write_all(fd, data)
        os.fsync(fd)
        os.write(writer, hashlib.sha256(data).hexdigest().encode("ascii"))
        if then is not None:
            _write_all(then_file.fileno(), then().encode("utf-8"))
            os.write(writer, b".")
        code = 0
    except BaseException:  # noqa: BLE001, S110 - the parent sees the status and does the work itself
        pass
    finally:
        os._exit(code)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
