"""The schemas of the files people edit most: a calendar (its blackouts and items) and the
preferences (per user and platform)."""

from __future__ import annotations

from calcli.core.model import ScheduleStatus
from calcli.files.calendar import CALENDAR_KEYS, EXCEPTION_KEYS, ITEM_KEYS
from calcli.files.preferences import PLATFORM_KEYS, USER_KEYS
from calcli.schemas.vocabulary import (
    DATE,
    DURATION,
    HOURS,
    ITEM_ID,
    LOCAL,
    NAME,
    PLATFORM,
    TEXT,
    WALL,
    WEEKDAY,
    ZONE,
    closed,
    described,
    document,
    integer,
    one_or_list,
    optional,
)

PLATFORMS = one_or_list({"anyOf": [PLATFORM, {"const": "all"}]}, "Platforms (a list, or one id; all = every platform).")


def _blackout() -> dict:
    return closed(
        {
            "id": described(NAME, "A unique id within the calendar, e.g. july4."),
            "kind": optional(
                described(
                    {"enum": ["blackout", "override"]},
                    "blackout (no posts inside) or override (a manual "
                    "override recorded by item move --force). Default: blackout.",
                )
            ),
            "start": described(
                LOCAL,
                'The first day ("2026-12-24", included) or a local wall-clock time ("2026-12-24T09:00").',
            ),
            "end": described(
                LOCAL,
                "The last day (included) or the end time (excluded); the same kind as start, not before it.",
            ),
            "platforms": optional(described(PLATFORMS, "Only these platforms (omitted: every platform).")),
            "yearly": optional(
                described({"type": "boolean"}, "Repeat every year (holidays); the window may wrap the new year.")
            ),
            "reason": optional(described(TEXT, "Why, for people.")),
            "item": optional(described(TEXT, "For an override: the item that was moved past a hard constraint.")),
        },
        EXCEPTION_KEYS,
        ("id", "start", "end"),
        "A blackout (ScheduleException): no posts inside it.",
    )


def _item() -> dict:
    return closed(
        {
            "id": described(ITEM_ID, "The item id (it_…), unique in the project."),
            "key": described(TEXT, "The idempotency key bulk_job_id/video_job_id/platform; unique in the project."),
            "video": described(TEXT, "The video job id."),
            "platform": PLATFORM,
            "format": described(TEXT, "The platform format from timing_data (short, long, reel, …)."),
            "at": described(WALL, WALL["description"] + " Inside the calendar's period."),
            "status": optional(
                described(
                    {"enum": [s.value for s in ScheduleStatus]},
                    "planned → scheduled → posted / failed / canceled "
                    "(default planned). Change it with calcli item status; hand edits are audited.",
                )
            ),
            "score": optional(
                described({"type": "number", "minimum": 0, "maximum": 1}, "The window score the planner gave it.")
            ),
            "title": optional(described(TEXT, "The post's title on this platform.")),
            "caption": optional(described(TEXT, "The post's caption or description on this platform.")),
            "hashtags": optional(one_or_list(TEXT, "Hashtags without #, most relevant first.")),
            "assignee": optional(described(TEXT, "Who posts it (ScheduleAssignment).")),
            "notes": optional(described(TEXT, "Notes for people.")),
            "post": optional(described(TEXT, "The post's URL or id, once posted.")),
        },
        ITEM_KEYS,
        ("id", "key", "video", "platform", "format", "at"),
        "One post of one video on one platform (ContentScheduleItem).",
    )


