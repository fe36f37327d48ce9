"""What every command needs to know about how it was run: the global options, as one object."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

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
