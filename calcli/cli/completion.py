"""Shell completion of calendar names, platform ids, formats, item ids, statuses and users.

A shell calls calcli on every Tab, so these callbacks read the project's files
cheaply: file names and a regex over the lines, never a YAML parse or the
DuckDB store. What they offer follows the same scoping as the commands: the
acting user's calendars and items (``--user``, else the project's user), every
user's with ``--all-users``. Each callback returns ``(value, help)`` pairs; zsh
and fish show the help beside the value.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

from calcli import core  # core.model when a platform is completed: item ids must not pay for it

_USER_LINE = re.compile(r"^user:[ \t]*[\"']?([^\"'#\s]+)", re.M)
_TITLE_LINE = re.compile(r"^title:[ \t]*[\"']?([^\"'#\n]*)", re.M)
_TOML_USER = re.compile(r"^\s*user\s*=\s*[\"']([^\"']+)[\"']", re.M)
_TOP_KEY = re.compile(r"\n[A-Za-z_][\w-]*:")  # "\n" first: the engine skips to each line's start
_ITEMS_KEY = re.compile(r"\nitems:")
_FIELD = {k: re.compile(rf"[\s{{,]{k}:[ \t]*[\"']?([^\"',}}\s]+)") for k in ("platform", "at", "status")}
# A literal first ("id:") lets the regex engine skip ahead: the ids alone, for bash (which shows no help).
_ID_FAST = re.compile(r"id:[ \t]*[\"']?([A-Za-z0-9_.-]+)")
_PREF_USER = re.compile(r"^  ([A-Za-z0-9][A-Za-z0-9_.-]*):", re.M)
_FORMAT_KEY = re.compile(r"^  ([A-Za-z0-9_.-]+):", re.M)

STATUSES = {
    "planned": "written by plan",
    "scheduled": "approved: dispatch may post it",
    "posted": "done",
    "failed": "retryable",
    "canceled": "final",
}


def _root(ctx) -> Path | None:
    """The project folder as the command would find it: --project, CALCLI_PROJECT, or above here."""
    chosen = None
    c = ctx
    while c is not None and chosen is None:
        chosen = (c.params or {}).get("project")
        c = c.parent
    chosen = chosen or os.environ.get("CALCLI_PROJECT")
    if chosen:
        root = Path(chosen).expanduser()
        return root.parent if root.name == "calcli.toml" else root
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "calcli.toml").is_file():
            return folder
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _acting_user(ctx, root: Path) -> str | None:
    """None means every user (``--all-users``, or no user known)."""
    c = ctx
    while c is not None:
        params = c.params or {}
        if params.get("all_users"):
            return None
        if params.get("user"):
            return params["user"]
        c = c.parent
    m = _TOML_USER.search(_read(root / "calcli.toml"))
    return m[1] if m else None


def _calendar_files(ctx) -> list[tuple[str, str]]:
    """(name, text) of the acting user's calendar files, by name."""
    root = _root(ctx)
    folder = root / "calendars" if root else None
    if folder is None or not folder.is_dir():
        return []
    user = _acting_user(ctx, root)
    out = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith("."):
            continue
        text = _read(path)
        owner = _USER_LINE.search(text)
        if user is None or owner is None or owner[1] == user:
            out.append((path.stem, text))
    return out


def complete_calendar(ctx, incomplete: str) -> list[tuple[str, str]]:
    """Calendar names (calendars/NAME.yaml), with their titles."""
    out = []
    for name, text in _calendar_files(ctx):
        if name.startswith(incomplete):
            title = _TITLE_LINE.search(text)
            out.append((name, title[1].strip() if title else ""))
    return out


def complete_platform(incomplete: str) -> list[tuple[str, str]]:
    """Platform ids; ``twitter`` is offered too, as the alias of ``x``."""
    names = {p: "" for p in core.model.PLATFORM_IDS} | {"twitter": "same as x"}
    low = incomplete.lower()
    return [(p, help_) for p, help_ in names.items() if p.startswith(low)]


