"""I6.1, I6.2 and P11: `segtui import contacts`, `segtui export members|segments`,
driven through Typer's runner against the demo database on SQLite and PostgreSQL, with
what the database holds checked through the Store afterwards (docs/import-export.md)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import segtui.cli as cli
import segtui.data.io.import_rows as import_rows
import segtui.data.io.import_writer as import_writer
import segtui.data.io.importer as importer
from segtui.core.contacts import ContactFilter, ContactSelection
from segtui.core.enums import CompanySize, LeadStatus
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import Company, Contact, Tag
from segtui.data.db.tables import contact_tags
from segtui.data.store import Store

runner = CliRunner()


@pytest.fixture
def db(demo_store: Store) -> Iterator[tuple[str, Store]]:
    """The demo database's URL (for --db) and a Store on it (to look at the result)."""
    yield demo_store.engine.url.render_as_string(hide_password=False), demo_store


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def contact(store: Store, email: str) -> Contact | None:
    with store.orm_session() as session:
        found = session.scalars(select(Contact).where(Contact.email == email)).first()
        if found is not None:
            _ = found.company, found.tags  # load before the session closes
        return found


def contact_total(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Contact)).scalar_one())


def fingerprint(store: Store) -> tuple[int, int, int, int]:
    """Counts that any write of an import would change."""
    with store.reading() as conn:
        return (
            contact_total(store),
            int(conn.execute(select(func.count()).select_from(Company)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(Tag)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(contact_tags)).scalar_one()),
        )


GOOD = (
    "Full Name,E-mail,Company Name,Size,Lead Status,Score,Tags,Created At,City\n"
    "Ana Díaz,Ana@Example.com,Northwind,enterprise,hot lead,90,VIP; Webinar,2024-01-05,Porto\n"
    "Bo Chen,bo@example.org,Northwind,,Customer,,,2023-12-31 09:30,\n"
)


def test_import_matches_aliases_and_fills_every_field(db: tuple[str, Store], reading: str,
                                                      tmp_path: Path) -> None:
    url, store = db
    code, out, err = run("import", "contacts", str(write(tmp_path / "c.csv", GOOD)),
                         "--db", url)
    assert code == 0, err
    assert "2 added, 0 updated, 0 skipped, 0 rejected" in out
    ana = contact(store, "ana@example.com")  # emails are stored lower-cased
    assert ana is not None
    assert (ana.name, ana.lead_status, ana.quality_score, ana.city) == (
        "Ana Díaz", LeadStatus.HOT_LEAD, 90, "Porto")
    assert ana.company is not None and ana.company.name == "Northwind"
    assert ana.company.size == CompanySize.ENTERPRISE
    assert sorted(t.name for t in ana.tags) == ["VIP", "Webinar"]  # existing tags reused
    bo = contact(store, "bo@example.org")
    assert bo is not None and bo.company_id == ana.company_id  # one new company
    assert bo.quality_score == 50 and bo.created_at.hour == 9


def test_bom_semicolons_latin1_and_quoted_newlines(db: tuple[str, Store], reading: str,
                                                   tmp_path: Path) -> None:
    url, store = db
    text = 'Name;Email;Title\n"Zoë\nMüller";zoe@example.de;"Head; of Sales"\n'
    latin = write(tmp_path / "latin.csv", text, "latin-1")
    code, out, err = run("import", "contacts", str(latin), "--db", url)
    assert code == 0, err
    assert "latin-1, delimiter ';'" in out
    zoe = contact(store, "zoe@example.de")
    assert zoe is not None and (zoe.name, zoe.title) == ("Zoë Müller", "Head; of Sales")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfName\tEmail\nUte\tute@example.de\n")
    code, out, _ = run("import", "contacts", str(bom), "--db", url)
    assert code == 0 and "utf-8, delimiter '\\t'" in out
    assert contact(store, "ute@example.de") is not None


