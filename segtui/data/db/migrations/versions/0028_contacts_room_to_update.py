"""Room on each page of `contacts` for a contact's next version (PostgreSQL, C21.1.13):
a tenth of each page left free (fillfactor 90), as `contact_figures`, `contact_stays`
and `segment_sizes` already have.

PostgreSQL writes an updated row as a new version. With room on the row's own page, and
no indexed value changed, that version is a HOT update: nothing written to the table's
twelve indexes. On a full page it goes to another one, and each index gets an entry: an
import's UPDATE of 2,000 contacts' titles took 146 ms with full pages and 32 ms with room
(20,639 WAL records against 4,000; docs/benchmarks.md, "The API's GET on the event
loop"). Imports, the API's batch upserts and every edit update contacts.

Only pages written from now on have the room: the migration does not rewrite the table
(that would lock every contact for as long as it takes: 12 s at a million). A contact's
first update moves it to a page with room; an administrator may rewrite the table at a
quiet time (`VACUUM FULL contacts`, docs/import-export.md). New databases and the demo data
have the room from the start. SQLite updates a row in place: nothing to do there.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE contacts SET (fillfactor = 90)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE contacts RESET (fillfactor)")
