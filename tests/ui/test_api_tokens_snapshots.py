"""Snapshots of the API tokens screen (C21.2.4) at 80x24 and 120x40: the list (made on
three days, one used 45 minutes ago, one revoked), the new token's dialog refusing a name
that holds markup, and the secret shown once. Secrets are made by a fixed function here,
so the prefixes and the secret are the same on every run; times come from the fixed clock.

Baselines live in snapshots/test_api_tokens_snapshots/; regenerate the whole module with
`pytest tests/ui/test_api_tokens_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from segtui.core import api_tokens
from segtui.core.enums import TokenScope
from segtui.data.integration import tokens as token_sql
from segtui.data.store import Store
from segtui.screens.api_tokens import ApiTokensScreen
from tests.conftest import DEMO_TODAY
from tests.ui.conftest import SnapCompare, make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
ADMIN = "James Carter"


@pytest.fixture(autouse=True)
def fixed_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets made in order: segtui_AAAA…, segtui_BBBB…, … (43 characters each)."""
    letters = itertools.cycle("ABCDEFGH")

    def secret() -> str:
        letter = next(letters)
        return api_tokens.SECRET_PREFIX + letter * 4 + "-" + "x7Qp_" * 7 + letter * 3

    monkeypatch.setattr(api_tokens, "new_secret", secret)
    monkeypatch.setattr(token_sql, "new_secret", secret)  # where the Store calls it


def tokens(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = store.users.current_user(ADMIN)
    for day, name, user, scope in (
            ("2024-01-15", "Mautic sync", "Sarah Mitchell", TokenScope.WRITE),
            ("2024-02-01", "Looker dashboards", "Alex Kim", TokenScope.READ),
            ("2024-02-20", "Old Zapier hook", "Priya Patel", TokenScope.WRITE)):
        monkeypatch.setenv("SEGTUI_TODAY", day)
        store.tokens.create(name, user, scope, admin)
    monkeypatch.setenv("SEGTUI_TODAY", DEMO_TODAY.isoformat())
    store.tokens.revoke("Old Zapier hook", admin)
    mautic = next(r for r in store.tokens.all_tokens() if r.name == "Mautic sync")
    store.tokens.record_requests({mautic.id: datetime(2024, 2, 26, 11, 15)}, [])


async def open_tokens(pilot: Pilot[Any]) -> None:
    await pilot.press("P")
    await settle(pilot)
    await pilot.press("K")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ApiTokensScreen)


@pytest.mark.parametrize("size", SIZES)
def test_the_tokens_list(snap_compare: SnapCompare, sqlite_demo_store: Store,
                         monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    tokens(sqlite_demo_store, monkeypatch)
    assert snap_compare(make_app(sqlite_demo_store, ADMIN), run_before=open_tokens,
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_new_token_dialog_refusing_a_name(
        snap_compare: SnapCompare, sqlite_demo_store: Store,
        monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    tokens(sqlite_demo_store, monkeypatch)

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_tokens(pilot)
        await pilot.press("n", "tab", "enter", "down", "enter", "shift+tab")
        await settle(pilot)
        pilot.app.screen.query_one("#token-name", Input).value = "[bold]Sync[/]"

    assert snap_compare(make_app(sqlite_demo_store, ADMIN), run_before=run_before,
                        press=["enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_secret_shown_once(snap_compare: SnapCompare, sqlite_demo_store: Store,
                               monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    tokens(sqlite_demo_store, monkeypatch)

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_tokens(pilot)
        await pilot.press("n", *"HubSpot", "tab", "enter", "down", "down", "enter")
        await settle(pilot)

    assert snap_compare(make_app(sqlite_demo_store, ADMIN), run_before=run_before,
                        press=["ctrl+s"], terminal_size=size)