def test_every_bad_cell_is_reported_with_line_column_and_reason(
        db: tuple[str, Store], reading: str, tmp_path: Path) -> None:
    url, store = db
    before = fingerprint(store)
    text = ("Name,Email,Status,Quality Score,Created,Company Size\n"
            "Bad,bob@,Nope,200,2024-13-01,Huge\n"
            "Ragged,r@example.com\n"
            "\x1b[31mRed,red@example.com,,,,\n"
            f"{'x' * 10_000},long@example.com,,,,\n"
            ",noname@example.com,,,,\n"
            "Future,f@example.com,,,2099-01-01,\n")
    rejects = tmp_path / "rejects.csv"
    code, out, err = run("import", "contacts", str(write(tmp_path / "bad.csv", text)),
                         "--db", url, "--rejects", str(rejects))
    assert code == 0
    assert "0 added" in out and "6 rejected" in out
    for expected in ("line 2, Email: 'bob@' is not an email address",
                     "line 2, Status: 'Nope' is not a status",
                     "line 2, Quality Score: 200 is outside 0-100",
                     "line 2, Created: '2024-13-01' is not a date",
                     "line 2, Company Size: 'Huge' is not a company size",
                     "line 3: has 2 fields; the header has 6",
                     "line 4, Name: contains an escape character (ESC)",
                     "line 5, Name: is 10,000 characters long; at most 200 fit",
                     "line 6, Name: is empty",
                     "line 7, Created: 2099-01-01 is in the future"):
        assert expected in err, expected
    assert fingerprint(store) == before
    with rejects.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-3:] == ["Line", "Column", "Reason"]
    # A row is rejected when its batch finds it wrong: a row without a name only once its
    # email matched no contact (I16.17), after the batch's other rejects.
    assert sorted(r[-3] for r in rows[1:]) == ["2", "3", "4", "5", "6", "7"]


def test_markup_is_stored_verbatim(db: tuple[str, Store], tmp_path: Path) -> None:
    url, store = db
    text = "Name,Email,Company\n[bold]Mallory[/bold],m@example.com,[red]Evil Corp\n"
    code, _, err = run("import", "contacts", str(write(tmp_path / "m.csv", text)),
                       "--db", url)
    assert code == 0, err
    mallory = contact(store, "m@example.com")
    assert mallory is not None and mallory.name == "[bold]Mallory[/bold]"
    assert mallory.company is not None and mallory.company.name == "[red]Evil Corp"


@pytest.mark.parametrize(("mode", "added", "updated", "skipped", "rejected", "title"), [
    ("update", 1, 2, 0, 0, "Second"),
    ("skip", 1, 0, 2, 0, "Sales Director"),
    ("error", 1, 0, 0, 2, "Sales Director"),
])
def test_on_duplicate(db: tuple[str, Store], tmp_path: Path, mode: str, added: int,
                      updated: int, skipped: int, rejected: int, title: str) -> None:
    """sarah.johnson@techcorp.com is a demo contact; new@example.com appears twice."""
    url, store = db
    sarah = contact(store, "sarah.johnson@techcorp.com")
    assert sarah is not None
    phone = sarah.phone
    text = ("Name,Email,Title,Phone\n"
            "Sarah Johnson,SARAH.JOHNSON@techcorp.com,Second,\n"
            "New Person,new@example.com,First,\n"
            "New Person,new@example.com,Second,\n")
    code, out, err = run("import", "contacts", str(write(tmp_path / "d.csv", text)),
                         "--db", url, "--on-duplicate", mode)
    assert code == 0, err
    assert (f"{added} added, {updated} updated, {skipped} skipped, {rejected} rejected"
            in out)
    after = contact(store, "sarah.johnson@techcorp.com")
    assert after is not None and after.phone == phone  # an empty cell erases nothing
    assert (after.title == "Second") == (mode == "update")
    new = contact(store, "new@example.com")
    assert new is not None and new.title == ("Second" if mode == "update" else "First")
    if mode == "error":
        assert "line 4, Email: 'new@example.com' is already used by an earlier line" in err


def test_dry_run_and_strict_write_nothing(db: tuple[str, Store], reading: str,
                                          tmp_path: Path) -> None:
    url, store = db
    before = fingerprint(store)
    path = write(tmp_path / "c.csv", GOOD + "Bad,bad@,,,,,,,\n")
    code, out, _ = run("import", "contacts", str(path), "--db", url, "--dry-run")
    assert code == 0 and "Would import c.csv: 2 added" in out and "1 rejected" in out
    assert fingerprint(store) == before
    code, _, err = run("import", "contacts", str(path), "--db", url, "--strict")
    assert code == 1 and "line 4, E-mail" in err and "nothing was imported" in err
    assert fingerprint(store) == before


