"""Screens and dialogs are styled in segtui/app.tcss (the app's CSS_PATH), reusable widgets
by their own DEFAULT_CSS (A4; docs/architecture.md, "Styles"): checked over
every module under segtui/screens, so a screen's look is in one file and no rule there is
silently beaten by one in a module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "segtui"


def default_css_classes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
            and any(isinstance(item, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "DEFAULT_CSS"
                            for t in item.targets)
                    for item in node.body)]


def test_no_screen_or_dialog_has_default_css() -> None:
    found = {str(path.relative_to(ROOT)): classes
             for path in sorted(ROOT.joinpath("screens").rglob("*.py"))
             if (classes := default_css_classes(path))}
    assert not found, f"style these in segtui/app.tcss: {found}"


def test_the_check_sees_a_default_css() -> None:
    assert default_css_classes(ROOT / "widgets" / "key_bar.py") == ["KeyBar"]
