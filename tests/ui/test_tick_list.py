"""C22.4.2: the Discover checklist's boxes say ticked or not by their mark (✓ or a blank),
not by colour alone: what a 16-colour or monochrome terminal, or a copy as text, shows."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets.selection_list import Selection

from segtui.widgets.tick_list import TickList


class Checklist(App[None]):
    def compose(self) -> ComposeResult:
        yield TickList[str](Selection("Company size", "size", True),
                            Selection("Industry", "industry", False))


def box(app: Checklist, row: int) -> str:
    return app.query_one(TickList).render_line(row).text[:3]


async def test_a_ticked_box_holds_a_tick_and_an_unticked_one_a_blank() -> None:
    app = Checklist()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert box(app, 0)[1] == "✓" and box(app, 1)[1] == " "
        await pilot.press("down", "space")  # tick Industry
        await pilot.press("up", "space")  # untick Company size
        await pilot.pause()
        assert box(app, 0)[1] == " " and box(app, 1)[1] == "✓"
