"""The building blocks of the shipped schemas: the shared value shapes (platform ids, weekdays,
times, durations, instants, zones) and the helpers that describe, close and document an object."""

from __future__ import annotations

from calcli.core.model import PLATFORM_ALIASES, PLATFORM_IDS, WEEKDAYS
from calcli.files.project import NAME_RE
from calcli.schemas import SCHEMAS

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def insensitive(word: str) -> str:
    """A regex matching ``word`` in any letter case (JSON Schema patterns have no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def spelled(values: list[str], pattern: str, description: str) -> dict:
    """The canonical spellings (offered by editors) or any spelling the parser also accepts."""
    return {"description": description, "anyOf": [{"enum": values}, {"type": "string", "pattern": pattern}]}


PLATFORM = spelled(
    [*PLATFORM_IDS, *PLATFORM_ALIASES],
    "^\\s*(" + "|".join(insensitive(p) for p in (*PLATFORM_IDS, *PLATFORM_ALIASES)) + ")\\s*$",
    "A platform id: " + ", ".join(PLATFORM_IDS) + " (twitter = x). Letter case does not matter.",
)
WEEKDAY = spelled(
    list(WEEKDAYS),
    "^\\s*(" + "|".join(insensitive(d) for d in WEEKDAYS) + ")[A-Za-z]*\\s*$",
    "A weekday: mon, tue, wed, thu, fri, sat, sun (a full name such as monday is read by its first three letters).",
)
HHMM = "(([01]?[0-9]|2[0-3]):[0-5][0-9]|24:00)"
TIME = {
    "type": "string",
    "pattern": f"^\\s*{HHMM}\\s*$",
    "description": 'A time of day "HH:MM" (24:00 = the end of the day). Quote it: YAML 1.1 reads 12:30 as a number.',
}
HOURS = {
    "type": "string",
    "pattern": f"^\\s*{HHMM}\\s*-\\s*{HHMM}\\s*$",
    "description": 'An hour range "HH:MM-HH:MM" in local time, e.g. "00:00-07:00" (quote it).',
}
NUMBER = "[0-9]+(\\.[0-9]+)?"
DURATION = {
    "type": "string",
    "pattern": f"^ *({NUMBER}|({NUMBER} *({insensitive('min')}|[wWdDhHmMsS]) *)+)$",
    "description": "A duration: 90m, 4h, 1d12h, 15min (a bare number is minutes). Quote it if it is only digits.",
}
DATE = {
    "type": "string",
    "pattern": "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\\s*$",
    "description": 'A date YYYY-MM-DD (quote it: "2026-07-01").',
}
OFFSET = "(Z|z|[+-][0-9]{2}(:?[0-9]{2}(:?[0-9]{2})?)?)"
CLOCK = "[0-9]{2}(:?[0-9]{2}(:?[0-9]{2}([.,][0-9]+)?)?)?"
INSTANT = {
    "type": "string",
    "pattern": f"^\\s*[0-9]{{4}}-?[0-9]{{2}}-?[0-9]{{2}}[T ]{CLOCK}{OFFSET}\\s*$",
    "description": 'An ISO 8601 date-time with its UTC offset, e.g. "2026-07-15T16:00:00-04:00" (Z for UTC).',
}
WALL = {
    "type": "string",
    "pattern": f"^\\s*[0-9]{{4}}-?[0-9]{{2}}-?[0-9]{{2}}[T ]{CLOCK}{OFFSET}?\\s*$",
    "description": 'An ISO 8601 date-time: a wall-clock time in the calendar\'s zone, e.g. "2027-01-30T12:00" '
    "(a time the clocks skip is an error; one they pass twice is the first), or with the zone's UTC offset at "
    'that time, e.g. "2026-07-15T16:00:00-04:00" (Z for UTC; another offset is an error).',
}
ZONE = {
    "type": "string",
    "pattern": "^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$",
    "description": "An IANA time zone name, e.g. America/New_York, Europe/Berlin, UTC.",
    "examples": ["America/New_York", "Europe/London", "Asia/Tokyo", "UTC"],
}
RATIO = {
    "type": "string",
    "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*:\\s*[0-9]+(\\.[0-9]+)?\\s*$",
    "description": 'An aspect ratio width:height, e.g. "9:16", "16:9", "1:1".',
}
LOCAL = {"type": "string", "pattern": "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?\\s*$"}
NAME = {"type": "string", "pattern": f"^{NAME_RE}$"}
TEXT = {"type": "string"}
ITEM_ID = {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$"}


def described(schema: dict, description: str, **more) -> dict:
    """``schema`` with a description (and any further keywords)."""
    return {**schema, "description": description, **more}


def optional(schema: dict) -> dict:
    """An optional key of a YAML file: an empty value (``key:`` alone, null) counts as absent.

    Null is added where the schema already branches (its type, enum or anyOf), not by wrapping it in
    another anyOf, so that editors report a mistake inside an object at the object, not at its parent.
    """
    out = dict(schema)
    if isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    elif "enum" in out:
        out["enum"] = [*out["enum"], None]
    elif "anyOf" in out:
        out["anyOf"] = [*out["anyOf"], {"type": "null"}]
    else:
        out = {"anyOf": [schema, {"type": "null"}]}
        if "description" in schema:
            out["description"] = schema["description"]
    return out


def one_or_list(schema: dict, description: str) -> dict:
    """calcli reads a single value as a one-item list."""
    return {"description": description, "anyOf": [schema, {"type": "array", "items": schema}]}


def integer(minimum: int, description: str) -> dict:
    return {"type": "integer", "minimum": minimum, "description": description}


def closed(properties: dict, keys, required=(), description: str = "") -> dict:
    """A mapping whose unknown keys the parser rejects; ``keys`` is the parser's own key set."""
    missing = set(keys) - set(properties)
    extra = set(properties) - set(keys)
    assert not missing and not extra, f"schema and parser disagree: missing {missing}, extra {extra}"
    out = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def document(name: str, body: dict) -> dict:
    path, what = SCHEMAS[name]
    return {"$schema": DRAFT, "title": f"calcli {path}", "description": f"calcli {path}: {what}.", **body}


# ---------------------------------------------------------------- the schemas
