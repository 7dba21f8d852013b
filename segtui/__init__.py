"""segtui: keyboard-first terminal app for managing CRM customer segments."""

__version__ = "0.1.0"
