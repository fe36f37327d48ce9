"""The domain: the seed's entities and statuses, platforms, errors with their exit codes, time and
blackout rules. Imports nothing of calcli outside itself, and nothing heavy."""

from calcli.core import lazy

__getattr__, __dir__ = lazy.submodules(__name__, __path__)
