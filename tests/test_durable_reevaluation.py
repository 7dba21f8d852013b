"""I16.4: a process that dies right after a change commits (an import of contacts or
events, a merge) leaves a durable to-do for the dynamic segments, written in the change's
own transaction, and every entry point finishes it before showing members (the CLI's
`segments show|list|count`, `export members|segments`, `contacts list|show`, the app at
start, an export from the app), or says plainly that segments may be out of date.
On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

import segtui.cli as cli
import segtui.data.store.database as store_module
from segtui.core.contacts import ContactSelection
from segtui.core.enums import LeadStatus, SegmentStatus
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import Contact
from segtui.data.rules import refresh
from segtui.data.store import Store
from segtui.data.store.rules import Rules
from tests.ui.conftest import make_app, settle

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
ATLANTIS = "Name,Email,City\n" + "".join(
    f"Diver {n},diver{n}@atlantis.example,Atlantis\n" for n in range(3))

# Runs `segtui ...` in a process that dies (os._exit: no cleanup, no rollback of what was
# committed) the moment it starts re-evaluating dynamic segments, i.e. right after the
# change's commit.
DIES_AFTER_COMMIT = """
import os, sys
from segtui.data.rules import refresh as dynamic

def die(*args, **kwargs):
    os._exit(9)

dynamic.refresh_contacts = die
dynamic.refresh_segment = die
from segtui.cli import main
sys.argv = ["segtui", *sys.argv[1:]]
main()
"""


@pytest.fixture
def world(demo_store: Store) -> Iterator[tuple[str, Store, int]]:
    """The demo database with a dynamic segment of the contacts in Atlantis (none yet)."""
    store = demo_store
    sid = store.segments.create_segment(
        SegmentDraft("Atlantis", status=SegmentStatus.ACTIVE, rule=parse("city = Atlantis")),
        ContactSelection(), store.users.current_user("Sarah Mitchell"))
    yield store.engine.url.render_as_string(hide_password=False), store, sid


def run(url: str, *args: str) -> Result:
    return runner.invoke(cli.app, ["--db", url, *args])


def members(store: Store, segment_id: int) -> int:
    row = store.segments.segment_row(segment_id)
    assert row is not None
    return row.contact_count


def crash_import(url: str, tmp_path: Path) -> None:
    """`segtui import contacts` of three Atlantis divers, killed right after its commit."""
    script = tmp_path / "dies_after_commit.py"
    script.write_text(DIES_AFTER_COMMIT, encoding="utf-8")
    leads = tmp_path / "atlantis.csv"
    leads.write_text(ATLANTIS, encoding="utf-8")
    child = subprocess.run(
        [sys.executable, str(script), "import", "contacts", str(leads), "--db", url],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SEGTUI_TODAY": "2024-02-26"})
    assert child.returncode == 9, child.stderr


def exported(result: Result) -> int:
    assert result.exit_code == 0, result.output
    return len(list(csv.DictReader(io.StringIO(result.stdout))))


ENTRY_POINTS: dict[str, tuple[list[str], Callable[[Result], int]]] = {
    "segments show": (["segments", "show", "Atlantis", "--json"],
                      lambda r: json.loads(r.stdout)["members"]),
    "segments list": (["segments", "list", "--json"],
                      lambda r: next(s["members"] for s in json.loads(r.stdout)
                                     if s["name"] == "Atlantis")),
    "segments count": (["segments", "count", 'in segment "Atlantis"'],
                       lambda r: int(r.stdout.split()[0])),
    "export members": (["export", "members", "Atlantis", "-o", "-"], exported),
    "export segments": (["export", "segments", "-o", "-"],
                        lambda r: next(int(row["Contact Count"]) for row in
                                       csv.DictReader(io.StringIO(r.stdout))
                                       if row["Name"] == "Atlantis")),
    "contacts list": (["contacts", "list", "--segment", "Atlantis", "--json"],
                      lambda r: len(json.loads(r.stdout))),
}


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_a_killed_import_is_finished_by_the_next_reader(
        world: tuple[str, Store, int], tmp_path: Path, entry: str) -> None:
    url, store, sid = world
    crash_import(url, tmp_path)
    # The import committed; the segment was never re-evaluated, but what it is owed was
    # written with the import.
    with store.reading() as conn:
        assert conn.execute(select(Contact.id).where(Contact.city == "Atlantis")).all()
    assert members(store, sid) == 0
    assert store.rules.owed().contacts == 3
    args, count = ENTRY_POINTS[entry]
    result = run(url, *args)
    assert result.exit_code == 0, result.output
    assert count(result) == 3
    assert members(store, sid) == 3
    assert not store.rules.owed()


def test_a_failed_event_import_follow_up_is_finished(world: tuple[str, Store, int],
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Events change contacts too (their opens, spend, last activity): an event import
    whose re-evaluation never ran leaves the segments owed, and `segments show` pays."""
    url, store, _ = world
    with store.orm_session() as session:
        session.add(Contact(name="Quiet One", email="quiet@nowhere.example", city="Nowhere",
                            lead_status=LeadStatus.NEW, created_at=datetime(2023, 1, 1)))
    opener = store.segments.create_segment(
        SegmentDraft("Nowhere Openers", status=SegmentStatus.ACTIVE,
                     rule=parse("city = Nowhere and opened within 30d >= 2")),
        ContactSelection(), store.users.current_user("Sarah Mitchell"))
    assert members(store, opener) == 0
    events = tmp_path / "events.csv"
    events.write_text("Email,Type,Occurred At\n"
                      "quiet@nowhere.example,opened,2024-02-20\n"
                      "quiet@nowhere.example,opened,2024-02-21\n", encoding="utf-8")

    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit(9)  # the process ends here, after the import's commit

    with monkeypatch.context() as patch:
        patch.setattr(refresh, "refresh_contacts", killed)
        assert run(url, "import", "events", str(events)).exit_code == 9
    assert members(store, opener) == 0
    result = run(url, "segments", "show", "Nowhere Openers", "--json")
    assert json.loads(result.stdout)["members"] == 1


