"""C19.6 in the app: while it is open, the dynamic segments follow what they are owed and
the calendar (SegtuiApp.keep_fresh, every FRESH_SECONDS), and the list shows it."""

from __future__ import annotations

from sqlalchemy import update

from segtui.app import FRESH_SECONDS
from segtui.core import clock
from segtui.core.contacts import ContactSelection
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.tables import Contact
from segtui.data.rules import pending
from segtui.data.store import Store
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import make_app, settle


async def test_an_open_app_does_what_the_segments_are_owed(sqlite_demo_store: Store) -> None:
    store = sqlite_demo_store
    rule = store.rules.check_rule(parse("score > 90"))[0]
    store.segments.create_segment(SegmentDraft("High scorers", rule=rule), ContactSelection(),
                                  store.users.current_user("Sarah Mitchell"))
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PagedTable)

        def count() -> int:
            return int(next(r.contact_count for r in table.rows_on_page
                            if r.name == "High scorers"))

        before = count()
        with store.writing() as conn:  # a change whose process ended before refreshing
            conn.execute(update(Contact).where(Contact.id == 2).values(quality_score=99))
            pending.owe_contacts(conn, [2], clock.now())
        app.keep_fresh()  # what the timer does every FRESH_SECONDS
        await settle(pilot)
        assert count() == before + 1
    assert FRESH_SECONDS <= 60
