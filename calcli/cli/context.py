"""What every command needs to know about how it was run: the global options, as one object; and the
project and session they name."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from calcli import files, operations
from calcli.cli.render import Messages


@dataclass
class Env:
    """The global options of one run (injected through Typer's context, so tests can fake it)."""

    project: str | None = None
    quiet: bool = False
    debug: bool = False
    messages: Messages = field(default_factory=Messages)


def env(ctx: typer.Context) -> Env:
    """The run's Env (a default one when a command is called without the root callback)."""
    return ctx.find_root().obj or Env()


def find_project(e: Env):
    """The project the run names (--project, $CALCLI_PROJECT, or found above the current folder)."""
    return files.project.find_project(e.project)


def session(ctx: typer.Context, user: str | None):
    """The run's Env and a session (not yet entered) on its project, acting as ``user``."""
    e = env(ctx)
    return e, operations.session.session(find_project(e), user)
