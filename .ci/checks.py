"""`make lint`'s structure checks over calcli/ (each a rule of the README's "Architecture"):

* sizes: no module over 500 lines, no class over 150, no function over 60 (a piece counts from its
  first decorator to its last line, docstring and comments included);
* imports only at a module's top: a deferred import goes through a package (calcli.core.lazy);
* SQL only in calcli/store: no SQL statement text, no ``.execute(`` and no ``.con`` elsewhere;
* every module says what it is: a docstring at its top.

    python .ci/checks.py [ROOT]        # exit 1 and one line per finding
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

LIMITS = {"module": 500, "class": 150, "function": 60}
SQL = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|WITH|DROP|ALTER|COPY|PRAGMA|ATTACH)\s", re.S)


def sizes(path: Path, tree: ast.Module, text: str):
    if len(text.splitlines()) > LIMITS["module"]:
        yield 1, f"module is {len(text.splitlines())} lines (at most {LIMITS['module']})"
    for node in ast.walk(tree):
        kind = (
            "class"
            if isinstance(node, ast.ClassDef)
            else "function"
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            else None
        )
        if kind:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            size = node.end_lineno - first + 1
            if size > LIMITS[kind]:
                yield first, f"{kind} {node.name} is {size} lines (at most {LIMITS[kind]})"


def nested_imports(path: Path, tree: ast.Module, text: str):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    yield inner.lineno, f"import inside {node.name}: import at the top (defer through a package)"


def sql_outside_store(path: Path, tree: ast.Module, text: str):
    if "store" in path.parts:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
            yield node.lineno, "SQL text outside calcli/store"
        elif isinstance(node, ast.Attribute) and node.attr in ("execute", "con"):
            yield node.lineno, f".{node.attr} outside calcli/store"


def docstring(path: Path, tree: ast.Module, text: str):
    if not ast.get_docstring(tree):
        yield 1, "module without a docstring"


CHECKS = (sizes, nested_imports, sql_outside_store, docstring)


def main(root: str) -> int:
    found = []
    for path in sorted(Path(root).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=str(path))
        for check in CHECKS:
            found += [f"{path}:{line}: {message}" for line, message in check(path, tree, text)]
    print(
        "\n".join(found) or f"checks: {root} keeps its sizes, top-level imports and SQL in the store", file=sys.stderr
    )
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "calcli"))
