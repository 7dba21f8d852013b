"""The command line is one package (segtui/cli/, its __init__'s docstring): its
`__init__` puts the modules together and none of them imports it back, so the package
has no import circle; its modules stay small; and its commands reach the database only
through the Store's methods, never a connection of their own."""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parents[1] / "segtui" / "cli"
MODULES = sorted(CLI.rglob("*.py"))
MAX_LINES = 400
# What opens a transaction or a connection past the Store's methods.
RAW_ACCESS = {"reading", "writing", "orm_session", "connect", "begin"}


def _package(path: Path) -> str:
    """The dotted name of the package `path` belongs to (its own, for an __init__)."""
    parts = path.relative_to(CLI.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1])


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_package_is_all_there() -> None:
    names = {m.relative_to(CLI).as_posix() for m in MODULES}
    assert {"__init__.py", "common.py", "access.py", "output.py", "process.py",
            "app_commands.py", "contacts.py", "transfer.py", "quality.py", "users.py",
            "segments/__init__.py"} <= names


def test_no_module_imports_a_package_it_belongs_to() -> None:
    """`segtui.cli` (and `segtui.cli.segments`) import their modules, never the other way
    round: a module imports what it uses from the module that holds it."""
    back = [f"{m.relative_to(CLI)} imports {name}" for m in MODULES for name in _imported(m)
            if m.name != "__init__.py" and (_package(m) + ".").startswith(name + ".")
            and name.startswith("segtui.cli")]
    assert back == []


def test_modules_are_small() -> None:
    long = {m.relative_to(CLI).as_posix(): n for m in MODULES
            if (n := len(m.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_commands_use_no_connection_of_their_own() -> None:
    found = [f"{m.relative_to(CLI)}:{node.lineno} .{node.func.attr}()" for m in MODULES
             for node in ast.walk(ast.parse(m.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in RAW_ACCESS]
    assert found == [], "ask the Store (segtui/data/store/) for what the command needs"
