"""``calcli check``: validate every project file and the references between them."""

from __future__ import annotations

from pathlib import Path

from calcli.core.errors import Finding, InvalidInput, relative
from calcli.files.calendar import load_calendar
from calcli.files.preferences import parse_preferences
from calcli.files.timing import load_timing
from calcli.planning.bulk import load_bulk_job
from calcli.planning.registry import load_registry
from calcli.planning.variants import Measure, measure


def check_project(project, extra: list[Path] | None = None) -> tuple[list[Finding], int]:
    """Every finding in the project (and in ``extra`` bulk/calendar files); and the file count."""
    findings: list[Finding] = []
    count = 1  # calcli.toml was read when the project was found
    if project.preferences_path.exists():
        count += 1
        _collect(findings, lambda: parse_preferences(project.preferences_path))
    if project.timing_dir.is_dir():
        count += len(list(project.timing_dir.glob("*.yaml")))
        _collect(findings, lambda: load_timing(project.timing_dir))
    registry = _collect(findings, lambda: load_registry(project.timing_dir)) or load_registry()
    keys: dict[str, tuple[str, int | None]] = {}
    ids: dict[str, tuple[str, int | None]] = {}
    for path in sorted(project.calendars_dir.glob("*.yaml")) if project.calendars_dir.is_dir() else []:
        count += 1
        cf = _collect(findings, lambda p=path: load_calendar(p))
        if cf is None:
            continue
        rel = project.rel(path)
        findings.extend(variant_findings(registry, rel, cf.calendar.items))
        for item in cf.calendar.items:
            for seen, value, what in ((keys, item.idempotency_key, "idempotency key"), (ids, item.id, "item id")):
                if value in seen and seen[value][0] != rel:
                    other = f"{seen[value][0]}:{seen[value][1]}"
                    findings.append(Finding(rel, item.line, None, f"duplicate {what} {value!r} (also in {other})"))
                seen.setdefault(value, (rel, item.line))
    for path in extra or []:
        count += 1
        if path.suffix == ".json":
            _collect(findings, lambda p=path: load_bulk_job(p))
        else:
            _collect(findings, lambda p=path: load_calendar(p))
    return sorted(set(findings), key=lambda f: (f.path, f.line or 0, f.column or 0, f.message)), count


def variant_findings(registry, rel: str, items) -> list[Finding]:
    """Titles, captions and hashtag lists (edited by hand, say) over their platform's limits."""
    out = []
    for item in items:
        measures = measure(registry, item.platform, item.title, item.caption)
        limit = registry.get(item.platform).fields.get("hashtags")
        if limit is not None and item.hashtags:
            measures.append(Measure("hashtags", "hashtags", len(item.hashtags), limit))
        for m in measures:
            if m.ok:
                continue
            line = item.field_lines.get(m.field, item.line)
            if m.room < 0:
                what = (
                    f"{m.length} {'weighted ' if m.limit.count == 'x-weighted' else ''}long"
                    if m.field in ("title", "caption")
                    else f"{m.length}"
                )
                msg = (
                    f"items.{m.field}: {item.platform.value} {m.label} is {what}, over the limit of "
                    f"{m.limit.max} by {-m.room} (item {item.id})"
                )
            else:
                msg = f"items.{m.field}: {item.platform.value} {m.label} is shorter than {m.limit.min} (item {item.id})"
            out.append(Finding(rel, line, None, msg))
    return out


def _collect(findings: list[Finding], fn):
    try:
        return fn()
    except InvalidInput as exc:
        findings.extend(relative(f) for f in exc.findings)
        return None
