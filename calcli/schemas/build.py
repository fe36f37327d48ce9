"""Build the shipped JSON Schemas from the parsers' own constants.

The schemas in ``calcli/schemas/*.json`` are generated, not hand-edited, so that
their key sets and enums (item keys, platform ids, statuses, weekdays, limit
fields) come from the same constants the parsers use. Regenerate after changing
a parser::

    python -m calcli.schemas.build

A test fails when a shipped file differs from what this module builds. The
calendar and preferences schemas are in :mod:`calcli.schemas.calendars`, the
timing data's in :mod:`calcli.schemas.timing`; the settings files' are here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from calcli.core.model import KPI_COLUMNS, JobPriority, JobStatus
from calcli.planning.registry import COUNTS, FIELDS, LIMIT_KEYS
from calcli.schemas.calendars import calendar, preferences
from calcli.schemas.timing import learned, timing
from calcli.schemas.vocabulary import (
    DURATION,
    INSTANT,
    PLATFORM,
    RATIO,
    TEXT,
    ZONE,
    closed,
    described,
    document,
    insensitive,
    integer,
    optional,
    spelled,
)

HERE = Path(__file__).resolve().parent


def limits() -> dict:
    limit = closed(
        {
            "max": described(integer(1, "The maximum."), "The maximum (required unless it overrides a shipped limit)."),
            "min": optional(integer(0, "The minimum, if any.")),
            "count": optional(
                described(
                    {"enum": list(COUNTS)},
                    "How length is counted: chars (code points), utf16 (UTF-16 "
                    "units: an emoji counts 2), x-weighted (X's rule; any URL counts url_weight).",
                )
            ),
            "url_weight": optional(integer(0, "x-weighted: what one URL counts (23).")),
            "source": optional(described(TEXT, "Where the value comes from.")),
            "others": optional(described(TEXT, "Other values sources give.")),
            "why": optional(described(TEXT, "Why calcli uses this value.")),
            "note": optional(described(TEXT, "Anything else.")),
            "label": optional(described(TEXT, "What the platform calls the field (description, text).")),
        },
        LIMIT_KEYS,
        description="One limit with its provenance.",
    )
    platform = closed(
        {
            "posts_per_day": optional(
                described(limit, "How many posts a day the platform takes (a hard cap for the planner).")
            ),
            "fields": optional(
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
    return document(
        "limits",
        closed(
            {
                "checked": optional(described(TEXT, 'When the values were last checked, quoted: "2026-11-01".')),
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
            "platform": described(PLATFORM, "The platform of rows that do not say."),
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
    return document(
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


OUTPUT_TABLE = {
    "type": "object",
    "additionalProperties": False,
    "description": "Output settings.",
    "properties": {
        "format": {
            "enum": ["table", "tsv", "csv", "json", "ndjson"],
            "description": "The format when --format is not given (below $CALCLI_FORMAT).",
        }
    },
}


def config() -> dict:
    nonblank = {"type": "string", "pattern": "\\S"}
    return document(
        "config",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["project"],
            "properties": {
                "project": {
                    "type": "object",
                    "additionalProperties": False,
                    "description": "The project's defaults.",
                    "required": ["user", "timezone"],
                    "properties": {
                        "user": described(nonblank, "The acting user unless --user says otherwise."),
                        "timezone": described(ZONE, "The IANA zone of new calendars."),
                        "store": described(
                            {"type": "string", "minLength": 1}, "The DuckDB store, relative to the project."
                        ),
                        "lock_timeout_seconds": {
                            "type": "number",
                            "minimum": 0,
                            "description": "How long to wait for another calcli before exit 4 (default 10).",
                        },
                    },
                },
                "planner": {
                    "type": "object",
                    "additionalProperties": False,
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
                    "additionalProperties": False,
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
                "output": OUTPUT_TABLE,
            },
        },
    )


def bulk() -> dict:
    job_id = {"type": "string", "pattern": "^[^/]*[^/\\s][^/]*$"}
    priority = spelled(
        [p.value for p in JobPriority],
        "^\\s*(" + "|".join(insensitive(p.value) for p in JobPriority) + ")\\s*$",
        "low, normal (default), high or urgent: higher priority gets the better slots.",
    )
    status = spelled(
        [s.value for s in JobStatus],
        "^\\s*(" + "|".join(insensitive(s.value) for s in JobStatus) + ")\\s*$",
        "pending, processing, completed (default), failed or canceled: only completed videos get slots.",
    )
    video = {
        "type": "object",
        "description": "One video of the job (VideoJob). Unknown keys are ignored.",
        "required": ["video_job_id"],
        "properties": {
            "video_job_id": described(job_id, "The video's id: unique within the job, no '/'."),
            "title": optional(described(TEXT, "The title.")),
            "description": optional(described(TEXT, "The description.")),
            "duration_seconds": optional(
                {"type": "number", "exclusiveMinimum": 0, "description": "Length in seconds: chooses the format."}
            ),
            "aspect_ratio": optional(described(RATIO, 'Width:height, e.g. "9:16": chooses the format.')),
            "hashtags": {"type": "array", "items": TEXT, "description": "Hashtags, most relevant first (# optional)."},
            "platforms": optional(
                {"type": "array", "items": PLATFORM, "description": "Where to post it (default: the calendar's)."}
            ),
            "status": status,
            "ready_at": optional(described(INSTANT, "No slot before this instant (ISO 8601 with offset).")),
            "priority": optional(priority),
        },
    }
    return document(
        "bulk",
        {
            "type": "object",
            "required": ["bulk_job_id", "user_id", "videos"],
            "properties": {
                "bulk_job_id": described(
                    job_id, "The job's id, no '/': the first part of every item's idempotency key."
                ),
                "user_id": described(
                    {"type": "string", "pattern": "\\S"}, "The owner; must be the acting user (--user)."
                ),
                "name": described(TEXT, "Becomes the title of a calendar made by this plan."),
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
