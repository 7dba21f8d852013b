"""What the command line and the app say about a database's schema, without importing
SQLAlchemy (`segtui --help` loads neither it nor Alembic: P12)."""

from __future__ import annotations


class NewerSchema(Exception):
    """The database was migrated by a newer segtui, to a revision this one doesn't know. It
    is left as it is (a downgrade could lose data) and the user is told to update segtui."""

    def __init__(self, revision: str, head: str) -> None:
        super().__init__(
            f"this database was upgraded by a newer segtui (schema {revision}; this segtui "
            f"knows up to {head}): update segtui to open it")
