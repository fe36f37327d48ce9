"""The Rich progress bar of :mod:`calcli.cli.progress` (reached lazily: Rich costs a run that draws none)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def bar() -> Progress:
    """A bar on stderr that is erased when done (the command's own messages follow it)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=False,  # data printed while the bar shows stays on stdout
    )
