"""The command groups, one module each; each registers its commands on the app (``register``)."""

from calcli.core import lazy

__getattr__, __dir__ = lazy.submodules(__name__, __path__)
