"""``integrate_with_bulk_job_workflow``: plan a bulk job into a calendar, write file and store.

The steps: read the bulk job; bring the store up to date with the files; read
the calendar (from the store when its file is unchanged, so a large calendar is
not re-parsed); run the pure planner; splice the new items into the calendar
file (atomic write) and mirror them in the store with an audit entry each, in
one transaction.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from calcli.core.errors import Finding, InvalidInput, UsageError
from calcli.core.model import BulkJob, ContentCalendar, ContentScheduleItem, Platform, ScheduleStatus, UserPreferences
from calcli.core.times import now as current_time
from calcli.core.times import zone
from calcli.files.calendar import load_calendar
from calcli.files.preferences import load_preferences
from calcli.files.timing import load_timing
from calcli.operations.editing import Change, Target, apply_change
from calcli.operations.sync import sync_project
from calcli.planning.bulk import load_bulk_job
from calcli.planning.explain import Explanation, explain
from calcli.planning.problem import Booked, PlanInput, PlanResult
from calcli.planning.registry import Registry, load_registry
from calcli.planning.solver import plan
from calcli.planning.variants import derive, title_minimum_platforms, title_problem
from calcli.store import Store, open_store

DEFAULT_PERIOD_DAYS = 91  # a new calendar without --end covers 13 weeks


@dataclass
class PlanOutcome:
    result: PlanResult
    calendar: ContentCalendar
    created: bool
    written: bool
    path: Path
    job: BulkJob
    existing_count: int = 0
    warnings: list[str] = field(default_factory=list)
    output: str | None = None  # the command's output, when it was rendered with the file (see plan_bulk_job)


def plan_bulk_job(
    project,
    bulk_path: Path,
    calendar_name: str,
    *,
    user: str | None = None,
    start: date | None = None,
    end: date | None = None,
    tz: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    render: Callable[[PlanOutcome], str] | None = None,
) -> PlanOutcome:
    """Plan ``bulk_path`` into ``calendars/<calendar_name>.yaml`` (created when missing).

    ``render(outcome)`` is the command's output for a plan that lands (``outcome.written``).
    A big plan renders it in the child process that renders the calendar file, while the store
    is written (see ``calcli.operations.editing.apply_change``); the text is then in ``outcome.output``.

    Example::

        outcome = plan_bulk_job(find_project(), Path("bulk.json"), "Q3")
        [(i.platform.value, i.scheduled_at) for i in outcome.result.items]
    """
    # A plan makes ~10 objects per request and frees few: the cyclic collector would rescan them all
    # again and again (~10% of a 30,000-item plan). Nothing here makes cycles that need it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _plan_bulk_job(project, bulk_path, calendar_name, user, start, end, tz, dry_run, strict, render)
    finally:
        if collecting:
            gc.enable()


def _plan_bulk_job(project, bulk_path, calendar_name, user, start, end, tz, dry_run, strict, render) -> PlanOutcome:
    job = load_bulk_job(bulk_path)
    acting = user or project.config.user
    if job.user_id != acting:
        raise InvalidInput(
            Finding(str(bulk_path), None, None, f"user_id: the bulk job belongs to {job.user_id!r}, not to {acting!r}"),
            hint=f"Run as that user: --user {job.user_id}",
        )
    if start and end and end < start:
        raise UsageError(f"--end {end} is before --start {start}.")
    path = project.calendar_path(calendar_name)
    timing = load_timing(project.timing_dir)
    registry = load_registry(project.timing_dir)
    prefs = load_preferences(project.preferences_path, job.user_id, project.config.timezone)
    with open_store(project) as store:
        sync_project(project, store)
        cal, existing, created = _calendar(store, project, path, calendar_name, job, prefs, start, end, tz)
        _check_target(project, path, cal, job)
        inp = _plan_input(store, project, cal, existing, job, timing, prefs, registry)
        inp.start, inp.end = _window(cal, start, end, inp.now.date())
        result = plan(inp)
        add_variants(registry, job, result.items)
        outcome = PlanOutcome(result, cal, created, False, path, job, len(existing))
        if strict and result.unplaced:
            raise InvalidInput(
                [
                    Finding(str(bulk_path), None, None, f"{u.video_job_id} on {u.platform}: {u.reason}")
                    for u in result.unplaced
                ],
                hint="--strict: nothing was written.",
            )
        if dry_run or (not result.items and not created):
            return outcome
        alongside = (lambda: render(outcome)) if render is not None else None
        outcome.output = _write(store, project, path, cal, existing, result.items, created, job.user_id, alongside)
        outcome.written = True
    return outcome


def _check_target(project, path: Path, cal: ContentCalendar, job: BulkJob) -> None:
    """A plan goes into an active calendar of the bulk job's user."""
    if cal.status == "archived":
        raise UsageError(
            f"calendar {cal.name} is archived; nothing is planned into it.",
            "Plan into another calendar, or set `status: active` in its file.",
        )
    if cal.user_id != job.user_id:
        raise InvalidInput(
            Finding(
                project.rel(path),
                None,
                None,
                f"user: calendar {cal.name} belongs to {cal.user_id!r}; the bulk job is {job.user_id!r}'s",
            )
        )


