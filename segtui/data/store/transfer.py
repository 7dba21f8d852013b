"""`store.transfer`: imports and the member export.

An import is one write transaction (a dry run rolls it back); after its commit the
dynamic segments follow. The file handling around it is segtui/transfer/ (I6).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from segtui.core import clock
from segtui.core.audit import Action
from segtui.core.busy import DatabaseBusy
from segtui.core.contact_keys import MatchKey
from segtui.core.formatting import plural
from segtui.data.rules import pending
from segtui.data.store import database
from segtui.data.store.database import Database
from segtui.data.store.rules import Rules

if TYPE_CHECKING:
    from segtui.core import imports
    from segtui.core.formats.contact_fields import Field
    from segtui.core.formats.contacts_csv import ContactIn, RowProblem
    from segtui.core.formats.events_csv import EventIn
    from segtui.core.formats.members_export import MemberRecord


class Transfer:
    """Imports and the member export."""

    def __init__(self, db: Database, rules: Rules) -> None:
        self._db = db
        self._rules = rules

    def import_contacts(
        self,
        rows: Iterable[ContactIn | list[RowProblem]],
        on_duplicate: imports.OnDuplicate,
        *,
        match: MatchKey = MatchKey.EMAIL,
        headers: Mapping[Field, str] | None = None,
        dry_run: bool = False,
        on_reject: Callable[[list[RowProblem]], None] | None = None,
        on_batch: Callable[[imports.ImportReport], None] | None = None,
    ) -> imports.ImportReport:
        """Import contacts, merged by email or by the `match` key (docs/import-export.md);
        `headers` names each field's column in messages."""
        from segtui.data.io import importer

        return self._import(lambda conn: importer.import_contacts(
            conn, rows, on_duplicate, clock.now(), match=match, headers=headers,
            on_reject=on_reject, on_batch=on_batch, list_limit=database.INCREMENTAL_LIMIT), dry_run,
            Action.CONTACTS_IMPORTED)

    def import_events(
        self,
        rows: Iterable[list[EventIn] | list[RowProblem]],
        *,
        link_segment: int | None = None,
        email_column: str = "Email",
        dry_run: bool = False,
        on_reject: Callable[[list[RowProblem]], None] | None = None,
        on_batch: Callable[[imports.ImportReport], None] | None = None,
    ) -> imports.ImportReport:
        """Import engagement events or campaign results (docs/import-export.md)."""
        from segtui.data.io import event_importer

        return self._import(lambda conn: event_importer.import_events(
            conn, rows, clock.now(), link_segment=link_segment, email_column=email_column,
            on_reject=on_reject,
            on_batch=on_batch, list_limit=database.INCREMENTAL_LIMIT), dry_run,
            Action.EVENTS_IMPORTED)

    def _import(self, run: Callable[[Connection], imports.ImportReport],
                dry_run: bool, action: Action) -> imports.ImportReport:
        """Run an import in ONE write transaction: if anything fails or the user stops it,
        nothing is written. A dry run does everything, then rolls back. After the commit
        the dynamic segments follow: incrementally for up to INCREMENTAL_LIMIT changed
        contacts, else by re-evaluating every rule."""
        from segtui.core.changes import CONTACTS_IMPORTED
        from segtui.data.writes import changes
        from segtui.data.writes.audit import record_audit

        try:
            with self._db.writing() as conn:
                report = run(conn)
                if dry_run:
                    raise _RolledBack(report)
                # Owed in the import's own transaction: a process killed after the commit
                # leaves the to-do for the next reader (I16.4).
                pending.owe_contacts(conn, report.changed_ids, clock.now())
                if report.changed_ids != []:  # contacts or events (None: too many to list)
                    changes.record_change(conn, CONTACTS_IMPORTED, None, None)  # C19.1
                record_audit(conn, action, None, details=(  # C19.4
                    f"{plural(report.rows, 'row')}: added {report.added}, updated "
                    f"{report.updated}, skipped {report.skipped}, rejected {report.rejected}"))
        except _RolledBack as rolled_back:
            return rolled_back.report
        from segtui.data.db import bulk

        bulk.refresh_stale_statistics(self._db.engine, report.written)
        try:
            report.refreshed = self._rules.finish_pending()
        except DatabaseBusy:  # committed; another process writes now: the next reader will
            report.left_owed = self._rules.owed()
        return report

    @contextmanager
    def member_export(self, segment_id: int) -> Iterator[Iterator[MemberRecord]]:
        """A segment's members with every contact field, streamed from one read snapshot."""
        from segtui.data.io import exporter

        with self._db.reading() as conn:
            yield exporter.member_records(conn, segment_id)


class _RolledBack(Exception):
    """Carries a dry run's report out of the transaction it rolls back."""

    def __init__(self, report: imports.ImportReport) -> None:
        super().__init__("dry run")
        self.report = report

