"""The planner's hard rules applied to a calendar as it stands, however it got there (``calcli check``,
and the sync of a calendar file edited by hand).

The same code as the planner's: each platform's :class:`~calcli.planning.board.Board` (caps per local
day and ISO week, per format too, minimum spacing), the avoided days and hours of the preferences, the
blackouts, and the :class:`~calcli.planning.stagger.StaggerBook`. Posted items are laid on the boards
first (they went out; nothing moves them), then the live items in time order, the user's other
calendars' items too, and an item that finds its slot taken breaks the rule it names (and, being the one
to move, takes no room from the items after it). Only live items (planned, scheduled, failed) of the
calendar are judged; posted ones count but stay as they are. An item with an override exception (``kind:
override``, as ``item move --force`` records) is accepted whatever it breaks, at the time the exception
names. Timing windows are not a rule here: they are where the planner looks, and they change (``optimize
--apply``, a new calcli) under items already placed.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from calcli.core.blackouts import blackout_hits, spans
from calcli.core.model import (
    TRANSITIONS,
    ContentCalendar,
    ContentScheduleItem,
    Platform,
    ScheduleStatus,
    UserPreferences,
    in_hours,
)
from calcli.core.timing import TimingTable
from calcli.planning.board import Board, limits_for
from calcli.planning.problem import Slot
from calcli.planning.stagger import StaggerBook

LIVE = (ScheduleStatus.PLANNED, ScheduleStatus.SCHEDULED, ScheduleStatus.FAILED)


def violations(
    cal: ContentCalendar,
    others: list[ContentScheduleItem],
    timing: TimingTable,
    prefs: UserPreferences,
    caps: dict[Platform, int],
    forced_elsewhere: frozenset[str] = frozenset(),
) -> list[tuple[ContentScheduleItem, str]]:
    """Each live item of ``cal`` that breaks a hard rule, with the rule; ``others`` are the user's items
    on other calendars (they count against caps and spacing), ``forced_elsewhere`` the ids of those an
    override covers. An overridden item takes no one's room: its conflicts are its own, accepted."""
    tz = ZoneInfo(cal.timezone)
    forced = {i.id for i in cal.items if i.status in LIVE and overridden(cal, i, tz)} | forced_elsewhere
    judged = {i.id for i in cal.items if i.status in LIVE and i.id not in forced}
    out: list[tuple[ContentScheduleItem, str]] = []
    for item in cal.items:
        if item.id in judged:
            out += [(item, why) for why in _place_rules(cal, item, tz, prefs)]
    out += _board_rules(cal, [i for i in others if i.id not in forced], tz, timing, prefs, caps, judged, forced)
    out += _stagger_rules(cal, prefs, judged, forced)
    return sorted(out, key=lambda v: (v[0].line or 0, v[0].id, v[1]))


def forced_ids(items: list[ContentScheduleItem], calendar_of) -> frozenset[str]:
    """The ids of ``items`` (on other calendars) that an override exception of their calendar covers;
    ``calendar_of(name)`` gives a calendar (its exceptions) or None."""
    cals: dict[str, ContentCalendar | None] = {}
    out = set()
    for item in items:
        if item.status not in LIVE:
            continue
        if item.calendar not in cals:
            cals[item.calendar] = calendar_of(item.calendar)
        cal = cals[item.calendar]
        if cal is not None and any(e.kind == "override" for e in cal.exceptions):
            if overridden(cal, item, ZoneInfo(cal.timezone)):
                out.add(item.id)
    return frozenset(out)


def overridden(cal: ContentCalendar, item: ContentScheduleItem, tz: ZoneInfo) -> bool:
    """An override exception names the item at the time it stands: the override of one move does not
    cover the next (a hand edit to another time is judged again)."""
    local = item.scheduled_at.astimezone(tz)
    return any(e.kind == "override" and e.item_id == item.id and spans(e, local) for e in cal.exceptions)


def _place_rules(cal: ContentCalendar, item: ContentScheduleItem, tz: ZoneInfo, prefs: UserPreferences) -> list[str]:
    """Avoided days and hours, and blackouts, as the planner drops such slots."""
    local = item.scheduled_at.astimezone(tz)
    p = prefs.for_platform(item.platform, cal.timezone)
    out = []
    if local.weekday() in p.avoided_days:
        out.append(f"on a day you avoid for {item.platform.value}")
    if p.avoided_hours and in_hours(local.time().replace(second=0, microsecond=0, tzinfo=None), p.avoided_hours):
        out.append(f"in hours you avoid for {item.platform.value}")
    for exc in cal.exceptions:
        if exc.kind == "blackout" and blackout_hits(exc, item.platform, local):
            out.append(f"in blackout {exc.id}" + (f" ({exc.reason})" if exc.reason else ""))
    return out


