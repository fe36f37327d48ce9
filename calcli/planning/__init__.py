"""Planning as pure functions: the bulk job, the platform registry and each platform's variant of a
post, and the schedule solver (candidate slots, the board of caps, the stagger, greedy and local
searches, the exact search). Takes data and returns data: no store, nothing written."""

from calcli.core import lazy

__getattr__, __dir__ = lazy.submodules(__name__, __path__)
