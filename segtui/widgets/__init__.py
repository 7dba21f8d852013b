"""Reusable widgets. They get data through attributes and methods and report through
messages; none of them builds SQL (they may be handed a callable that fetches)."""
