"""Q6.4: the data quality report and merging duplicates, through the Store and the
CLI (`segtui quality`, `segtui contacts merge`), on SQLite and PostgreSQL. Definitions:
segtui/core/quality.py and docs/quality.md. The clock is 2024-02-26, so "stale" means no
action and no contact since 2023-08-30 (180 days)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import segtui.cli as cli
from segtui.core.enums import EventType, LeadStatus, MembershipSource, UserRole
from segtui.core.permissions import CurrentUser
from segtui.core.quality import MergeError
from segtui.core.segments import NotAllowed
from segtui.data.db.models import Activity, Company, Contact, EngagementEvent, Membership, Tag
from segtui.data.db.tables import contact_tags
from segtui.data.store import Store
from tests.factories import add_segment

runner = CliRunner()
RECENT = datetime(2024, 2, 1)
OLD = datetime(2023, 1, 1)


def person(store: Store, name: str, *, email: str | None = None, phone: str | None = "1",
           company: int | None = None, active: datetime | None = RECENT,
           created: datetime = datetime(2023, 1, 1), tags: tuple[str, ...] = (),
           keyless: bool = False) -> int:
    """`keyless`: written as another program would, without the email's key, so the unique
    index (I16.1) can't see it: the only way left to share an email."""
    with store.orm_session() as session:
        row = Contact(name=name, email=email, phone=phone, company_id=company,
                      lead_status=LeadStatus.NEW, quality_score=50, created_at=created,
                      last_contacted_at=active)
        if keyless:
            row.email_key = None
        session.add(row)
        session.flush()
        for tag in tags:
            found = session.scalars(select(Tag).where(Tag.name == tag)).first()
            if found is None:
                found = Tag(name=tag)
                session.add(found)
                session.flush()
            session.execute(contact_tags.insert().values(contact_id=row.id,
                                                         tag_id=found.id))
        return row.id


def company(store: Store, name: str) -> int:
    with store.orm_session() as session:
        row = Company(name=name)
        session.add(row)
        session.flush()
        return row.id


def join(store: Store, segment: int, contact: int, added: datetime = OLD) -> None:
    with store.orm_session() as session:
        session.add(Membership(segment_id=segment, contact_id=contact,
                               source=MembershipSource.MANUAL, added_at=added))


def test_report_counts_each_problem(empty_store: Store) -> None:
    store = empty_store
    acme = company(store, "Acme")
    person(store, "Ok", email="ok@example.com")
    person(store, "No Mail")
    person(store, "Bad Mail", email="bad@")
    person(store, "Blank Mail", email="  ")
    person(store, "No Phone", email="np@example.com", phone=" ")
    person(store, "Stale", email="stale@example.com", active=OLD)
    first = person(store, "Dup One", email="Dup@Example.com")
    person(store, "Dup Two", email="dup@example.com ", keyless=True)
    person(store, "Ann  Lee", email="ann1@example.com", company=acme)
    person(store, "ann  lee", email="ann2@example.com", company=acme)
    person(store, "Ann  Lee", email="ann3@example.com")  # no company: not a duplicate
    seg = add_segment(store, "Mixed")
    join(store, seg, first)
    join(store, seg, person(store, "Fine", email="fine@example.com"))
    report = store.quality.quality_report()
    assert report.contacts == 12
    # "bad@" and "dup@example.com " (a space is never valid) are invalid; blank is missing.
    assert (report.missing_email, report.invalid_email, report.missing_phone) == (2, 2, 1)
    assert report.stale == 1
    assert (report.duplicate_email_groups, report.duplicate_email_contacts) == (1, 2)
    assert (report.duplicate_name_groups, report.duplicate_name_contacts) == (1, 2)
    email_group, name_group = report.groups
    assert email_group.reason == "same email" and email_group.key == "dup@example.com"
    assert [m.name for m in email_group.contacts] == ["Dup One", "Dup Two"]
    assert email_group.contacts[0].segments == 1
    assert name_group.reason == "same name and company"
    assert name_group.key == "Ann  Lee · Acme"
    assert [(s.name, s.members, s.flagged) for s in report.segments] == [("Mixed", 2, 1)]


