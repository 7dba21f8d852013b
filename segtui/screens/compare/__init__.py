"""The compare screen (C20.5): the screen (screen.py) and its tables' cells (tables.py)."""

from segtui.screens.compare.screen import CompareScreen

__all__ = ["CompareScreen"]
