"""``calcli export`` and ``calcli import``: schedules in and out (.ics, CSV, JSON, Hootsuite, Buffer)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from calcli import exchange, operations
from calcli.cli.completion import complete_platform
from calcli.cli.context import env, find_project
from calcli.cli.options import (
    DryRunOpt,
    FormatOpt,
    JsonOpt,
    SinceOpt,
    UntilOpt,
    UserOpt,
    day_range,
    output_format,
    parse_platform,
)
from calcli.cli.progress import progress
from calcli.cli.render import emit_rows
from calcli.core.errors import ExitStatus, InvalidInput, relative
from calcli.core.model import ScheduleStatus


class Target(str, Enum):
    ics = "ics"
    vdir = "vdir"
    csv = "csv"
    json = "json"
    hootsuite = "hootsuite"
    buffer = "buffer"


class Source(str, Enum):
    hootsuite = "hootsuite"
    buffer = "buffer"
    csv = "csv"
    ics = "ics"


IMPORT_COLUMNS = ["line", "id", "platform", "format", "scheduled_at", "title", "change"]

TzOpt = Annotated[
    str | None,
    typer.Option("--tz", help="Hootsuite/Buffer: the profile's time zone (default: the calendar's)."),
]


OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (default: stdout); a folder (or a path ending in /) gets one file per platform.",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_file)


def _statuses(values: list[str] | None):
    if not values:
        return None
    out = []
    for v in values:
        try:
            out.append(ScheduleStatus(v.strip().lower()))
        except ValueError:
            known = ", ".join(s.value for s in ScheduleStatus)
            raise typer.BadParameter(f"unknown status {v!r} (known: {known})", param_hint="--status") from None
    return out


def export(
    ctx: typer.Context,
    target: Annotated[
        Target,
        typer.Option(
            "--format",
            "-f",
            help="ics (RFC 5545), vdir (one .ics per item, for vdirsyncer/khal), csv or json (calcli's columns), "
            "hootsuite, buffer.",
        ),
    ],
    calendar: Annotated[
        list[str] | None, typer.Option("--calendar", "-c", help="Only this calendar (repeat for several).")
    ] = None,
    platform: Annotated[
        list[str] | None,
        typer.Option("--platform", help="Only this platform (repeat).", autocompletion=complete_platform),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="Only items with this status (repeat). Default: all; planned and scheduled for hootsuite and buffer.",
        ),
    ] = None,
    output: OutputOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    tz: TzOpt = None,
    user: UserOpt = None,
) -> None:
    """Export items as .ics for calendar apps, as CSV/JSON, or as a bulk-upload CSV for Hootsuite or Buffer.

    Hootsuite and Buffer take one profile a file: give --platform, or -o FOLDER/ for one
    file per platform (more rows than the target takes a file, 350 or 100, go into numbered
    files). Rows that break the target's rules (time not on Hootsuite's 5-minute grid or less
    than 10 minutes ahead, a duplicate message or time slot; a past Buffer time) are reported
    on stderr with the item id and the rule and left out; nothing is rounded. Exit 5 when
    some rows were left out, 3 when all were. A vdir (-f vdir -o FOLDER/) holds one
    UID.ics per item; a file whose event did not change is not rewritten, and a file calcli
    wrote there for an item no longer exported (of the -c calendars; without -c, of any) is
    removed. Files calcli did not write are left alone.

    Example: calcli export --format ics --calendar Q3 -o q3.ics
    """
    e = env(ctx)
    platforms = [parse_platform(p) for p in platform or []]
    statuses = _statuses(status)
    first, last = day_range(since, until)
    names = list(dict.fromkeys(calendar or []))
    with operations.session.session(find_project(e), user) as s:
        items, zones = exchange.export.select_items(s, names, platforms, statuses, target.value, first, last)
        sequences = exchange.export.sequences(s, items) if target.value in ("ics", "vdir") else None
    one = names[0] if len(names) == 1 else None
    result = exchange.export.export_items(items, zones, target.value, output, one, tz, sequences, names or None)
    for r in result.rejected:
        print(f"Error: {r.item_id}: {r.rule}; not exported", file=sys.stderr)
    _write_export(e, result, target.value)


def _write_export(e, result, target: str) -> None:
    """Write the files (or stdout) unless every row broke the target's rules; exit 3 when all did, 5 when some."""
    written = sum(f.rows for f in result.files)
    if result.rejected and not written:
        e.messages.info(f"Nothing was written: all {len(result.rejected)} selected items break {target}'s rules.")
        raise typer.Exit(int(ExitStatus.INVALID))
    with progress(e.quiet, f"Exporting {target}", len(result.files)) as advance:
        exchange.export.write_files(result, advance)
    for f in result.files:
        if f.name is None:
            for piece in f.chunks():
                sys.stdout.write(piece)
        else:
            e.messages.info(f"Wrote {f.rows} {'item' if f.rows == 1 else 'items'} to {f.name}.")
    for path in result.stale:
        e.messages.info(f"Removed {path}: its item is no longer exported.")
    for note in result.notes:
        e.messages.info(note)
    if result.rejected:
        e.messages.info(f"{len(result.rejected)} of {result.selected} items left out (see above).")
        raise typer.Exit(int(ExitStatus.TROUBLE))


