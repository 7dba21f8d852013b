"""A worker's failure handed to a method by name (`@in_thread(..., failed="_failed")`,
widgets/workers.py) reaches a method that exists: a misspelt name would lose the error.
Checked over every UI module, not a sample."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "segtui"
UI_MODULES = sorted([*ROOT.joinpath("screens").rglob("*.py"),
                     *ROOT.joinpath("widgets").rglob("*.py")])


def failure_handlers(path: Path) -> list[tuple[str, str, str]]:
    """(class, worker method, the method named by failed=) in one module."""
    found = []
    for cls in ast.walk(ast.parse(path.read_text())):
        if not isinstance(cls, ast.ClassDef):
            continue
        for method in cls.body:
            if not isinstance(method, ast.FunctionDef):
                continue
            for decorator in method.decorator_list:
                if (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name)
                        and decorator.func.id == "in_thread"):
                    for keyword in decorator.keywords:
                        if keyword.arg == "failed" and isinstance(keyword.value, ast.Constant):
                            found.append((cls.name, method.name, str(keyword.value.value)))
    return found


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)


@pytest.mark.parametrize("path", UI_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_failed_names_a_method_of_the_worker_class(path: Path) -> None:
    handlers = failure_handlers(path)
    if not handlers:
        return
    module = importlib.import_module(module_name(path))
    for class_name, worker, handler in handlers:
        assert callable(getattr(getattr(module, class_name), handler, None)), (
            f"{class_name}.{worker}: failed={handler!r} is not a method of {class_name}")


def test_the_check_finds_handlers() -> None:
    """The check is not vacuous: the note tab's save hands its failure to `_failed`."""
    assert ("NotesTab", "_save", "_failed") in failure_handlers(
        ROOT / "screens" / "detail" / "notes_tab.py")
