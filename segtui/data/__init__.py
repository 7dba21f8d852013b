"""Persistence: SQLAlchemy models, engine setup, migrations, the Store API, demo data.

Imports no Textual. The UI reaches the database only through `segtui.data.store.Store`.
"""
