"""``calcli kpi import``: performance numbers from platform exports into the store.

Files are CSV, JSON (an array of objects) or NDJSON; their layout is the
canonical one (README) or one of ``timing_data/kpi_layouts.yaml``, detected
from the headers or named with ``--layout``. Each row is a snapshot of one
post's numbers at ``metric_at``; its event key (platform, post, time) makes a
re-import add nothing, and analysis uses each post's latest snapshot, so a
later export updates the numbers without counting them twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from calcli import files
from calcli.core.errors import Finding, InvalidInput, UsageError
from calcli.core.model import KPI_COLUMNS, Platform
from calcli.core.times import now as current_time
from calcli.core.times import parse_instant
from calcli.operations.sync import sync_project
from calcli.store import open_store
from calcli.store.base import ImportResult


@dataclass
class Layout:
    name: str
    platform: str | None
    detect: list[str]
    columns: dict[str, tuple[str, float]]  # normalised header -> (canonical, scale)


def _norm(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", header.strip().lower())


def load_layouts() -> dict[str, Layout]:
    path = resources.files("calcli.timing_data") / "kpi_layouts.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = {}
    for name, spec in data["layouts"].items():
        cols = {}
        for header, target in spec["columns"].items():
            if isinstance(target, dict):
                cols[_norm(header)] = (target["to"], float(target.get("scale", 1)))
            else:
                cols[_norm(header)] = (target, 1.0)
        out[name] = Layout(name, spec.get("platform"), [_norm(h) for h in spec["detect"]], cols)
    return out


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".ndjson", ".jsonl"):
        return "ndjson"
    if suffix == ".json":
        head = path.read_bytes()[:200].lstrip()
        return "json" if head.startswith(b"[") else "ndjson"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    raise UsageError(f"{path}: not a CSV, JSON or NDJSON file (by its name).")


def choose_layout(headers: list[str], layouts: dict[str, Layout], name: str | None, path: Path) -> Layout:
    norm = {_norm(h) for h in headers}
    if name:
        if name not in layouts:
            raise UsageError(f"no layout {name!r} (known: {', '.join(layouts)}).")
        return layouts[name]
    for layout in layouts.values():
        if all(h in norm for h in layout.detect):
            return layout
    raise InvalidInput(
        Finding(
            str(path),
            1,
            None,
            "the header matches no known layout (canonical columns: "
            + ", ".join(KPI_COLUMNS)
            + "); name one with --layout",
        )
    )


@dataclass
class FileReport:
    path: str
    layout: str
    result: ImportResult


def import_kpis(
    project,
    paths: list[Path],
    user: str | None = None,
    layout: str | None = None,
    platform: str | None = None,
    as_of: str | None = None,
    strict: bool = False,
    dry_run: bool = False,
    on_file=None,
) -> list[FileReport]:
    """Import each file; with ``strict`` (or ``dry_run``) nothing is written when any row is bad
    (or at all). One transaction for everything. ``on_file(1)`` is called after each file (a
    progress display)."""
    acting = user or project.config.user
    layouts = load_layouts()
    if platform:
        try:
            platform = Platform.parse(platform).value
        except ValueError:
            raise UsageError(f"unknown platform {platform!r}.") from None
    if as_of:
        try:
            as_of = parse_instant(as_of).isoformat()
        except ValueError as exc:
            raise UsageError(f"--as-of: {exc}") from None
    for path in paths:
        if not path.is_file():
            raise InvalidInput(Finding(str(path), None, None, "file not found"))
    reports = []
    with open_store(project) as store:
        sync_project(project, store)
        now = current_time().replace(tzinfo=None)
        with store.atomic() as tx:
            for path in paths:
                reports.append(_import_one(store, project, path, layouts, layout, acting, now, platform, as_of, strict))
                if on_file is not None:
                    on_file(1)
            bad = sum(r.result.rejected_count for r in reports)
            if dry_run or (strict and bad):
                tx.discard()
    return reports


def _import_one(store, project, path: Path, layouts, layout, user, now, platform, as_of, strict) -> FileReport:
    """One file: its layout from its header, then its rows (see ``Store.import_kpi_file``)."""
    kind = file_kind(path)
    try:
        headers = store.kpi_columns(str(path), kind)
    except Exception as exc:  # noqa: BLE001 - the engine's reader errors become a finding
        raise InvalidInput(unreadable(path, kind, exc)) from None
    chosen = choose_layout(headers, layouts, layout, path)
    mapping = {}
    for h in headers:
        target = chosen.columns.get(_norm(h))
        if target and target[0] not in mapping:
            mapping[target[0]] = (h, target[1])
    options = dict(imported_at=now, default_platform=platform or chosen.platform, as_of=as_of, strict=strict)
    try:
        result = store.import_kpi_file(
            str(path), kind, mapping, user, project.rel(path), **options, first_line=2 if kind == "csv" else 1
        )
    except Exception as exc:  # a reader error past the lines the header was read from
        finding = unreadable(path, kind, exc, located_only=True)
        if finding is None:
            raise
        raise InvalidInput(finding) from None
    return FileReport(project.rel(path), chosen.name, result)


_ENGINE_LINE = re.compile(r"\bon line:? (\d+)|\bin line (\d+)", re.I)


def unreadable(path: Path, kind: str, exc: Exception, located_only: bool = False) -> Finding | None:
    """Why the engine could not read an export, at its line (and column) when the file shows where:
    text that is not UTF-8, JSON that does not parse (line:column, not the engine's byte), else the
    line the engine names. ``located_only``: None when no line can be found (the error is not the file's)."""
    try:
        files.text.read_text(path)
        if kind == "json":
            files.jsonio.load_json(path)
    except InvalidInput as bad:
        return bad.findings[0]
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    found = _ENGINE_LINE.search(first)
    if found:
        line = int(found[1] or found[2])
        return Finding(str(path), line, None, f"cannot read it as {kind}: {first}")
    if located_only:
        return None
    return Finding(str(path), None, None, f"cannot read it as {kind}: {first}")
