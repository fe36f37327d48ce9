"""Moving schedules in and out of calcli: .ics, CSV, JSON and the bulk-upload layouts of other tools."""

from calcli.core import lazy

__getattr__, __dir__ = lazy.submodules(__name__, __path__)
