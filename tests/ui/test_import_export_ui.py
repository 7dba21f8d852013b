"""I6.1 and I6.2 in the app: importing a CSV file from the dashboard (`i`) and
exporting a segment's members from the detail screen (`x`), driven by key presses on
SQLite and PostgreSQL, with what the database and the files hold checked afterwards
(docs/import-export.md)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import Button, Input, Label, Select, Static

import segtui.core.formats.members_export as exporting
from segtui.core.contacts import ContactSelection
from segtui.core.enums import LeadStatus, LifecycleStage
from segtui.core.formats.csv_safe import neutralise
from segtui.core.formats.file_formats import ExportFormat
from segtui.core.formats.members_export import MEMBER_HEADER, csv_row
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import Company, Contact, EngagementEvent, Tag
from segtui.data.db.tables import contact_tags
from segtui.data.store import Store
from segtui.data.store.transfer import Transfer
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.export_members import ExportMembersModal
from segtui.screens.modals.import_file import ImportFileModal
from segtui.widgets.metric_card import MetricCard
from tests.ui.conftest import make_app, open_segment, settle, text_of

SIZE = (120, 40)
FILES = Path(__file__).parents[1] / "files"  # the other CRMs' sample exports

LEADS = (
    "Full Name,E-mail,Company Name,Lead Status,Tags\n"
    "Ana Díaz,Ana@Example.com,Northwind,hot lead,VIP; Webinar\n"
    "Bo Chen,bo@example.org,Northwind,Customer,\n"
    "Sarah Johnson,sarah.johnson@techcorp.com,,,Imported\n"  # a demo contact: updated
)

# Every kind of bad row, with markup and an escape character in the cells and headers.
HOSTILE = (
    "Name,Email,Status,[bold]Notes[/]\n"
    "Good One,good@example.com,New,x\n"
    "Bad Email,bob@,[red]Nope[/red],x\n"
    "\x1b[31mRed,red@example.com,,x\n"
    "Ragged,r@example.com\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def fingerprint(store: Store) -> tuple[int, ...]:
    """Counts any write of an import would change."""
    with store.reading() as conn:
        return tuple(int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                     for t in (Contact, Company, Tag, contact_tags, EngagementEvent))


def contact_named(store: Store, email: str) -> tuple[str, str | None] | None:
    with store.reading() as conn:
        row = conn.execute(select(Contact.name, Contact.lead_status)
                           .where(Contact.email == email)).first()
    return None if row is None else (row[0], None if row[1] is None else str(row[1]))


def messages(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def card_value(app: Any, card_id: str) -> str | None:
    value: str | None = app.screen.query_one(f"#{card_id}", MetricCard).value
    return value


async def open_import(pilot: Pilot[Any], path: str) -> ImportFileModal:
    """From the dashboard: i, type the path."""
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)
    modal = pilot.app.screen
    assert isinstance(modal, ImportFileModal)
    await pilot.press(*path)
    return modal


async def check(pilot: Pilot[Any]) -> str:
    """enter in the path field: the dry run; what the dialog shows afterwards."""
    await pilot.press("enter")
    await settle(pilot)
    return result_text(pilot.app)


def result_text(app: Any) -> str:
    return text_of(app, "#import-result")


def error_text(app: Any) -> str:
    return text_of(app, "#import-error")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home directory of the test's own, so `~/...` paths are stable."""
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


# -- import ---------------------------------------------------------------------------