def _items_section(text: str) -> str:
    text = "\n" + text
    m = _ITEMS_KEY.search(text)
    if m is None:
        return ""
    end = _TOP_KEY.search(text, m.end())
    return text[m.end() : end.start() if end else len(text)]


# Past this many matches the ids come alone: no shell shows thousands of helps usefully, and the help
# of each is a search in its block (bash shows no help at all).
HELP_LIMIT = 1000


def complete_item(ctx, incomplete: str) -> list[tuple[str, str]]:
    """Item ids, with the calendar, platform, time and status of each (ids alone for bash, or past HELP_LIMIT)."""
    hits = [hit for hit in _id_blocks(ctx) if hit[0].startswith(incomplete)]
    if os.environ.get("_CALCLI_COMPLETE") == "complete_bash" or len(hits) > HELP_LIMIT:
        return [(item_id, "") for item_id, *_ in hits]
    return [(item_id, _item_help(cal, text, start, end)) for item_id, cal, text, start, end in hits]


def _id_blocks(ctx):
    """(id, calendar, section, start, end) of the acting user's items, in file order: each item's text is
    ``section[start:end]`` (from its id to the next). One literal-first regex pass: 40,000 items ~0.1 s."""
    for name, text in _calendar_files(ctx):
        section = "\n" + _items_section(text)
        found = [m for m in _ID_FAST.finditer(section) if section[m.start() - 1] in " \t\n{,"]
        for i, m in enumerate(found):
            yield m[1], name, section, m.end(), found[i + 1].start() if i + 1 < len(found) else len(section)


def _item_help(calendar: str, text: str, start: int, end: int) -> str:
    fields = {k: (f[1] if (f := rx.search(text, start, end)) else "") for k, rx in _FIELD.items()}
    status = fields["status"] or "planned"
    return " ".join(x for x in (calendar, fields["platform"], fields["at"][:16], status) if x)


def complete_status(incomplete: str) -> list[tuple[str, str]]:
    """Item statuses."""
    return [(s, help_) for s, help_ in STATUSES.items() if s.startswith(incomplete.lower())]


def complete_format(ctx, incomplete: str) -> list[tuple[str, str]]:
    """Format names from the timing data (shipped and the project's), of --platform when given."""
    platform = (ctx.params or {}).get("platform")
    if isinstance(platform, list | tuple):
        platform = platform[0] if platform else None
    platform = core.model.PLATFORM_ALIASES.get(str(platform).lower(), str(platform).lower()) if platform else None
    folders = [Path(str(resources.files("calcli.timing_data")))]
    root = _root(ctx)
    if root is not None:
        folders.append(root / "timing_data")
    found: dict[str, str] = {}
    for p in core.model.PLATFORM_IDS if platform is None else (platform,):
        for folder in folders:
            section = ("\n" + _read(folder / f"{p}.yaml")).partition("\nformats:")[2]
            for m in _FORMAT_KEY.finditer(section):
                found.setdefault(m[1], p)
    return [(f, p) for f, p in found.items() if f.startswith(incomplete)]


def complete_user(ctx, incomplete: str) -> list[tuple[str, str]]:
    """User ids: the project's user, the users of preferences.yaml and the owners of calendars."""
    root = _root(ctx)
    if root is None:
        return []
    users: dict[str, str] = {}
    m = _TOML_USER.search(_read(root / "calcli.toml"))
    if m:
        users[m[1]] = "the project's user"
    prefs = ("\n" + _read(root / "preferences.yaml")).partition("\nusers:")[2]
    for m in _PREF_USER.finditer(prefs):
        users.setdefault(m[1], "has preferences")
    folder = root / "calendars"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        owner = _USER_LINE.search(_read(path))
        if owner:
            users.setdefault(owner[1], f"owns {path.stem}")
    return [(u, help_) for u, help_ in users.items() if u.startswith(incomplete)]