def _board_rules(cal, others, tz, timing, prefs, caps, judged, forced) -> list[tuple[ContentScheduleItem, str]]:
    """Caps and spacing: every counted item on its platform's board in time order; a judged item that
    finds no room breaks the rule the board names."""
    counted = [i for i in (*cal.items, *others) if i.status != ScheduleStatus.CANCELED and i.id not in forced]
    # What went out is a fact: posted items take their room first, wherever they stand in time, so a
    # live item before a post that filled the day is the one over the cap. Then the rest in time
    # order; at one instant the judged item comes last: it is the one that finds the slot taken.
    counted.sort(
        key=lambda i: (
            i.status != ScheduleStatus.POSTED,
            i.scheduled_at.timestamp(),
            i.id in judged and i.calendar == cal.name,
            i.platform._value_,
            i.id,
        )
    )
    boards: dict[Platform, Board] = {}
    out = []
    for item in counted:
        board = boards.get(item.platform)
        if board is None:
            formats = timing.for_platform(item.platform)
            own = prefs.for_platform(item.platform, cal.timezone)
            limits = limits_for(item.platform, formats, own, caps.get(item.platform))
            board = boards[item.platform] = Board(limits)
        slot = _slot(item, tz)
        why = board.conflict(slot)
        if why is not None and item.id in judged and item.calendar == cal.name:
            out.append((item, why))
            continue  # it is to move: it takes no room from the items after it
        board.add(slot.utc, slot.day, slot.week, slot.fmt)
    return out


def _stagger_rules(cal: ContentCalendar, prefs: UserPreferences, judged: set[str], forced: set[str]) -> list:
    """One video's posts on this calendar in the stagger order, each the gap after the one before."""
    book = StaggerBook(prefs.stagger)
    for item in cal.items:
        if item.status != ScheduleStatus.CANCELED and item.id not in forced:
            book.note(item.video_job_id, item.platform, item.scheduled_at.timestamp())
    out = []
    for item in cal.items:
        if item.id in judged:
            why = book.conflict(item.video_job_id, item.platform, item.scheduled_at.timestamp())
            if why is not None:
                out.append((item, why))
    return out


def _slot(item: ContentScheduleItem, tz: ZoneInfo) -> Slot:
    local = item.scheduled_at.astimezone(tz)
    day = local.date()
    iso = day.isocalendar()
    return Slot(local.timestamp(), day, (iso[0], iso[1]), 0.0, None, tz, item.format)


def status_steps(
    before: list[ContentScheduleItem], after: list[ContentScheduleItem]
) -> list[tuple[ContentScheduleItem, str]]:
    """Each item whose status (or, once posted or canceled, whose time) changed in a way the lifecycle
    does not allow, from the store's last known version (``before``) to the file's (``after``)."""
    old = {i.id: i for i in before}
    out = []
    for item in after:
        was = old.get(item.id)
        if was is None:
            continue
        if was.status != item.status and item.status not in TRANSITIONS[was.status]:
            out.append((item, _step_text(was, item)))
        elif was.status in (ScheduleStatus.POSTED, ScheduleStatus.CANCELED) and _moved(was, item):
            out.append((item, f"a {was.status.value} item keeps its time ({was.scheduled_at.isoformat()})"))
    return out


def _moved(was: ContentScheduleItem, now: ContentScheduleItem) -> bool:
    return abs(was.scheduled_at - now.scheduled_at) >= timedelta(seconds=1)


def _step_text(was: ContentScheduleItem, now: ContentScheduleItem) -> str:
    back = f"put `status: {was.status.value}` back"
    legal = TRANSITIONS[was.status]
    if not legal:
        final = "the post is out" if was.status == ScheduleStatus.POSTED else "a canceled post stays canceled"
        fix = f"{back} (to post the video again, `calcli item add` a new item)"
        return f"{was.status.value} -> {now.status.value}: {was.status.value} is final ({final}); {fix}"
    steps = ", ".join(sorted(s.value for s in legal))
    return (
        f"{was.status.value} -> {now.status.value} is not a step of the lifecycle (from {was.status.value}: {steps}); "
        f"{back}, then `calcli item status {now.id} STATUS` makes each step"
    )
