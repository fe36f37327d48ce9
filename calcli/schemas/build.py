"""Build the shipped JSON Schemas from the parsers' own constants.

The schemas in ``calcli/schemas/*.json`` are generated, not hand-edited, so that
their key sets and enums (item keys, platform ids, statuses, weekdays, limit
fields) come from the same constants the parsers use. Regenerate after changing
a parser::

    python -m calcli.schemas.build

A test fails when a shipped file differs from what this module builds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from calcli.core.model import (
    KPI_COLUMNS,
    PLATFORM_ALIASES,
    PLATFORM_IDS,
    WEEKDAYS,
    JobPriority,
    JobStatus,
    ScheduleStatus,
)
from calcli.files.calendar import CALENDAR_KEYS, EXCEPTION_KEYS, ITEM_KEYS
from calcli.files.preferences import PLATFORM_KEYS, USER_KEYS
from calcli.files.project import NAME_RE
from calcli.files.timing import FILE_KEYS, FORMAT_KEYS, LEARNED_KEYS, LEARNED_WINDOW_KEYS, WINDOW_KEYS
from calcli.planning.registry import COUNTS, FIELDS, LIMIT_KEYS
from calcli.schemas import SCHEMAS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
HERE = Path(__file__).resolve().parent


# ---------------------------------------------------------------- building blocks


def _ci(word: str) -> str:
    """A regex matching ``word`` in any letter case (JSON Schema patterns have no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def _spelled(values: list[str], pattern: str, description: str) -> dict:
    """The canonical spellings (offered by editors) or any spelling the parser also accepts."""
    return {"description": description, "anyOf": [{"enum": values}, {"type": "string", "pattern": pattern}]}


PLATFORM = _spelled(
    [*PLATFORM_IDS, *PLATFORM_ALIASES],
    "^\\s*(" + "|".join(_ci(p) for p in (*PLATFORM_IDS, *PLATFORM_ALIASES)) + ")\\s*$",
    "A platform id: " + ", ".join(PLATFORM_IDS) + " (twitter = x). Letter case does not matter.",
)
WEEKDAY = _spelled(
    list(WEEKDAYS),
    "^\\s*(" + "|".join(_ci(d) for d in WEEKDAYS) + ")[A-Za-z]*\\s*$",
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
    "pattern": f"^ *({NUMBER}|({NUMBER} *({_ci('min')}|[wWdDhHmMsS]) *)+)$",
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


def _d(schema: dict, description: str, **more) -> dict:
    """``schema`` with a description (and any further keywords)."""
    return {**schema, "description": description, **more}


def _opt(schema: dict) -> dict:
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


def _one_or_list(schema: dict, description: str) -> dict:
    """calcli reads a single value as a one-item list."""
    return {"description": description, "anyOf": [schema, {"type": "array", "items": schema}]}


def _int(minimum: int, description: str) -> dict:
    return {"type": "integer", "minimum": minimum, "description": description}


def _closed(properties: dict, keys, required=(), description: str = "") -> dict:
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


def _doc(name: str, body: dict) -> dict:
    path, what = SCHEMAS[name]
    return {"$schema": DRAFT, "title": f"calcli {path}", "description": f"calcli {path}: {what}.", **body}


# ---------------------------------------------------------------- the schemas


def calendar() -> dict:
    platforms = _one_or_list(
        {"anyOf": [PLATFORM, {"const": "all"}]}, "Platforms (a list, or one id; all = every platform)."
    )
    blackout = _closed(
        {
            "id": _d(NAME, "A unique id within the calendar, e.g. july4."),
            "kind": _opt(
                _d(
                    {"enum": ["blackout", "override"]},
                    "blackout (no posts inside) or override (a manual "
                    "override recorded by item move --force). Default: blackout.",
                )
            ),
            "start": _d(
                LOCAL,
                'The first day ("2026-12-24", included) or a local wall-clock time ("2026-12-24T09:00").',
            ),
            "end": _d(
                LOCAL,
                "The last day (included) or the end time (excluded); the same kind as start, not before it.",
            ),
            "platforms": _opt(_d(platforms, "Only these platforms (omitted: every platform).")),
            "yearly": _opt(_d({"type": "boolean"}, "Repeat every year (holidays); the window may wrap the new year.")),
            "reason": _opt(_d(TEXT, "Why, for people.")),
            "item": _opt(_d(TEXT, "For an override: the item that was moved past a hard constraint.")),
        },
        EXCEPTION_KEYS,
        ("id", "start", "end"),
        "A blackout (ScheduleException): no posts inside it.",
    )
    item = _closed(
        {
            "id": _d(ITEM_ID, "The item id (it_…), unique in the project."),
            "key": _d(TEXT, "The idempotency key bulk_job_id/video_job_id/platform; unique in the project."),
            "video": _d(TEXT, "The video job id."),
            "platform": PLATFORM,
            "format": _d(TEXT, "The platform format from timing_data (short, long, reel, …)."),
            "at": _d(INSTANT, INSTANT["description"] + " Inside the calendar's period."),
            "status": _opt(
                _d(
                    {"enum": [s.value for s in ScheduleStatus]},
                    "planned → scheduled → posted / failed / canceled "
                    "(default planned). Change it with calcli item status; hand edits are audited.",
                )
            ),
            "score": _opt(_d({"type": "number", "minimum": 0, "maximum": 1}, "The window score the planner gave it.")),
            "title": _opt(_d(TEXT, "The post's title on this platform.")),
            "caption": _opt(_d(TEXT, "The post's caption or description on this platform.")),
            "hashtags": _opt(_one_or_list(TEXT, "Hashtags without #, most relevant first.")),
            "assignee": _opt(_d(TEXT, "Who posts it (ScheduleAssignment).")),
            "notes": _opt(_d(TEXT, "Notes for people.")),
            "post": _opt(_d(TEXT, "The post's URL or id, once posted.")),
        },
        ITEM_KEYS,
        ("id", "key", "video", "platform", "format", "at"),
        "One post of one video on one platform (ContentScheduleItem).",
    )
    return _doc(
        "calendar",
        _closed(
            {
                "calendar": _d(NAME, "The calendar's name; must match the file name (Q3 for calendars/Q3.yaml)."),
                "user": _d(TEXT, "The owner's user id."),
                "title": _opt(_d(TEXT, "A title for people.")),
                "timezone": _d(ZONE, "The calendar's IANA zone: slots are wall-clock times in it."),
                "period": _closed(
                    {"start": _d(DATE, "The first day (quoted)."), "end": _d(DATE, "The last day, included (quoted).")},
                    {"start", "end"},
                    ("start", "end"),
                    'The days the calendar covers: {start: "2026-07-01", end: "2026-09-30"}.',
                ),
                "platforms": _opt(_d(platforms, "The platforms this calendar plans for (omitted: all).")),
                "status": _opt(_d({"enum": ["active", "archived"]}, "active (default) or archived.")),
                "blackouts": _opt({"type": "array", "items": blackout, "description": blackout["description"]}),
                "items": _opt({"type": "array", "items": item, "description": "The posts, in time order."}),
                "notes": _opt(_d(TEXT, "Notes for people.")),
            },
            CALENDAR_KEYS,
            ("calendar", "user", "timezone", "period"),
        ),
    )


def _platform_prefs(description: str) -> dict:
    days = _one_or_list(WEEKDAY, "Weekdays, e.g. [sat, sun].")
    hours = _one_or_list(HOURS, 'Hour ranges, e.g. ["00:00-07:00"].')
    return _closed(
        {
            "min_per_week": _opt(_int(0, "At least this many posts an ISO week (reported when a plan falls short).")),
            "max_per_week": _opt(_int(0, "At most this many posts an ISO week (hard).")),
            "max_per_day": _opt(_int(0, "At most this many posts a local day (hard).")),
            "min_spacing": _opt(_d(DURATION, "Minimum time between two posts on one platform (default 60m).")),
            "avoid_days": _opt(_d(days, "Never post on these weekdays.")),
            "avoid_hours": _opt(_d(hours, "Never post in these local hours.")),
            "prefer_days": _opt(_d(days, "Preferred weekdays (+0.05 score).")),
            "prefer_hours": _opt(_d(hours, "Preferred local hours (+0.05 score).")),
            "enabled": _opt(_d({"type": "boolean"}, "false: never plan this platform.")),
        },
        PLATFORM_KEYS,
        description=description,
    )


PREFS_REF = {"$ref": "#/$defs/platform"}


def preferences() -> dict:
    user = _closed(
        {
            "timezone": _opt(_d(ZONE, "The user's IANA zone (default: the project's).")),
            "defaults": _opt(_d(PREFS_REF, "Apply to every platform; a platform's own keys win.")),
            "platforms": _opt(
                {
                    "type": "object",
                    "description": "Per platform id: its caps, spacing, avoided and preferred days and hours.",
                    "propertyNames": PLATFORM,
                    "additionalProperties": _d(PREFS_REF, "One platform's preferences."),
                }
            ),
            "stagger": _opt(
                _closed(
                    {
                        "order": _opt(_one_or_list(PLATFORM, "Platforms in posting order; left-out ones follow.")),
                        "gap": _opt(_d(DURATION, "At least this long between a video's posts (default 1h).")),
                    },
                    {"order", "gap"},
                    description="How one video goes out across platforms: order and gap.",
                )
            ),
        },
        USER_KEYS,
        description="One user's scheduling preferences.",
    )
    body = _closed(
        {"users": {"type": "object", "description": "Preferences by user id.", "additionalProperties": user}},
        {"users"},
        ("users",),
    )
    return _doc("preferences", {**body, "$defs": {"platform": _platform_prefs("One platform's preferences.")}})


def _window(extra: dict | None = None, keys=WINDOW_KEYS) -> dict:
    return _closed(
        {
            "days": _d(_one_or_list(WEEKDAY, "Weekdays."), "The weekdays of the window, e.g. [mon, tue, wed]."),
            "start": _d(TIME, "Start, local wall-clock time (quoted).", examples=["15:00"]),
            "end": _d(TIME, "End, excluded; after start (24:00 = midnight).", examples=["17:00"]),
            "score": {"type": "number", "minimum": 0, "maximum": 1, "description": "1.0 = the platform's best window."},
            "source": _opt(_d(TEXT, "A key of sources: where this number comes from.")),
            **(extra or {}),
        },
        keys,
        ("days", "start", "end", "score"),
        'A posting window: {days: [wed], start: "16:00", end: "17:00", score: 1.0, source: seed}.',
    )


def timing() -> dict:
    window = _window()
    fmt = _closed(
        {
            "label": _opt(_d(TEXT, "A name for people, e.g. YouTube Shorts.")),
            "duration": _opt(
                {
                    "type": "object",
                    "description": "Video durations this format takes, in seconds (min ≤ max).",
                    "properties": {
                        "min": {"type": "number", "minimum": 0, "description": "Shortest, seconds."},
                        "max": {"type": "number", "minimum": 0, "description": "Longest, seconds."},
                        "source": _d(TEXT, "A key of sources."),
                    },
                }
            ),
            "aspects": _opt(_one_or_list(RATIO, 'Aspect ratios it takes, e.g. ["9:16", "1:1"] (2% tolerance).')),
            "aspect_range": _opt(
                {
                    "type": "array",
                    "items": RATIO,
                    "minItems": 2,
                    "maxItems": 2,
                    "description": 'The narrowest and widest ratio, e.g. ["1:3", "3:1"].',
                }
            ),
            "frequency": _opt(
                {
                    "type": "object",
                    "description": "The research guideline on posting frequency.",
                    "properties": {
                        "min_per_week": _opt(_int(0, "Posts a week, at least.")),
                        "max_per_week": _opt(_int(1, "Posts a week, at most.")),
                        "max_per_day": _opt(_int(1, "Posts a day, at most.")),
                        "source": _d(TEXT, "A key of sources."),
                    },
                }
            ),
            "windows": {"type": "array", "items": window, "description": "When to post, with relative scores."},
            "auto": _opt(_d({"type": "boolean"}, "false: never chosen for a video automatically (default true).")),
        },
        FORMAT_KEYS,
        ("windows",),
        "One format; formats are tried in file order and a video gets the first it fits.",
    )
    return _doc(
        "timing",
        _closed(
            {
                "platform": PLATFORM,
                "checked": _opt(_d(TEXT, 'When the numbers were last checked, quoted: "2026-11-01".')),
                "sources": _opt(
                    {
                        "type": "object",
                        "additionalProperties": TEXT,
                        "description": "Source keys and what each is (windows and formats cite the keys).",
                    }
                ),
                "formats": {
                    "type": "object",
                    "description": "The formats in preference order; a project file replaces the ones it names.",
                    "additionalProperties": fmt,
                },
            },
            FILE_KEYS,
            ("platform", "formats"),
        ),
    )


def learned() -> dict:
    window = _window(
        {
            "prior": _d({}, "The research score of this slot, before your numbers (informational)."),
            "posts": _d({}, "How many of your posts the estimate rests on (informational)."),
            "lift": _d({}, "The learned effect against the platform's other slots (informational)."),
        },
        LEARNED_WINDOW_KEYS,
    )
    platform = _closed(
        {
            "posts": _d({}, "Posts behind this platform's estimates (informational)."),
            "formats": {
                "type": "object",
                "description": "Per format of the timing data: the windows that replace its research windows.",
                "additionalProperties": {"type": "array", "items": window},
            },
        },
        {"posts", "formats"},
        ("formats",),
        "One platform's learned windows.",
    )
    return _doc(
        "learned",
        _closed(
            {
                "learned_at": _d({}, "When calcli optimize --apply learned them (informational)."),
                "metric": _d({}, "The metric they were learned from (informational)."),
                "posts": _d({}, "Posts behind the estimates (informational)."),
                "platforms": {
                    "type": "object",
                    "description": "Learned windows per platform id; a platform left out keeps its research windows.",
                    "propertyNames": PLATFORM,
                    "additionalProperties": platform,
                },
            },
            LEARNED_KEYS,
            ("platforms",),
        ),
    )


def limits() -> dict:
    limit = _closed(
        {
            "max": _d(_int(1, "The maximum."), "The maximum (required unless it overrides a shipped limit)."),
            "min": _opt(_int(0, "The minimum, if any.")),
            "count": _opt(
                _d(
                    {"enum": list(COUNTS)},
                    "How length is counted: chars (code points), utf16 (UTF-16 "
                    "units: an emoji counts 2), x-weighted (X's rule; any URL counts url_weight).",
                )
            ),
            "url_weight": _opt(_int(0, "x-weighted: what one URL counts (23).")),
            "source": _opt(_d(TEXT, "Where the value comes from.")),
            "others": _opt(_d(TEXT, "Other values sources give.")),
            "why": _opt(_d(TEXT, "Why calcli uses this value.")),
            "note": _opt(_d(TEXT, "Anything else.")),
            "label": _opt(_d(TEXT, "What the platform calls the field (description, text).")),
        },
        LIMIT_KEYS,
        description="One limit with its provenance.",
    )
    platform = _closed(
        {
            "posts_per_day": _opt(_d(limit, "How many posts a day the platform takes (a hard cap for the planner).")),
            "fields": _opt(
                {
                    "type": "object",
                    "description": "Text limits per field: " + ", ".join(FIELDS) + ".",
                    "propertyNames": {"enum": list(FIELDS)},
                    "additionalProperties": limit,
                }
            ),
        },
        {"posts_per_day", "fields"},
        description="One platform's limits.",
    )
    return _doc(
        "limits",
        _closed(
            {
                "checked": _opt(_d(TEXT, 'When the values were last checked, quoted: "2026-11-01".')),
                "platforms": {
                    "type": "object",
                    "description": "Limits per platform id; a project file overrides single values.",
                    "propertyNames": PLATFORM,
                    "additionalProperties": platform,
                },
            },
            {"checked", "platforms"},
            ("platforms",),
        ),
    )


def kpi_layouts() -> dict:
    column = {"enum": list(KPI_COLUMNS), "description": "A canonical KPI column: " + ", ".join(KPI_COLUMNS) + "."}
    layout = {
        "type": "object",
        "description": "One export layout: how to detect it and how its headers map onto canonical columns.",
        "required": ["detect", "columns"],
        "properties": {
            "platform": _d(PLATFORM, "The platform of rows that do not say."),
            "detect": {
                "type": "array",
                "items": TEXT,
                "minItems": 1,
                "description": "A file with all of these headers has this layout (case, spaces, dashes ignored).",
            },
            "columns": {
                "type": "object",
                "description": "Export header → canonical column, or {to: column, scale: factor}.",
                "additionalProperties": {
                    "anyOf": [
                        column,
                        {
                            "type": "object",
                            "required": ["to"],
                            "properties": {
                                "to": column,
                                "scale": {"type": "number", "description": "Multiply the number (hours → 3600)."},
                            },
                        },
                    ]
                },
            },
        },
    }
    return _doc(
        "kpi-layouts",
        {
            "type": "object",
            "required": ["layouts"],
            "properties": {
                "layouts": {
                    "type": "object",
                    "description": "Layouts by name (--layout NAME).",
                    "additionalProperties": layout,
                }
            },
        },
    )


def config() -> dict:
    nonblank = {"type": "string", "pattern": "\\S"}
    return _doc(
        "config",
        {
            "type": "object",
            "required": ["project"],
            "properties": {
                "project": {
                    "type": "object",
                    "description": "The project's defaults.",
                    "required": ["user", "timezone"],
                    "properties": {
                        "user": _d(nonblank, "The acting user unless --user says otherwise."),
                        "timezone": _d(ZONE, "The IANA zone of new calendars."),
                        "store": _d({"type": "string", "minLength": 1}, "The DuckDB store, relative to the project."),
                        "lock_timeout_seconds": {
                            "type": "number",
                            "minimum": 0,
                            "description": "How long to wait for another calcli before exit 4 (default 10).",
                        },
                    },
                },
                "planner": {
                    "type": "object",
                    "description": "Planner settings.",
                    "properties": {
                        "slot_minutes": {
                            "enum": [5, 10, 15, 20, 30, 60],
                            "description": "Candidate slots every N minutes inside a window (default 30).",
                        }
                    },
                },
                "stagger": {
                    "type": "object",
                    "description": "Project-wide stagger settings.",
                    "properties": {
                        "order": {"type": "array", "description": "Platforms in posting order."},
                        "gap": {
                            "type": "object",
                            "description": "Gap per platform: a duration (90m, 1h) or minutes.",
                            "additionalProperties": {"anyOf": [DURATION, {"type": "number"}]},
                        },
                    },
                },
            },
        },
    )


def bulk() -> dict:
    job_id = {"type": "string", "pattern": "^[^/]*[^/\\s][^/]*$"}
    priority = _spelled(
        [p.value for p in JobPriority],
        "^\\s*(" + "|".join(_ci(p.value) for p in JobPriority) + ")\\s*$",
        "low, normal (default), high or urgent: higher priority gets the better slots.",
    )
    status = _spelled(
        [s.value for s in JobStatus],
        "^\\s*(" + "|".join(_ci(s.value) for s in JobStatus) + ")\\s*$",
        "pending, processing, completed (default), failed or canceled: only completed videos get slots.",
    )
    video = {
        "type": "object",
        "description": "One video of the job (VideoJob). Unknown keys are ignored.",
        "required": ["video_job_id"],
        "properties": {
            "video_job_id": _d(job_id, "The video's id: unique within the job, no '/'."),
            "title": _opt(_d(TEXT, "The title.")),
            "description": _opt(_d(TEXT, "The description.")),
            "duration_seconds": _opt(
                {"type": "number", "exclusiveMinimum": 0, "description": "Length in seconds: chooses the format."}
            ),
            "aspect_ratio": _opt(_d(RATIO, 'Width:height, e.g. "9:16": chooses the format.')),
            "hashtags": {"type": "array", "items": TEXT, "description": "Hashtags, most relevant first (# optional)."},
            "platforms": _opt(
                {"type": "array", "items": PLATFORM, "description": "Where to post it (default: the calendar's)."}
            ),
            "status": status,
            "ready_at": _opt(_d(INSTANT, "No slot before this instant (ISO 8601 with offset).")),
            "priority": _opt(priority),
        },
    }
    return _doc(
        "bulk",
        {
            "type": "object",
            "required": ["bulk_job_id", "user_id", "videos"],
            "properties": {
                "bulk_job_id": _d(job_id, "The job's id, no '/': the first part of every item's idempotency key."),
                "user_id": _d({"type": "string", "pattern": "\\S"}, "The owner; must be the acting user (--user)."),
                "name": _d(TEXT, "Becomes the title of a calendar made by this plan."),
                "priority": priority,
                "videos": {"type": "array", "items": video, "description": "The videos of the job."},
            },
        },
    )


BUILDERS = {
    "calendar": calendar,
    "preferences": preferences,
    "timing": timing,
    "learned": learned,
    "limits": limits,
    "kpi-layouts": kpi_layouts,
    "config": config,
    "bulk": bulk,
}


def text(name: str) -> str:
    """The schema ``name`` as the shipped file's text."""
    return json.dumps(BUILDERS[name](), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    for name in BUILDERS:
        (HERE / f"{name}.json").write_text(text(name), encoding="utf-8")
        print(f"wrote calcli/schemas/{name}.json", file=sys.stderr)


if __name__ == "__main__":
    main()