def test_merge_keeps_memberships_events_tags_and_history(empty_store: Store) -> None:
    store = empty_store
    user = store.users.current_user("Sarah Mitchell")
    keep = person(store, "Kim", email="kim@example.com", phone=None, tags=("VIP",))
    other = person(store, "Kim Dup", email="kim@example.com", phone="555",
                   tags=("VIP", "Webinar"), active=datetime(2024, 2, 20), keyless=True)
    both, only_other = add_segment(store, "Both"), add_segment(store, "Only Other")
    join(store, both, keep)
    join(store, both, other)
    join(store, only_other, other)
    with store.orm_session() as session:
        session.add(EngagementEvent(contact_id=other, type=EventType.CONVERTED,
                                    occurred_at=datetime(2024, 2, 1), revenue_cents=700))
    result = store.quality.merge_contacts(keep, [other], user)
    assert (result.kept, result.merged, result.events_moved) == (keep, (other,), 1)
    assert set(result.segments) == {both, only_other}
    with store.reading() as conn:
        kept = conn.execute(select(Contact).where(Contact.id == keep)).one()
        assert kept.phone == "555"  # filled from the duplicate
        assert kept.last_contacted_at == datetime(2024, 2, 20)
        assert (kept.spent_cents, kept.purchases) == (700, 1)  # rollups followed the event
        assert conn.execute(select(func.count()).select_from(Contact)
                            .where(Contact.id == other)).scalar_one() == 0
        stays = conn.execute(select(Membership.segment_id, Membership.removed_at)
                             .where(Membership.contact_id == keep)
                             .order_by(Membership.segment_id, Membership.id)).all()
        current = [s for s, removed in stays if removed is None]
        assert sorted(current) == sorted([both, only_other])
        assert len(stays) == 3  # the duplicate's stay in Both is history now
        tags = conn.execute(select(Tag.name).join(contact_tags).where(
            contact_tags.c.contact_id == keep).order_by(Tag.name)).scalars().all()
        assert tags == ["VIP", "Webinar"]
        logged = conn.execute(select(Activity.segment_id, Activity.description)
                              .where(Activity.type == "Contacts Merged")).all()
        assert sorted(s for s, _ in logged) == sorted([both, only_other])
        assert logged[0][1] == "Merged 1 duplicate contact into Kim"


def test_merge_refusals(empty_store: Store) -> None:
    store = empty_store
    a, b = person(store, "A"), person(store, "B")
    user = store.users.current_user("Sarah Mitchell")
    with pytest.raises(MergeError, match="at least one other"):
        store.quality.merge_contacts(a, [a], user)
    with pytest.raises(MergeError, match="no contact with id 999999"):
        store.quality.merge_contacts(a, [999_999], user)
    viewer = CurrentUser(user.id, "Vic Viewer", UserRole.VIEWER)
    with pytest.raises(NotAllowed):
        store.quality.merge_contacts(a, [b], viewer)
    assert store.quality.quality_report().contacts == 2


def test_cli_quality_json_and_merge(demo_store: Store) -> None:
    url = demo_store.engine.url.render_as_string(hide_password=False)
    first = person(demo_store, "Twin", email="twin@example.com")
    second = person(demo_store, "Twin", email="TWIN@example.com", keyless=True)
    result = runner.invoke(cli.app, ["quality", "--json", "--db", url])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"contacts", "missing_email", "invalid_email", "missing_phone", "stale",
            "duplicate_email_groups", "duplicate_email_contacts", "duplicate_name_groups",
            "duplicate_name_contacts", "groups", "segments"} == set(data)
    twins = [g for g in data["groups"] if g["key"] == "twin@example.com"]
    assert [m["id"] for m in twins[0]["contacts"]] == [first, second]
    assert set(data["segments"][0]) == {"id", "name", "members", "flagged", "share"}
    text = runner.invoke(cli.app, ["quality", "--db", url])
    assert text.exit_code == 0 and "same email: twin@example.com" in text.stdout
    refused = runner.invoke(cli.app, ["contacts", "merge", str(first), str(second),
                                      "--db", url])
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    merged = runner.invoke(cli.app, ["contacts", "merge", str(first), str(second), "--yes",
                                     "--json", "--db", url])
    assert merged.exit_code == 0, merged.stderr
    assert json.loads(merged.stdout)["merged"] == [second]
    again = runner.invoke(cli.app, ["contacts", "merge", str(first), str(second), "--yes",
                                    "--db", url])
    assert again.exit_code == 1 and f"no contact with id {second}" in again.stderr
