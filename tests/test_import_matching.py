"""Issue 16 §16 and §17: who a row of a contacts file is. An update needs only the
matching key and the columns it changes (a new contact still needs a name); files without
an Email column are said to duplicate on re-import, and may match by name and company,
phone or an external id instead. Through the CLI on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import segtui.cli as cli
from segtui.core.enums import LeadStatus
from segtui.data.models import Contact
from segtui.data.store import Store

runner = CliRunner()
SARAH = "sarah.johnson@techcorp.com"  # demo contact 1: Sarah Johnson, TechCorp Solutions


@pytest.fixture
def db(demo_store: Store) -> Iterator[tuple[str, Store]]:
    yield demo_store.engine.url.render_as_string(hide_password=False), demo_store


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def by_email(store: Store, email: str) -> tuple[str, LeadStatus, str | None] | None:
    with store.reading() as conn:
        row = conn.execute(select(Contact.name, Contact.lead_status, Contact.city)
                           .where(Contact.email == email)).one_or_none()
    return None if row is None else (row.name, row.lead_status, row.city)


# -- §17: an update needs only the key and what it changes ----------------------------------


def test_an_update_needs_only_the_email_and_the_changed_columns(
        db: tuple[str, Store], reading: str, tmp_path: Path) -> None:
    """The common "update these contacts' status" file: Email and Status. A row matching
    a contact updates its status and nothing else; a row matching none would create a
    contact without a name, and is rejected for that."""
    url, store = db
    before = by_email(store, SARAH)
    assert before is not None and before[1] is not LeadStatus.CUSTOMER
    path = write(tmp_path / "status.csv", f"Email,Status\n{SARAH.upper()},Customer\n"
                                          "nobody@example.com,Cold\n")
    code, out, err = run("import", "contacts", str(path), "--on-duplicate", "update",
                         "--db", url)
    assert code == 0, err
    assert "0 added, 1 updated, 0 skipped, 1 rejected" in out
    assert err.splitlines() == [
        "  line 3, Name: is empty: no contact has 'nobody@example.com', and a new contact "
        "needs a name"]
    assert by_email(store, SARAH) == (before[0], LeadStatus.CUSTOMER, before[2])
    assert by_email(store, "nobody@example.com") is None


def test_empty_name_cells_update_and_never_erase(db: tuple[str, Store],
                                                 tmp_path: Path) -> None:
    """With a Name (or First/Last Name) column whose cells are empty, the same: the name
    segtui has stays, and skip or error still apply to matching rows."""
    url, store = db
    before = by_email(store, SARAH)
    assert before is not None
    path = write(tmp_path / "city.csv", "First Name,Last Name,Email,City\n"
                                        f",,{SARAH},Lisbon\n,,new@example.com,Porto\n")
    code, out, err = run("import", "contacts", str(path), "--db", url)
    assert code == 0, err
    assert "0 added, 1 updated, 0 skipped, 1 rejected" in out
    assert "line 3, First Name: is empty: no contact has 'new@example.com'" in err
    assert by_email(store, SARAH) == (before[0], before[1], "Lisbon")
    code, out, _ = run("import", "contacts", str(path), "--on-duplicate", "skip", "--db", url)
    assert "0 added, 0 updated, 1 skipped, 1 rejected" in out
