"""The Segments dashboard: the screen (screen.py), its list (segment_list.py), what its keys
do to segments (segment_actions.py), export and import (transfer.py)."""

from segtui.screens.dashboard.screen import DashboardScreen
from segtui.screens.dashboard.segment_list import COLUMNS, HELP_INTRO

__all__ = ["COLUMNS", "HELP_INTRO", "DashboardScreen"]
