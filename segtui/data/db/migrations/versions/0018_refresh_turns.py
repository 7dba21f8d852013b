"""The refresh lock's turns, on PostgreSQL (P9; docs/rules.md, "Refreshing every segment:
batches").

Every transaction that re-evaluates dynamic segments takes the refresh lock first
(data/rules/pending.py, `serialise_refreshes`) and then draws the next number of this
sequence, so the numbers count the turns the lock was taken, in order. A whole refresh
runs as many transactions, one a batch, and keeps the lists its rules read (the contacts
who opened in 30 days, those with a tag) from one batch to the next only when its own
previous batch had the turn just before: no other process re-evaluated anything in
between, so nothing it read can have been overtaken by a re-evaluation it would undo. A
sequence, not a counter row: drawing a number never waits for another transaction and is
not rolled back (a rolled-back turn only makes the next batch read its lists again).
SQLite has one writer and tells the same by `PRAGMA data_version`.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE segtui_refresh_turns")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP SEQUENCE segtui_refresh_turns")
