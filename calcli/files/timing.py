"""Platform timing baselines: load ``timing_data/``, apply project overrides, map formats.

The shipped baselines live in the ``calcli.timing_data`` package (the
repository's top-level ``timing_data/``). A project's own
``timing_data/<platform>.yaml`` replaces the formats it names. A platform with
no data at all gets :data:`FALLBACK` and a warning.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from importlib import resources
from pathlib import Path

from calcli.core.errors import Finding, InvalidInput
from calcli.core.model import WEEKDAYS, Frequency, Platform, PlatformTimingData, TimingWindow
from calcli.core.times import parse_hhmm
from calcli.core.timing import FALLBACK_NOTE, TimingTable, aspect_value
from calcli.files.fields import Fields
from calcli.files.yamlio import compose

# Registries that live beside the timing files but are not timing files: the content limits
# (calcli.planning.variants) and the KPI export layouts (calcli.analytics.kpi).
NOT_TIMING = frozenset({"limits.yaml", "kpi_layouts.yaml", "learned.yaml"})
# Windows learned from the user's own numbers (``calcli optimize --apply``): they replace the
# windows of the formats they name, after the research baselines and the project's overrides.
LEARNED_FILE = "learned.yaml"


def shipped_files() -> dict[str, Path]:
    """The shipped ``<platform>.yaml`` files, by platform id."""
    root = resources.files("calcli.timing_data")
    return {p.name[:-5]: Path(str(p)) for p in root.iterdir() if p.name.endswith(".yaml") and p.name not in NOT_TIMING}


def load_timing(project_dir: Path | None = None, learned: bool = True) -> TimingTable:
    """Shipped baselines with the project's overrides applied, then (unless ``learned`` is
    False) the windows ``calcli optimize --apply`` learned from the user's numbers.

    >>> load_timing().for_platform(Platform.YOUTUBE)[0].format
    'short'
    """
    files = shipped_files()
    findings: list[Finding] = []
    formats: dict[Platform, list[PlatformTimingData]] = {}
    for _, path in sorted(files.items()):
        platform, fmts = parse_timing_file(path, findings)
        if platform:
            formats[platform] = fmts
    if project_dir is not None and project_dir.is_dir():
        for path in sorted(p for p in project_dir.glob("*.yaml") if p.name not in NOT_TIMING):
            platform, fmts = parse_timing_file(path, findings)
            if platform and not _named_for(path, platform, findings):
                continue
            if platform:
                merged = {f.format: f for f in formats.get(platform, [])}
                order = [f.format for f in fmts] + [k for k in merged if k not in {f.format for f in fmts}]
                merged.update({f.format: f for f in fmts})
                formats[platform] = [merged[k] for k in order]
    if learned and project_dir is not None and (project_dir / LEARNED_FILE).is_file():
        apply_learned(project_dir / LEARNED_FILE, formats, findings)
    if findings:
        raise InvalidInput(findings)
    warnings = [FALLBACK_NOTE.format(platform=p.value) for p in Platform if p not in formats]
    return TimingTable(formats, warnings)


WINDOW_KEYS = {"days", "start", "end", "score", "source"}
LEARNED_WINDOW_KEYS = WINDOW_KEYS | {"prior", "posts", "lift"}


def _named_for(path: Path, platform: Platform, findings: list[Finding]) -> bool:
    """A project timing file is named for its platform (``tiktok.yaml`` holds ``platform: tiktok``),
    so ``calcli platforms`` credits the right file and a file never replaces another platform's windows."""
    try:
        named = Platform.parse(path.stem)
    except ValueError:
        named = None
    if named == platform:
        return True
    line = next(
        (n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("platform:")),
        None,
    )
    fix = f"rename the file {platform.value}.yaml" + (f", or write `platform: {named.value}`" if named else "")
    findings.append(Finding(str(path), line, None, f"platform: {platform.value} in a file named {path.name}; {fix}"))
    return False


LEARNED_KEYS = {"learned_at", "metric", "posts", "platforms"}
FORMAT_KEYS = {"label", "duration", "aspects", "aspect_range", "frequency", "windows", "auto"}
FILE_KEYS = {"platform", "checked", "sources", "formats"}


def parse_timing_file(path: Path, findings: list[Finding]) -> tuple[Platform | None, list[PlatformTimingData]]:
    """Parse one timing file; problems are appended to ``findings``."""
    try:
        root = compose(path)
    except InvalidInput as exc:
        findings.extend(exc.findings)
        return None, []
    doc = Fields(path, root, findings)
    if not doc.ok:
        return None, []
    doc.unknown(FILE_KEYS)
    platform = doc.convert("platform", Platform.parse, required=True, what="platform")
    checked = doc.str("checked", default="")
    sources: dict[str, str] = {}
    src = doc.map("sources")
    if src:
        for name in src.keys:
            sources[name] = src.str(name) or ""
    fmts = doc.map("formats", required=True)
    out: list[PlatformTimingData] = []
    if fmts is None or platform is None:
        return None, []
    for name in fmts.keys:
        f = fmts.map(name)
        if f is None:
            continue
        f.unknown(FORMAT_KEYS)
        data = _parse_format(f, platform, name, sources, checked)
        if data:
            out.append(data)
    return platform, out


