"""The project's files: reading YAML, JSON and TOML with file:line findings, atomic writes, the
calendar file format (read, emit, splice, edit), preferences, timing data, and finding the project."""

from calcli.core import lazy

__getattr__, __dir__ = lazy.submodules(__name__, __path__)
