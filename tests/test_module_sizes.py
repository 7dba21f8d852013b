"""Modules a newcomer can read (A7): no module of segtui over 400 lines, migrations aside
(each is a dated record of one schema change, kept whole)."""

from __future__ import annotations

import ast
from pathlib import Path

import segtui

LIMIT = 400
PACKAGE = Path(segtui.__file__).parent


def test_no_module_is_over_the_limit() -> None:
    too_long = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert too_long == {}, f"split these by what they hold (over {LIMIT} lines): {too_long}"


def test_no_module_imports_another_ones_private_names() -> None:
    """A leading underscore means "this module's own" (A7): a name a sibling needs is
    public, so a reader knows what the module offers and what it may change freely."""
    borrowed = [
        f"{path.relative_to(PACKAGE)}: {node.module}.{alias.name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("segtui")
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert borrowed == []
