"""Find a calcli project, read its ``calcli.toml``, and make new projects.

A project is a folder with ``calcli.toml`` (default user, time zone, store
path), ``calendars/*.yaml``, ``preferences.yaml`` and optionally
``timing_data/*.yaml`` overrides. Commands find it by walking up from the
current folder; ``--project`` and ``CALCLI_PROJECT`` override.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from calcli import files
from calcli.core.errors import Finding, InvalidInput, ProjectNotFound, UsageError
from calcli.core.times import parse_duration, zone
from calcli.files.text import TEMP_SUFFIX, load_toml, write_atomic

CONFIG_NAME = "calcli.toml"
NAME_RE = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"


@dataclass
class Config:
    """The settings of ``calcli.toml``."""

    user: str
    timezone: str
    store: str = ".calcli/calcli.duckdb"
    slot_minutes: int = 30
    stagger_order: list[str] = field(default_factory=list)
    stagger_gap_minutes: dict[str, int] = field(default_factory=dict)
    lock_timeout_seconds: float = 10.0
    format: str | None = None  # [output] format: the output format when --format is not given


@dataclass
class Project:
    root: Path
    config: Config

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def calendars_dir(self) -> Path:
        return self.root / "calendars"

    @property
    def preferences_path(self) -> Path:
        return self.root / "preferences.yaml"

    @property
    def timing_dir(self) -> Path:
        return self.root / "timing_data"

    @property
    def store_path(self) -> Path:
        """The DuckDB file; for a PostgreSQL store, a name in .calcli/ beside which the lock and the
        dispatch journal live (the file itself is never made)."""
        if self.store_is_server:
            return self.root / ".calcli" / "postgresql"
        p = Path(self.config.store)
        return p if p.is_absolute() else self.root / p

    @property
    def store_is_server(self) -> bool:
        """Whether the store is a PostgreSQL server (``store = "postgresql://…"``)."""
        return self.config.store.startswith(SERVER_SCHEMES)

    @property
    def lock_path(self) -> Path:
        return self.store_path.with_name(self.store_path.name + ".lock")

    def calendar_path(self, name: str) -> Path:
        if not re.fullmatch(NAME_RE, name):
            raise UsageError(
                f"invalid calendar name {name!r}.",
                "Use letters, digits, '-', '_' or '.', e.g. --calendar Q3.",
            )
        return self.calendars_dir / f"{name}.yaml"

    def calendar_names(self) -> list[str]:
        if not self.calendars_dir.is_dir():
            return []
        return sorted(p.stem for p in self.calendars_dir.glob("*.yaml") if not p.name.startswith("."))

    def rel(self, path: Path) -> str:
        """A path as shown in messages: relative to the project root when inside it."""
        try:
            return str(Path(path).resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def find_project(explicit: str | Path | None = None, cwd: Path | None = None) -> Project:
    """The project named by ``explicit``, ``CALCLI_PROJECT``, or found above ``cwd``."""
    chosen = explicit or os.environ.get("CALCLI_PROJECT")
    if chosen:
        root = Path(chosen).expanduser()
        if root.is_file() and root.name == CONFIG_NAME:
            root = root.parent
        if not (root / CONFIG_NAME).is_file():
            raise ProjectNotFound(
                f"no {CONFIG_NAME} in {root}.", "Run `calcli init` there, or point --project elsewhere."
            )
        return Project(root.resolve(), load_config(root / CONFIG_NAME))
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return Project(folder, load_config(folder / CONFIG_NAME))
    raise ProjectNotFound(
        f"no calcli project in {here} or above it.",
        "Run `calcli init` to make one, or pass --project PATH.",
    )


# The tables of calcli.toml and the keys each may hold (the JSON Schema is built from these too).
CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "project": ("user", "timezone", "store", "lock_timeout_seconds"),
    "planner": ("slot_minutes",),
    "stagger": ("order", "gap"),
    "output": ("format",),
}


SERVER_SCHEMES = ("postgresql:", "postgres:")


def _has_password(url: str) -> bool:
    """Whether a libpq URL carries a password (``user:secret@host`` or ``?password=``)."""
    parts = urlsplit(url)
    query = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return parts.password is not None or "password" in query


def load_config(path: Path) -> Config:
    """Read and validate ``calcli.toml``; every problem is a finding."""
    data = load_toml(path)
    findings: list[Finding] = []
    text = path.read_text(encoding="utf-8")

    def bad(key: str, message: str) -> None:
        findings.append(Finding(str(path), _toml_line(text, key), None, f"{key}: {message}"))

    _unknown_keys(data, bad)

    proj = data.get("project", {})
    if not isinstance(proj, dict):
        raise InvalidInput(Finding(str(path), _toml_line(text, "project"), None, "[project] must be a table"))
    user = proj.get("user")
    if not isinstance(user, str) or not user.strip():
        bad("user", 'missing or empty; the default user id, e.g. user = "user_123"')
    tz = proj.get("timezone")
    if not isinstance(tz, str):
        bad("timezone", 'missing; an IANA zone, e.g. timezone = "America/New_York"')
    else:
        try:
            zone(tz)
        except ValueError as exc:
            bad("timezone", str(exc))
    store = _store_setting(proj, bad)
    planner = data.get("planner", {})
    slot = planner.get("slot_minutes", 30)
    if isinstance(slot, float) and slot.is_integer():
        slot = int(slot)  # 30.0 is 30, as JSON Schema (and the editor) read it
    if not isinstance(slot, int) or isinstance(slot, bool) or slot not in (5, 10, 15, 20, 30, 60):
        bad("slot_minutes", "must be one of 5, 10, 15, 20, 30, 60")
    stagger = data.get("stagger", {})
    order = stagger.get("order", [])
    gaps: dict[str, int] = {}
    for name, value in (stagger.get("gap") or {}).items():
        try:
            gaps[name] = int(parse_duration(value).total_seconds() // 60)
        except ValueError as exc:
            bad(f"stagger.gap.{name}", str(exc))
    timeout = proj.get("lock_timeout_seconds", 10.0)
    if not isinstance(timeout, int | float) or timeout < 0:
        bad("lock_timeout_seconds", "must be a number of seconds ≥ 0")
    out_format = (data.get("output") or {}).get("format")
    if out_format is not None and out_format not in ("table", "tsv", "csv", "json", "ndjson"):
        bad("format", "must be one of table, tsv, csv, json, ndjson")
    if findings:
        raise InvalidInput(findings)
    return Config(
        user=user,
        timezone=tz,
        store=store,
        slot_minutes=slot,
        stagger_order=list(order),
        stagger_gap_minutes=gaps,
        lock_timeout_seconds=float(timeout),
        format=out_format,
    )


def _store_setting(proj: dict, bad) -> str:
    """``store``: a path, or a PostgreSQL URL without a password in it."""
    store = proj.get("store", ".calcli/calcli.duckdb")
    if not isinstance(store, str) or not store:
        bad("store", "must be a path")
    elif store.startswith(SERVER_SCHEMES) and _has_password(store):
        bad("store", "holds a password; keep it out of calcli.toml (use PGPASSWORD, ~/.pgpass or a service file)")
    return store


def _unknown_keys(data: dict, bad) -> None:
    """A misspelt table or key (``[plannerr]``, ``timezon =``) is an error, not a silent default."""

    def hint(name: str, known) -> str:
        near = files.fields.suggest(name, known)
        return f"did you mean {near!r}? " if near else ""

    for table, value in data.items():
        if table not in CONFIG_KEYS:
            bad(table, f"unknown table [{table}]; {hint(table, CONFIG_KEYS)}known: {', '.join(CONFIG_KEYS)}")
        elif isinstance(value, dict):
            for key in value:
                if key not in CONFIG_KEYS[table]:
                    known = CONFIG_KEYS[table]
                    bad(key, f"unknown key in [{table}]; {hint(key, known)}known: {', '.join(known)}")


def _toml_line(text: str, key: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*\[?{re.escape(key)}\]?\s*(=|$)", line):
            return i
    return None


PREFERENCES_TEMPLATE = """\
# Scheduling preferences, per user and platform. calcli reads this file; edit it freely.
# Times are local to the user's time zone. Durations: 90m, 4h, 1d.
users:
  {user}:
    timezone: {timezone}
    defaults:
      max_per_day: 1
      min_spacing: 4h
    platforms:
      youtube:
        min_per_week: 1
        max_per_week: 3
      tiktok:
        min_per_week: 3
        max_per_week: 7
      instagram:
        min_per_week: 2
        max_per_week: 5
      x:
        max_per_day: 3
        min_spacing: 2h
      linkedin:
        min_per_week: 2
        max_per_week: 5
        avoid_days: [sat, sun]
      facebook:
        min_per_week: 3
        max_per_week: 5
