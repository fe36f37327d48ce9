"""The calcli command: global options, the command groups, and the one place
where exceptions become exit codes."""

from __future__ import annotations

import copy
import os
import sys
from typing import Annotated

import click
import typer
from typer.main import get_command, get_command_name

from calcli import __version__
from calcli.cli import common, shells
from calcli.cli.commands import (
    analyze,
    assign,
    blackout,
    calendar,
    cron,
    db,
    exchange,
    item,
    kpi,
    plan,
    platforms,
    project,
    report,
    schema,
    trial,
    views,
)
from calcli.cli.context import Env
from calcli.cli.render import Messages
from calcli.core.errors import CalcliError, ExitStatus, InvalidInput, relative

app = typer.Typer(
    name="calcli",
    help=(
        "calcli: a content calendar for video creators, in plain YAML files you keep in git.\n\n"
        "Plan a bulk job of finished videos into posting slots, check the files, query the store.\n\n"
        "Example: calcli plan bulk.json --calendar Q3"
    ),
    no_args_is_help=True,
    suggest_commands=False,  # click names close commands itself; typer's suggestion would repeat it
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"calcli {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            "-p",
            help="The project folder (default: found above the current folder, or $CALCLI_PROJECT).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but data and errors.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """calcli: plan, check and analyse a content calendar kept as YAML files in git."""
    ctx.obj = Env(project=project, quiet=quiet, debug=debug, messages=Messages(quiet))


# The order --help lists them in: plan, run, measure, move data, look at the files and the store
# (Typer lists every command first, then every group, each in the order registered here).
for group in (
    project,
    plan,
    calendar,
    item,
    blackout,
    assign,
    cron,
    platforms,
    kpi,
    analyze,
    report,
    trial,
    views,
    exchange,
    db,
    schema,
):
    group.register(app)


def _command_word(args: list[str]) -> str | None:
    """The command a command line names (after the global options), or None."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--project", "-p"):
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _completed_words() -> list[str]:
    """The words before the one being completed (bash: COMP_WORDS/COMP_CWORD; zsh, fish: _TYPER_COMPLETE_ARGS),
    without the program name: while the command word itself is completed, none (the whole app answers)."""
    if "COMP_WORDS" in os.environ:
        words = os.environ["COMP_WORDS"].split()
        cword = int(os.environ.get("COMP_CWORD", len(words)) or 0)
        return words[1:cword]
    line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
    words = line.split()
    if line and not line.endswith(" "):
        words = words[:-1]  # the word being completed
    return words[1:]


def _app_for(argv: list[str] | None) -> typer.Typer:
    """The app with only the command (or group) the command line names: Typer builds every
    registered command's parameters before running one, which with ~50 commands costs more than
    0.1 s of every run. The whole app serves help, completion and unknown commands."""
    word = _command_word(
        _completed_words() if os.environ.get("_CALCLI_COMPLETE") else (sys.argv[1:] if argv is None else argv)
    )
    if word is None:
        return app
    commands = [c for c in app.registered_commands if (c.name or get_command_name(c.callback.__name__)) == word]
    groups = [g for g in app.registered_groups if g.name == word]
    if not commands and not groups:
        return app
    light = copy.copy(app)
    light.registered_commands, light.registered_groups = commands, groups
    return light


def command(typer_app: typer.Typer = app) -> click.Command:
    """The click command tree of ``typer_app`` with the options every command shares (calcli.cli.common)."""
    return shells.install(common.augment(get_command(typer_app)))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and map every outcome to an exit status."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    messages = Messages()
    try:
        # Without standalone mode click returns (not raises) the code of typer.Exit.
        status = command(_app_for(argv)).main(args=argv, prog_name="calcli", standalone_mode=False) or ExitStatus.OK
    except click.exceptions.Exit as exc:
        status = exc.exit_code
    except click.exceptions.Abort:
        messages.error("aborted.")
        status = ExitStatus.INTERRUPTED
    except click.exceptions.ClickException as exc:
        if common.is_file_error(exc):  # a bad file is bad data, whichever command names it
            messages.error(exc.message)
            status = ExitStatus.INVALID
        else:
            _usage(exc)
            status = ExitStatus.USAGE
    except InvalidInput as exc:
        for f in exc.findings:
            messages.error(str(relative(f)))
        if exc.hint:
            print(exc.hint, file=sys.stderr)
        status = exc.status
    except CalcliError as exc:
        messages.error(str(exc))
        status = exc.status
    except KeyboardInterrupt:
        messages.error("interrupted; nothing half-written (writes are atomic).")
        status = ExitStatus.INTERRUPTED
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = ExitStatus.OK
    except Exception as exc:  # noqa: BLE001 - the one place unexpected errors become exit 1
        if debug:
            raise
        first = (str(exc).strip().splitlines() or [""])[0]
        messages.error(f"unexpected {type(exc).__name__}: {first}. Run again with --debug for the traceback.")
        status = ExitStatus.ERROR
    sys.exit(int(status) if status is not None else 0)


def _usage(exc) -> None:
    """A usage error as one line, ``Error: …`` naming the option (no click "Usage:" line before it:
    scripts and people read the one line; ``--help`` shows the usage)."""
    message = " ".join(exc.format_message().split())
    if not message:  # a bare group (`calcli`, `calcli db`): its help was already shown
        return
    print(f"Error: {message}", file=sys.stderr)
