"""`make lint`'s import contracts: import-linter over calcli, deferred imports counted as imports.

    python .ci/imports.py            # the contracts of pyproject.toml's [tool.importlinter]

calcli defers a module by importing its package and reaching the module through it
(``from calcli import files`` ... ``files.calendar.load_calendar``; see calcli.core.lazy). Grimp sees
only the package import, so the graph builder here adds an edge for every such use: a module that
writes ``files.calendar`` imports ``calcli.files.calendar``, for the layers, the forbidden imports and
the cycles alike.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from importlinter import configuration
from importlinter.adapters.building import GraphBuilder
from importlinter.application.app_config import settings
from importlinter.application.use_cases import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def module_of(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def exists(name: str) -> bool:
    """Whether the dotted name is a module or package of the tree."""
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def is_package(name: str) -> bool:
    return (ROOT.joinpath(*name.split(".")) / "__init__.py").is_file()


def deferred_imports(package: str) -> list[tuple[str, str, int, str]]:
    """(importer, imported, line, text) for each use of ``pkg.module`` where ``pkg`` names a package."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        importer = module_of(path)
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        bound: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    name = f"{node.module}.{alias.name}"
                    if is_package(name):
                        bound[alias.asname or alias.name] = name
        lines = text.splitlines()
        for node in ast.walk(tree):
            target = _target(node, bound)
            if target and target != importer:
                found.append((importer, target, node.lineno, lines[node.lineno - 1].strip()))
    return found


def _target(node: ast.AST, bound: dict[str, str]) -> str | None:
    """The deepest module an attribute chain like ``store.duckdb.store`` names, or None."""
    if not isinstance(node, ast.Attribute):
        return None
    chain = []
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in bound:
        return None
    name, deepest = bound[node.id], None
    for attr in reversed(chain):
        if not exists(f"{name}.{attr}"):
            break
        name = deepest = f"{name}.{attr}"
    return deepest


class WithDeferredImports(GraphBuilder):
    """Grimp's graph, plus an edge for each deferred import."""

    def build(
        self, root_package_names, cache_dir, include_external_packages=False, exclude_type_checking_imports=False
    ):
        graph = super().build(
            root_package_names,
            cache_dir,
            include_external_packages=include_external_packages,
            exclude_type_checking_imports=exclude_type_checking_imports,
        )
        for package in root_package_names:
            for importer, imported, line, text in deferred_imports(package):
                graph.add_import(importer=importer, imported=imported, line_number=line, line_contents=text)
        return graph


def main() -> int:
    configuration.configure()
    settings.configure(GRAPH_BUILDER=WithDeferredImports())
    return 0 if lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
