"""What the numbers say: KPI import, metrics, the analysis with its claims and recommendations,
posting consistency, learned windows and moves (optimize), A/B trials and their statistics."""

from calcli.core import lazy

__getattr__, __dir__ = lazy.submodules(__name__, __path__)