def test_a_failure_midway_rolls_everything_back(db: tuple[str, Store], reading: str,
                                                tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Five batches; the third one dies (as a crash or Ctrl+C would): none is kept."""
    url, store = db
    before = fingerprint(store)
    monkeypatch.setattr(importer, "BATCH", 10)
    calls = 0
    real = import_rows.add_tags

    def dying(*args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        real(*args, **kwargs)  # type: ignore[arg-type]

    # The batch writer calls it through its own name.
    monkeypatch.setattr(import_writer, "add_tags", dying)
    rows = "".join(f"P{n},p{n}@example.com,Newco,Tag{n}\n" for n in range(50))
    path = write(tmp_path / "big.csv", "Name,Email,Company,Tags\n" + rows)
    code, _, err = run("import", "contacts", str(path), "--db", url)
    assert code == 130 and "nothing was imported" in err
    assert calls == 3
    assert fingerprint(store) == before


def test_file_level_problems_exit_1(db: tuple[str, Store], reading: str,
                                    tmp_path: Path) -> None:
    url, store = db
    before = fingerprint(store)
    cases = {
        "empty.csv": ("", "the file is empty"),
        "noheader.csv": ("Ana,ana@example.com\n", "the first line is not a header"),
        "twice.csv": ("Email,E-mail\na@b.co,c@d.co\n", "two columns fill Email"),
    }
    for name, (text, message) in cases.items():
        code, _, err = run("import", "contacts", str(write(tmp_path / name, text)),
                           "--db", url)
        assert code == 1 and message in err, name
    code, _, err = run("import", "contacts", str(write(tmp_path / "u.csv", "x\n")),
                       "--db", url, "--on-duplicate", "merge")
    assert code == 1 and "--on-duplicate must be update, skip or error" in err
    bad_utf8 = tmp_path / "mixed.csv"
    bad_utf8.write_bytes(b"Name,Email\n" + b"A,a@b.co\n" * 10_000 + b"\xff,x@y.co\n")
    assert fingerprint(store) == before
    code, out, err = run("import", "contacts", str(bad_utf8), "--db", url,
                         "--encoding", "utf-8", "--on-duplicate", "skip")
    assert code == 0 and "1 added, 0 updated, 9,999 skipped, 1 rejected" in out
    assert "line 10002, Name: is not valid UTF-8 (byte 0xff)" in err


def test_map_names_a_column(db: tuple[str, Store], tmp_path: Path) -> None:
    url, store = db
    text = "Who,Addr,Notes\nKim,kim@example.com,hello\n"
    code, _, err = run("import", "contacts", str(write(tmp_path / "m.csv", text)),
                       "--db", url, "--map", "Who=Name", "--map", "addr=email")
    assert code == 0, err
    assert "Not imported (unknown columns): Notes" in err
    assert contact(store, "kim@example.com") is not None
    code, _, err = run("import", "contacts", str(tmp_path / "m.csv"), "--db", url,
                       "--map", "Who=Nickname")
    assert code == 1 and "'Nickname' is not a field" in err


# -- export -------------------------------------------------------------------------------


def test_export_members_csv_is_formula_safe_unless_raw(db: tuple[str, Store],
                                                       tmp_path: Path) -> None:
    url, store = db
    text = "Name,Email,Company\n=HYPERLINK(1),h@example.com,@SUM\n"
    run("import", "contacts", str(write(tmp_path / "f.csv", text)), "--db", url)
    hyper = contact(store, "h@example.com")
    assert hyper is not None
    user = store.users.current_user("Sarah Mitchell")
    store.segments.create_segment(SegmentDraft("Formula Check"),
                                  ContactSelection().toggled(hyper.id, True), user)
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    assert run("export", "members", "Formula Check", "-o", str(safe), "--db", url)[0] == 0
    assert run("export", "members", "Formula Check", "-o", str(raw), "--raw",
               "--db", url)[0] == 0
    safe_row = next(csv.DictReader(safe.open(encoding="utf-8")))
    raw_row = next(csv.DictReader(raw.open(encoding="utf-8")))
    assert (safe_row["Name"], safe_row["Company"]) == ("'=HYPERLINK(1)", "'@SUM")
    assert (raw_row["Name"], raw_row["Company"]) == ("=HYPERLINK(1)", "@SUM")


def test_export_members_json_and_jsonl_shapes(db: tuple[str, Store]) -> None:
    url, _ = db
    code, out, err = run("export", "members", "Enterprise Prospects", "-o", "-",
                         "--format", "json", "--db", url)
    assert code == 0, err
    members = json.loads(out)
    assert len(members) == 45  # R8
    assert set(members[0]) == {
        "id", "name", "email", "phone", "title", "company", "company_size", "industry",
        "status", "lifecycle_stage", "source", "city", "state", "country", "region",
        "quality_score", "tags", "created_at", "last_contacted_at", "spent_cents",
        "purchases", "last_activity_at", "external_id"}
    assert all(isinstance(m["spent_cents"], int) and isinstance(m["tags"], list)
               for m in members)
    assert [m["id"] for m in members] == sorted(m["id"] for m in members)
    # Times ISO 8601 to the second (docs/cli.md): the demo's contacts are stored with
    # microseconds, which showed.
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", m["created_at"])
               for m in members)
    code, out, _ = run("export", "members", "Enterprise Prospects", "-o", "-",
                       "--format", "jsonl", "--db", url)
    lines = out.splitlines()
    assert code == 0 and [json.loads(line) for line in lines] == members
    code, _, err = run("export", "members", "No Such Segment", "-o", "-", "--db", url)
    assert code == 1 and "no segment named 'No Such Segment'" in err
    # An empty -o is a mistake, said as one (it was the current directory: "cannot write
    # .: Device or resource busy").
    code, _, err = run("export", "members", "Enterprise Prospects", "-o", "", "--db", url)
    assert code == 2 and "give a file name, or - for standard output" in err


def test_round_trip_reproduces_the_contacts(db: tuple[str, Store], reading: str,
                                            tmp_path: Path,
                                            empty_store: Store) -> None:
    """Export a segment, import the file into an empty database, export again: the two
    files hold the same contacts field for field (ids and computed columns aside)."""
    url, _ = db
    first = tmp_path / "first.csv"
    assert run("export", "members", "Enterprise Prospects", "-o", str(first),
               "--db", url)[0] == 0
    empty_url = empty_store.engine.url.render_as_string(hide_password=False)
    # Sarah is the new database's first user, so its administrator (I16.6).
    code, out, err = run("import", "contacts", str(first), "--db", empty_url,
                         "--user", "Sarah Mitchell")
    assert code == 0, err
    assert "45 added, 0 updated, 0 skipped, 0 rejected" in out
    user = empty_store.users.current_user("Sarah Mitchell")
    empty_store.segments.create_segment(SegmentDraft("Again"),
                                        ContactSelection().with_all(ContactFilter(), True), user)
    second = tmp_path / "second.csv"
    assert run("export", "members", "Again", "-o", str(second), "--db", empty_url)[0] == 0

    def contacts(path: Path) -> list[dict[str, str]]:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        for row in rows:
            for computed in ("Id", "Total Spent", "Purchases", "Last Activity"):
                row.pop(computed)
        return sorted(rows, key=lambda r: r["Email"])

    assert contacts(first) == contacts(second)


def test_export_segments_matches_the_dashboard_export(db: tuple[str, Store]) -> None:
    url, _ = db
    code, out, err = run("export", "segments", "-o", "-", "--db", url)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["Name", "Description", "Status", "Contact Count", "Campaign Count",
                       "Last Modified"]
    assert any(r[0] == "Enterprise Prospects" and r[3] == "45" for r in rows[1:])


def test_a_killed_import_leaves_the_database_as_it_was(db: tuple[str, Store],
                                                       tmp_path: Path) -> None:
    """SIGKILL mid-import (no handler runs, as in a crash or a power cut): the database is
    exactly as before once reopened (SQLite rolls back its journal; PostgreSQL drops the
    open transaction with the connection).

    The kill comes when the import's own progress line (drawn on stderr when it is a
    terminal, here a pseudo-terminal) says batches were written in its transaction, not
    after a guessed delay: on a busy machine the child may not have started importing
    after any fixed time, or on a fast one have finished."""
    import os
    import pty
    import signal
    import sys

    url, store = db
    before = fingerprint(store)
    total = 300_000
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Name,Email,Company,Tags\n")
        handle.writelines(f"K{n},k{n}@example.com,Killco {n % 50},T{n % 7}\n"
                          for n in range(total))
    terminal, child_end = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "segtui", "import", "contacts",
                              str(path), "--db", url],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=child_end, env={**os.environ, "SEGTUI_TODAY": "2024-02-26"})
    os.close(child_end)
    try:
        written = _rows_in_progress(terminal, child, at_least=2 * importer.BATCH)
        # The file is over READ_AHEAD_BYTES: a child process reads it (transfer/read_ahead.py).
        helpers = [int(pid) for pid in
                   Path(f"/proc/{child.pid}/task/{child.pid}/children").read_text().split()]
        assert [b"read_ahead" in Path(f"/proc/{pid}/cmdline").read_bytes()
                for pid in helpers] == [True]
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL  # killed, not finished meanwhile
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(terminal)
    assert 2 * importer.BATCH <= written < total  # mid-import
    store.engine.dispose()  # fresh connections see what is on disk now
    assert fingerprint(store) == before
    # It ends too (its next write finds no one reading), and promptly: waited for, with a
    # deadline a loaded machine meets.
    _wait_until_ended(helpers, within=60)
    assert not any(map(_running, helpers))


def _rows_in_progress(terminal: int, child: subprocess.Popen[bytes], *, at_least: int,
                      within: float = 300) -> int:
    """Read the import's progress line from the pseudo-terminal until it says at least
    `at_least` rows are done (each batch is written before it is counted); returns that
    count. Fails if the child exits first or `within` seconds pass (a generous bound,
    not an expected duration)."""
    import os
    import select
    import time

    rows = re.compile(r"(\d[\d,]*) rows?(?![\w/])")  # "4,000 rows", not "1,234 rows/s"
    seen = ""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the child closed its end: it exited
                chunk = b""
            if not chunk:
                break
            seen += chunk.decode("utf-8", "replace")
            counts = [int(c.replace(",", "")) for c in rows.findall(seen)]
            if counts and counts[-1] >= at_least:
                return counts[-1]
        elif child.poll() is not None:
            break
    raise AssertionError(f"no progress past {at_least} rows (exit {child.poll()}): "
                         f"{seen[-500:]!r}")


def _wait_until_ended(pids: list[int], within: float) -> None:
    """Wait until each process has ended, or `within` seconds pass: a process's pidfd
    becomes readable when it ends, so nothing is polled (they are not our children)."""
    import os
    import select
    import time

    deadline = time.monotonic() + within
    for pid in pids:
        try:
            handle = os.pidfd_open(pid)
        except ProcessLookupError:
            continue  # gone already
        try:
            select.select([handle], [], [], max(0.0, deadline - time.monotonic()))
        finally:
            os.close(handle)


def _running(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


# -- events and campaign results ------------------------------------------------------------


def events_of(store: Store, email: str) -> list[tuple[str, str, str | None, int | None]]:
    from segtui.data.db.models import Campaign, EngagementEvent

    with store.reading() as conn:
        rows = conn.execute(
            select(EngagementEvent.type, EngagementEvent.occurred_at, Campaign.name,
                   EngagementEvent.revenue_cents)
            .join(Contact, Contact.id == EngagementEvent.contact_id)
            .outerjoin(Campaign, Campaign.id == EngagementEvent.campaign_id)
            .where(Contact.email == email, EngagementEvent.occurred_at >= datetime(2024, 2, 20))
            .order_by(EngagementEvent.occurred_at, EngagementEvent.type)).all()
    return [(str(t), at.isoformat(sep=" "), name, cents) for t, at, name, cents in rows]


RESULTS = (
    "Campaign,Recipient,Delivered,Opened,Clicked,Converted,Order Value,Unsubscribed\n"
    "Spring Sale,Sarah.Johnson@techcorp.com,2024-02-20 10:00,2024-02-20 11:00,yes,"
    "2024-02-21,\"1,250.00\",no\n"
    "Spring Sale,nobody@example.com,2024-02-20,,,,,\n"
    "Spring Sale,d.thompson@futuretech.net,2024-02-20,,,,99.50,\n"
    "Spring Sale,d.thompson@futuretech.net,,,,,,\n"
)


def test_campaign_results_become_events_once(db: tuple[str, Store], reading: str,
                                             tmp_path: Path) -> None:
    """Each filled outcome is one event at its time ("yes": today's midnight); revenue
    goes on the conversion; the campaign is created and linked to --segment; the same
    file again adds nothing; spent (a trigger-kept rollup) follows the conversion."""
    url, store = db
    sarah = contact(store, "sarah.johnson@techcorp.com")
    assert sarah is not None
    spent_before = sarah.spent_cents
    path = write(tmp_path / "results.csv", RESULTS)
    code, out, err = run("import", "campaigns", str(path), "--db", url,
                         "--segment", "Enterprise Prospects")
    assert code == 0, err
    assert "4 added, 0 updated, 0 skipped, 3 rejected" in out
    assert "New campaigns: Spring Sale" in out
    assert "line 3, Recipient: no contact has 'nobody@example.com'" in err
    assert "line 4, Order Value: revenue belongs to a conversion" in err
    assert "line 5: no outcome is filled in" in err
    assert events_of(store, "sarah.johnson@techcorp.com") == [
        ("sent", "2024-02-20 10:00:00", "Spring Sale", None),
        ("opened", "2024-02-20 11:00:00", "Spring Sale", None),
        ("converted", "2024-02-21 00:00:00", "Spring Sale", 125_000),
        ("clicked", "2024-02-26 00:00:00", "Spring Sale", None),
    ]
    after = contact(store, "sarah.johnson@techcorp.com")
    assert after is not None and after.spent_cents == spent_before + 125_000
    seg = store.segments.segment_id_named("Enterprise Prospects")
    assert seg is not None
    assert "Spring Sale" in [c.name for c in store.metrics.campaign_performance(seg)]
    code, out, _ = run("import", "campaigns", str(path), "--db", url)
    assert code == 0 and "0 added, 0 updated, 4 skipped" in out
    assert len(events_of(store, "sarah.johnson@techcorp.com")) == 4


def test_event_log_types_and_file_errors(db: tuple[str, Store], reading: str,
                                         tmp_path: Path) -> None:
    url, store = db
    text = ("Email,Event Type,Timestamp,Campaign,Amount\n"
            "sarah.johnson@techcorp.com,Meeting Attended,2024-02-25 09:00,,\n"
            "sarah.johnson@techcorp.com,purchase,2024-02-25 10:00,,$40\n"
            "sarah.johnson@techcorp.com,bounce,2024-02-25,,\n"
            "sarah.johnson@techcorp.com,open,2099-01-01,,\n"
            "sarah.johnson@techcorp.com,open,,,\n")
    code, out, err = run("import", "events", str(write(tmp_path / "e.csv", text)),
                         "--db", url)
    assert code == 0, err
    assert "2 added, 0 updated, 0 skipped, 3 rejected" in out
    assert "line 4, Event Type: 'bounce' is not an event type" in err
    assert "line 5, Timestamp: 2099-01-01 is in the future" in err
    assert "line 6, Timestamp: is empty; every event has a time" in err
    assert events_of(store, "sarah.johnson@techcorp.com") == [
        ("meeting_attended", "2024-02-25 09:00:00", None, None),
        ("converted", "2024-02-25 10:00:00", None, 4_000),
    ]
    no_type = write(tmp_path / "n.csv", "Email,Date\na@b.co,2024-01-01\n")
    code, _, err = run("import", "events", str(no_type), "--db", url)
    assert code == 1 and "an event log needs a Type column" in err
    code, _, err = run("import", "campaigns", str(no_type), "--db", url)
    assert code == 1 and "campaign results need a Campaign column" in err
    code, _, err = run("import", "campaigns", str(write(tmp_path / "r.csv", RESULTS)),
                       "--db", url, "--segment", "Nope")
    assert code == 1 and "no segment named 'Nope'" in err