def calendar() -> dict:
    blackout, item = _blackout(), _item()
    return document(
        "calendar",
        closed(
            {
                "calendar": described(
                    NAME, "The calendar's name; must match the file name (Q3 for calendars/Q3.yaml)."
                ),
                "user": described(TEXT, "The owner's user id."),
                "title": optional(described(TEXT, "A title for people.")),
                "timezone": described(ZONE, "The calendar's IANA zone: slots are wall-clock times in it."),
                "period": closed(
                    {
                        "start": described(DATE, "The first day (quoted)."),
                        "end": described(DATE, "The last day, included (quoted)."),
                    },
                    {"start", "end"},
                    ("start", "end"),
                    'The days the calendar covers: {start: "2026-07-01", end: "2026-09-30"}.',
                ),
                "platforms": optional(described(PLATFORMS, "The platforms this calendar plans for (omitted: all).")),
                "status": optional(described({"enum": ["active", "archived"]}, "active (default) or archived.")),
                "blackouts": optional({"type": "array", "items": blackout, "description": blackout["description"]}),
                "items": optional({"type": "array", "items": item, "description": "The posts, in time order."}),
                "notes": optional(described(TEXT, "Notes for people.")),
            },
            CALENDAR_KEYS,
            ("calendar", "user", "timezone", "period"),
        ),
    )


def _platform_prefs(description: str) -> dict:
    days = one_or_list(WEEKDAY, "Weekdays, e.g. [sat, sun].")
    hours = one_or_list(HOURS, 'Hour ranges, e.g. ["00:00-07:00"].')
    return closed(
        {
            "min_per_week": optional(
                integer(0, "At least this many posts an ISO week (reported when a plan falls short).")
            ),
            "max_per_week": optional(integer(0, "At most this many posts an ISO week (hard).")),
            "max_per_day": optional(integer(0, "At most this many posts a local day (hard).")),
            "min_spacing": optional(
                described(DURATION, "Minimum time between two posts on one platform (default 60m).")
            ),
            "avoid_days": optional(described(days, "Never post on these weekdays.")),
            "avoid_hours": optional(described(hours, "Never post in these local hours.")),
            "prefer_days": optional(described(days, "Preferred weekdays (+0.05 score).")),
            "prefer_hours": optional(described(hours, "Preferred local hours (+0.05 score).")),
            "enabled": optional(described({"type": "boolean"}, "false: never plan this platform.")),
            "max_late": optional(
                described(
                    DURATION,
                    "Dispatch holds a post later than this as missed (re-plan or move it) rather than post it "
                    "at a time nobody chose (default 2h).",
                )
            ),
        },
        PLATFORM_KEYS,
        description=description,
    )


PREFS_REF = {"$ref": "#/$defs/platform"}


def preferences() -> dict:
    user = closed(
        {
            "timezone": optional(described(ZONE, "The user's IANA zone (default: the project's).")),
            "defaults": optional(described(PREFS_REF, "Apply to every platform; a platform's own keys win.")),
            "platforms": optional(
                {
                    "type": "object",
                    "description": "Per platform id: its caps, spacing, avoided and preferred days and hours.",
                    "propertyNames": PLATFORM,
                    "additionalProperties": described(PREFS_REF, "One platform's preferences."),
                }
            ),
            "stagger": optional(
                closed(
                    {
                        "order": optional(one_or_list(PLATFORM, "Platforms in posting order; left-out ones follow.")),
                        "gap": optional(
                            described(DURATION, "At least this long between a video's posts (default 1h).")
                        ),
                    },
                    {"order", "gap"},
                    description="How one video goes out across platforms: order and gap.",
                )
            ),
            "planning": optional(
                closed(
                    {
                        "half_life": optional(
                            described(
                                {"type": "number", "exclusiveMinimum": 0},
                                "Days after a video's ready_at in which a post's value halves (default 3): "
                                "a good slot this week beats a perfect one in five weeks.",
                            )
                        ),
                        "series_order": optional(
                            described(
                                {"type": "boolean"},
                                "true (default): on one platform, a bulk job's videos of one priority go out "
                                "in the job's order (ready_at, then position).",
                            )
                        ),
                    },
                    {"half_life", "series_order"},
                    description="How the planner weighs a plan: promptness and series order.",
                )
            ),
        },
        USER_KEYS,
        description="One user's scheduling preferences.",
    )
    body = closed(
        {"users": {"type": "object", "description": "Preferences by user id.", "additionalProperties": user}},
        {"users"},
        ("users",),
    )
    return document("preferences", {**body, "$defs": {"platform": _platform_prefs("One platform's preferences.")}})
