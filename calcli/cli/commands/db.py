"""``calcli db sync|rebuild|info`` and ``calcli sql``."""

from __future__ import annotations

from typing import Annotated

import typer

from calcli import operations, store
from calcli.cli.context import env, find_project
from calcli.cli.options import AllUsersOpt, FormatOpt, JsonOpt, UserOpt, command_group, output_format
from calcli.cli.progress import progress
from calcli.cli.render import emit_rows
from calcli.core.errors import ExitStatus, StoreDamaged

db_app = command_group(
    "The store (a DuckDB file, or a PostgreSQL server for a team): a mirror of the files plus the data only "
    "it owns.\n\nExample: calcli db sync"
)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("sql")(sql)


@db_app.command("sync")
def sync(ctx: typer.Context) -> None:
    """Bring the store up to date with the files (only changed files are read).

    Example: calcli db sync
    """
    e = env(ctx)
    project = find_project(e)
    with progress(e.quiet, "Syncing the store", None), store.open_store(project) as st:
        report = operations.sync.sync_project(project, st)
    e.messages.info(
        f"Synced: {len(report.read)} file(s) read, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed, {report.history_rows} history row(s)."
    )


@db_app.command("rebuild")
def rebuild(ctx: typer.Context) -> None:
    """Rebuild the mirrored tables from the files; keep KPI events, trials and history.

    A damaged store file (one calcli cannot read) is moved aside (.calcli/calcli.duckdb.damaged-…)
    and the store made anew: what only the store held is copied from the damaged file where it can
    still be read, and each table that could not be is named.

    Example: calcli db rebuild
    """
    e = env(ctx)
    project = find_project(e)
    recovery = None
    try:
        with progress(e.quiet, "Rebuilding the store", None), store.open_store(project) as st:
            report = operations.sync.rebuild_project(project, st)
    except StoreDamaged as exc:
        e.messages.warn(f"{exc.message}")
        with progress(e.quiet, "Recovering the store", None):
            recovery = store.recover_store(project)
            with store.open_store(project) as st:
                report = operations.sync.rebuild_project(project, st)
    if recovery is None:
        e.messages.info(f"Rebuilt from {len(report.read)} file(s); KPI events, trials and history kept.")
        return
    _report_recovery(e, recovery, len(report.read))


def _report_recovery(e, recovery, files: int) -> None:
    """What a rebuild of a damaged store kept and lost; exit 5 when anything store-only was lost."""
    e.messages.info(f"Moved the damaged store to {recovery.moved_to}; made a new one from {files} file(s).")
    kept = ", ".join(f"{t} {n}" for t, n in recovery.kept.items())
    if kept:
        e.messages.info(f"Kept from the damaged file (rows): {kept}.")
    for table, why in recovery.lost.items():
        e.messages.error(f"lost {table} ({STORE_DATA.get(table, table)}): {why}")
    if recovery.lost:
        e.messages.info(
            "The files (calendars, preferences, timing data) are whole. Import KPI exports again with "
            f"`calcli kpi import`; the damaged file stays at {recovery.moved_to} for anyone who can read more of it."
        )
        raise typer.Exit(int(ExitStatus.TROUBLE))


STORE_DATA = {
    "item_history": "the audit trail of item changes",
    "performance_kpi_events": "imported KPI snapshots",
    "optimization_trials": "A/B trials",
    "trial_assignments": "the trials' arm assignments",
    "dispatch_attempts": "dispatch attempts",
    "store_meta": "the claim journal's position and small settings",
}


@db_app.command("info")
def info(ctx: typer.Context, fmt: FormatOpt = None, as_json: JsonOpt = False) -> None:
    """Show the store's path, schema version and row counts per table.

    Example: calcli db info --format json
    """
    e = env(ctx)
    project = find_project(e)
    with store.open_store(project) as st:
        rows = st.table_counts()
    emit_rows(rows, ["table", "rows", "owner"], output_format(fmt, as_json), title=f"{project.store_path}")


