"""I6.1 and P11: what a large import does differently, and that a user can't tell.

- A file from READ_AHEAD_BYTES up is read and validated in a child process
  (segtui/transfer/read_ahead.py); every test here runs both ways (the `reading` fixture).
- On SQLite, an import defers `filled_fields` to one pass and, once it has added
  REINDEX_AFTER contacts, rebuilds the contacts' secondary indexes at the end
  (data/io/importer.py, `_bulk_load`): all inside the one transaction, so the schema after a
  finished, failed or dry-run import is exactly what it was.

Both engines; the thresholds are lowered so that small files take the large-file paths.
"""

from __future__ import annotations

import csv
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, func, select, text
from typer.testing import CliRunner

import segtui.cli as cli
import segtui.data.db.bulk as bulk_writes
import segtui.data.io.import_rows as import_rows
import segtui.data.io.import_writer as import_writer
import segtui.data.io.importer as importer
from segtui.core.formats.contact_columns import ImportError_
from segtui.core.formats.file_formats import Encoding
from segtui.data.db.models import Contact
from segtui.data.derived.completeness import filled_fields
from segtui.data.store import Store
from segtui.transfer import read_ahead
from segtui.transfer.imports import (
    ImportKind,
    ImportProgress,
    ImportRequest,
    TransferStopped,
    import_file,
)
from tests.data.test_figures import assert_copies

runner = CliRunner()


@pytest.fixture
def bulk(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Batches of 10 and REINDEX_AFTER 10: on SQLite, the demo database's contacts'
    indexes go once an import has added 63 (a quarter of its 255 contacts): after its
    7th batch of 10. Returns, for each import, the batch after which they were dropped."""
    monkeypatch.setattr(importer, "BATCH", 10)
    monkeypatch.setattr(importer, "REINDEX_AFTER", 10)
    drops: list[int] = []
    real = bulk_writes.indexes_rebuilt_after
    batches = 0
    real_batch = importer._import_batch

    def counting(*args: Any, **kwargs: Any) -> None:
        nonlocal batches
        batches += 1
        real_batch(*args, **kwargs)

    def recording(*args: Any, **kwargs: Any) -> Any:
        drops.append(batches)
        return real(*args, **kwargs)

    real_import = importer.import_contacts

    def starting(*args: Any, **kwargs: Any) -> Any:
        nonlocal batches
        batches = 0  # counted per import
        return real_import(*args, **kwargs)

    monkeypatch.setattr(importer, "import_contacts", starting)
    monkeypatch.setattr(importer, "_import_batch", counting)
    monkeypatch.setattr(importer, "indexes_rebuilt_after", recording)
    return drops


def dropped_after(store: Store) -> list[int]:
    """The batch after which a 100-row import into the demo database drops the indexes
    (`bulk`): SQLite after the 7th, PostgreSQL never."""
    return [7] if store.engine.dialect.name == "sqlite" else []


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout, result.stderr


def url_of(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def schema(store: Store) -> tuple[list[str], list[str]]:
    """The contacts table's index names and trigger names, from the catalog (SQLAlchemy's
    reflection leaves out indexes on an expression, such as the phone's)."""
    with store.reading() as conn:
        indexes = sorted(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' "
            "AND sql IS NOT NULL" if conn.dialect.name == "sqlite" else
            "SELECT indexname FROM pg_indexes WHERE tablename = 'contacts' "
            "AND indexname <> 'pk_contacts'")).scalars())
        if conn.dialect.name == "sqlite":
            triggers = conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'contacts' ORDER BY name")).scalars().all()
        else:
            triggers = conn.execute(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'contacts'::regclass "
                "AND NOT tgisinternal ORDER BY tgname")).scalars().all()
    return indexes, list(triggers)


def wrong_filled_fields(store: Store) -> int:
    """Contacts whose stored `filled_fields` is not what the expression computes."""
    contacts = Contact.__table__
    assert isinstance(contacts, Table)
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(contacts).where(
            contacts.c.filled_fields != filled_fields(contacts))).scalar_one())


def contact_count(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Contact)).scalar_one())


def people(n: int, first: int = 0) -> str:
    """Rows whose completeness varies: phone, title, company and city each on some."""
    return "".join(
        f"Person {i},person{i}@example.com,{'+1 555 0100' if i % 2 else ''},"
        f"{'CTO' if i % 3 else ''},{f'Bulkco {i % 4}' if i % 5 else ''},"
        f"{'Lyon' if i % 7 else ''}\n" for i in range(first, first + n))