async def test_import_contacts_from_the_dashboard(demo_store: Store, home: Path,
                                                  reading: str) -> None:
    """i, a `~` path, enter checks (nothing written), ctrl+s imports: the contacts are in
    the database, the dialog closes with a summary, the dynamic segment whose rule they
    meet takes them in, and the dashboard's cards reload."""
    write(home / "leads.csv", LEADS)
    northwind = demo_store.segments.create_segment(
        SegmentDraft("Northwind People", rule=parse('company = "Northwind"')),
        ContactSelection(), demo_store.users.current_user("Sarah Mitchell"))
    before = fingerprint(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        contacts_before = card_value(app, "card-total-contacts")
        modal = await open_import(pilot, "~/leads.csv")
        shown = await check(pilot)
        assert "Would import leads.csv: 2 added, 1 updated, 0 skipped, 0 rejected" in shown, \
            error_text(app)
        assert "(3 rows, utf-8, delimiter ',')" in shown
        assert fingerprint(demo_store) == before  # a check writes nothing
        assert not modal.query_one("#import-run", Button).disabled
        assert modal.focused is modal.query_one("#import-run", Button)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert any("Imported leads.csv: 2 added, 1 updated, 0 skipped, 0 rejected" in m
                   and m.endswith("; 1 dynamic segment changed") for m in messages(app))
        assert contact_named(demo_store, "ana@example.com") == ("Ana Díaz", "Hot Lead")
        assert contact_named(demo_store, "bo@example.org") == ("Bo Chen", "Customer")
        assert fingerprint(demo_store)[0] == before[0] + 2
        assert contacts_before is not None
        expected = int(contacts_before.replace(",", "")) + 2
        assert card_value(app, "card-total-contacts") == f"{expected:,}"
    row = demo_store.segments.segment_row(northwind)
    assert row is not None and row.contact_count == 2


async def test_check_lists_rejects_literally_and_writes_nothing(demo_store: Store,
                                                                home: Path) -> None:
    path = write(home / "hostile.csv", HOSTILE)
    before = fingerprint(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_import(pilot, f"~/{path.name}")
        shown = await check(pilot)
        assert "Would import hostile.csv: 1 added, 0 updated, 0 skipped, 3 rejected" in shown
        assert "Not imported (unknown columns): [bold]Notes[/]" in shown
        assert "line 3, Email: 'bob@' is not an email address" in shown
        assert "line 3, Status: '[red]Nope[/red]' is not a status" in shown
        assert "line 4, Name: contains an escape character (ESC)" in shown
        assert "line 5: has 2 fields; the header has 4" in shown
        # Literally: the markup is text, not style, and no raw escape reaches the screen.
        content = modal.query_one("#import-result", Static).content
        assert "\x1b" not in str(content)
        assert not any("bold" in str(span.style) and "Notes" in str(content)[span.start:
                       span.end] for span in getattr(content, "spans", []))
        assert fingerprint(demo_store) == before
        await pilot.press("escape")  # closes: nothing imported
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert fingerprint(demo_store) == before


async def test_changing_the_file_or_kind_needs_a_new_check(demo_store: Store,
                                                           home: Path) -> None:
    """Import is enabled only for what was checked; ctrl+s before a check only checks."""
    path = write(home / "leads.csv", LEADS)
    before = fingerprint(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_import(pilot, f"~/{path.name}")
        run = modal.query_one("#import-run", Button)
        assert run.disabled
        await pilot.press("ctrl+s")  # no check yet: this is the check
        await settle(pilot)
        assert "Would import leads.csv" in result_text(app)
        assert fingerprint(demo_store) == before
        assert not run.disabled
        modal.query_one("#import-path").focus()
        await pilot.press("end", "x")  # another file name
        assert run.disabled and result_text(app) == ""
        await pilot.press("backspace")
        # Events need Email, Type and Occurred At: a contacts file is refused as a whole.
        await pilot.press("tab", "enter", "down", "enter")
        assert not modal.query_one("#duplicates-row").display
        modal.query_one("#import-path").focus()
        shown = await check(pilot)
        assert shown == ""
        assert "an event log needs a Type column" in error_text(app)
        assert run.disabled
        assert fingerprint(demo_store) == before


async def test_import_events_from_the_dashboard(demo_store: Store, home: Path) -> None:
    path = write(home / "log.csv", (
        "Email,Event Type,Timestamp\n"
        "sarah.johnson@techcorp.com,Meeting Attended,2024-02-25 09:00\n"
        "sarah.johnson@techcorp.com,unsubscribe,2024-02-25 10:00\n"
        "nobody@example.com,open,2024-02-25\n"))
    events_before = fingerprint(demo_store)[4]
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        unsubscribed = card_value(app, "card-unsubscribed")
        await open_import(pilot, f"~/{path.name}")
        await pilot.press("tab", "enter", "down", "enter")  # Holds: Events
        app.screen.query_one("#import-path").focus()
        shown = await check(pilot)
        assert "Would import log.csv: 2 added, 0 updated, 0 skipped, 1 rejected" in shown
        assert "line 4, Email: no contact has 'nobody@example.com'" in shown
        await pilot.press("enter")  # the focus is on Import
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert unsubscribed is not None
        assert card_value(app, "card-unsubscribed") == str(int(unsubscribed) + 1)
    assert fingerprint(demo_store)[4] == events_before + 2


async def test_a_viewer_is_refused(demo_store: Store) -> None:
    app = make_app(demo_store, "Alex Kim")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert any("Alex Kim (Viewer) may look but not import" in m for m in messages(app))


async def test_file_problems_are_named_and_lose_nothing(demo_store: Store, home: Path) -> None:
    write(home / "noheader.csv", "Ana,ana@example.com\n")
    write(home / "empty.csv", "")
    (home / "nul.csv").write_bytes(b"Name,Email\nA\x00,a@example.com\n")
    write(home / "huge.csv", f"Name,Email\n{'x' * 200_000},a@example.com\n")
    (home / "quote.csv").write_bytes(b'Name,Email\n"Ana,ana@example.com\n')
    (home / "latin.csv").write_bytes("Name,Email\nZoë,zoe@example.de\n".encode("latin-1"))
    (home / "folder").mkdir()
    before = fingerprint(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_import(pilot, "")
        path_input = modal.query_one("#import-path")
        cases = {
            "": "Enter the path of a CSV file",
            "~/missing.csv": f"{home / 'missing.csv'}: no such file",
            "~/folder": f"{home / 'folder'} is a folder, not a file",
            "~/empty.csv": "the file is empty",
            "~/noheader.csv": "the first line is not a header",
            "~/huge.csv": "line 2: field larger than field limit",
            # A quote never closed would swallow the rest of the file (I16.2).
            "~/quote.csv": "line 2: unclosed quote: the quote opened on this line is "
                           "never closed",
        }
        for typed, message in cases.items():
            path_input.focus()
            await pilot.press("ctrl+u", *typed)
            assert await check(pilot) == "", typed
            assert message in error_text(app), (typed, error_text(app))
            assert modal.query_one("#import-run", Button).disabled
        path_input.focus()
        await pilot.press("ctrl+u", *"~/nul.csv")
        assert "line 2, Name: contains control character U+0000" in await check(pilot)
        # Not UTF-8: read as Latin-1, as the command line does.
        path_input.focus()  # a check that found rows leaves the focus on Import
        await pilot.press("ctrl+u", *"~/latin.csv")
        assert "1 added" in await check(pilot) and "latin-1" in result_text(app)
    assert fingerprint(demo_store) == before


async def test_escape_stops_an_import_and_nothing_is_written(
        demo_store: Store, home: Path, reading: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import is held after its first batch is written (inside the transaction) until
    escape was pressed; then the dialog's callback stops it and the Store rolls back."""
    rows = "".join(f"Stop {n},stop{n}@example.com,Stopco,T{n}\n" for n in range(30))
    path = write(home / "stop.csv", "Name,Email,Company,Tags\n" + rows)
    before = fingerprint(demo_store)
    real = Transfer.import_contacts
    reached, release = threading.Event(), threading.Event()

    def held(self: Transfer, rows: Any, on_duplicate: Any, **kwargs: Any) -> Any:
        on_batch = kwargs.pop("on_batch")
        if kwargs.get("dry_run"):
            return real(self, rows, on_duplicate, on_batch=on_batch, **kwargs)

        def batch(report: Any) -> None:
            reached.set()
            assert release.wait(60)  # a bound: the test releases it
            on_batch(report)

        return real(self, rows, on_duplicate, on_batch=batch, **kwargs)

    monkeypatch.setattr(Transfer, "import_contacts", held)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_import(pilot, f"~/{path.name}")
        assert "30 added" in await check(pilot)
        await pilot.press("ctrl+s")
        assert await asyncio.to_thread(reached.wait, 60)
        await pilot.pause()
        assert str(modal.query_one("#import-close", Button).label) == "Stop"
        await pilot.press("escape")  # stop, not close
        await pilot.pause()
        assert text_of(app, "#import-rate") == "Stopping…"
        release.set()
        await settle(pilot)
        assert app.screen is modal
        assert "Import stopped: nothing was imported" in error_text(app)
        assert str(modal.query_one("#import-close", Button).label) == "Close"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    demo_store.engine.dispose()  # fresh connections: what is on disk now
    assert fingerprint(demo_store) == before
    assert contact_named(demo_store, "stop0@example.com") is None


# -- other CRMs' files: the mapping and the columns (I16.13) -------------------------------


def contact_fields(store: Store, email: str) -> tuple[object, ...] | None:
    with store.reading() as conn:
        row = conn.execute(select(Contact.name, Contact.lead_status, Contact.lifecycle_stage,
                                  Contact.title).where(Contact.email == email)).first()
    return None if row is None else tuple(row)


async def choose(pilot: Pilot[Any], selector: str, steps_down: int) -> None:
    """Open a Select and pick its option `steps_down` below the first."""
    pilot.app.screen.query_one(selector).focus()
    await pilot.press("enter", "home", *["down"] * steps_down, "enter")
    await pilot.pause()


async def test_a_hubspot_export_imports_with_its_preset(demo_store: Store, home: Path,
                                                        reading: str) -> None:
    """The file is refused as it is (two columns fill Status; the message points at the
    Columns dialog); with "A HubSpot contacts export" chosen as the mapping, every row
    imports with HubSpot's values mapped to segtui's."""
    shutil.copy(FILES / "hubspot-contacts.csv", home / "hubspot.csv")
    before = fingerprint(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_import(pilot, "~/hubspot.csv")
        assert await check(pilot) == ""
        assert ("two columns fill Status: 'Lead Status' and 'Status'" in error_text(app)
                and error_text(app).endswith("(ctrl+o: choose what each column fills)"))
        await choose(pilot, "#import-preset", 1)  # A HubSpot contacts export
        assert modal.query_one("#import-preset", Select).value == "hubspot"
        modal.query_one("#import-path").focus()
        shown = await check(pilot)
        assert ("Would import hubspot.csv: 5 added, 0 updated, 0 skipped, 0 rejected"
                in shown), error_text(app)
        assert "Lead Status → Status" in shown and "Number of Employees → Company Size" \
            in shown
        assert "Not imported (left out by the mapping): Record ID, Status" in shown
        assert fingerprint(demo_store) == before
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    assert contact_fields(demo_store, "maren.holt@fjordline.example") == (
        "Maren Holt", LeadStatus.HOT_LEAD, LifecycleStage.ENGAGED, "Head of Growth")


# The sample exports (tests/files), the Mapping each needs (its place in the list) and
# what the check and the import say.
SAMPLES = [
    ("hubspot-contacts.csv", 1, "5 added", "utf-8, delimiter ','"),
    ("mautic-contacts.csv", 2, "5 added", "utf-8, delimiter ','"),
    ("salesforce-contacts.csv", 3, "4 added", "latin-1, delimiter ','"),
    ("civicrm-contacts.csv", 0, "3 added", "utf-8, delimiter ','"),
    ("excel-windows.csv", 0, "3 added", "cp1252, delimiter ';'"),
    ("excel-unicode-text.txt", 0, "3 added", "utf-16, delimiter '\\t'"),
]


async def test_every_sample_export_imports_from_the_dialog(demo_store: Store,
                                                           home: Path) -> None:
    """I16.13: the other CRMs' and Excel's files import in the app with the rows the
    command line imports (tests/test_import_files.py checks their fields)."""
    for name, _, _, _ in SAMPLES:
        shutil.copy(FILES / name, home / name)
    contacts = fingerprint(demo_store)[0]
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        for name, mapping, added, read_as in SAMPLES:
            modal = await open_import(pilot, f"~/{name}")
            await choose(pilot, "#import-preset", mapping)
            modal.query_one("#import-path").focus()
            shown = await check(pilot)
            assert f"Would import {name}: {added}, 0 updated, 0 skipped, 0 rejected" \
                in shown, (name, error_text(app))
            assert read_as in shown, name
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen), name
            assert any(f"Imported {name}: {added}" in m for m in messages(app)), name
    assert fingerprint(demo_store)[0] == contacts + 23
    assert contact_fields(demo_store, "sean.obrien@example.ie") == (
        "Seán O’Brien", LeadStatus.NEW, None, "Owner – Founder")


async def test_the_columns_dialog_maps_and_leaves_out_columns(demo_store: Store,
                                                              home: Path) -> None:
    """ctrl+o shows each column with what it fills (headers literally); choosing a field
    for an unknown column and "Not imported" for one of two Status columns, then ctrl+s,
    checks again with those choices, and Import imports what was checked."""
    from segtui.screens.modals.column_mapping import ColumnMappingModal

    path = write(home / "crm.csv", "Who,E-mail,Status,Lead Status,[red]Tier[/red]\n"
                                   "Kim Ode,kim@example.com,x,Hot Lead,Gold\n"
                                   "Lou Park,lou@example.com,y,Cold,Bronze\n")
    before = fingerprint(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_import(pilot, f"~/{path.name}")
        assert await check(pilot) == ""
        assert "two columns fill Status" in error_text(app)
        await pilot.press("ctrl+o")
        await settle(pilot)
        columns = app.screen
        assert isinstance(columns, ColumnMappingModal)
        headers = [label.content for label in columns.query(".column-header").results(Label)]
        assert [str(h) for h in headers] == ["Who", "E-mail", "Status", "Lead Status",
                                             "[red]Tier[/red]"]
        assert all(isinstance(h, Text) and not h.spans for h in headers)  # never markup
        assert "two columns fill Status" in text_of(app, "#columns-problem")
        assert [columns.query_one(f"#column-{n}", Select).value for n in range(5)] == [
            "", "Email", "Status", "Status", ""]
        await pilot.press("escape")  # cancel: nothing changes
        await settle(pilot)
        assert app.screen is modal and modal.overrides == {}
        await pilot.press("ctrl+o")
        await settle(pilot)
        await choose(pilot, "#column-0", 1)  # Who: Name (the first field)
        await choose(pilot, "#column-2", 0)  # Status: Not imported
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        shown = result_text(app)
        assert "Would import crm.csv: 2 added, 0 updated, 0 skipped, 0 rejected" in shown, \
            error_text(app)
        assert "Columns: Who → Name, E-mail → Email, Lead Status → Status" in shown
        assert "Not imported (left out by the mapping): Status" in shown
        assert "Not imported (unknown columns): [red]Tier[/red]" in shown
        assert fingerprint(demo_store) == before
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    assert contact_fields(demo_store, "kim@example.com") == (
        "Kim Ode", LeadStatus.HOT_LEAD, None, None)


# -- member export ----------------------------------------------------------------------


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The current directory, where exports go by default (the SQLite database is in
    tmp_path itself)."""
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    yield out


def member_ids(store: Store, segment_id: int) -> list[int]:
    with store.transfer.member_export(segment_id) as records:
        return [r.id for r in records]


@pytest.mark.parametrize(("picks", "fmt"), [
    ((), ExportFormat.CSV),
    (("shift+tab", "enter", "down", "down", "enter"), ExportFormat.JSONL),
])
async def test_export_members_from_the_detail_screen(
        demo_store: Store, in_tmp: Path, picks: tuple[str, ...], fmt: ExportFormat) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        detail = await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("x")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ExportMembersModal)
        assert "45 members" in text_of(app, "#export-note")
        await pilot.press(*picks)  # the format (the focus starts on the file name)
        name = f"Enterprise-Prospects-members-2024-02-26.{fmt.value}"
        assert modal.query_one("#export-path", Input).value == name
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail
        path = in_tmp / name
        assert any(f"Exported 45 members to {path}" in m for m in messages(app))
    with demo_store.transfer.member_export(detail.segment_id) as stream:
        records = list(stream)
    assert len(records) == 45
    text = path.read_text(encoding="utf-8")
    if fmt is ExportFormat.CSV:
        rows = list(csv.reader(io.StringIO(text)))
        assert tuple(rows[0]) == MEMBER_HEADER
        expected = [[neutralise(c) for c in csv_row(r)] for r in records]
        assert rows[1:] == expected
    else:
        objects = [json.loads(line) for line in text.splitlines()]
        assert objects == [exporting.json_object(r) for r in records]
    assert [p.name for p in in_tmp.iterdir()] == [name]  # no temporary file left


async def test_export_never_overwrites_and_reports_write_errors(
        demo_store: Store, in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = in_tmp / "Enterprise-Prospects-members-2024-02-26.csv"
    taken.write_text("mine", encoding="utf-8")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("x")
        await settle(pilot)
        modal = app.screen
        path_input = modal.query_one("#export-path", Input)
        # The default name is made unique; typing the taken one is refused.
        assert path_input.value == "Enterprise-Prospects-members-2024-02-26-2.csv"
        path_input.focus()
        await pilot.press("ctrl+u", *taken.name, "enter")
        await settle(pilot)
        assert f"{taken.name} already exists" in text_of(app, "#export-error")
        # A folder that does not exist.
        await pilot.press("ctrl+u", *"nowhere/m.csv", "enter")
        await settle(pilot)
        assert ("Cannot write nowhere/m.csv: No such file or directory"
                in text_of(app, "#export-error"))
        # The disk fills up midway: no partial file.
        calls = 0
        real = exporting.csv_row

        def full(record: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == 10:
                raise OSError(28, "No space left on device")
            return real(record)

        monkeypatch.setattr(exporting, "csv_row", full)
        await pilot.press("ctrl+u", *"m.csv", "enter")
        await settle(pilot)
        assert "Cannot write m.csv: No space left on device" in text_of(app, "#export-error")
        assert app.screen is modal
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
    assert sorted(p.name for p in in_tmp.iterdir()) == [taken.name]
    assert taken.read_text(encoding="utf-8") == "mine"


async def test_a_viewer_may_export(demo_store: Store, in_tmp: Path) -> None:
    app = make_app(demo_store, "Alex Kim")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        detail = await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")  # the focus is on the file name: enter exports
        await settle(pilot)
        assert app.screen is detail
    exported = in_tmp / "Enterprise-Prospects-members-2024-02-26.csv"
    ids = [int(r["Id"]) for r in csv.DictReader(exported.open(encoding="utf-8"))]
    assert ids == member_ids(demo_store, detail.segment_id)