def _plan_input(store: Store, project, cal, existing, job: BulkJob, timing, prefs: UserPreferences, registry):
    """What the planner needs: the calendar's items and the user's others in its weeks, timing, caps."""
    # Weeks straddle a period's ends: another calendar's items in those weeks count against weekly caps.
    others = store.user_items_outside(
        job.user_id,
        cal.name,
        _instant(cal.period_start - timedelta(days=7), cal),
        _instant(cal.period_end + timedelta(days=8), cal),
    )
    return PlanInput(
        job=job,
        calendar=cal,
        existing=[*existing, *others],
        timing=timing,
        prefs={p: prefs.for_platform(p, cal.timezone) for p in Platform},
        stagger=prefs.stagger,
        now=current_time(zone(cal.timezone)),
        slot_minutes=project.config.slot_minutes,
        keys_elsewhere=store.keys_elsewhere(cal.name, _post_keys(job), job.user_id),
        platform_caps=registry.daily_caps(),
        excluded=_refused_titles(registry, job),
        half_life_days=prefs.planning.half_life_days,
        series_order=prefs.planning.series_order,
    )


def _window(cal: ContentCalendar, start: date | None, end: date | None, today: date) -> tuple[date, date | None]:
    """The days to plan: from ``--start`` (default today, or the period's start if later) to ``--end``.
    A window wholly in the past is invalid input (nothing could be posted in it)."""
    last = min(cal.period_end, end) if end else cal.period_end
    if last < today:
        raise InvalidInput(
            Finding(
                cal.path or cal.name,
                None,
                None,
                f"the planning period ends {last}, in the past (today is {today}); nothing can be planned in it",
            ),
            hint="Plan into another calendar, or give a later --end (a new calendar takes --start/--end).",
        )
    return (start or max(today, cal.period_start)), end


def add_variants(registry: Registry, job: BulkJob, items: list[ContentScheduleItem]) -> None:
    """Each new item gets its platform's title, caption and hashtags, within the platform's limits."""
    videos = {v.video_job_id: v for v in job.videos}
    for item in items:
        v = videos[item.video_job_id]
        variant = derive(registry, item.platform, v.title, v.description, v.hashtags)
        item.title = variant.title
        item.caption = "" if variant.caption == variant.title else variant.caption
        item.hashtags = variant.hashtags


def _post_keys(job: BulkJob) -> list[str]:
    """The idempotency key (bulk job/video/platform) of every post the job asks for, in job order."""
    every = tuple(Platform)
    suffix = {p: "/" + p.value for p in every}  # an Enum's .value is a property call
    prefix = job.bulk_job_id + "/"
    return [f"{prefix}{v.video_job_id}{suffix[p]}" for v in job.videos for p in (v.platforms or every)]


