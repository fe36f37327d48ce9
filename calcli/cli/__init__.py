"""The command-line layer: parses, calls one core function, renders, maps errors."""

from calcli.core import lazy

__getattr__, __dir__ = lazy.submodules(__name__, __path__)
