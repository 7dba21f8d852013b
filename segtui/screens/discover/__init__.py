"""The Discover screen (C22.4): the screen (screen.py), its setup tab (setup.py) and what
it says of a discovery (cards.py)."""

from segtui.screens.discover.screen import DiscoverScreen

__all__ = ["DiscoverScreen"]
