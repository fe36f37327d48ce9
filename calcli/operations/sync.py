"""Keep the store in step with the project's files, one file at a time.

The files own calendars, items, blackouts, assignments, preferences and
timing data; the store mirrors them. A file whose size and mtime are unchanged
is not read; one whose content hash is unchanged is not parsed. A changed
calendar is parsed, diffed against the store, and its differences recorded in
``item_history`` (actor ``file``): hand edits are part of the audit trail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from calcli import files, operations, planning  # parsers and rules load only for a changed file
from calcli.core.errors import Finding, InvalidInput
from calcli.core.model import WEEKDAYS, ContentScheduleItem, UserPreferences
from calcli.core.times import utc_stamp
from calcli.store.base import Store


@dataclass
class SyncReport:
    read: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    history_rows: int = 0


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sync_project(project, store: Store, force: bool = False, record: bool = True) -> SyncReport:
    """Bring the store up to date with every file of ``project``; all-or-nothing.

    ``force`` reads every file; ``record=False`` (a rebuild) adds no history rows.
    """
    report = SyncReport()
    for folder in (project.root, project.calendars_dir, project.timing_dir):
        files.text.sweep_temps(folder)  # what a killed calcli left: never read, never committed
    states = {} if force else store.file_states()
    known = store.file_states()
    changed, stat_only, seen = _scan_calendars(project, states, report)
    if record and changed:
        _refuse_illegal(project, store, [cf.calendar for _, cf, *_ in changed])
    gone = [p for p, s in known.items() if s[0] == "calendar" and p not in seen]
    findings: list[Finding] = []
    prefs_rows, timing_rows = _side_files(project, states, findings)
    if findings:
        raise InvalidInput(findings)
    with store.atomic():
        for rel in gone:
            _forget_calendar(store, rel, known[rel][1], record, report)
        for rel, old, mtime, size in stat_only:
            store.set_file_state(rel, old[0], old[1], old[2], mtime, size)
        for rel, cf, sha, mtime, size in changed:
            cal = cf.calendar
            if record:
                rows = diff_history(store.calendar_items(cal.name), cal.items, cal.name, cal.user_id, "file")
                store.add_history(rows)
                report.history_rows += len(rows)
            store.replace_calendar(cal, cal.items)
            store.set_file_state(rel, "calendar", cal.name, sha, mtime, size)
            report.read.append(rel)
        for rows, writer in ((prefs_rows, store.replace_preferences), (timing_rows, store.replace_timing)):
            if rows is not None:
                data, path_info = rows
                writer(data)
                for rel, kind, sha, mtime, size in path_info:
                    store.set_file_state(rel, kind, "", sha, mtime, size)
                    report.read.append(rel)
    return report


def _scan_calendars(project, states: dict, report: SyncReport) -> tuple[list, list, set]:
    """The calendar files that changed (parsed), those whose content is the same (only their stat
    changed), and every calendar file seen. Unchanged size and mtime: not read; same hash: not parsed."""
    changed, stat_only, seen = [], [], set()
    findings: list[Finding] = []
    for path in sorted(project.calendars_dir.glob("*.yaml")) if project.calendars_dir.is_dir() else []:
        rel = project.rel(path)
        seen.add(rel)
        st = path.stat()
        old = states.get(rel)
        if old and old[3] == st.st_mtime_ns and old[4] == st.st_size:
            report.unchanged += 1
            continue
        sha = file_hash(path.read_bytes())
        if old and old[2] == sha:
            stat_only.append((rel, old, st.st_mtime_ns, st.st_size))
            report.unchanged += 1
            continue
        try:
            cf = files.calendar.load_calendar(path)
        except InvalidInput as exc:
            findings.extend(exc.findings)
            continue
        changed.append((rel, cf, sha, st.st_mtime_ns, st.st_size))
    if findings:
        raise InvalidInput(findings)
    return changed, stat_only, seen


def _refuse_illegal(project, store: Store, calendars: list) -> None:
    """A calendar file changed by hand must hold what calcli would do itself: legal status steps from
    what the store knew, its platforms' formats and text limits, and the planner's hard rules
    (:mod:`calcli.planning.rules`); else nothing is mirrored and the findings say what to do."""
    timing = files.timing.load_timing(project.timing_dir)
    registry = planning.registry.load_registry(project.timing_dir)
    caps = registry.daily_caps()
    users = files.preferences.parse_preferences(project.preferences_path) if project.preferences_path.exists() else {}
    changed = {cal.name for cal in calendars}
    by_name = {c.name: c for c in calendars}

    def calendar_of(name: str):
        return by_name.get(name) or store.calendar(name)

    findings: list[Finding] = []
    for cal in calendars:
        rel = project.rel(Path(cal.path))
        steps = planning.rules.status_steps(store.calendar_items(cal.name), cal.items)
        findings += [operations.check.step_finding(rel, item, why) for item, why in steps]
        findings += operations.check.format_findings(rel, cal.items, timing)
        findings += operations.check.variant_findings(registry, rel, cal.items)
        others = [i for i in store.items(user=cal.user_id) if i.calendar not in changed]
        others += [i for c in calendars if c.name != cal.name and c.user_id == cal.user_id for i in c.items]
        prefs = users.get(cal.user_id) or UserPreferences(cal.user_id, project.config.timezone)
        forced = planning.rules.forced_ids(others, calendar_of)
        broken = planning.rules.violations(cal, others, timing, prefs, caps, forced)
        findings += [operations.check.rule_finding(rel, item, why) for item, why in broken]
    if findings:
        raise InvalidInput(findings, hint="Nothing was synced: fix the file (or `git checkout` it), then run again.")


def _forget_calendar(store: Store, rel: str, calendar_id: str, record: bool, report: SyncReport) -> None:
    """A calendar file is gone: its items leave the mirror, each with a ``deleted`` history row."""
    cal = store.calendar(calendar_id)
    if record and cal is not None:
        rows = diff_history(store.calendar_items(calendar_id), [], calendar_id, cal.user_id, "file")
        store.add_history(rows)
        report.history_rows += len(rows)
    store.forget_file(rel)
    report.removed.append(rel)


def diff_history(
    before: list[ContentScheduleItem], after: list[ContentScheduleItem], calendar_id: str, user_id: str, actor: str
) -> list[tuple]:
    """History rows for what changed between two versions of a calendar's items."""
    now = utc_stamp()
    old = {i.id: i for i in before}
    new = {i.id: i for i in after}

    def row(item_id: str, action: str, key=None, was=None, now_value=None) -> tuple:
        return (now, item_id, calendar_id, user_id, actor, action, key, was, now_value)

    rows = []
    for item_id, item in new.items():
        if item_id not in old:
            rows.append(row(item_id, "created", now_value=f"{item.platform.value} {item.scheduled_at.isoformat()}"))
            continue
        a, b = files.calendar_emit.item_fields(old[item_id]), files.calendar_emit.item_fields(item)
        rows += [
            row(item_id, "edited", k, _s(a.get(k)), _s(b.get(k)))
            for k in sorted(set(a) | set(b))
            if a.get(k) != b.get(k)
        ]
    for item_id, item in old.items():
        if item_id not in new:
            rows.append(row(item_id, "deleted", was=f"{item.platform.value} {item.scheduled_at.isoformat()}"))
    return rows


