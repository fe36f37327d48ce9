"""TOML as calcli writes it (``calcli init``'s calcli.toml); apart so that reading a project never loads the writer."""

from __future__ import annotations

import tomli_w


def dumps(data: dict) -> str:
    """``data`` as TOML text."""
    return tomli_w.dumps(data)
