"""I16.12: a write that meets another process's write transaction on SQLite (a long
import holding the database) says so in one line, with how long it waited, in the CLI and
in the app; never a traceback. And `segments update` tries a version conflict once more,
saying so, since nothing typed depends on the version it read."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

import segtui.cli as cli
from segtui.core.busy import DatabaseBusy
from segtui.core.contacts import ContactSelection
from segtui.core.enums import SegmentStatus
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.store import Store
from segtui.data.store.segments import Segments
from segtui.screens.modals.create_segment import CreateSegmentModal
from tests.ui.conftest import make_app, settle, text_of

runner = CliRunner()
BUSY = re.compile(r"^segtui: another process is writing to the database \(an import, "
                  r"perhaps\); gave up after waiting \d+(\.\d)? s\. Try again when it has "
                  r"finished, or wait longer with SEGTUI_BUSY_TIMEOUT=SECONDS\n$")


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fifth of a second instead of ten: set before any Store of the test is opened."""
    monkeypatch.setenv("SEGTUI_BUSY_TIMEOUT", "0.2")
    monkeypatch.delenv("SEGTUI_USER", raising=False)


@contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Another process's write transaction, as a long import holds it: BEGIN IMMEDIATE on
    a connection of its own, held until the block ends."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def run(db: str, *args: str) -> Result:
    return runner.invoke(cli.app, ["--db", db, *args])


def test_a_cli_write_during_an_import_is_one_clear_line(demo_db_path: Path,
                                                         tmp_path: Path) -> None:
    db = str(demo_db_path)
    leads = tmp_path / "leads.csv"
    leads.write_text("Name,Email\nBusy Bee,busy@example.com\n", encoding="utf-8")
    with write_lock(demo_db_path):
        for args in (["segments", "create", "While Busy"],
                     ["import", "contacts", str(leads)],
                     ["segments", "add-members", "Enterprise Prospects", "--contact-id", "9"]):
            result = run(db, *args)
            assert result.exit_code == 1, result.output
            assert result.stdout == ""
            assert BUSY.match(result.stderr), result.stderr
            assert result.exception is None or isinstance(result.exception, SystemExit)
    # Nothing was written, and once the other process is done the same commands work.
    assert run(db, "segments", "show", "While Busy").exit_code == 1
    assert run(db, "segments", "create", "While Busy").exit_code == 0
    assert "1 added" in run(db, "import", "contacts", str(leads)).stdout


def test_the_store_says_how_long_it_waited(sqlite_demo_store: Store) -> None:
    store = sqlite_demo_store
    path = make_url(str(store.url)).database
    assert path is not None
    user = store.users.current_user()
    with write_lock(Path(path)), pytest.raises(DatabaseBusy) as raised:
        store.segments.create_segment(SegmentDraft("Never"), ContactSelection(), user)
    assert raised.value.waited >= 0.2
    assert store.segments.segment_id_named("Never") is None


def test_a_bad_busy_timeout_is_a_clear_error(demo_db_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGTUI_BUSY_TIMEOUT", "soon")
    result = run(str(demo_db_path), "segments", "list")
    assert result.exit_code == 1
    assert result.stderr == ("segtui: SEGTUI_BUSY_TIMEOUT='soon' is not a number of "
                             "seconds\n")


async def test_the_app_says_the_database_is_busy(sqlite_demo_store: Store) -> None:
    """A form shows it where it shows every failed save; a background write (re-evaluating
    the dynamic segments) as a message; neither as SQLite's error text."""
    store = sqlite_demo_store
    path = make_url(str(store.url)).database
    assert path is not None
    store.segments.create_segment(SegmentDraft("Top Scores", rule=parse("score > 90")),
                         ContactSelection(), store.users.current_user())
    app = make_app(store)
    with write_lock(Path(path)):
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("r")  # re-evaluate every dynamic segment: a write
            await settle(pilot)
            messages = [str(n.message) for n in app._notifications]
            await pilot.press("n")
            await settle(pilot)
            assert isinstance(app.screen, CreateSegmentModal)
            await pilot.press(*"While Busy", "ctrl+s")
            await settle(pilot)
            shown = text_of(app, "#save-error")
    busy = "Another process is writing to the database"
    assert any(m.startswith(busy) for m in messages), messages
    assert not any("Something went wrong" in m or "locked" in m for m in messages), messages
    assert shown.startswith("Could not save: another process is writing to the database")
    assert "locked" not in shown and "SQL" not in shown
    assert store.segments.segment_id_named("While Busy") is None


# -- a version conflict, tried once more ------------------------------------------------------


def competing_save(url: str, name: str, times: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone else saves the segment between each of the command's reads and its write
    (the first `times` writes): their description, on a Store of their own."""
    original = Segments.update_segment
    calls = 0

    def update(self: Segments, segment_id: int, *args: Any) -> int:
        nonlocal calls
        calls += 1
        if calls <= times:
            other = Store.open(make_url(url))
            try:
                details = other.segments.segment_details(segment_id)
                assert details is not None
                draft = details.as_draft()
                original(other.segments, segment_id, details.version,
                         SegmentDraft(draft.name, f"Theirs {calls}", draft.tags, draft.status,
                                      draft.rule),
                         ContactSelection(), other.users.current_user("Priya Patel"))
            finally:
                other.close()
        return original(self, segment_id, *args)

    monkeypatch.setattr(Segments, "update_segment", update)


def test_update_retries_a_version_conflict_once_and_says_so(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    url = demo_store.engine.url.render_as_string(hide_password=False)
    competing_save(url, "Enterprise Prospects", 1, monkeypatch)
    result = run(url, "segments", "update", "Enterprise Prospects", "--status", "inactive",
                 "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ("segtui: 'Enterprise Prospects' was changed by someone else "
                             "meanwhile; applying your changes to their version\n")
    seg = demo_store.segments.segment_id_named("Enterprise Prospects")
    assert seg is not None
    details = demo_store.segments.segment_details(seg)
    assert details is not None
    # Both changes hold: theirs (the description) and ours (the status).
    assert (details.description, details.status) == ("Theirs 1", SegmentStatus.INACTIVE)


def test_update_gives_up_after_a_second_conflict(demo_store: Store,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    url = demo_store.engine.url.render_as_string(hide_password=False)
    competing_save(url, "Enterprise Prospects", 2, monkeypatch)
    result = run(url, "segments", "update", "Enterprise Prospects", "--status", "inactive")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "segtui: 'Enterprise Prospects' was changed by someone else twice while this "
        "command ran; nothing was changed, run it again")
    seg = demo_store.segments.segment_id_named("Enterprise Prospects")
    assert seg is not None
    details = demo_store.segments.segment_details(seg)
    assert details is not None and details.status is SegmentStatus.ACTIVE