def test_a_failed_merge_follow_up_is_finished(world: tuple[str, Store, int],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept contact (a title, no city) takes the merged one's city (no title): now it
    has both, as the rule asks."""
    url, store, _ = world
    titled = store.segments.create_segment(
        SegmentDraft("Titled Divers", status=SegmentStatus.ACTIVE,
                     rule=parse("city = Atlantis and title is not empty")),
        ContactSelection(), store.users.current_user("Sarah Mitchell"))
    with store.orm_session() as session:
        kept = Contact(name="Twin", title="Captain", lead_status=LeadStatus.NEW,
                       created_at=datetime(2023, 1, 1))
        other = Contact(name="Twin", city="Atlantis", lead_status=LeadStatus.NEW,
                        created_at=datetime(2023, 2, 1))
        session.add_all([kept, other])
        session.flush()
        kept_id, other_id = kept.id, other.id

    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit(9)

    with monkeypatch.context() as patch:
        patch.setattr(refresh, "refresh_contacts", killed)
        with pytest.raises(SystemExit):
            store.quality.merge_contacts(kept_id, [other_id],
                                         store.users.current_user("Sarah Mitchell"))
    assert members(store, titled) == 0
    assert json.loads(run(url, "segments", "show", "Titled Divers", "--json").stdout)[
        "members"] == 1


def test_too_many_changes_owe_whole_segments(world: tuple[str, Store, int], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond the incremental limit an import owes every dynamic segment a whole
    re-evaluation; each segment's own transaction clears its debt."""
    url, store, sid = world
    monkeypatch.setattr(store_module, "INCREMENTAL_LIMIT", 1)
    leads = tmp_path / "atlantis.csv"
    leads.write_text(ATLANTIS, encoding="utf-8")

    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit(9)

    with monkeypatch.context() as patch:
        patch.setattr(refresh, "refresh_segment", killed)
        assert run(url, "import", "contacts", str(leads)).exit_code == 9
    assert store.rules.owed().segments == (sid,)
    result = run(url, "segments", "list", "--json")
    assert result.exit_code == 0
    assert "re-evaluating 1 dynamic segment an earlier import or merge left out of date" \
        in result.stderr
    assert next(s["members"] for s in json.loads(result.stdout) if s["name"] == "Atlantis") == 3
    assert not store.rules.owed()


async def test_the_app_finishes_it_when_it_starts(world: tuple[str, Store, int],
                                                  tmp_path: Path) -> None:
    url, store, sid = world
    crash_import(url, tmp_path)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert members(store, sid) == 3
    assert not store.rules.owed()


def test_a_reader_that_cannot_finish_says_so(world: tuple[str, Store, int], tmp_path: Path,
                                             engine_name: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite, another process writing: the reader can't do the work, so it shows what is
    there and says the segments may be out of date."""
    if engine_name != "sqlite":
        pytest.skip("PostgreSQL writers wait row by row; only SQLite's writer is exclusive")
    url, store, sid = world
    crash_import(url, tmp_path)
    monkeypatch.setenv("SEGTUI_BUSY_TIMEOUT", "0.2")
    path = make_url(url).database
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        result = run(url, "segments", "show", "Atlantis", "--json")
    finally:
        holder.close()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["members"] == 0
    assert result.stderr == (
        "segtui: dynamic segments may be out of date: an import or merge ended before "
        "re-evaluating them (3 changed contacts to do), and another process is writing to "
        "the database now; segtui finishes it the next time it can, or run `segtui segments "
        "refresh --all`\n")
    assert members(store, sid) == 0 and store.rules.owed().contacts == 3


def test_an_import_whose_follow_up_meets_another_writer_says_so(
        world: tuple[str, Store, int], tmp_path: Path, engine_name: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite: the import committed, then another process took the database before the
    re-evaluation could: the import succeeded (exit 0, its counts) and says the segments
    may be out of date; the next reader finishes them."""
    if engine_name != "sqlite":
        pytest.skip("PostgreSQL writers wait row by row; only SQLite's writer is exclusive")
    url, _, _ = world
    monkeypatch.setenv("SEGTUI_BUSY_TIMEOUT", "0.2")
    path = make_url(url).database
    assert path is not None
    original = Rules.finish_pending

    def another_writer_first(self: Rules, *args: object) -> object:
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            return original(self, *args)  # type: ignore[arg-type]
        finally:
            holder.close()

    monkeypatch.setattr(Rules, "finish_pending", another_writer_first)
    leads = tmp_path / "atlantis.csv"
    leads.write_text(ATLANTIS, encoding="utf-8")
    result = run(url, "import", "contacts", str(leads))
    assert result.exit_code == 0, result.output
    assert "3 added, 0 updated" in result.stdout
    assert result.stderr.startswith("segtui: dynamic segments may be out of date: an import "
                                    "or merge ended before re-evaluating them (3 changed "
                                    "contacts to do)")
    monkeypatch.undo()
    assert json.loads(run(url, "segments", "show", "Atlantis", "--json").stdout)[
        "members"] == 3
