"""The architecture checks of `make lint` catch what they are for.

Each test copies the tree, breaks one rule the way a contributor might, and runs the check on the
copy: the check must fail and name the offending import or line. The unbroken copy passes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("tree")
    shutil.copytree(ROOT / "calcli", base / "calcli", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "timing_data", base / "timing_data")
    shutil.copytree(ROOT / ".ci", base / ".ci")
    shutil.copy(ROOT / "pyproject.toml", base / "pyproject.toml")
    return base


def copy_of(tree: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "copy"
    shutil.copytree(tree, dest)
    return dest


def contracts(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(root / ".ci" / "imports.py")], cwd=root, capture_output=True, text=True, timeout=300
    )


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_unbroken_tree_keeps_every_contract(tree):
    result = contracts(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_core_reaching_up_into_operations_breaks_the_layers(tree, tmp_path):
    root = copy_of(tree, tmp_path)
    append(root / "calcli/core/times.py", "\nfrom calcli.operations import views  # noqa: E402,F401\n")
    result = contracts(root)
    assert result.returncode == 1
    assert "Layers: cli on top, core at the bottom" in result.stdout and "BROKEN" in result.stdout
    assert "calcli.core.times -> calcli.operations.views" in result.stdout


def test_a_deferred_import_counts_as_an_import(tree, tmp_path):
    """`from calcli import planning` then `planning.solver.plan(...)` is an edge to planning.solver."""
    root = copy_of(tree, tmp_path)
    deferred = "\nfrom calcli import planning  # noqa: E402\n\n\ndef _x():\n    return planning.solver\n"
    append(root / "calcli/files/text.py", deferred)
    result = contracts(root)
    assert result.returncode == 1
    assert "calcli.files.text -> calcli.planning.solver" in result.stdout


def test_rich_below_the_cli_is_forbidden(tree, tmp_path):
    root = copy_of(tree, tmp_path)
    append(root / "calcli/analytics/stats.py", "\nimport rich  # noqa: E402,F401\n")
    result = contracts(root)
    assert result.returncode == 1
    assert "Nothing below the CLI knows Typer, Click or Rich BROKEN" in result.stdout
    assert "calcli.analytics.stats -> rich" in result.stdout


def test_duckdb_outside_the_store_is_forbidden(tree, tmp_path):
    root = copy_of(tree, tmp_path)
    append(root / "calcli/operations/views.py", "\nimport duckdb  # noqa: E402,F401\n")
    result = contracts(root)
    assert result.returncode == 1
    assert "Only the store talks to a database BROKEN" in result.stdout


def test_a_cycle_between_siblings_is_found(tree, tmp_path):
    root = copy_of(tree, tmp_path)
    append(root / "calcli/planning/board.py", "\nfrom calcli.planning import search  # noqa: E402,F401\n")
    result = contracts(root)
    assert result.returncode == 1
    assert "No import cycles, at any level of the tree BROKEN" in result.stdout


def checks(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(root / ".ci" / "checks.py"), str(root / "calcli")], capture_output=True, text=True
    )


def test_the_structure_checks_pass_on_the_tree_and_name_each_breach(tree, tmp_path):
    assert checks(tree).returncode == 0
    root = copy_of(tree, tmp_path)
    append(
        root / "calcli/operations/views.py",
        '\n\ndef _late():\n    import json\n\n    return json.dumps(1)\n\n\nQUERY = "SELECT * FROM items "\n',
    )
    append(root / "calcli/core/times.py", "\n\ndef _long():\n" + "    x = 1\n" * 61)
    result = checks(root)
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "calcli/operations/views.py" in out and "import" in out and "SQL" in out
    assert "function _long is 62 lines (at most 60)" in out
