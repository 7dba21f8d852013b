"""A1, over every module: the import contracts of pyproject.toml
([tool.importlinter]) hold, and no module imports itself back through others.

The contracts: core imports no database, terminal, UI or process code and no other layer;
data no UI; widgets no data and no screens; screens, modals, the app and the transfer
service reach data only through `segtui.data.store`; no circles between the packages of
any package. `lint-imports` (from the repository root) says which import breaks which.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    ran = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command\n"
         "lint_imports_command()", "--no-cache", "--no-logo"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stdout + ran.stderr


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The import graph's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # Tarjan's, with an explicit stack
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, imported = work[-1]
            for other in imported:
                if other not in index:
                    index[other] = low[other] = len(index)
                    stack.append(other)
                    on_stack.add(other)
                    work.append((other, iter(sorted(
                        graph.find_modules_directly_imported_by(other)))))
                    break
                if other in on_stack:
                    low[module] = min(low[module], index[other])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    component = []
                    while True:
                        other = stack.pop()
                        on_stack.discard(other)
                        component.append(other)
                        if other == module:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_back() -> None:
    """A circle of modules (a package's __init__ and its children included), which the
    contracts' package-level check does not see."""
    sys.path.insert(0, str(ROOT))
    try:
        graph = grimp.build_graph("segtui", cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))
    assert _circles(graph) == []
