"""``calcli check``: every project file valid, and every calendar within the rules calcli keeps itself.

What the files must hold: valid YAML/TOML of the documented shapes; item ids and keys unique across
calendars; each item's format one of its platform's; its title and text within the platform's
limits; the planner's hard rules (caps, spacing, avoided days and hours, blackouts, the stagger; see
:mod:`calcli.planning.rules`) unless an override exception says otherwise; and a status changed by
hand a legal step from the status the store last knew.
"""

from __future__ import annotations

from pathlib import Path

from calcli import store as stores
from calcli.core.errors import Finding, InvalidInput, StoreUnreachable, relative
from calcli.core.model import ContentScheduleItem, UserPreferences
from calcli.files.calendar import CalendarFile, load_calendar
from calcli.files.preferences import parse_preferences
from calcli.files.timing import load_timing
from calcli.planning import rules
from calcli.planning.bulk import load_bulk_job
from calcli.planning.registry import load_registry
from calcli.planning.variants import Measure, measure


def check_project(project, extra: list[Path] | None = None) -> tuple[list[Finding], int]:
    """Every finding in the project (and in ``extra`` bulk/calendar files); and the file count."""
    findings: list[Finding] = []
    count = 1  # calcli.toml was read when the project was found
    users: dict[str, UserPreferences] = {}
    if project.preferences_path.exists():
        count += 1
        users = _collect(findings, lambda: parse_preferences(project.preferences_path)) or {}
    if project.timing_dir.is_dir():
        count += len(list(project.timing_dir.glob("*.yaml")))
    timing = _collect(findings, lambda: load_timing(project.timing_dir))
    registry = _collect(findings, lambda: load_registry(project.timing_dir)) or load_registry()
    calendars: list[tuple[str, CalendarFile]] = []
    for path in sorted(project.calendars_dir.glob("*.yaml")) if project.calendars_dir.is_dir() else []:
        count += 1
        cf = _collect(findings, lambda p=path: load_calendar(p))
        if cf is not None:
            calendars.append((project.rel(path), cf))
    findings += duplicates(calendars)
    for rel, cf in calendars:
        findings += variant_findings(registry, rel, cf.calendar.items)
        if timing is not None:
            findings += format_findings(rel, cf.calendar.items, timing)
            findings += rule_findings(rel, cf, calendars, timing, users, project, registry.daily_caps())
    findings += step_findings(project, calendars)
    for path in extra or []:
        count += 1
        if path.suffix == ".json":
            _collect(findings, lambda p=path: load_bulk_job(p))
        else:
            _collect(findings, lambda p=path: load_calendar(p))
    return sorted(set(findings), key=lambda f: (f.path, f.line or 0, f.column or 0, f.message)), count


def duplicates(calendars: list[tuple[str, CalendarFile]]) -> list[Finding]:
    """Item ids and idempotency keys used by two calendars (within one, the parser finds them)."""
    out = []
    keys: dict[str, tuple[str, int | None]] = {}
    ids: dict[str, tuple[str, int | None]] = {}
    for rel, cf in calendars:
        for item in cf.calendar.items:
            for seen, value, what in ((keys, item.idempotency_key, "idempotency key"), (ids, item.id, "item id")):
                if value in seen and seen[value][0] != rel:
                    other = f"{seen[value][0]}:{seen[value][1]}"
                    out.append(Finding(rel, item.line, None, f"duplicate {what} {value!r} (also in {other})"))
                seen.setdefault(value, (rel, item.line))
    return out


def rule_findings(rel, cf: CalendarFile, calendars, timing, users, project, caps) -> list[Finding]:
    """The planner's hard rules over one calendar, the user's other calendars counting too."""
    cal = cf.calendar
    others = [
        i for r, other in calendars if r != rel and other.calendar.user_id == cal.user_id for i in other.calendar.items
    ]
    prefs = users.get(cal.user_id) or UserPreferences(cal.user_id, project.config.timezone)
    by_name = {other.calendar.name: other.calendar for r, other in calendars if r != rel}
    forced = rules.forced_ids(others, by_name.get)
    return [rule_finding(rel, item, why) for item, why in rules.violations(cal, others, timing, prefs, caps, forced)]


def rule_finding(rel: str, item: ContentScheduleItem, why: str) -> Finding:
    return Finding(
        rel,
        item.field_lines.get("at", item.line),
        None,
        f"items.at: {item.platform.value} item {item.id} at {item.scheduled_at.isoformat()}: {why}; move it with "
        f"`calcli item move {item.id} --to TIME` (--force records an override exception)",
    )


def step_findings(project, calendars: list[tuple[str, CalendarFile]]) -> list[Finding]:
    """Statuses changed by hand, against what the store last knew (nothing to compare without a store,
    or with a PostgreSQL store that does not answer: a pre-commit hook must work offline)."""
    if not project.store_is_server and not project.store_path.exists():
        return []
    out = []
    try:
        with stores.open_store(project, read_only=True) as store:
            for rel, cf in calendars:
                steps = rules.status_steps(store.calendar_items(cf.calendar.name), cf.calendar.items)
                out += [step_finding(rel, item, why) for item, why in steps]
    except StoreUnreachable:
        return []
    return out


def step_finding(rel: str, item: ContentScheduleItem, why: str) -> Finding:
    return Finding(rel, item.field_lines.get("status", item.line), None, f"items.status: item {item.id}: {why}")


def format_findings(rel: str, items: list[ContentScheduleItem], timing) -> list[Finding]:
    """An item's format must be one of its platform's (as ``calcli platforms`` lists them)."""
    out = []
    for item in items:
        if timing.get(item.platform, item.format) is None:
            known = ", ".join(f.format for f in timing.for_platform(item.platform))
            line = item.field_lines.get("format", item.line)
            msg = f"items.format: {item.format!r} is not a {item.platform.value} format (known: {known})"
            out.append(Finding(rel, line, None, msg))
    return out


def variant_findings(registry, rel: str, items) -> list[Finding]:
    """Titles, texts and hashtag lists (edited by hand, say) over their platform's limits. A post's text
    is its caption, else its title (as dispatch sends it), so an X title over 280 weighted is one."""
    out = []
    for item in items:
        fields = registry.get(item.platform).fields
        text_is_title = not item.caption and "title" not in fields
        measures = measure(registry, item.platform, item.title, item.caption or (item.title if text_is_title else ""))
        limit = fields.get("hashtags")
        if limit is not None and item.hashtags:
            measures.append(Measure("hashtags", "hashtags", len(item.hashtags), limit))
        for m in measures:
            if not m.ok:
                field = "title" if text_is_title and m.field in ("caption", "hashtags", "mentions") else m.field
                out.append(Finding(rel, item.field_lines.get(field, item.line), None, _limit_text(item, m, field)))
    return out


def _limit_text(item: ContentScheduleItem, m: Measure, field: str) -> str:
    if m.room >= 0:
        return f"items.{field}: {item.platform.value} {m.label} is shorter than {m.limit.min} (item {item.id})"
    what = (
        f"{m.length} {'weighted ' if m.limit.count == 'x-weighted' else ''}long"
        if m.field in ("title", "caption")
        else f"{m.length}"
    )
    return (
        f"items.{field}: {item.platform.value} {m.label} is {what}, over the limit of "
        f"{m.limit.max} by {-m.room} (item {item.id})"
    )


def _collect(findings: list[Finding], fn):
    try:
        return fn()
    except InvalidInput as exc:
        findings.extend(relative(f) for f in exc.findings)
        return None
