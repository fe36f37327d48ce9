"""Deferred imports, in one place: a package's modules load when first used, not when it is imported.

calcli is started by cron many times a day, and ``calcli --help`` or ``calcli due`` must not pay for
the planner, the YAML machinery or DuckDB. So every package's ``__init__`` makes its modules lazy
attributes (PEP 562)::

    __getattr__, __dir__ = lazy.submodules(__name__, __path__)

and a module that needs another one only on some of its paths imports the *package* at its top and
reaches the module through it where it is used::

    from calcli import files
    ...
    files.calendar.load_calendar(path)     # calcli.files.calendar is imported here, the first time

That is the only way calcli defers an import: there are no imports inside functions. The edges are
still seen by the import contracts (``make lint`` counts ``files.calendar`` as an import of
``calcli.files.calendar``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable


def submodules(package: str, path: Iterable[str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` (its ``__path__``): each of its modules is
    imported on first access as an attribute."""

    def __getattr__(name: str) -> object:
        if name.startswith("__"):  # dunder lookups (__wrapped__, __file__ ...) are never modules
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        try:
            return importlib.import_module(f"{package}.{name}")  # the import binds it on the package too
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":
                raise  # the module exists; something it imports does not
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    def __dir__() -> list[str]:
        return sorted(m.name for m in pkgutil.iter_modules(list(path)))

    return __getattr__, __dir__