HEADER = "Name,Email,Phone,Title,Company,City\n"


def test_a_large_import_leaves_the_schema_and_derived_values_right(
        demo_store: Store, reading: str, bulk: list[int], tmp_path: Path) -> None:
    store = demo_store
    before, total = schema(store), contact_count(store)
    path = tmp_path / "people.csv"
    path.write_text(HEADER + people(100))
    code, out, err = run("import", "contacts", str(path), "--db", url_of(store))
    assert code == 0, err
    assert "100 added" in out
    assert bulk == dropped_after(store)
    assert contact_count(store) == total + 100
    assert schema(store) == before  # indexes rebuilt, insert triggers back
    assert wrong_filled_fields(store) == 0  # the one pass covered every new contact
    assert_copies(store)  # and copied each into contact_figures
    # The triggers work again afterwards: an update re-counts.
    with store.orm_session() as session:
        person = session.scalars(select(Contact).where(Contact.email == "person1@example.com")
                                 ).one()
        assert person.filled_fields == 5 - (person.city is None) - (person.title is None)
        person.phone = None
    assert wrong_filled_fields(store) == 0
    assert_copies(store)
    if store.engine.dialect.name == "sqlite":
        with store.reading() as conn:  # every index agrees with the table
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    # A second import merges by email through the email index, which was never dropped.
    path.write_text(HEADER + people(10, first=95))
    code, out, err = run("import", "contacts", str(path), "--db", url_of(store))
    assert code == 0 and "5 added, 5 updated" in out, out + err
    assert schema(store) == before and wrong_filled_fields(store) == 0
    assert_copies(store)


