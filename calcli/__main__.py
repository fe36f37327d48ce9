"""``python -m calcli``: the same as the ``calcli`` command."""

from calcli.cli.entry import main

main()
