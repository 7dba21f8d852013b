"""The HTTP API's members, export, rule count, contacts, events and changes feed
(C21.1.5-C21.1.11), over a real HTTP connection on both engines."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import func, select

from segtui.core.contacts import ContactSelection
from segtui.core.formats.file_formats import ExportFormat
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Contact, EngagementEvent, Membership
from segtui.transfer.exports import export_members
from tests.api.conftest import MANAGER, Served


def members_of(served: Served, segment_id: int) -> set[int]:
    with served.store.reading() as conn:
        return set(conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id, current_membership())).scalars())


def test_member_pages_cover_every_member_once_while_members_change(served: Served) -> None:
    store = served.store
    segment_id = store.segments.segment_id_named("Inactive Subscribers")
    assert segment_id is not None
    before = members_of(served, segment_id)
    seen: list[int] = []
    with served.client("read") as http:
        page = http.get(f"/v1/segments/{segment_id}/members", params={"limit": 7}).json()
        seen += [m["id"] for m in page["members"]]
        # A member added behind the cursor shifts no later row.
        outside = min(set(range(1, 256)) - before)
        store.members.add_members(segment_id, ContactSelection().toggled(outside, True),
                                  store.users.look_as(MANAGER))
        store.viewer = None
        while page["next_cursor"]:
            page = http.get(f"/v1/segments/{segment_id}/members",
                            params={"limit": 7, "cursor": page["next_cursor"]}).json()
            seen += [m["id"] for m in page["members"]]
    assert len(seen) == len(set(seen))
    assert set(seen) - {outside} == before
    assert seen == sorted(seen)


def test_the_streamed_export_is_the_files_export_byte_for_byte(served: Served,
                                                                tmp_path: Path) -> None:
    store = served.store
    segment_id = store.segments.segment_id_named("Inactive Subscribers")
    assert segment_id is not None
    user = store.users.look_as(MANAGER)
    store.viewer = None
    for fmt in (ExportFormat.CSV, ExportFormat.JSONL):
        path = tmp_path / f"members.{fmt.value}"
        count = export_members(store, user, segment_id, path, fmt)
        with served.client("read") as http:
            answer = http.get(f"/v1/segments/{segment_id}/members/export",
                              params={"format": fmt.value})
        assert answer.status_code == 200
        assert answer.content == path.read_bytes()
        assert count == 120
    rows = list(csv.reader(io.StringIO((tmp_path / "members.csv").read_text())))
    assert len(rows) == 121


def test_a_rule_is_counted_as_the_store_counts_it(served: Served) -> None:
    from segtui.core.rules.language import parse

    with served.client("read") as http:
        answer = http.post("/v1/rules/count", json={"rule": "score >  80", "sample": 3})
        unknown = http.post("/v1/rules/count", json={"rule": "colour = red"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    checked, _ = served.store.rules.check_rule(parse("score > 80"))
    assert body["rule"] == "score > 80"
    assert body["count"] == served.store.rules.rule_count(checked)
    assert len(body["sample"]) == 3
    assert unknown.status_code == 422
    assert "colour" in unknown.json()["detail"]


def contact_count(served: Served) -> int:
    with served.store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Contact)).scalar_one())


def test_a_batch_upsert_writes_good_rows_and_reports_the_others(served: Served) -> None:
    before = contact_count(served)
    batch = [
        {"Email": "new.person@example.com", "Name": "New Person", "Company": "Acme",
         "Status": "Qualified", "Quality Score": 91},
        {"Email": "not an email", "Name": "Broken"},
        {"Email": "sarah.johnson@techcorp.com", "Name": "Sarah Johnson", "Title": "CRO"},
        {"Email": "markup@example.com", "Name": "\x1b[31mRed"},
    ]
    with served.client() as http:
        answer = http.post("/v1/contacts/batch", json={"contacts": batch})
        fetched = http.get("/v1/contacts/NEW.person@example.com")
        updated = http.get("/v1/contacts/sarah.johnson@techcorp.com")
        searched = http.get("/v1/contacts", params={"search": "acme"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["added"], body["updated"], body["rejected"]) == (1, 1, 2)
    assert [p["row"] for p in body["problems"]] == [1, 3]
    assert "not an email address" in body["problems"][0]["problem"]
    assert body["problems"][0]["field"] == "Email"
    assert contact_count(served) == before + 1
    assert fetched.json()["quality_score"] == 91
    assert updated.json()["title"] == "CRO"
    assert "new.person@example.com" in [c["email"] for c in searched.json()["contacts"]]


def test_rows_without_an_email_are_added_each_time_and_said_to_be(served: Served) -> None:
    """Nothing matches a row without an email: it is a new contact each time it is sent
    (as a file without an Email column is, I16.16). The answer says so; it said nothing,
    and the same batch sent twice added two "No Email" contacts silently."""
    batch = [{"Email": "has.one@example.com", "Name": "Has One"},
             {"Name": "No Email"}, {"Name": "Nor This", "Email": ""}]
    before = contact_count(served)
    with served.client() as http:
        first = http.post("/v1/contacts/batch", json={"contacts": batch}).json()
        second = http.post("/v1/contacts/batch", json={"contacts": batch}).json()
    assert (first["added"], second["added"], second["updated"]) == (3, 2, 1)
    assert first["warnings"] == second["warnings"] == [
        "2 rows without an email (rows 1, 2): each is a new contact, and sending it again "
        "adds it again"]
    assert contact_count(served) == before + 5
    with served.client() as http:  # a batch whose rows all have one warns of nothing
        assert http.post("/v1/contacts/batch", json={"contacts": batch[:1]}).json()[
            "warnings"] == []


def test_a_batch_that_cannot_be_imported_writes_nothing(served: Served) -> None:
    before = contact_count(served)
    with served.client() as http:
        misspelt = http.post("/v1/contacts/batch", json={"contacts": [{"emial": "a@b.c"}]})
        too_many = http.post("/v1/contacts/batch", json={
            "contacts": [{"Email": f"p{i}@example.com", "Name": "P"} for i in range(10_001)]})
        nested = http.post("/v1/contacts/batch", json={"contacts": [{"Email": {"x": 1}}]})
        dry = http.post("/v1/contacts/batch", json={
            "contacts": [{"Email": "dry@example.com", "Name": "Dry"}], "dry_run": True})
    with served.client("viewer") as http:
        viewer = http.post("/v1/contacts/batch", json={
            "contacts": [{"Email": "v@example.com", "Name": "V"}]})
    assert misspelt.status_code == 422
    assert "'emial'" in misspelt.json()["detail"]
    assert too_many.status_code == 422 and nested.status_code == 422
    assert dry.json()["added"] == 1
    assert viewer.status_code == 403
    assert "not allowed to import contacts" in viewer.json()["detail"]
    assert contact_count(served) == before


def test_events_are_ingested_and_unknown_contacts_reported(served: Served) -> None:
    with served.store.reading() as conn:
        before = conn.execute(select(func.count()).select_from(EngagementEvent)).scalar_one()
    events = [
        {"Email": "sarah.johnson@techcorp.com", "Type": "opened",
         "Occurred At": "2024-02-20T10:00:00", "Campaign": "API Push"},
        {"Email": "nobody@nowhere.example", "Type": "clicked", "Occurred At": "2024-02-20"},
        {"Email": "sarah.johnson@techcorp.com", "Type": "purchase",
         "Occurred At": "2024-02-21", "Revenue": "120.50"},
    ]
    with served.client() as http:
        answer = http.post("/v1/events/batch", json={"events": events})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["added"], body["rejected"]) == (2, 1)
    assert body["problems"][0]["row"] == 1
    assert body["campaigns_created"] == ["API Push"]
    with served.store.reading() as conn:
        after = conn.execute(select(func.count()).select_from(EngagementEvent)).scalar_one()
    assert after == before + 2


def test_the_changes_feed_gives_every_change_once_after_its_cursor(served: Served) -> None:
    store = served.store
    with served.client() as http:
        made = http.post("/v1/segments", json={"name": "Feed Me", "rule": "score > 85"}).json()
        first = http.get(f"/v1/segments/{made['id']}/changes", params={"limit": 5}).json()
        entered = list(first["changes"])
        cursor = first["next_cursor"]
        while True:
            page = http.get(f"/v1/segments/{made['id']}/changes",
                            params={"cursor": cursor, "limit": 5}).json()
            entered += page["changes"]
            cursor = page["next_cursor"]
            if not page["more"]:
                break
        assert {c["contact_id"] for c in entered} == members_of(served, made["id"])
        assert {c["event"] for c in entered} == {"entered"}
        leaver = entered[0]["contact_id"]
        store.members.remove_member(made["id"], leaver, store.users.look_as(MANAGER))
        store.viewer = None
        later = http.get(f"/v1/segments/{made['id']}/changes",
                         params={"cursor": cursor}).json()
        quiet = http.get(f"/v1/segments/{made['id']}/changes",
                         params={"cursor": later["next_cursor"]}).json()
    assert [(c["event"], c["contact_id"], c["why"]) for c in later["changes"]] == [
        ("left", leaver, "manual")]
    assert quiet["changes"] == [] and quiet["next_cursor"] == later["next_cursor"]
    json.dumps(later)  # plain JSON
