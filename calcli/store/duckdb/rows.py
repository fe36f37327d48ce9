"""How domain objects become the store's rows and come back: items and blackouts."""

from __future__ import annotations

from datetime import UTC, datetime, time

from calcli.core.model import ContentCalendar, ContentScheduleItem, Platform, ScheduleException, ScheduleStatus
from calcli.core.times import zone

# The columns read back into a ContentScheduleItem, in the order of item_from_row.
ITEM_COLUMNS = (
    "id, idempotency_key, calendar_id, user_id, video_job_id, platform, format, "
    "scheduled_utc, timezone, status, bulk_job_id, score, title, assignee, notes, "
    "src_line, created_at, updated_at, post_ref, caption, hashtags"
)

# An item's local time with its UTC offset, as datetime.isoformat() writes it (whole minutes).
ISO_LOCAL = (
    "strftime(scheduled_local, '%Y-%m-%dT%H:%M:%S') || CASE WHEN utc_offset_minutes < 0 THEN '-' ELSE '+' END "
    "|| lpad(CAST(abs(utc_offset_minutes) // 60 AS VARCHAR), 2, '0') || ':' "
    "|| lpad(CAST(abs(utc_offset_minutes) % 60 AS VARCHAR), 2, '0')"
)

_PLATFORMS = {p.value: p for p in Platform}
_STATUSES = {s.value: s for s in ScheduleStatus}


def utc_param(dt: datetime | None) -> datetime | None:
    """A time filter's value as the store keeps instants: naive UTC (a naive input is taken as UTC)."""
    if dt is None or dt.tzinfo is None:
        return dt
    return dt.astimezone(UTC).replace(tzinfo=None)


def item_row(
    item: ContentScheduleItem, tzname: str, order: int, line: int | None, created: datetime, updated: datetime
) -> tuple:
    """One row of content_schedule_items, in the table's column order."""
    at = item.scheduled_at
    offset = at.utcoffset()
    local = at.replace(tzinfo=None)
    return (
        item.id,
        item.idempotency_key,
        item.calendar,
        item.user_id,
        item.bulk_job_id,
        item.video_job_id,
        item.platform._value_,  # hot path: .value is a slow property in 3.11
        item.format,
        local - offset if offset is not None else local,  # the instant as naive UTC
        local,
        (offset.days * 86400 + offset.seconds) // 60 if offset is not None else 0,
        tzname,
        item.status._value_,
        item.score,
        item.title,
        item.assignee,
        item.notes,
        order,
        line,
        created,
        updated,
        item.post_ref,
        item.caption or None,
        list(item.hashtags) or None,
    )


def item_from_row(r: tuple) -> ContentScheduleItem:
    """An item from the columns of :data:`ITEM_COLUMNS`."""
    return ContentScheduleItem(
        id=r[0],
        idempotency_key=r[1],
        calendar=r[2],
        user_id=r[3],
        video_job_id=r[4],
        platform=_PLATFORMS[r[5]],
        format=r[6] or "",
        scheduled_at=r[7].replace(tzinfo=UTC).astimezone(zone(r[8])),
        status=_STATUSES[r[9]],
        bulk_job_id=r[10],
        score=r[11],
        title=r[12] or "",
        assignee=r[13],
        notes=r[14] or "",
        line=r[15],
        created_at=r[16].replace(tzinfo=UTC) if r[16] else None,
        updated_at=r[17].replace(tzinfo=UTC) if r[17] else None,
        post_ref=r[18],
        caption=r[19] or "",
        hashtags=list(r[20] or []),
    )


def exception_row(cal: ContentCalendar, e: ScheduleException) -> tuple:
    """One row of schedule_exceptions: a whole-day window is stored from midnight to midnight."""
    all_day = not isinstance(e.start, datetime)
    start = datetime.combine(e.start, time(0)) if all_day else e.start
    end = datetime.combine(e.end, time(0)) if all_day else e.end
    return (
        e.id,
        cal.name,
        cal.user_id,
        e.kind,
        start,
        end,
        all_day,
        [p.value for p in e.platforms],
        e.yearly,
        e.reason,
        e.item_id,
    )


def exception_from_row(r: tuple) -> ScheduleException:
    """A blackout or override from (id, kind, start, end, all_day, platforms, yearly, reason, item_id)."""
    start, end = r[2], r[3]
    if r[4]:
        start, end = start.date(), end.date()
    return ScheduleException(
        id=r[0],
        kind=r[1],
        start=start,
        end=end,
        platforms=tuple(Platform(p) for p in r[5] or []),
        yearly=r[6],
        reason=r[7] or "",
        item_id=r[8],
    )
