"""The Usage & audit screen (C19.4.4-C19.4.7): the screen and its tabs (screen.py), the
Log and its filters (log_view.py), the tables' columns and words (tables.py)."""

from segtui.screens.usage.screen import UsageScreen

__all__ = ["UsageScreen"]
