"""C19.4: the audit log records who did what, in the action's own transaction, with no
personal data, and the database refuses to change or delete it; C19.5: erasing a contact
and exporting everything about one (administrators only). Both engines."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from segtui.core.audit import Action, AuditFilter
from segtui.core.contacts import ContactSelection, ErasureError
from segtui.core.enums import UserRole
from segtui.core.segments import NotAllowed, SegmentDraft
from segtui.data.db.tables import Activity, AuditEntry, Contact, EngagementEvent, Membership
from segtui.data.store import Store
from tests.ui.conftest import segment_ids

ADMIN, MANAGER, VIEWER = "James Carter", "Sarah Mitchell", "Alex Kim"  # the demo's
SARAH = 1  # contact 1: Sarah Johnson, sarah.johnson@techcorp.com, in Enterprise Prospects


def actions(store: Store) -> list[tuple[str | None, str, int | None]]:
    with store.reading() as conn:
        return [(r.actor, r.action, r.segment_id) for r in conn.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.segment_id)
            .order_by(AuditEntry.id))]


def test_segment_changes_permissions_and_merges_are_audited(demo_store: Store) -> None:
    manager = demo_store.users.current_user(MANAGER)
    admin = demo_store.users.current_user(ADMIN)
    new = demo_store.segments.create_segment(SegmentDraft("Audit me"), ContactSelection(),
                                             manager)
    details = demo_store.segments.segment_details(new)
    assert details is not None
    demo_store.segments.update_segment(new, details.version,
                                       replace(details.as_draft(), description="checked"),
                                       ContactSelection().toggled(SARAH, True), manager)
    demo_store.segments.delete_segment(new, manager)
    demo_store.users.set_user_role(VIEWER, UserRole.MARKETING_MANAGER, admin)
    keep = demo_store.contacts.contacts_by_email(["sarah.johnson@techcorp.com"])
    assert keep
    assert actions(demo_store) == [
        (MANAGER, "segment_created", new),
        (MANAGER, "segment_edited", new),  # the description
        (MANAGER, "segment_edited", new),  # the contact added
        (MANAGER, "segment_deleted", new),
        (ADMIN, "permissions_modified", None),
    ]


def test_a_refused_write_leaves_no_entry(demo_store: Store) -> None:
    viewer = demo_store.users.current_user(VIEWER)
    with pytest.raises(NotAllowed):
        demo_store.segments.create_segment(SegmentDraft("Nope"), ContactSelection(), viewer)
    assert actions(demo_store) == []


def test_the_database_refuses_to_change_or_delete_an_entry(demo_store: Store) -> None:
    demo_store.audit.record(Action.DASHBOARD_ACCESSED, demo_store.users.current_user(VIEWER))
    if demo_store.engine.dialect.name == "sqlite":
        for statement in (update(AuditEntry).values(actor="someone else"),
                          delete(AuditEntry)):
            with pytest.raises(DatabaseError, match="append-only"), \
                    demo_store.writing() as conn:
                conn.execute(statement)
    else:  # every role but the table's owner (who ran the migrations)
        role = f"segtui_clerk_{uuid.uuid4().hex[:8]}"
        with demo_store.writing() as conn:
            conn.execute(text(f'CREATE ROLE "{role}"'))
            conn.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON audit_log '
                              f'TO "{role}"'))
        try:
            for sql in ("UPDATE audit_log SET actor = 'someone else'",
                        "DELETE FROM audit_log", "TRUNCATE audit_log"):
                with pytest.raises(DatabaseError, match="append-only"), \
                        demo_store.writing() as conn:
                    conn.execute(text(f'SET LOCAL ROLE "{role}"'))
                    conn.execute(text(sql))
        finally:
            with demo_store.writing() as conn:
                conn.execute(text(f'DROP OWNED BY "{role}"'))
                conn.execute(text(f'DROP ROLE "{role}"'))
    assert len(actions(demo_store)) == 1


def test_erasing_a_contact_takes_everything_and_keeps_only_the_fact(demo_store: Store
                                                                    ) -> None:
    admin = demo_store.users.current_user(ADMIN)
    enterprise = segment_ids(demo_store)["Enterprise Prospects"]
    before = demo_store.segments.segment_details(enterprise)
    assert before is not None
    # A timeline line segtui wrote naming her (a removal), then she is added back.
    demo_store.members.remove_member(enterprise, SARAH, admin)
    demo_store.members.add_members(enterprise, ContactSelection().toggled(SARAH, True), admin)
    erased = demo_store.contacts.erase_contact(SARAH, admin)
    assert erased.segments == (enterprise,) and erased.events > 0 and erased.tags > 0
    assert erased.timeline_lines >= 1
    with demo_store.reading() as conn:
        for table, column in ((Contact, Contact.id), (EngagementEvent,
                              EngagementEvent.contact_id), (Membership, Membership.contact_id)):
            assert conn.execute(select(func.count()).select_from(table)
                                .where(column == SARAH)).scalar_one() == 0
        lines = " ".join(conn.execute(select(Activity.description + Activity.details)).scalars())
        audit = " ".join(f"{r.subject} {r.details}" for r in conn.execute(
            select(AuditEntry.subject, AuditEntry.details)))
    after = demo_store.segments.segment_details(enterprise)
    assert after is not None and after.members == before.members - 1
    assert "Sarah Johnson" not in lines and "an erased contact" in lines
    assert "Sarah Johnson" not in audit and "sarah.johnson" not in audit
    assert "contact 1" in audit
    assert actions(demo_store)[-1] == (ADMIN, "contact_erased", None)
    with pytest.raises(ErasureError, match="no contact with id 1"):
        demo_store.contacts.erase_contact(SARAH, admin)


def test_only_an_administrator_answers_privacy_requests(demo_store: Store) -> None:
    for name in (MANAGER, VIEWER):
        user = demo_store.users.current_user(name)
        with pytest.raises(NotAllowed):
            demo_store.contacts.erase_contact(SARAH, user)
        with pytest.raises(NotAllowed):
            demo_store.contacts.contact_data(SARAH, user)
        with pytest.raises(NotAllowed):
            demo_store.audit.entries(AuditFilter(), user)
    assert demo_store.contacts.contact_details(SARAH) is not None
    assert actions(demo_store) == []


def test_everything_about_one_contact_in_one_document(demo_store: Store) -> None:
    admin = demo_store.users.current_user(ADMIN)
    data = demo_store.contacts.contact_data(SARAH, admin)
    assert data is not None
    assert data["contact"]["email"] == "sarah.johnson@techcorp.com"
    assert data["company"]["name"] == "TechCorp Solutions" or data["company"]["name"]
    assert data["tags"] and data["events"] and data["segment_stays"]
    assert {s["segment"] for s in data["segment_stays"]} >= {"Enterprise Prospects"}
    assert "email_key" not in data["contact"] and "version" not in data["contact"]
    assert actions(demo_store) == [(ADMIN, "contact_data_exported", None)]
    assert demo_store.contacts.contact_data(999_999, admin) is None


def test_the_log_is_read_newest_first_filtered_and_reading_is_recorded(demo_store: Store
                                                                       ) -> None:
    admin = demo_store.users.current_user(ADMIN)
    manager = demo_store.users.current_user(MANAGER)
    enterprise = segment_ids(demo_store)["Enterprise Prospects"]
    demo_store.audit.record(Action.DASHBOARD_ACCESSED, manager)
    demo_store.audit.record(Action.METRICS_VIEWED, manager, segment_id=enterprise)
    demo_store.audit.record(Action.DASHBOARD_ACCESSED, admin)
    everything = demo_store.audit.entries(AuditFilter(), admin)
    # Newest first; reading the log is recorded before the page is read: the newest.
    assert [(e.actor, e.action) for e in everything] == [
        (ADMIN, Action.ACCESS_LOGS_CHECKED), (ADMIN, Action.DASHBOARD_ACCESSED),
        (MANAGER, Action.METRICS_VIEWED), (MANAGER, Action.DASHBOARD_ACCESSED)]
    sarahs = demo_store.audit.entries(AuditFilter(actor="sarah mitchell"), admin)
    assert [(e.actor, e.action) for e in sarahs] == [
        (MANAGER, Action.METRICS_VIEWED), (MANAGER, Action.DASHBOARD_ACCESSED)]
    viewed = demo_store.audit.entries(AuditFilter(segment_id=enterprise), admin)
    assert [(e.action, e.segment) for e in viewed] == [  # this read is about it too
        (Action.ACCESS_LOGS_CHECKED, "Enterprise Prospects"),
        (Action.METRICS_VIEWED, "Enterprise Prospects")]
    checks = demo_store.audit.entries(AuditFilter(action=Action.USER_ACTIVITY_REVIEWED),
                                      admin)
    assert [(e.actor, e.subject) for e in checks] == [(ADMIN, "user sarah mitchell")]
    assert demo_store.audit.entries(AuditFilter(since=date(2099, 1, 1)), admin) == []
    today = demo_store.audit.entries(AuditFilter(since=date(2024, 2, 26),
                                                 until=date(2024, 2, 26)), admin)
    assert len(today) >= 3
    page = demo_store.audit.entries(AuditFilter(), admin, limit=2)
    rest = demo_store.audit.entries(AuditFilter(), admin, before=page[-1].id)
    assert [e.id for e in page + rest] == sorted((e.id for e in page + rest), reverse=True)
