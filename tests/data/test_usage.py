"""C19.4.4-C19.4.7 in the Store, both engines: the log a window at a time, each segment's
adoption in the last 30 or 90 days, the segments unused in 90 days, archive and restore,
and the log's export."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from segtui.core.audit import Action, AuditFilter, filter_day
from segtui.core.enums import CampaignStatus
from segtui.core.formats.file_formats import ExportFormat
from segtui.core.records import SegmentFilter, SegmentSort
from segtui.core.segments import NotAllowed, SegmentUsedByRules
from segtui.core.usage import ArchiveRefused
from segtui.data.db.tables import Activity, AuditEntry, Campaign, campaign_segments
from segtui.data.rules import pending
from segtui.data.rules.refresh import dynamic_ids, stale_ids
from segtui.data.store import Store
from segtui.transfer.audit_export import export_audit
from tests.usage_data import ALEX, JAMES, SARAH, fill_usage

ENTERPRISE, INACTIVE, ENGAGERS, TRIAL = 1, 2, 3, 4


@pytest.fixture
def store(demo_store: Store) -> Store:
    fill_usage(demo_store)
    return demo_store


def test_adoption_counts_views_exports_and_campaigns_most_used_first(store: Store) -> None:
    james = store.users.current_user(JAMES)
    month = store.audit.adoption_page(30, james)
    by_name = {r.name: (r.views, r.exports, r.campaigns) for r in month.rows}
    # Campaigns: the running ones (Active); in 90 days, also those started then.
    assert by_name["Marketing Engagers"] == (3, 1, 1)
    assert by_name["Enterprise Prospects"] == (0, 0, 1)
    assert month.rows[0].name == "Marketing Engagers"
    assert by_name["Inactive Subscribers"] == (0, 0, 0)
    quarter = store.audit.adoption_page(90, james)
    by_name = {r.name: (r.views, r.exports, r.campaigns) for r in quarter.rows}
    assert by_name["Enterprise Prospects"] == (3, 0, 3)
    assert by_name["Inactive Subscribers"] == (1, 1, 0)
    uses = [r.uses for r in quarter.rows]
    assert uses == sorted(uses, reverse=True) and quarter.rows[0].name == "Enterprise Prospects"
    assert store.audit.adoption_count(james) == 7 == len(quarter.rows)


def test_adoption_pages_by_keyset_both_ways(store: Store) -> None:
    james = store.users.current_user(JAMES)
    whole = [r.id for r in store.audit.adoption_page(90, james).rows]
    first = store.audit.adoption_page(90, james, limit=3)
    second = store.audit.adoption_page(90, james, after=first.last, limit=3)
    third = store.audit.adoption_page(90, james, after=second.last, limit=3)
    assert [r.id for r in (*first.rows, *second.rows, *third.rows)] == whole
    assert first.has_after and not third.has_after and second.has_before
    back = store.audit.adoption_page(90, james, before=second.first, limit=3)
    assert back.rows == first.rows
    last = store.audit.adoption_page(90, james, at_end=True, limit=3)
    assert [r.id for r in last.rows] == whole[-3:]


def test_a_campaign_started_in_the_period_counts(store: Store) -> None:
    with store.writing() as conn:
        campaign = conn.execute(insert(Campaign).values(
            name="Spring", status=CampaignStatus.COMPLETED,
            created_at=datetime(2024, 2, 10)).returning(Campaign.id)).scalar_one()
        conn.execute(insert(campaign_segments).values(campaign_id=campaign,
                                                      segment_id=INACTIVE))
    james = store.users.current_user(JAMES)
    rows = {r.name: r.campaigns for r in store.audit.adoption_page(30, james).rows}
    assert rows["Inactive Subscribers"] == 1


def test_unused_are_the_segments_not_used_in_90_days_longest_first(store: Store) -> None:
    james = store.users.current_user(JAMES)
    page = store.audit.unused_page(james)
    # Winter Promo was last viewed 200 days ago, Dormant Leads last changed 180 days ago,
    # the webinar list viewed 100 days ago; every demo segment was used since.
    assert [(r.name, r.last_used.date()) for r in page.rows] == [
        ("Winter Promo 2022", date(2023, 8, 10)), ("Dormant Leads", date(2023, 8, 30)),
        ("Old Webinar List", date(2023, 11, 18))]
    assert page.rows[1].owner is not None
    assert store.audit.unused_count(james) == 3
    later = store.audit.unused_page(james, after=page.first, limit=1)
    assert [r.name for r in later.rows] == ["Dormant Leads"] and later.has_after
    # A view makes it used again.
    store.audit.record(Action.METRICS_VIEWED, store.users.current_user(SARAH),
                       segment_id=page.rows[0].id)
    assert [r.name for r in store.audit.unused_page(james).rows] == [
        "Dormant Leads", "Old Webinar List"]


def test_archive_leaves_the_lists_and_cards_and_restore_brings_it_back(store: Store) -> None:
    sarah = store.users.current_user(SARAH)  # a Marketing Manager may
    before = store.segments.dashboard_metrics()
    count = store.segments.segment_count(SegmentFilter())
    assert store.segments.archive(INACTIVE, sarah) == "Inactive Subscribers"
    names = [r.name for r in store.segments.segment_page(SegmentFilter(), SegmentSort()).rows]
    assert "Inactive Subscribers" not in names
    assert store.segments.segment_count(SegmentFilter()) == count - 1
    archived = store.segments.segment_page(SegmentFilter(archived=True), SegmentSort())
    assert [r.name for r in archived.rows] == ["Inactive Subscribers"]
    after = store.segments.dashboard_metrics()
    assert after.total_segments == before.total_segments - 1
    assert after.total_contacts < before.total_contacts
    james = store.users.current_user(JAMES)
    assert INACTIVE not in {r.id for r in store.audit.adoption_page(90, james).rows}
    with pytest.raises(ArchiveRefused, match="already archived"):
        store.segments.archive(INACTIVE, sarah)  # someone else did it meanwhile
    assert store.segments.restore(INACTIVE, sarah) == "Inactive Subscribers"
    assert store.segments.dashboard_metrics() == before
    with pytest.raises(ArchiveRefused, match="is not archived"):
        store.segments.restore(INACTIVE, sarah)
    with store.reading() as conn:
        timeline = list(conn.execute(select(Activity.type).where(
            Activity.segment_id == INACTIVE).order_by(Activity.id.desc()).limit(2)).scalars())
        audited = list(conn.execute(select(AuditEntry.action, AuditEntry.actor).where(
            AuditEntry.segment_id == INACTIVE).order_by(AuditEntry.id.desc()).limit(2)))
    assert timeline == ["Segment Restored", "Segment Archived"]
    assert [tuple(r) for r in audited] == [("segment_restored", SARAH),
                                           ("segment_archived", SARAH)]


def test_a_viewer_may_not_archive_and_a_rule_in_use_may_not_go(store: Store) -> None:
    with pytest.raises(NotAllowed):
        store.segments.archive(INACTIVE, store.users.current_user(ALEX))
    from segtui.core.contacts import ContactSelection
    from segtui.core.rules.language import parse
    from segtui.core.segments import SegmentDraft

    sarah = store.users.current_user(SARAH)
    rule = parse('in segment "Inactive Subscribers"')
    store.segments.create_segment(SegmentDraft("Uses Inactive", rule=rule),
                                  ContactSelection(), sarah)
    with pytest.raises(SegmentUsedByRules, match="cannot be archived"):
        store.segments.archive(INACTIVE, sarah)


def test_archived_dynamic_segments_sit_out_the_passes_and_a_restore_owes_one(
        store: Store) -> None:
    from segtui.core.contacts import ContactSelection
    from segtui.core.rules.language import parse
    from segtui.core.segments import SegmentDraft

    sarah = store.users.current_user(SARAH)
    dynamic = store.segments.create_segment(
        SegmentDraft("High scorers", rule=parse("score > 70")), ContactSelection(), sarah)
    store.segments.archive(dynamic, sarah)
    with store.reading() as conn:
        assert dynamic not in dynamic_ids(conn)
        assert dynamic not in stale_ids(conn, date(2030, 1, 1))
    store.segments.restore(dynamic, sarah)
    with store.reading() as conn:
        assert dynamic in dynamic_ids(conn)
        assert dynamic in pending.owed(conn).segments


def test_the_log_a_window_at_a_time_filtered(store: Store) -> None:
    james = store.users.current_user(JAMES)
    everything = store.audit.log_page(AuditFilter(), james, limit=500).rows
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)
    first = store.audit.log_page(AuditFilter(), james, limit=4)
    second = store.audit.log_page(AuditFilter(), james, after=first.last, limit=4)
    assert (*first.rows, *second.rows) == everything[:8]
    assert store.audit.log_page(AuditFilter(), james, before=second.first,
                                limit=4).rows == first.rows
    assert store.audit.log_page(AuditFilter(), james, at_end=True, limit=2).rows == \
        everything[-2:]
    flt = AuditFilter(actor="sarah mitchell", action=Action.METRICS_VIEWED,
                      since=date(2024, 1, 1), until=date(2024, 2, 20))
    found = store.audit.log_page(flt, james).rows
    assert {(e.actor, e.action) for e in found} == {(SARAH, Action.METRICS_VIEWED)}
    assert [e.at.date() for e in found] == [date(2024, 2, 6), date(2024, 1, 17)]
    assert store.audit.log_count(flt, james) == 2
    assert store.audit.log_count(AuditFilter(segment_id=ENGAGERS), james) == 4


def test_only_an_administrator_reviews_usage(store: Store) -> None:
    sarah = store.users.current_user(SARAH)
    for look in (lambda: store.audit.log_page(AuditFilter(), sarah),
                 lambda: store.audit.adoption_page(30, sarah),
                 lambda: store.audit.unused_page(sarah),
                 lambda: store.audit.unused_count(sarah)):
        with pytest.raises(NotAllowed, match="review the audit log"):
            look()


def test_a_bad_day_names_the_field_and_the_rule() -> None:
    assert filter_day("Since", " 2024-02-01 ") == date(2024, 2, 1)
    assert filter_day("Since", "") is None
    with pytest.raises(ValueError, match=r"Since: “2026-13-40” is not a day; write it as "
                                         "YYYY-MM-DD"):
        filter_day("Since", "2026-13-40")


@pytest.mark.parametrize("fmt", [ExportFormat.CSV, ExportFormat.JSONL])
def test_the_export_streams_the_filtered_log_and_is_itself_recorded(
        store: Store, tmp_path: Path, fmt: ExportFormat, monkeypatch: pytest.MonkeyPatch
) -> None:
    from segtui.transfer import audit_export

    monkeypatch.setattr(audit_export, "PAGE", 3)  # several pages
    james = store.users.current_user(JAMES)
    flt = AuditFilter(action=Action.METRICS_VIEWED)
    path = tmp_path / f"log.{fmt.value}"
    count = export_audit(store, james, flt, path, fmt)
    expected = store.audit.log_page(flt, james, limit=500).rows
    assert count == len(expected) == 10
    text = path.read_text(encoding="utf-8")
    if fmt is ExportFormat.CSV:
        rows = list(csv.reader(text.splitlines()))
        assert rows[0][:4] == ["Id", "At", "Actor", "Action"]
        assert [int(r[0]) for r in rows[1:]] == [e.id for e in expected]
    else:
        objects = [json.loads(line) for line in text.splitlines()]
        assert [o["id"] for o in objects] == [e.id for e in expected]
        assert objects[0]["action"] == "metrics_viewed"
    newest = store.audit.log_page(AuditFilter(), james, limit=1).rows[0]
    assert (newest.action, newest.actor, newest.subject) == (Action.AUDIT_EXPORTED, JAMES,
                                                             path.name)
    assert "10 entries" in newest.details and "action metrics_viewed" in newest.details


def test_a_stopped_export_leaves_no_file_and_no_entry(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from segtui.core.formats import audit_export

    def stop(count: int) -> None:
        raise RuntimeError("stopped")

    monkeypatch.setattr(audit_export, "PROGRESS_EVERY", 2)
    james = store.users.current_user(JAMES)
    path = tmp_path / "log.csv"
    with pytest.raises(RuntimeError, match="stopped"):
        export_audit(store, james, AuditFilter(), path, ExportFormat.CSV, on_progress=stop)
    assert not list(tmp_path.glob("*log.csv*"))
    assert store.audit.log_count(AuditFilter(action=Action.AUDIT_EXPORTED), james) == 0


def test_sqlite_reads_the_periods_entries_for_adoption(sqlite_demo_store: Store) -> None:
    """SQLite walked the whole log in ix_audit_log_segment_at for the grouping's order
    (segtui/data/queries/usage.py): it reads the period's range of ix_audit_log_at."""
    from segtui.data.queries import usage

    with sqlite_demo_store.reading() as conn:
        compiled = select(usage._adoption(90)).compile(
            conn, compile_kwargs={"literal_binds": True})
        plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]
    assert "SEARCH audit_log USING INDEX ix_audit_log_at (at>?)" in plan, plan
