"""Calendars as a whole: make one, list them, archive one, remove one (its history stays)."""

from __future__ import annotations

from datetime import date

from calcli.core.errors import Finding, InvalidInput, UsageError
from calcli.core.model import (
    ContentCalendar,
    Platform,
    ScheduleStatus,
)
from calcli.core.times import zone
from calcli.files.preferences import load_preferences
from calcli.operations.acting import Session
from calcli.operations.editing import Change, Target, apply_change, history_row
from calcli.operations.lookup import own_calendar


def calendar_zone(s: Session, tz: str | None) -> str:
    """The zone of a new calendar: ``tz`` (from --tz), else the user's, else the project's."""
    tzname = (
        tz
        or load_preferences(s.project.preferences_path, s.user, s.project.config.timezone).timezone
        or s.project.config.timezone
    )
    try:
        zone(tzname)
    except ValueError as exc:
        raise InvalidInput(Finding("--tz", None, None, str(exc))) from None
    return tzname


def new_calendar(
    s: Session, name: str, start: date, end: date, tz: str | None, title: str, platforms: list[Platform]
) -> ContentCalendar:
    path = s.project.calendar_path(name)
    if path.exists():
        raise UsageError(f"calendar {name!r} already exists ({s.project.rel(path)}).")
    if end < start:
        raise UsageError(f"--end {end} is before --start {start}.")
    tzname = calendar_zone(s, tz)
    cal = ContentCalendar(
        name=name,
        user_id=s.user,
        timezone=tzname,
        period_start=start,
        period_end=end,
        title=title,
        platforms=platforms,
        path=str(path),
    )
    apply_change(s.store, s.project, Target(cal, [], path, created=True), Change())
    return cal


def list_calendars(s: Session, all_users: bool) -> list[dict]:
    rows = s.store.calendar_summaries(s.user, all_users)
    return [
        dict(zip(["name", "user", "title", "timezone", "start", "end", "status", "items", "posted"], r, strict=True))
        for r in rows
    ]


def archive_calendar(s: Session, name: str) -> None:
    target = own_calendar(s, name)
    if target.calendar.status == "archived":
        return
    apply_change(s.store, s.project, target, Change(header={"status": "archived"}))


def remove_calendar(s: Session, name: str) -> int:
    """Delete the calendar file and its mirror (history stays); returns its posted-item count."""
    target = own_calendar(s, name)
    posted = sum(1 for i in target.items if i.status == ScheduleStatus.POSTED)
    with s.store.atomic():
        s.store.add_history(
            [history_row(i, s.actor, "deleted", None, f"calendar {name} removed", None) for i in target.items]
        )
        s.store.forget_file(s.project.rel(target.path))
        target.path.unlink()
    return posted


def posted_count(s: Session, name: str) -> int:
    target = own_calendar(s, name)
    return sum(1 for i in target.items if i.status == ScheduleStatus.POSTED)