def _s(v) -> str | None:
    return None if v is None else str(v)


def _side_files(project, states: dict, findings: list[Finding]):
    """Preferences and project timing overrides: re-read when any of them changed (their parsers
    are imported only then: a command that only reads need not load them)."""
    prefs_path = project.preferences_path
    prefs_rows = None
    info = _changed([prefs_path], project, states, "preferences")
    if info is not None:
        try:
            users = files.preferences.parse_preferences(prefs_path) if prefs_path.exists() else {}
            prefs_rows = ([_pref_row(p) for u in users.values() for p in u.platforms.values()], info)
        except InvalidInput as exc:
            findings.extend(exc.findings)
    timing_files = sorted(project.timing_dir.glob("*.yaml")) if project.timing_dir.is_dir() else []
    timing_rows = None
    info = _changed(timing_files, project, states, "timing")
    if info is not None or not any(s[0] == "timing-shipped" for s in states.values()):
        try:
            table = files.timing.load_timing(project.timing_dir)
            timing_rows = (_timing_rows(table), (info or []) + [("<shipped>", "timing-shipped", "", 0, 0)])
        except InvalidInput as exc:
            findings.extend(exc.findings)
    return prefs_rows, timing_rows


def _changed(paths: list[Path], project, states: dict, kind: str):
    info = []
    changed = False
    known = {p for p, s in states.items() if s[0] == kind}
    for path in paths:
        if not path.exists():
            continue
        rel = project.rel(path)
        data = path.read_bytes()
        st = path.stat()
        sha = file_hash(data)
        info.append((rel, kind, sha, st.st_mtime_ns, st.st_size))
        old = states.get(rel)
        if not old or old[2] != sha:
            changed = True
        known.discard(rel)
    if known:
        changed = True
    return info if changed or (paths and not states) else None


def _pref_row(p) -> tuple:

    def days(s):
        return ",".join(WEEKDAYS[d] for d in sorted(s))

    def hours(h):
        return ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in h)

    return (
        p.user_id,
        p.platform.value,
        p.timezone,
        p.posting_frequency_min,
        p.posting_frequency_max,
        p.max_per_day,
        p.min_spacing_minutes,
        days(p.preferred_days),
        days(p.avoided_days),
        hours(p.preferred_hours),
        hours(p.avoided_hours),
        p.enabled,
    )


def _timing_rows(table) -> list[tuple]:
    rows = []
    for fmts in table.formats.values():
        for f in fmts:
            for w in f.windows:
                end = w.end.hour * 60 + w.end.minute or 1440
                for d in sorted(w.days):
                    rows.append(
                        (
                            f.platform.value,
                            f.format,
                            d,
                            w.start.hour * 60 + w.start.minute,
                            end,
                            w.score,
                            w.source,
                            f.frequency.min_per_week,
                            f.frequency.max_per_week,
                            f.frequency.max_per_day,
                            f.min_duration,
                            f.max_duration,
                            "shipped",
                            f.checked,
                        )
                    )
    return rows


def rebuild_project(project, store: Store) -> SyncReport:
    """Empty the file-owned tables and mirror every file anew; store-owned data stays."""
    with store.atomic():
        store.clear_file_owned()
    return sync_project(project, store, force=True, record=False)