def _parse_format(f: Fields, platform: Platform, name: str, sources: dict, checked: str):
    findings_before = len(f.findings)
    dur = f.map("duration")
    dmin = dmax = None
    if dur:
        dmin = dur.number("min", minimum=0)
        dmax = dur.number("max", minimum=0)
        if dmin is not None and dmax is not None and dmin > dmax:
            dur.error(dur.node, f"min {dmin} is above max {dmax}")
    aspects = tuple(f.str_list("aspects") or [])
    for a in aspects:
        if aspect_value(a) is None:
            f.error(f.node_of("aspects"), f"{a!r} is not an aspect ratio like 9:16", "aspects")
    rng = f.str_list("aspect_range")
    if rng is not None and (len(rng) != 2 or None in map(aspect_value, rng)):
        f.error(f.node_of("aspect_range"), 'expected [narrowest, widest], e.g. ["1:3", "3:1"]', "aspect_range")
        rng = None
    freq = f.map("frequency")
    frequency = Frequency()
    if freq:
        frequency = Frequency(
            freq.number("min_per_week", integer=True, minimum=0),
            freq.number("max_per_week", integer=True, minimum=1),
            freq.number("max_per_day", integer=True, minimum=1),
        )
    windows = []
    for wnode in f.list("windows", required=True) or []:
        w = Fields(f.path, wnode, f.findings, f"{f.where}.windows")
        if not w.ok:
            continue
        w.unknown(WINDOW_KEYS)
        win = parse_window(w)
        if win:
            if win.source and sources and win.source not in sources:
                w.error(w.node_of("source"), f"source {win.source!r} is not listed under sources", "source")
            windows.append(win)
    if len(f.findings) > findings_before:
        return None
    data = PlatformTimingData(
        platform=platform,
        format=name,
        windows=windows,
        frequency=frequency,
        label=f.str("label", default=name) or name,
        min_duration=dmin,
        max_duration=dmax,
        aspects=aspects,
        sources=sources,
        checked=checked,
        aspect_range=tuple(aspect_value(a) for a in rng) if rng else None,
        auto=bool(f.bool("auto", default=True)),
    )
    return data


def apply_learned(path: Path, formats: dict[Platform, list[PlatformTimingData]], findings: list[Finding]) -> None:
    """Replace the windows of each (platform, format) that ``learned.yaml`` names."""

    try:
        root = compose(path)
    except InvalidInput as exc:
        findings.extend(exc.findings)
        return
    doc = Fields(path, root, findings)
    if not doc.ok:
        return
    doc.unknown(LEARNED_KEYS)
    platforms = doc.map("platforms", required=True)
    for pname in platforms.keys if platforms else []:
        p = platforms.map(pname)
        try:
            platform = Platform.parse(pname)
        except ValueError:
            platforms.error(platforms.keys[pname][0], f"{pname!r} is not a platform", pname)
            continue
        if p is None:
            continue
        p.unknown({"posts", "formats"})
        fmts = p.map("formats", required=True)
        known = {f.format: i for i, f in enumerate(formats.get(platform, []))}
        for fname in fmts.keys if fmts else []:
            if fname not in known:
                fmts.error(fmts.keys[fname][0], f"{platform.value} has no format {fname!r}", fname)
                continue
            windows = []
            for wnode in fmts.list(fname, required=True) or []:
                w = Fields(path, wnode, findings, f"{fmts.where}.{fname}")
                if w.ok:
                    w.unknown(LEARNED_WINDOW_KEYS)
                    win = parse_window(w)
                    if win:
                        windows.append(win)
            i = known[fname]
            formats[platform][i] = replace(formats[platform][i], windows=windows, learned=True)


def parse_days(values: list[str], fields: Fields, key: str) -> frozenset[int]:
    days = set()
    for v in values:
        d = v.strip().lower()[:3]
        if d not in WEEKDAYS:
            fields.error(fields.node_of(key), f"{v!r} is not a weekday (mon … sun)", key)
        else:
            days.add(WEEKDAYS.index(d))
    return frozenset(days)


def parse_window(w: Fields) -> TimingWindow | None:
    """A ``{days, start, end, score}`` mapping; a reversed or empty window is a finding."""
    days = parse_days(w.str_list("days", required=True) or [], w, "days")
    start = w.convert("start", parse_hhmm, required=True, what="time")
    end = w.convert("end", parse_hhmm, required=True, what="time")
    score = w.number("score", required=True, minimum=0.0, maximum=1.0)
    if start is not None and end is not None and end != time(0) and end <= start:
        w.error(w.node_of("end"), f"window ends ({end:%H:%M}) before it starts ({start:%H:%M})", "end")
        return None
    if None in (start, end, score) or not days:
        return None
    return TimingWindow(days, start, end, float(score), w.str("source", default="") or "")