@db_app.command("grant")
def grant(
    ctx: typer.Context,
    role: Annotated[str, typer.Argument(help="The user's id, which is their database role (made if missing).")],
) -> None:
    """Let a user work on this PostgreSQL store: make their login role and give it calcli's privileges.

    Run it as the service role (the store's owner, or a superuser). Row-level security then shows the
    user their own rows only, in every table. Give the role a password yourself (ALTER ROLE … PASSWORD)
    or use the server's peer/certificate login; calcli never stores one.

    Example: calcli db grant alice
    """
    e = env(ctx)
    project = find_project(e)
    with store.open_store(project) as st:
        created = st.grant(role)
    e.messages.info(f"{'Made role' if created else 'Role'} {role}: a calcli user of this store (calcli_user).")


UrlArg = Annotated[
    str, typer.Argument(help="The PostgreSQL store: postgresql://HOST/DB (the password from PGPASSWORD or .pgpass).")
]


@db_app.command("push")
def push(ctx: typer.Context, url: UrlArg, fmt: FormatOpt = None, as_json: JsonOpt = False) -> None:
    """Copy this project's DuckDB store's own data (history, KPI events, trials, dispatch attempts)
    into an empty PostgreSQL store; each table's row counts and checksums on both sides are printed.

    Then point calcli.toml at the server (store = "postgresql://HOST/DB") and run `calcli db sync`.

    Example: calcli db push postgresql://db.example.com/calcli
    """
    _moved(env(ctx), store.move.push(find_project(env(ctx)), url), fmt, as_json)


@db_app.command("pull")
def pull(ctx: typer.Context, url: UrlArg, fmt: FormatOpt = None, as_json: JsonOpt = False) -> None:
    """Copy a PostgreSQL store's own data (the rows your role may see) into this project's empty
    DuckDB store; each table's row counts and checksums on both sides are printed.

    Example: calcli db pull postgresql://db.example.com/calcli
    """
    _moved(env(ctx), store.move.pull(find_project(env(ctx)), url), fmt, as_json)


def _moved(e, moved, fmt, as_json) -> None:
    rows = [
        {"table": m.table, "rows_from": m.rows_from, "rows_to": m.rows_to, "checksum_from": m.checksum_from,
         "checksum_to": m.checksum_to, "same": m.same}
        for m in moved
    ]  # fmt: skip
    emit_rows(rows, list(rows[0]), output_format(fmt, as_json))
    bad = [m.table for m in moved if not m.same]
    if bad:
        e.messages.error(f"the copy differs from its source in {', '.join(bad)}.")
        raise typer.Exit(int(ExitStatus.ERROR))
    e.messages.info(f"Copied {sum(m.rows_to for m in moved)} row(s); counts and checksums agree.")


def sql(
    ctx: typer.Context,
    statement: Annotated[str, typer.Argument(help="One read-only SQL statement (SELECT, WITH, DESCRIBE, …).")],
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run one read-only SQL query against the store (brought up to date first).

    The tables hold your rows only (--user, default the project's user); --all-users shows every
    user's. Statements that write (INSERT, UPDATE, DELETE, CREATE, SET, …) are refused, and no
    statement can read or write a file outside the store (read_csv, COPY, ATTACH, IMPORT DATABASE).
    The schema is documented in the README.

    Example: calcli sql "SELECT platform, count(*) FROM content_schedule_items GROUP BY 1"
    """
    e = env(ctx)
    project = find_project(e)
    with store.open_store(project) as st:
        operations.sync.sync_project(project, st)
    with store.open_store(project, read_only=True) as st:  # a second guard: DuckDB refuses writes here
        cols, rows = st.read_only_query(statement, None if all_users else user or project.config.user)
    emit_rows([dict(zip(cols, r, strict=True)) for r in rows], cols, output_format(fmt, as_json))
