"""The exception family of calcli; each error knows its exit status.

The CLI maps these to exit codes in one place (``calcli.cli.app.main``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path


class ExitStatus(IntEnum):
    """Exit codes, as documented in the README (PRODUCT.md "Exit codes")."""

    OK = 0
    ERROR = 1
    USAGE = 2
    INVALID = 3
    BUSY = 4
    TROUBLE = 5  # dispatch: some item failed or is unconfirmed
    INTERRUPTED = 130


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one file: ``path:line:column: message``."""

    path: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        if not self.path:
            return self.message
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class CalcliError(Exception):
    """Base of every error calcli reports to a user as one line."""

    status = ExitStatus.ERROR

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class StoreUnreachable(CalcliError):
    """The store is a server that did not answer: nothing was written, try again later (exit 4, as
    busy: a cron run simply runs again); ``check`` goes on without it."""

    status = ExitStatus.BUSY


class UsageError(CalcliError):
    """A bad flag, argument or reference named on the command line."""

    status = ExitStatus.USAGE


class InvalidInput(CalcliError):
    """A file or value failed validation; nothing was written.

    ``findings`` holds every problem found (all of them, not just the first).
    """

    status = ExitStatus.INVALID

    def __init__(self, findings: list[Finding] | Finding | str, hint: str | None = None):
        if isinstance(findings, str):
            findings = [Finding("", None, None, findings)]
        elif isinstance(findings, Finding):
            findings = [findings]
        self.findings = sorted(set(findings), key=_finding_order)
        first = str(self.findings[0]) if self.findings else "invalid input"
        super().__init__(first, hint)


# Paths shown under another name: standard input (`-`) is read through a temp file, and a finding
# in it names "-" (the CLI registers the temp file here while it reads it).
PATH_ALIASES: dict[str, str] = {}


def shown_path(path) -> str:
    """``path`` as messages show it: "-" for standard input, else as given."""
    return PATH_ALIASES.get(str(path), str(path))


def relative(f: Finding) -> Finding:
    """The finding with its path relative to the current folder, where it is inside it ("-" for stdin)."""

    if not f.path:
        return f
    if f.path in PATH_ALIASES:
        return Finding(PATH_ALIASES[f.path], f.line, f.column, f.message)
    try:
        rel = str(Path(f.path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return f
    return Finding(rel, f.line, f.column, f.message)


def _finding_order(f: Finding) -> tuple:
    return (f.path, f.line or 0, f.column or 0, f.message)


class StoreDamaged(CalcliError):
    """The store file cannot be read (not a DuckDB file, truncated, a bad block): ``calcli db
    rebuild`` moves it aside and makes it anew from the files."""

    def __init__(self, path, detail: str):
        super().__init__(
            f"the store {path} is damaged and cannot be read ({detail}).",
            "Run `calcli db rebuild`: it moves the file aside, makes the store anew from your files and says "
            "which store-only data (history, KPI events, trials, dispatch attempts) it could not keep.",
        )
        self.path, self.detail = path, detail


class StoreTooNew(StoreDamaged):
    """The store was written by a newer calcli (a schema version this one does not know). ``calcli db
    rebuild`` moves it aside, as a damaged one, and makes it anew for this version."""

    def __init__(self, path, version: int, latest: int):
        CalcliError.__init__(
            self,
            f"the store {path} was written by a newer calcli (schema version {version}; this calcli knows up to "
            f"{latest}).",
            "Upgrade calcli to use it, or run `calcli db rebuild`: it moves the file aside and makes the store anew "
            "from your files for this version.",
        )
        self.path, self.detail = path, f"schema version {version}, newer than {latest}"


class BusyError(CalcliError):
    """Another calcli process holds the project; nothing was written."""

    status = ExitStatus.BUSY


class ProjectNotFound(UsageError):
    """No calcli project around the current directory."""
