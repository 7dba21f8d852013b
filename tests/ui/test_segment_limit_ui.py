"""C19.3 in the app: near the per-creator limit, Create says how many are left; at it, the
save is refused with why, and the form keeps what was typed."""

from __future__ import annotations

from segtui.data.store import Store
from segtui.screens.modals.create_segment import CreateSegmentModal
from tests.ui.conftest import make_app, settle, text_of


async def test_create_says_how_many_are_left_then_refuses(sqlite_demo_store: Store) -> None:
    store = sqlite_demo_store
    manager = store.users.current_user("Sarah Mitchell")
    left, limit = store.segments.segments_left(manager)
    store.segments.set_segment_limit(limit - left + 2, store.users.current_user("James Carter"))
    app = make_app(store, "Sarah Mitchell")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CreateSegmentModal)
        assert text_of(app, "#save-error").startswith("You may create 2 more segments")
        await pilot.press(*"First extra", "ctrl+s")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert text_of(app, "#save-error").startswith("You may create 1 more segment ")
        await pilot.press(*"Second extra", "ctrl+s")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert text_of(app, "#save-error").startswith("You own the most segments")
        await pilot.press(*"Third extra", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CreateSegmentModal)  # refused: the form stays
        assert "Sarah Mitchell already owns" in text_of(app, "#save-error")
        assert app.screen.query_one("#field-name").value == "Third extra"  # type: ignore[attr-defined]
