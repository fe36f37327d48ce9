"""The option set every command shares, added once to the built command tree (so a new command
cannot forget it, and a test walks the tree to prove it).

Every command takes ``--project/-p`` and ``--quiet/-q`` after its name too (as before it). Every
command that prints data (it has ``--format table|tsv|csv|json|ndjson``) also takes
``-o/--output FILE`` (written atomically, only when the command succeeds), ``--no-header``,
``--limit N`` and ``--columns a,b``. The values reach the output through :data:`render.shaping`;
the command's own code never sees them. A command that already declares one of these flags keeps
its own (``dispatch --limit``, ``dispatch --quiet``).
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import click

from calcli import files
from calcli.cli import render
from calcli.core import errors, times
from calcli.core.errors import CalcliError, UsageError

# The names of the added parameters, unlikely to meet a command's own.
PROJECT, QUIET, OUTPUT, NO_HEADER, LIMIT, COLUMNS = (
    "common_project",
    "common_quiet",
    "common_output",
    "common_no_header",
    "common_limit",
    "common_columns",
)
# The FILE arguments that take "-" for standard input (an upstream pipeline pipes its bulk job).
STDIN_ARGUMENTS = {("plan",): "bulk", ("import",): "file", ("kpi", "import"): "files"}
DATA_OPTIONS = ("--format", "--json", "--output", "--no-header", "--limit", "--columns")


def _every_command_options() -> list[click.Option]:
    return [
        click.Option(
            ["--project", "-p", PROJECT],
            default=None,
            metavar="PATH",
            help="The project folder (default: found above the current folder, or $CALCLI_PROJECT).",
        ),
        click.Option(["--quiet", "-q", QUIET], is_flag=True, default=False, help="Print nothing but data and errors."),
    ]


def _columns(ctx, param, value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [c.strip() for c in value.split(",") if c.strip()]
    if not names:
        raise click.BadParameter("give column names, e.g. --columns id,platform,at")
    return names


def _data_options() -> list[click.Option]:
    return [
        click.Option(
            ["--output", "-o", OUTPUT],
            help="Write the output to this file (atomically, and only when the command succeeds).",
            type=click.Path(dir_okay=False, allow_dash=True),
            default=None,
        ),
        click.Option(
            ["--no-header", NO_HEADER], is_flag=True, default=False, help="TSV and CSV without the header line."
        ),
        click.Option(
            ["--limit", LIMIT], type=click.IntRange(min=0), default=None, metavar="N", help="Print at most N rows."
        ),
        click.Option(
            ["--columns", COLUMNS],
            callback=_columns,
            default=None,
            metavar="A,B",
            help="Only these columns (or JSON keys), in this order: --columns id,platform,at.",
        ),
    ]


def is_data_command(cmd: click.Command) -> bool:
    """A command that prints data: its --format offers tsv (export's and report's --format name file kinds)."""
    for p in cmd.params:
        if isinstance(p, click.Option) and "--format" in p.opts and isinstance(p.type, click.Choice):
            return "tsv" in p.type.choices
    return False


def augment(cmd: click.Command, path: tuple[str, ...] = ()) -> click.Command:
    """Add the shared options to every command of the tree under ``cmd`` (in place; returns ``cmd``)."""
    if isinstance(cmd, click.Group):
        for name, sub in cmd.commands.items():
            augment(sub, (*path, name))
        return cmd
    if getattr(cmd, "_calcli_common", False):
        return cmd
    for param in cmd.params:
        if "--tz" in getattr(param, "opts", ()):
            param.callback = _zone_checked(param.callback)
    taken = {o for p in cmd.params for o in getattr(p, "opts", ())}
    added = _every_command_options() + (_data_options() if is_data_command(cmd) else [])
    for option in added:
        if not taken.intersection(option.opts):
            cmd.params.append(option)
    stdin = STDIN_ARGUMENTS.get(path)
    for param in cmd.params:
        if param.name == stdin and isinstance(param.type, click.Path):
            param.type.allow_dash = True
    if cmd.callback is not None:
        cmd.callback = _wrap(cmd.callback, stdin)
    cmd._calcli_common = True
    return cmd


def _zone_checked(inner):
    """A --tz callback that refuses an unknown zone as a usage error (exit 2), before any work."""

    def check(ctx, param, value):
        if value is not None and not ctx.resilient_parsing:
            try:
                times.zone(value)
            except ValueError as exc:
                raise click.BadParameter(str(exc), ctx, param) from None
        return inner(ctx, param, value) if inner is not None else value

    return check


def is_file_error(exc: click.ClickException) -> bool:
    """A FILE argument click refused (missing, a folder, unreadable): bad data (exit 3), not usage.
    A FILE argument not given at all (click's MissingParameter) is usage (2)."""
    param = getattr(exc, "param", None)  # an -o FOLDER is a bad flag value: usage, 2
    return (
        isinstance(exc, click.BadParameter)
        and not isinstance(exc, click.MissingParameter)
        and isinstance(param, click.Argument)
        and isinstance(param.type, click.Path)
    )


def _wrap(callback, stdin: str | None = None):
    @functools.wraps(callback)
    def run(**kwargs):
        if stdin is not None and kwargs.get(stdin) is not None:
            with _stdin_spooled(kwargs[stdin]) as value:
                return _run(callback, {**kwargs, stdin: value})
        return _run(callback, kwargs)

    run.__wrapped__ = getattr(callback, "__wrapped__", callback)  # docgen reads the declaration's help
    return run


def _run(callback, kwargs: dict):
    """Run a command with the shared options taken out of ``kwargs`` and applied."""
    kwargs = dict(kwargs)
    common = {k: kwargs.pop(k) for k in list(kwargs) if k.startswith("common_")}
    ctx = click.get_current_context()
    _apply_env(ctx, common)
    render.reset(
        limit=common.get(LIMIT),
        columns=common.get(COLUMNS),
        header=not common.get(NO_HEADER, False),
        default_format=_default_format(ctx, kwargs),
    )
    output = common.get(OUTPUT)
    if output in (None, "-"):
        return callback(**kwargs)
    return _to_file(output, callback, kwargs)


@contextlib.contextmanager
def _stdin_spooled(value):
    """The FILE argument with "-" replaced by a temp file holding standard input (named by what it
    holds: stdin.json, stdin.ndjson or stdin.csv, as the readers tell files apart), removed after."""
    many = isinstance(value, list | tuple)
    values = list(value) if many else [value]
    if not any(os.fspath(v) == "-" for v in values):
        yield value
        return
    with tempfile.TemporaryDirectory(prefix="calcli-stdin-") as folder:
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        head = data.lstrip()[:1]
        spool = Path(folder) / ("stdin.json" if head == b"[" else "stdin.ndjson" if head == b"{" else "stdin.csv")
        if head == b"{" and _one_json_document(data):
            spool = spool.with_name("stdin.json")
        spool.write_bytes(data)
        # Kept after the file is gone: the error that ends the run is printed after this block.
        errors.PATH_ALIASES[str(spool)] = "-"
        swapped = [type(v)(spool) if os.fspath(v) == "-" else v for v in values]
        yield swapped if many else swapped[0]


def _one_json_document(data: bytes) -> bool:
    """Whether ``data`` is one JSON object (a bulk job) rather than NDJSON lines."""
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def _apply_env(ctx: click.Context, common: dict) -> None:
    """--project and --quiet given after the command name count as given before it."""
    env = ctx.find_root().obj
    if env is None:
        return
    if common.get(PROJECT):
        env.project = common[PROJECT]
    if common.get(QUIET):
        env.quiet = True
        env.messages.quiet = True


def _default_format(ctx: click.Context, kwargs: dict) -> str | None:
    """The configured format when --format and --json are not given: $CALCLI_FORMAT, else the project's
    calcli.toml ``[output] format``, else the user config's ``format`` (None: a table on a terminal, TSV piped)."""
    if kwargs.get("fmt") is not None or kwargs.get("as_json"):
        return None
    return files.userconfig.env_format() or _project_format(ctx) or files.userconfig.load_user_config().format


def _project_format(ctx: click.Context) -> str | None:
    """The project's ``[output] format``; None outside a project or when calcli.toml is bad (the command
    itself then says so)."""
    env = ctx.find_root().obj
    try:
        return files.project.find_project(env.project if env is not None else None).config.format
    except CalcliError:
        return None


def _to_file(path: str, callback, kwargs: dict):
    """Run the command with its stdout going to ``path``, written atomically when it succeeds (or exits
    with its own code: a partial import's rows are its data); nothing is written when it fails."""
    folder = Path(path).expanduser().resolve().parent
    if not folder.is_dir():
        raise UsageError(f"-o {path}: no folder {folder}.")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"-o {path}: cannot write in {folder}.")
    buffer, saved = io.StringIO(), sys.stdout
    sys.stdout = buffer
    try:
        result = callback(**kwargs)
    except click.exceptions.Exit:
        sys.stdout = saved
        files.text.write_atomic(Path(path), buffer.getvalue())
        raise
    finally:
        sys.stdout = saved
    files.text.write_atomic(Path(path), buffer.getvalue())
    return result


def stdin_or(path) -> bool:
    """Whether a FILE argument is ``-`` (standard input)."""
    return os.fspath(path) == "-"