"""


def init_project(folder: Path, user: str, timezone: str) -> Project:
    """Make a new project in ``folder``; refuses to touch an existing one."""
    folder = Path(folder)
    if (folder / CONFIG_NAME).exists():
        raise UsageError(f"{folder / CONFIG_NAME} already exists.", "calcli init never overwrites a project.")
    try:
        zone(timezone)
    except ValueError as exc:
        raise InvalidInput(Finding("--tz", None, None, str(exc))) from None
    if not re.fullmatch(NAME_RE, user):
        raise UsageError(f"invalid user id {user!r}.", "Use letters, digits, '-', '_' or '.'.")
    config = {
        "project": {"user": user, "timezone": timezone, "store": ".calcli/calcli.duckdb"},
        "planner": {"slot_minutes": 30},
    }
    (folder / "calendars").mkdir(parents=True, exist_ok=True)
    keep = folder / "calendars" / ".gitkeep"
    if not keep.exists():
        keep.write_text("")
    prefs = folder / "preferences.yaml"
    if not prefs.exists():
        write_atomic(prefs, PREFERENCES_TEMPLATE.format(user=user, timezone=timezone))
    ignore = folder / ".gitignore"
    lines = ignore.read_text().splitlines() if ignore.exists() else []
    wanted = [
        ("# calcli's store: a cache of the files plus KPI data", ".calcli/"),
        ("# a write calcli was killed in the middle of (the next command removes it)", "*" + TEMP_SUFFIX),
    ]
    missing = [line for pair in wanted if pair[1] not in lines for line in pair]
    if missing:
        write_atomic(ignore, "\n".join([*lines, *missing]) + "\n")
    write_atomic(folder / CONFIG_NAME, files.tomlwrite.dumps(config))
    return Project(folder.resolve(), load_config(folder / CONFIG_NAME))
