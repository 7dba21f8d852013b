"""A dynamic segment's freshness in the app (C20.7.5, C20.7.6), on SQLite and PostgreSQL:
the detail screen's header says when its rule was last evaluated and in how long, or that
it was never evaluated; a failed evaluation is said in a line of its own, in the error
colour, the message shown as written (never markup), until an evaluation succeeds; the
dashboard marks a failed segment's row, and says why on the line under a narrow list.

The failing rule names a field this segtui does not know (as a newer segtui's rule would),
written behind the Store's back. The clock is fixed at 2024-02-26 12:00 (tests/conftest.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from segtui.core.contacts import ContactSelection
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import Segment
from segtui.data.store import Store
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import (
    make_app,
    open_segment,
    screen_text,
    search_dashboard,
    settle,
    text_of,
)

NOW = datetime(2024, 2, 26, 12, 0)
# The field's name holds markup: shown as typed, never as bold.
BROKEN = ('{"version":1,"rule":{"group":"and","children":['
          '{"field":"[bold]shoe_size","op":"=","value":"9"}]}}')
WORKING = ('{"version":1,"rule":{"group":"and","children":['
           '{"field":"city","op":"=","value":"Boston"}]}}')
FAILURE = "unknown field '[bold]shoe_size'"


def make_dynamic(store: Store, name: str, rule: str = "city = Boston") -> int:
    return store.segments.create_segment(
        SegmentDraft(name, rule=parse(rule)), ContactSelection(),
        store.users.current_user("Sarah Mitchell"))


def set_row(store: Store, segment_id: int, **values: object) -> None:
    """Change the segment's row behind the app's back."""
    with store.orm_session() as session:
        session.execute(update(Segment).where(Segment.id == segment_id).values(**values))


def broken_segment(store: Store, name: str) -> int:
    """A dynamic segment whose rule fails, its failure recorded 5 minutes ago, its last
    good evaluation an hour ago in 120 ms (fixed: a snapshot shows them)."""
    segment_id = make_dynamic(store, name)
    set_row(store, segment_id, rule=BROKEN)
    store.rules.refresh_segments([segment_id])
    set_row(store, segment_id, evaluation_failed_at=NOW - timedelta(minutes=5),
            evaluated_at=NOW - timedelta(hours=1), evaluation_ms=120)
    return segment_id


def meta(app: object) -> str:
    return text_of(app, "#detail-meta").removeprefix(" Draft ").lstrip()


async def test_the_header_says_when_and_how_long(demo_store: Store) -> None:
    """C20.7.5: "evaluated 3 min ago in 120 ms"; after `r`, "just now"; a dynamic segment
    never evaluated says so."""
    segment_id = make_dynamic(demo_store, "Boston Live")
    set_row(demo_store, segment_id, evaluated_at=NOW - timedelta(minutes=3), evaluation_ms=120)
    never = make_dynamic(demo_store, "Never Evaluated")
    set_row(demo_store, never, evaluated_at=None, evaluation_ms=None)
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Boston Live")
        assert meta(app).startswith("Dynamic, evaluated 3 min ago in 120 ms · Owner ")
        assert not app.screen.query_one("#detail-failure").display
        await pilot.press("r")
        await settle(pilot)
        assert meta(app).startswith("Dynamic, evaluated just now in ")
        await pilot.press("escape")
        await settle(pilot)
        # The dashboard's start-up pass evaluated it (it was stale): undone behind its back.
        set_row(demo_store, never, evaluated_at=None, evaluation_ms=None)
        await open_segment(pilot, "Never Evaluated")
        assert meta(app).startswith("Dynamic, not evaluated yet · Owner ")


async def test_a_failure_is_shown_then_cleared_by_a_fix(demo_store: Store) -> None:
    """C20.7.5: the failure's line, with the message as written; `r` evaluates again and
    fails again (still said); once the rule is fixed, `r` clears it (C20.7.3)."""
    segment_id = broken_segment(demo_store, "Broken Live")
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Broken Live")
        failure = app.screen.query_one("#detail-failure")
        assert failure.display
        assert text_of(app, "#detail-failure") == (
            f"⚠ Evaluation failed 5 min ago: {FAILURE}")
        # The last good evaluation stays said.
        assert meta(app).startswith("Dynamic, evaluated 1 h ago in 120 ms · ")
        await pilot.press("r")
        await settle(pilot)
        assert text_of(app, "#detail-failure") == (
            f"⚠ Evaluation failed just now: {FAILURE}")
        set_row(demo_store, segment_id, rule=WORKING)  # fixed by someone else
        await pilot.press("r")
        await settle(pilot)
        assert not app.screen.query_one("#detail-failure").display
        assert meta(app).startswith("Dynamic, evaluated just now in ")
    details = demo_store.segments.segment_details(segment_id)
    assert details is not None and details.evaluation_error is None


async def test_the_dashboard_marks_a_failed_segment(demo_store: Store) -> None:
    """C20.7.6: ⚠ before the failed segment's name; at 80 columns the line under the list
    says why for the highlighted one, and nothing for a segment that did not fail."""
    broken_segment(demo_store, "Broken Live")
    make_dynamic(demo_store, "Boston Live")
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await search_dashboard(pilot, "Broken Live")
        table = app.screen.query_one(PagedTable)
        row = table.current_row
        assert row is not None and row.evaluation_error == FAILURE
        assert any("⚠ Broken Live" in line for line in screen_text(app))
        preview = text_of(app, "#description-preview")
        assert f"Evaluation: ⚠ failed 5 min ago: {FAILURE}" in preview
        await pilot.press("escape")
        await search_dashboard(pilot, "Boston Live")
        assert "Evaluation" not in text_of(app, "#description-preview")
        assert not any("⚠ Boston Live" in line for line in screen_text(app))