def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file to import (for --from ics also a vdir folder).", exists=True)],
    source: Annotated[
        Source, typer.Option("--from", help="The file's layout: hootsuite, buffer, csv (calcli's), ics.")
    ],
    calendar: Annotated[
        str,
        typer.Option("--calendar", "-c", help="The calendar to import into (calendars/NAME.yaml); made when missing."),
    ],
    platform: Annotated[
        str | None,
        typer.Option("--platform", help="The platform of rows that do not say (required for hootsuite and buffer)."),
    ] = None,
    tz: Annotated[str | None, typer.Option("--tz", help="Time zone of a new calendar (default: the user's).")] = None,
    day_first: Annotated[
        bool, typer.Option("--day-first", help="Hootsuite dates are DD/MM/YYYY (default: MM/DD/YYYY).")
    ] = False,
    dry_run: DryRunOpt = False,
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import an existing schedule: each row becomes a planned item at its time.

    Times without an offset are wall-clock times in the calendar's zone. Importing the
    same file again changes nothing. A folder is read as a vdir (every .ics in it), as
    `export -f vdir` writes it. Rows that cannot be imported (bad date, unknown
    platform, past time, duplicate, outside the calendar's period…) are reported as
    FILE:LINE:COL: field: why and skipped; the others are imported and the exit code is 5.
    When no row can be imported the exit code is 3 and nothing is written.

    Example: calcli import hootsuite-x.csv --from hootsuite --platform x --calendar Q3
    """
    e = env(ctx)
    with progress(e.quiet, f"Importing {file.name}", None) as advance:
        outcome = exchange.importing.import_schedule(
            find_project(e),
            file,
            source.value,
            calendar,
            platform=parse_platform(platform) if platform else None,
            user=user,
            tz=tz,
            dry_run=dry_run,
            day_first=day_first,
            on_row=advance,
        )
    if outcome.skipped and not outcome.items and not outcome.already and not outcome.updated:
        raise InvalidInput(outcome.skipped, hint="No row could be imported; nothing was written.")
    emit_rows(_imported_rows(outcome), IMPORT_COLUMNS, output_format(fmt, as_json))
    for w in outcome.warnings:
        e.messages.warn(w)
    for f in outcome.skipped:
        print(f"Error: {relative(f)}; skipped", file=sys.stderr)
    _summary(e, outcome, dry_run)
    if outcome.skipped:
        raise typer.Exit(int(ExitStatus.TROUBLE))


def _imported_rows(outcome) -> list[dict]:
    """One row per item the import made or updated (or would), with the line of the file it came from."""
    rows = [(line, i, "new") for line, i in outcome.items]
    rows += [(line, new, "updated") for line, _, new in outcome.updated]
    return [
        {
            "line": line,
            "id": i.id,
            "platform": i.platform.value,
            "format": i.format,
            "scheduled_at": i.scheduled_at,
            "title": i.title,
            "change": change,
        }
        for line, i, change in sorted(rows, key=lambda r: r[0])
    ]


def _summary(e, outcome, dry_run: bool) -> None:
    cal = outcome.calendar
    made = f" (new calendar: {cal.period_start}..{cal.period_end}, {cal.timezone})" if outcome.created else ""
    verb = "Would import into" if dry_run else "Imported into"
    counts = f"{len(outcome.items)} new, {len(outcome.already)} already there"
    if outcome.updated:
        counts += f", {len(outcome.updated)} updated"
    parts = [f"{verb} calendars/{cal.name}.yaml{made if outcome.items else ''}: {counts}"]
    if outcome.other_platforms:
        parts.append(f"{outcome.other_platforms} for other platforms left out (--platform)")
    if outcome.skipped:
        parts.append(f"{len(outcome.skipped)} skipped")
    e.messages.info("; ".join(parts) + ".")
    if dry_run:
        e.messages.info("Dry run: nothing was written.")