def test_a_dry_run_or_a_failure_after_the_indexes_went_restores_them(
        demo_store: Store, reading: str, bulk: list[int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = demo_store
    before, total = schema(store), contact_count(store)
    path = tmp_path / "people.csv"
    path.write_text(HEADER + people(100))
    code, out, _ = run("import", "contacts", str(path), "--db", url_of(store), "--dry-run")
    assert code == 0 and "Would import people.csv: 100 added" in out
    assert bulk == dropped_after(store)
    assert (schema(store), contact_count(store)) == (before, total)
    real = import_rows.insert_contacts
    calls = 0

    def dying(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 10:  # the indexes went after the 7th batch
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    # The batch writer calls it through its own name.
    monkeypatch.setattr(import_writer, "insert_contacts", dying)
    bulk.clear()
    code, _, err = run("import", "contacts", str(path), "--db", url_of(store))
    assert code == 130 and "nothing was imported" in err
    assert bulk == dropped_after(store)
    assert (schema(store), contact_count(store)) == (before, total)
    assert wrong_filled_fields(store) == 0
    assert_copies(store)


def test_many_messages_with_rejects_in_between(demo_store: Store, reading: str,
                                               tmp_path: Path) -> None:
    """5,000 rows: three of the child's messages. Rows rejected by reading (a bad email)
    and by writing (an email already used, --on-duplicate error) reach the rejects file
    with their own cells and lines, in order."""
    store = demo_store
    rows = [f"Row {n},row{n}@example.com,Lisbon" for n in range(5_000)]
    rows[10] = "Bad,row10@,Lisbon"  # line 12
    rows[2_500] = "Twice,row7@example.com,Porto"  # line 2502: the email of line 9
    rows[4_999] = "Ragged"  # line 5001
    path = tmp_path / "many.csv"
    path.write_text("Name,Email,City\n" + "\n".join(rows) + "\n")
    rejects = tmp_path / "rejects.csv"
    code, out, err = run("import", "contacts", str(path), "--db", url_of(store),
                         "--on-duplicate", "error", "--rejects", str(rejects))
    assert code == 0, err
    assert "4,997 added, 0 updated, 0 skipped, 3 rejected (5,000 rows" in out
    with rejects.open(newline="", encoding="utf-8") as handle:
        written = list(csv.reader(handle))
    assert [(r[0], r[-3]) for r in written[1:]] == [
        ("Bad", "12"), ("Twice", "2502"), ("Ragged", "5001")]
    assert "already used by an earlier line of this file" in written[2][-1]


def test_a_record_the_csv_reader_refuses_stops_with_its_line(
        demo_store: Store, reading: str, tmp_path: Path) -> None:
    store = demo_store
    total = contact_count(store)
    path = tmp_path / "huge_cell.csv"
    path.write_text("Name,Email\nAna,ana@example.com\n\"" + "x" * 200_000 + "\",b@c.co\n")
    code, _, err = run("import", "contacts", str(path), "--db", url_of(store))
    assert code == 1
    assert "line 3: field larger than field limit" in err and "nothing was imported" in err
    assert contact_count(store) == total


def test_stopping_a_read_ahead_import_ends_the_reader(demo_store: Store, bulk: list[int],
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    """The app's Stop (TransferStopped from the progress callback): nothing is written,
    and the child process is gone when import_file returns."""
    monkeypatch.setattr(read_ahead, "READ_AHEAD_BYTES", 0)
    store = demo_store
    before, total = schema(store), contact_count(store)
    path = tmp_path / "people.csv"
    path.write_text(HEADER + people(5_000))
    seen: list[ImportProgress] = []

    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def recorded(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", recorded)

    def stop_after_two(progress: ImportProgress) -> None:
        seen.append(progress)
        if len(seen) == 2:
            assert started[0].poll() is None  # the reader is running
            raise TransferStopped

    with pytest.raises(TransferStopped):
        import_file(store, ImportRequest(ImportKind.CONTACTS, path), stop_after_two)
    assert seen[1].rows == 20 and 0 < seen[1].consumed <= path.stat().st_size
    assert len(started) == 1 and started[0].returncode is not None  # ended and reaped
    assert (schema(store), contact_count(store)) == (before, total)


def test_the_reader_child_reports_a_file_that_vanished(tmp_path: Path) -> None:
    """The child opens the file itself: if it is gone by then, the import says so."""
    job = read_ahead.ReadJob(tmp_path / "missing.csv", Encoding.AUTO, read_ahead_reader,
                             keep_cells=False)
    with read_ahead.ReadAhead(job) as ahead, pytest.raises(ImportError_,
                                                          match="cannot read it"):
        list(ahead)


class _Cells:
    """A reader that returns the cells as they are (a module-level class: the child
    process imports it by name)."""

    def read(self, cells: list[str], line: int) -> object:
        return cells


def read_ahead_reader() -> _Cells:
    return _Cells()


def rows_read(path: Path) -> Iterator[read_ahead.Read]:
    job = read_ahead.ReadJob(path, Encoding.AUTO, read_ahead_reader, keep_cells=True)
    with read_ahead.ReadAhead(job) as ahead:
        yield from ahead


def test_the_child_yields_what_reading_here_yields(tmp_path: Path) -> None:
    """Line numbers (a quoted field spanning lines moves them), cells, and the header
    skipped, across message boundaries."""
    path = tmp_path / "lines.csv"
    body = "".join(f'"a\n{n}",{n}\n' if n % 1_000 == 0 else f"a{n},{n}\n"
                   for n in range(4_500))
    path.write_text("Name,Email\n" + body)
    read = list(rows_read(path))
    assert len(read) == 4_500
    assert read[0] == (2, ["a\n0", "0"], ["a\n0", "0"])
    assert read[1][0] == 4  # the first record took lines 2 and 3
    assert read[-1] == (4_500 + 2 + 4, ["a4499", "4499"], ["a4499", "4499"])


class _Broken:
    def read(self, cells: list[str], line: int) -> object:
        raise ValueError(f"a bug at line {line}")


def broken_reader() -> _Broken:
    return _Broken()


def test_a_bug_in_the_child_or_its_death_is_an_error_not_an_early_end(tmp_path: Path
                                                                       ) -> None:
    """The rows must never just stop: a reader that raises is a RuntimeError carrying
    its traceback, and a child killed midway an ImportError_ naming its exit code."""
    path = tmp_path / "lines.csv"
    # 100,000 rows: far more than the pipe holds, so the child is mid-file when killed.
    path.write_text("Name,Email\n" + "".join(f"a{n},{n}\n" for n in range(100_000)))
    job = read_ahead.ReadJob(path, Encoding.AUTO, broken_reader, keep_cells=False)
    with read_ahead.ReadAhead(job) as ahead, pytest.raises(RuntimeError,
                                                          match="a bug at line 2"):
        list(ahead)
    job = read_ahead.ReadJob(path, Encoding.AUTO, read_ahead_reader, keep_cells=False)
    with read_ahead.ReadAhead(job) as ahead:
        rows = iter(ahead)
        next(rows)
        ahead._process.kill()
        with pytest.raises(ImportError_, match="stopped: exit code -9"):
            list(rows)
