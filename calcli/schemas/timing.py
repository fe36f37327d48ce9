"""The schemas of the timing data: one platform's formats and windows, and the windows learned
from the user's own numbers."""

from __future__ import annotations

from calcli.files.timing import FILE_KEYS, FORMAT_KEYS, LEARNED_KEYS, LEARNED_WINDOW_KEYS, WINDOW_KEYS
from calcli.schemas.vocabulary import (
    PLATFORM,
    RATIO,
    TEXT,
    TIME,
    WEEKDAY,
    closed,
    described,
    document,
    integer,
    one_or_list,
    optional,
)


def _window(extra: dict | None = None, keys=WINDOW_KEYS) -> dict:
    return closed(
        {
            "days": described(one_or_list(WEEKDAY, "Weekdays."), "The weekdays of the window, e.g. [mon, tue, wed]."),
            "start": described(TIME, "Start, local wall-clock time (quoted).", examples=["15:00"]),
            "end": described(TIME, "End, excluded; after start (24:00 = midnight).", examples=["17:00"]),
            "score": {"type": "number", "minimum": 0, "maximum": 1, "description": "1.0 = the platform's best window."},
            "source": optional(described(TEXT, "A key of sources: where this number comes from.")),
            **(extra or {}),
        },
        keys,
        ("days", "start", "end", "score"),
        'A posting window: {days: [wed], start: "16:00", end: "17:00", score: 1.0, source: seed}.',
    )


def _format() -> dict:
    window = _window()
    return closed(
        {
            "label": optional(described(TEXT, "A name for people, e.g. YouTube Shorts.")),
            "duration": optional(
                {
                    "type": "object",
                    "description": "Video durations this format takes, in seconds (min ≤ max).",
                    "properties": {
                        "min": {"type": "number", "minimum": 0, "description": "Shortest, seconds."},
                        "max": {"type": "number", "minimum": 0, "description": "Longest, seconds."},
                        "source": described(TEXT, "A key of sources."),
                    },
                }
            ),
            "aspects": optional(one_or_list(RATIO, 'Aspect ratios it takes, e.g. ["9:16", "1:1"] (2% tolerance).')),
            "aspect_range": optional(
                {
                    "type": "array",
                    "items": RATIO,
                    "minItems": 2,
                    "maxItems": 2,
                    "description": 'The narrowest and widest ratio, e.g. ["1:3", "3:1"].',
                }
            ),
            "frequency": optional(
                {
                    "type": "object",
                    "description": "The research guideline on posting frequency.",
                    "properties": {
                        "min_per_week": optional(integer(0, "Posts a week, at least.")),
                        "max_per_week": optional(integer(1, "Posts a week, at most.")),
                        "max_per_day": optional(integer(1, "Posts a day, at most.")),
                        "source": described(TEXT, "A key of sources."),
                    },
                }
            ),
            "windows": {"type": "array", "items": window, "description": "When to post, with relative scores."},
            "auto": optional(
                described({"type": "boolean"}, "false: never chosen for a video automatically (default true).")
            ),
        },
        FORMAT_KEYS,
        ("windows",),
        "One format; formats are tried in file order and a video gets the first it fits.",
    )


def timing() -> dict:
    fmt = _format()
    return document(
        "timing",
        closed(
            {
                "platform": PLATFORM,
                "checked": optional(described(TEXT, 'When the numbers were last checked, quoted: "2026-11-01".')),
                "sources": optional(
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
            "prior": described({}, "The research score of this slot, before your numbers (informational)."),
            "posts": described({}, "How many of your posts the estimate rests on (informational)."),
            "lift": described({}, "The learned effect against the platform's other slots (informational)."),
        },
        LEARNED_WINDOW_KEYS,
    )
    platform = closed(
        {
            "posts": described({}, "Posts behind this platform's estimates (informational)."),
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
    return document(
        "learned",
        closed(
            {
                "learned_at": described({}, "When calcli optimize --apply learned them (informational)."),
                "metric": described({}, "The metric they were learned from (informational)."),
                "posts": described({}, "Posts behind the estimates (informational)."),
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
