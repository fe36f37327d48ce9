"""calcli: a command-line content calendar for multi-platform video publishing."""

__version__ = "0.1.0"
