"""A progress display for long commands (import, export, plan, kpi import, db sync/rebuild, optimize):
a Rich bar on stderr, only on a terminal (a pulsing one when the steps are not counted).

Nothing is drawn when stderr is not a terminal (piped, cron), with ``--quiet``, or with ``NO_COLOR``
set (its plain mode). Rich is imported only when a bar is drawn (``cli.progress_bar``, lazily).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from calcli import cli


def wanted(quiet: bool) -> bool:
    return not quiet and not os.environ.get("NO_COLOR") and sys.stderr.isatty()


@contextmanager
def progress(quiet: bool, label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """``advance(n)`` for the block; a bar of ``total`` steps (None: not counted, the bar pulses)
    labelled ``label`` when :func:`wanted`."""
    if not wanted(quiet):
        yield lambda n=1: None
        return
    bar = cli.progress_bar.bar()
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda n=1: bar.advance(task, n)
