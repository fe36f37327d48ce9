"""The rules at posting time: a run that starts late (the host asleep, cron broken) must not post a
backlog at once, past the daily cap and the spacing, nor a post hours after a window nobody chose.

* **Missed.** A post more than its platform's ``max_late`` (preferences; default 2 h) after its time
  is held as missed: dispatch exits 5 and says to re-plan or move it. calcli never picks a new time
  on its own: the user's other posts, the stagger and the week's goals are the planner's to weigh.
* **Spread.** A post within ``max_late`` goes out only if posting it *now* keeps the platform's daily
  cap and minimum spacing against what was really posted (the dispatch times, not the planned
  ones). Otherwise it waits for a later run: a backlog goes out one post per spacing, in time order,
  each as long as it is not missed by then. Spread rather than held, because a post a few minutes or
  an hour late still does its job; a burst of five in one second does not.

A post is taken to go out at its planned time when it is dispatched within ``GRACE`` of it (cron's
``--within`` and its own minute), so runs on time see exactly the plan, which keeps the rules already.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from calcli import files, planning
from calcli.core.model import ContentScheduleItem, Platform, ScheduleStatus
from calcli.planning.problem import Slot

GRACE = timedelta(minutes=15)
MISSED = "missed"
WAITS = "waits"


def posting_holds(s, due: list, now: datetime) -> dict[str, str]:
    """The due items (``Due`` rows, oldest first) that must not go out now, by id, with the reason:
    ``missed: …`` (exit 5) or ``waits: …`` (a later run sends it)."""
    out: dict[str, str] = {}
    for user in sorted({d.item.user_id for d in due}):
        project = s.project
        prefs = files.preferences.load_preferences(project.preferences_path, user, project.config.timezone)
        tz = ZoneInfo(prefs.timezone or project.config.timezone)
        live = []
        for d in (d for d in due if d.item.user_id == user):
            item, p = d.item, prefs.for_platform(d.item.platform, tz.key)
            late, most = now - item.scheduled_at, timedelta(minutes=p.max_late_minutes)
            if late <= most:
                live.append(d)
                continue
            out[item.id] = (
                f"{MISSED}: due {item.scheduled_at.astimezone(tz):%Y-%m-%d %H:%M}, {_span(late)} ago, more than "
                f"{item.platform.value}'s max_late of {_span(most)}; re-plan it "
                f"(`calcli item move {item.id} --to TIME`) or cancel it (`calcli item cancel {item.id}`)"
            )
        if live:
            out |= _spacing_holds(s, user, live, now, prefs, tz)
    return out


def _spacing_holds(s, user: str, live: list, now: datetime, prefs, tz: ZoneInfo) -> dict[str, str]:
    """Lay what was posted in the last days on each platform's board at the time it went out, then
    each due post at the time it would go out; one that finds no room waits."""
    timing = files.timing.load_timing(s.project.timing_dir)
    caps = planning.registry.load_registry(s.project.timing_dir).daily_caps()
    platforms = {d.item.platform for d in live}
    since = now - timedelta(days=8)
    posted = [
        i
        for i in s.store.items(user=user, statuses=(ScheduleStatus.POSTED.value,), utc_from=since)
        if i.platform in platforms
    ]
    sent = _sent_times(s, posted)
    boards: dict[Platform, planning.board.Board] = {}
    for platform in platforms:
        limits = planning.board.limits_for(
            platform, timing.for_platform(platform), prefs.for_platform(platform, tz.key), caps.get(platform)
        )
        boards[platform] = planning.board.Board(limits)
    for item in posted:
        _lay(boards[item.platform], sent.get(item.id, item.scheduled_at), item, tz, add=True)
    out = {}
    calendars: dict = {}
    for d in live:
        on_time = now - d.item.scheduled_at <= GRACE
        at = d.item.scheduled_at if on_time else now
        board = boards[d.item.platform]
        cal = calendars.get(d.item.calendar) or calendars.setdefault(d.item.calendar, s.store.calendar(d.item.calendar))
        forced = on_time and cal is not None and planning.rules.overridden(cal, d.item, ZoneInfo(cal.timezone))
        if forced:  # an override holds at its own time, and takes no one's room
            continue
        why = _lay(board, at, d.item, tz, add=False)
        if why is None:
            _lay(board, at, d.item, tz, add=True)
            continue
        if why.startswith("slot already taken"):  # the same instant as another post: the spacing says why
            why = f"too close to another post on this platform (minimum spacing {int(board.limits.spacing // 60)} min)"
        out[d.item.id] = f"{WAITS}: posting it now would break the rule ({why}); a later run sends it"
    return out


def _sent_times(s, posted: list[ContentScheduleItem]) -> dict[str, datetime]:
    """When each posted item really went out: its dispatch time when that was not within GRACE of the plan."""
    out = {}
    for a in s.store.attempts([i.id for i in posted]) if posted else []:
        item_id, at, outcome = a[0], a[4], a[5]
        if outcome == "posted" and at is not None:
            out[item_id] = at if at.tzinfo else at.replace(tzinfo=ZoneInfo("UTC"))
    plan = {i.id: i.scheduled_at for i in posted}
    return {k: v for k, v in out.items() if abs(v - plan[k]) > GRACE}


def _lay(board, at: datetime, item: ContentScheduleItem, tz: ZoneInfo, add: bool) -> str | None:
    local = at.astimezone(tz)
    iso = local.date().isocalendar()
    slot = Slot(at.timestamp(), local.date(), (iso[0], iso[1]), 0.0, None, tz, item.format)
    if add:
        board.add(slot.utc, slot.day, slot.week, slot.fmt)
        return None
    return board.conflict(slot)


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins and not days else ""]
    return "".join(parts) or "0m"
