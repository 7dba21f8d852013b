"""The compare screen (C20.5.1-C20.5.7) driven with Pilot: marking on the dashboard,
comparing, the bad inputs (one segment, a seventh, a deleted one), the export, and hostile
names shown as they are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select
from textual.pilot import Pilot
from textual.widgets import DataTable

from segtui.core.changes import ChangesSince
from segtui.core.compare import METRICS
from segtui.data.db.tables import Membership, Segment
from segtui.data.store import Store
from segtui.screens.compare import CompareScreen
from segtui.screens.dashboard.screen import DashboardScreen
from segtui.screens.dashboard.segment_list import MARKED
from segtui.widgets.live_changes import OthersChanged
from segtui.widgets.paged_table import PagedTable
from tests.factories import add_segment
from tests.hostile import HOSTILE, shown
from tests.ui.conftest import make_app, screen_text, settle, text_of


def toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def mark_rows(pilot: Pilot[Any], count: int) -> None:
    """space on the first `count` rows of the list, from the top."""
    await settle(pilot)
    for n in range(count):
        await pilot.press("space")
        if n < count - 1:
            await pilot.press("down")
    await settle(pilot)


def compared(app: Any) -> list[str]:
    """The names the compare screen shows, in its order."""
    assert isinstance(app.screen, CompareScreen) and app.screen.comparison is not None
    return [side.name for side in app.screen.comparison.sides]


def cells(app: Any, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_marking_shows_in_the_row_and_compare_opens(sqlite_demo_store: Store) -> None:
    """C20.5.1, C20.5.2: space marks (☑ before the name, the count under the list), space
    again unmarks, C compares the marked ones in the order marked."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await mark_rows(pilot, 3)
        rows = app.screen.query_one(PagedTable).rows_on_page
        assert "3 segments marked — C compares" in text_of(app, "#list-status")
        assert sum(MARKED + r.name in "\n".join(screen_text(app)) for r in rows) == 3
        await pilot.press("space")  # the third again: unmarked
        await settle(pilot)
        assert "2 segments marked" in text_of(app, "#list-status")
        await pilot.press("space", "C")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        figures = cells(app, "#compare-figures")
        assert [row[0] for row in figures] == [m.label for m in METRICS]
        assert len(figures[0]) == 4  # the label and 3 segments
        assert any("★" in c for row in figures for c in row[1:])
        assert len(cells(app, "#compare-overlap")) == 3
        assert len(cells(app, "#compare-regions")) == 7
        assert compared(app) == [rows[0].name, rows[1].name, rows[2].name]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert "3 segments marked" in text_of(app, "#list-status")  # marks kept


async def test_one_segment_is_not_compared(sqlite_demo_store: Store) -> None:
    """C20.5.2: C with fewer than two marked says how many are and how to mark."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await mark_rows(pilot, 1)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert any("needs 2 to 6 segments; 1 segment marked. space marks" in t
                   for t in toasts(app))


async def test_a_seventh_is_not_marked(sqlite_demo_store: Store) -> None:
    """C20.5.2: at most 6 marked; the seventh is refused and the six stay."""
    for n in range(3):
        add_segment(sqlite_demo_store, f"Zeta {n}")
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await mark_rows(pilot, 7)
        assert "6 segments marked" in text_of(app, "#list-status")
        assert any("at most 6 segments; 6 segments marked already" in t for t in toasts(app))


async def test_a_deleted_segment_is_said_and_unmarked(sqlite_demo_store: Store) -> None:
    """C20.5.2: a marked segment deleted before C is named and unmarked; the others stay
    marked and compare."""
    add_segment(sqlite_demo_store, "Aaa Short Lived")  # the first row
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await mark_rows(pilot, 3)
        with sqlite_demo_store.writing() as conn:
            conn.execute(delete(Segment).where(Segment.name == "Aaa Short Lived"))
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert any("“Aaa Short Lived” no longer there" in t and "2 segments still marked" in t
                   for t in toasts(app))
        assert "2 segments marked" in text_of(app, "#list-status")
        await pilot.press("C")
        await settle(pilot)
        assert len(compared(app)) == 2


async def test_x_exports_csv_and_json(sqlite_demo_store: Store, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """C20.5.7: x writes the comparison to a CSV file and a JSON file."""
    monkeypatch.chdir(tmp_path)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await mark_rows(pilot, 2)
        await pilot.press("C")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
    [csv_file] = tmp_path.glob("segment_comparison_*.csv")
    [json_file] = tmp_path.glob("segment_comparison_*.json")
    assert csv_file.read_text(encoding="utf-8").startswith("Figure,")
    data = json.loads(json_file.read_text(encoding="utf-8"))
    assert len(data["segments"]) == 2 and data["regions"] is not None


@pytest.mark.parametrize("key", ["markup", "ANSI", "action link"])
async def test_hostile_names_show_as_they_are(sqlite_demo_store: Store, key: str) -> None:
    """T4: a segment's name is shown literally in the figures' header, the overlap matrix
    and the regions."""
    add_segment(sqlite_demo_store, "0 " + HOSTILE[key])  # the first row
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await mark_rows(pilot, 2)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert cells(app, "#compare-overlap")[0][0] == "0 " + shown(key)
        assert any(("Only 0 " + shown(key)) == row[0] for row in cells(app, "#compare-regions"))


async def test_marks_stay_across_a_search(sqlite_demo_store: Store) -> None:
    """C20.5.1: a segment marked, then searched out of sight, is still compared."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await mark_rows(pilot, 1)  # Enterprise Prospects, the first row
        await pilot.press("slash", *"Marketing", "enter")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert "2 segments marked" in text_of(app, "#list-status")
        await pilot.press("C")
        await settle(pilot)
        assert compared(app) == ["Enterprise Prospects", "Marketing Engagers"]


async def test_a_colleagues_change_reloads_the_comparison(sqlite_demo_store: Store) -> None:
    """C19.1: the compare screen follows what another segtui commits, without a key."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await mark_rows(pilot, 2)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen) and app.screen.comparison is not None
        first = app.screen.comparison.sides[0]
        with sqlite_demo_store.reading() as conn:
            member = conn.execute(select(Membership.contact_id).where(
                Membership.segment_id == first.segment_id,
                Membership.removed_at.is_(None)).limit(1)).scalar_one()
        colleague = sqlite_demo_store.users.current_user("Sarah Mitchell")
        assert sqlite_demo_store.members.remove_member(first.segment_id, member, colleague)
        app.screen.post_message(OthersChanged(ChangesSince([], 0, more=True)))
        await settle(pilot)
        assert app.screen.comparison.sides[0].members == first.members - 1
