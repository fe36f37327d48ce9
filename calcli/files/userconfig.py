"""The user's own settings, for every project: ``$XDG_CONFIG_HOME/calcli/config.toml``
(``~/.config/calcli/config.toml`` when XDG_CONFIG_HOME is unset), and the order in which calcli
takes a setting from the places that may give it:

    the command's flag > the environment (CALCLI_USER, CALCLI_FORMAT)
      > the project's calcli.toml > the user config > calcli's default

The user config holds three keys, each optional::

    user = "user_123"            # calcli init's default --user (a project's calcli.toml names its own)
    timezone = "Europe/Berlin"   # calcli init's default --tz
    format = "tsv"               # the output format when --format is not given (else table/TSV)
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from calcli.core.errors import Finding, InvalidInput, UsageError
from calcli.core.times import zone
from calcli.files.text import read_text

FORMATS = ("table", "tsv", "csv", "json", "ndjson")
KEYS = ("user", "timezone", "format")


@dataclass(frozen=True)
class UserConfig:
    user: str | None = None
    timezone: str | None = None
    format: str | None = None


def config_path() -> Path:
    """Where the user config lives: $XDG_CONFIG_HOME/calcli/config.toml, else ~/.config/calcli/config.toml."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "calcli" / "config.toml"


def load_user_config(path: Path | None = None) -> UserConfig:
    """The user config (an empty one when the file does not exist); a bad file is invalid input (exit 3)."""
    path = path or config_path()
    if not path.is_file():
        return UserConfig()
    text = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(Finding(str(path), None, None, f"invalid TOML: {exc}")) from None
    findings = [
        Finding(str(path), _line(text, k), None, f"{k}: unknown key (known: {', '.join(KEYS)})")
        for k in data
        if k not in KEYS
    ]
    for key in KEYS:
        if key in data and not isinstance(data[key], str):
            findings.append(Finding(str(path), _line(text, key), None, f"{key}: must be a string"))
    if isinstance(data.get("format"), str) and data["format"] not in FORMATS:
        findings.append(Finding(str(path), _line(text, "format"), None, f"format: one of {', '.join(FORMATS)}"))
    if isinstance(data.get("timezone"), str):
        try:
            zone(data["timezone"])
        except ValueError as exc:
            findings.append(Finding(str(path), _line(text, "timezone"), None, f"timezone: {exc}"))
    if findings:
        raise InvalidInput(findings)
    return UserConfig(**{k: data.get(k) for k in KEYS})


def _line(text: str, key: str) -> int | None:
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(key):
            return n
    return None


def env_format() -> str | None:
    """$CALCLI_FORMAT, checked (a bad value is a usage error, as a bad --format is)."""
    value = os.environ.get("CALCLI_FORMAT", "").strip().lower()
    if not value:
        return None
    if value not in FORMATS:
        raise UsageError(f"CALCLI_FORMAT={value!r} is not a format (one of {', '.join(FORMATS)}).")
    return value


def default_format(project_format: str | None) -> str | None:
    """The output format when no flag names one: $CALCLI_FORMAT > the project's > the user config's."""
    return env_format() or project_format or load_user_config().format


def default_user() -> str | None:
    """calcli init's user when --user is not given: $CALCLI_USER > the user config's."""
    return os.environ.get("CALCLI_USER") or load_user_config().user


def default_timezone() -> str | None:
    """calcli init's zone when --tz is not given: the user config's."""
    return load_user_config().timezone
