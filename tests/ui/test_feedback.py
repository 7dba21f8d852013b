"""U15.13 (two parts): what the detail screen explains and when. The AI Insights
"Some members lack a phone" finding explains the phone rule (it showed the email rules);
a mistyped date in the Activity filter says so as it is typed (it waited for enter)."""

from __future__ import annotations

from textual.widgets import Input, Static

from segtui.data.store import Store
from segtui.screens.detail.insights_tab import InsightCard
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import make_app, open_segment, settle, text_of


async def test_phone_finding_explains_the_phone_rule(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("4")
        await settle(pilot)
        card = app.screen.query_one("#insight-data_quality", InsightCard)
        shown = str(card.query_one(Static).render())
        assert "Some members lack a phone" in shown
        how = shown.split("How: ", 1)[1]
        assert how == "Missing phone = none, or only spaces."


async def test_a_bad_date_says_so_as_it_is_typed(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("5")
        await settle(pilot)
        error = app.screen.query_one("#activity-filter-error")
        app.screen.query_one("#activity-from", Input).focus()
        # The start of a date is no mistake yet.
        await pilot.press(*"2024-1")
        await settle(pilot)
        assert error.disabled
        # "2024-13" can't become a date: said at once, no enter.
        await pilot.press("3")
        await settle(pilot)
        assert not error.disabled and error.display
        assert text_of(app, "#activity-filter-error") == \
            "“2024-13” is not a date: use YYYY-MM-DD"
        # Corrected: the mistake goes, and a whole date filters at once.
        await pilot.press("backspace", "backspace", *"02-26")
        await settle(pilot)
        assert error.disabled
        assert app.screen.query_one("#activities", PagedTable).total == 0
        await pilot.press(*["backspace"] * 5, *"01-01")
        await settle(pilot)
        assert app.screen.query_one("#activities", PagedTable).total == 4
        # Letters are wrong from the first one.
        app.screen.query_one("#activity-to", Input).focus()
        await pilot.press("x")
        await settle(pilot)
        assert text_of(app, "#activity-filter-error") == "“x” is not a date: use YYYY-MM-DD"
        # A "to" before the "from" is said as soon as it is whole.
        await pilot.press("backspace", *"2023-12-31")
        await settle(pilot)
        assert text_of(app, "#activity-filter-error") == \
            "The “from” date is after the “to” date."