def _refused_titles(registry: Registry, job: BulkJob) -> dict[str, str]:
    """Key → why, for each post whose platform refuses the video's title (title_problem)."""
    every = tuple(Platform)
    checked = title_minimum_platforms(registry)  # title_problem finds nothing on the others
    out = {}
    for v in job.videos:
        for p in v.platforms or every:
            if p in checked and (why := title_problem(registry, p, v.title)) is not None:
                out[f"{job.bulk_job_id}/{v.video_job_id}/{p.value}"] = why
    return out


def _instant(day: date, cal: ContentCalendar) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(tzinfo=zone(cal.timezone))


def _calendar(
    store: Store,
    project,
    path: Path,
    name: str,
    job: BulkJob,
    prefs: UserPreferences,
    start: date | None,
    end: date | None,
    tz: str | None,
):
    """The calendar and its items (file order) from the store, or a new calendar."""
    if path.exists():
        cal = store.calendar(name)
        if cal is None:  # the store could not mirror it (should not happen after sync)
            cf = load_calendar(path)
            return cf.calendar, cf.calendar.items, False
        cal.path = str(path)
        return cal, booked_items(store, name), False
    tzname = tz or prefs.timezone or project.config.timezone
    try:
        zone(tzname)
    except ValueError as exc:
        raise InvalidInput(Finding("--tz", None, None, str(exc))) from None
    today = current_time(zone(tzname)).date()
    ready = [v.ready_at.astimezone(zone(tzname)).date() for v in job.videos if v.ready_at]
    first = start or max([today, *([min(ready)] if ready else [])])
    last = end or first + timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    cal = ContentCalendar(
        name=name,
        user_id=job.user_id,
        timezone=tzname,
        period_start=first,
        period_end=last,
        title=job.name,
        path=str(path),
    )
    return cal, [], True


def booked_items(store: Store, calendar_id: str) -> list[Booked]:
    """The calendar's items as the planner needs them (a plan that writes loads the full items)."""
    platforms = {p.value: p for p in Platform}
    statuses = {s.value: s for s in ScheduleStatus}
    return [
        Booked(key, cal, video, job, platforms[p], fmt or "", statuses[st], us / 1e6, tzname)
        for key, cal, video, job, p, fmt, st, us, tzname in store.item_facts(calendar_id)
    ]


def _write(
    store: Store,
    project,
    path: Path,
    cal: ContentCalendar,
    existing: list[ContentScheduleItem | Booked],
    new: list[ContentScheduleItem],
    created: bool,
    actor: str,
    alongside: Callable[[], str] | None = None,
) -> str | None:
    """Splice ``new`` into the calendar file and mirror it, with a ``planned`` audit entry each
    (``alongside``: see apply_change)."""
    if existing and isinstance(existing[0], Booked):
        existing = store.calendar_items(cal.name)  # the full items, in file order
    target = Target(cal, existing, path, created)
    return apply_change(store, project, target, Change(new=new, planned_by=actor), alongside=alongside)


# ---------------------------------------------------------------- explain


def explain_item(project, item_id: str, user: str | None = None, all_users: bool = False) -> Explanation:
    """Why an item has its slot: its window and score, and what ruled out each better slot."""
    acting = user or project.config.user
    with open_store(project) as store:
        sync_project(project, store)
        found = store.items(ids=[item_id])
        if not found or (found[0].user_id != acting and not all_users):
            raise UsageError(
                f"no item {item_id!r} for user {acting}.", "List items with `calcli sql` or the calendar file."
            )
        item = found[0]
        cal = store.calendar(item.calendar)
        history = store.history(item.id)
        others = store.items(user=item.user_id, exclude_id=item.id, exclude_statuses=("canceled",))
    timing = load_timing(project.timing_dir)
    prefs = load_preferences(project.preferences_path, item.user_id, project.config.timezone)
    caps = load_registry(project.timing_dir).daily_caps()
    return explain(item, cal, others, timing, prefs, history, project.config.slot_minutes, caps)
