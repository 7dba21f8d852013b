"""Snapshots of the import dialog (`i` on the dashboard) and the member export dialog (`x` on
the segment detail screen), at 80x24 and 120x40, on the demo data (I6).

The checked file is tests/ui/files/import-rejects.csv, typed as a path relative to the
repository, so the screenshots don't depend on where the checkout is. Baselines live in
snapshots/test_import_export_snapshots/. Regenerate deliberately with
`pytest tests/ui/test_import_export_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from segtui.data.store import Store
from tests.ui.conftest import SnapCompare, make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
ROOT = Path(__file__).resolve().parents[2]
REJECTS = "tests/ui/files/import-rejects.csv"
HUBSPOT = "tests/files/hubspot-contacts.csv"


@pytest.mark.parametrize("size", SIZES)
def test_import_dialog(snap_compare: SnapCompare, sqlite_demo_store: Store,
                       size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["i"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_import_dialog_checked(snap_compare: SnapCompare, sqlite_demo_store: Store,
                               size: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """After the check of a file with every kind of rejected row (markup and an escape
    character in its cells and header, shown literally)."""
    monkeypatch.chdir(ROOT)
    assert snap_compare(make_app(sqlite_demo_store), press=["i", *REJECTS, "enter"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_import_columns_dialog(snap_compare: SnapCompare, sqlite_demo_store: Store,
                               size: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """ctrl+o after the check of a HubSpot export (I16.13): every column with what it
    fills, the conflict that stops the import above them."""
    monkeypatch.chdir(ROOT)
    assert snap_compare(make_app(sqlite_demo_store),
                        press=["i", *HUBSPOT, "enter", "ctrl+o"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_export_members_dialog(snap_compare: SnapCompare, sqlite_demo_store: Store,
                               size: tuple[int, int], tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the default file name is made unique in the current dir
    assert snap_compare(make_app(sqlite_demo_store), press=["enter", "x"],
                        terminal_size=size)
