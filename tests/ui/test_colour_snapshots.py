"""Snapshots at 16 colours (`segtui --color 16`, U15.4) and of the light theme.

A 16-colour snapshot records the ANSI colour Rich picks for each cell, drawn in Rich's
standard palette (tests/ui/conftest.py, svg_at_16_colours). Baselines live in
snapshots/test_colour_snapshots/; regenerate with `--snapshot-update` and look at them.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from segtui.data.store import Store
from segtui.widgets.palette import LIGHT
from tests.ui.conftest import SnapCompare, make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_16_colours(snap_compare: SnapCompare, sqlite_demo_store: Store,
                              size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), terminal_size=size, colors="16")


@pytest.mark.parametrize("size", SIZES)
def test_delete_dialog_16_colours(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                  size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["down", "d"], terminal_size=size,
                        colors="16")


@pytest.mark.parametrize("size", SIZES)
def test_performance_tab_16_colours(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                    size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["enter", "2"], terminal_size=size,
                        colors="16")


def _light(pilot: Pilot[Any]) -> None:
    pilot.app.theme = LIGHT.name


@pytest.mark.parametrize("colors", ["truecolor", "16"])
@pytest.mark.parametrize("size", SIZES)
def test_dashboard_light_theme(snap_compare: SnapCompare, sqlite_demo_store: Store,
                               size: tuple[int, int], colors: Any) -> None:
    assert snap_compare(make_app(sqlite_demo_store), terminal_size=size, run_before=_light,
                        colors=colors)
