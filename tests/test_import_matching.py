"""I16.16 and I16.17: who a row of a contacts file is. An update needs only the
matching key and the columns it changes (a new contact still needs a name); files without
an Email column are said to duplicate on re-import, and may match by name and company,
phone or an external id instead. Through the CLI on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

import segtui.cli as cli
from segtui.core.contact_keys import MatchKey
from segtui.core.enums import LeadStatus
from segtui.data.db.models import Contact
from segtui.data.store import Store
from segtui.transfer.imports import ImportKind, ImportRequest
from tests.concurrent_imports import import_twice_at_once

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


def test_a_row_that_changes_nothing_leaves_the_contact_as_it_was(
        db: tuple[str, Store], tmp_path: Path) -> None:
    """Only what differs is written (C21.1.13): a row repeating what segtui has leaves the
    contact and its version alone; a row changing one cell among repeated ones changes
    that cell, and the version goes up once."""
    url, store = db
    columns = (Contact.name, Contact.title, Contact.city, Contact.lead_status, Contact.version)
    with store.reading() as conn:
        before = conn.execute(select(*columns).where(Contact.email == SARAH)).one()
    name, title, city, status, version = before
    same = write(tmp_path / "same.csv", "Email,Name,Title,City,Status\n"
                                        f"{SARAH},{name},{title},{city},{status}\n")
    code, _, err = run("import", "contacts", str(same), "--db", url)
    assert code == 0, err
    with store.reading() as conn:
        assert conn.execute(select(*columns).where(Contact.email == SARAH)).one() == before
    changed = write(tmp_path / "changed.csv", "Email,Name,Title,City,Status\n"
                                              f"{SARAH},{name},{title},Reykjavik,{status}\n")
    code, _, err = run("import", "contacts", str(changed), "--db", url)
    assert code == 0, err
    with store.reading() as conn:
        after = conn.execute(select(*columns).where(Contact.email == SARAH)).one()
    assert after == (name, title, "Reykjavik", status, version + 1)


def test_rows_updating_one_contact_apply_in_order_and_count_each(
        db: tuple[str, Store], tmp_path: Path) -> None:
    """Several rows of one batch for the same contact (PostgreSQL writes a batch's updates
    as one UPDATE ... FROM a staging table, P11): the contact ends as writing the
    rows one by one leaves it, an empty cell keeps the value, its version goes up once
    per row that fills a cell (not for tags alone), and a tag in any row is added once.
    A new contact the same file then updates is added with the later rows' values."""
    url, store = db
    with store.reading() as conn:
        version = conn.execute(select(Contact.version).where(Contact.email == SARAH)
                               ).scalar_one()
    path = write(tmp_path / "again.csv",
                 "Email,Name,City,Title,Tags\n"
                 f"{SARAH},,Lisbon,,VIP\n"
                 f"{SARAH.upper()},,Porto,Chief Buyer,\n"
                 f"{SARAH},,,,VIP; Webinar\n"
                 "nina@example.com,Nina Ng,Oslo,,\n"
                 "nina@example.com,,,Buyer,Trial\n")
    code, out, err = run("import", "contacts", str(path), "--db", url)
    assert code == 0, err
    assert "1 added, 4 updated, 0 skipped, 0 rejected" in out
    with store.reading() as conn:
        rows = {r.email: r for r in conn.execute(
            select(Contact.id, Contact.email, Contact.city, Contact.title, Contact.version)
            .where(Contact.email.in_([SARAH, "nina@example.com"])))}
        tags = {(cid, name) for cid, name in conn.execute(text(
            "SELECT ct.contact_id, t.name FROM contact_tags ct JOIN tags t "
            "ON t.id = ct.tag_id"))}
    sarah, nina = rows[SARAH], rows["nina@example.com"]
    assert (sarah.city, sarah.title, sarah.version) == ("Porto", "Chief Buyer", version + 2)
    assert {(sarah.id, "VIP"), (sarah.id, "Webinar")} <= tags
    assert (nina.city, nina.title, nina.version) == ("Oslo", "Buyer", 2)
    assert (nina.id, "Trial") in tags


def test_new_contacts_get_each_of_their_tags_once(db: tuple[str, Store], reading: str,
                                                  tmp_path: Path) -> None:
    """New contacts' tags (PostgreSQL: staged with the contacts as arrays of tag ids and
    inserted by the same statement): a tag spelled twice in a row is added once, rows
    spelling their tags alike each get them, a new tag is created once, a row without
    tags gets none."""
    url, store = db
    path = write(tmp_path / "tagged.csv",
                 "Email,Name,Tags\n"
                 "ada@example.com,Ada Byron,VIP; vip; Brand New Tag\n"
                 "bo@example.com,Bo Chen,VIP; vip; Brand New Tag\n"
                 "cy@example.com,Cy Diaz,\n"
                 "di@example.com,Di Eze,brand new tag\n")
    code, out, err = run("import", "contacts", str(path), "--db", url)
    assert code == 0, err
    assert "4 added, 0 updated, 0 skipped, 0 rejected" in out
    with store.reading() as conn:
        tags = conn.execute(text(
            "SELECT c.email, t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
            "JOIN contacts c ON c.id = ct.contact_id WHERE c.email LIKE '%@example.com' "
            "ORDER BY c.email, t.name")).all()
        created = conn.execute(text("SELECT count(*) FROM tags WHERE name_key = "
                                    "'brand new tag'")).scalar_one()
    assert [tuple(r) for r in tags] == [
        ("ada@example.com", "Brand New Tag"), ("ada@example.com", "VIP"),
        ("bo@example.com", "Brand New Tag"), ("bo@example.com", "VIP"),
        ("di@example.com", "Brand New Tag")]
    assert created == 1


# -- §16: files without emails -----------------------------------------------------------------


def contacts_named(store: Store, name: str) -> list[tuple[int, str | None, str | None]]:
    with store.reading() as conn:
        return [(r.id, r.city, r.external_id) for r in conn.execute(
            select(Contact.id, Contact.city, Contact.external_id)
            .where(Contact.name == name).order_by(Contact.id))]


NO_EMAILS = ("Full Name,Company,Phone,City\n"
             "Sarah Johnson,TechCorp Solutions,+1 (555) 010-7777,Lisbon\n"
             "Nadia Novak,Newco,555 010 8888,Porto\n")


def test_a_file_without_emails_is_said_to_add_its_rows_again(db: tuple[str, Store],
                                                              tmp_path: Path) -> None:
    """Matching by email (the default), a file without an Email column can only add: the
    dry run (and the import) say so first, and how the file could match instead."""
    url, store = db
    path = write(tmp_path / "people.csv", NO_EMAILS)
    warning = ("Warning: this file has no Email column: every row will be a new contact, "
               "and importing it again will add them all again; this file could match by "
               "name and company or Phone instead (--match).")
    code, out, err = run("import", "contacts", str(path), "--dry-run", "--db", url)
    assert code == 0, err
    assert err.splitlines()[0] == warning
    assert "Would import people.csv: 2 added" in out
    for _ in range(2):
        code, out, err = run("import", "contacts", str(path), "--db", url)
        assert err.splitlines()[0] == warning and "2 added, 0 updated" in out
    assert len(contacts_named(store, "Nadia Novak")) == 2  # as it said
    sarah = write(tmp_path / "ok.csv", f"Name,Email\nSarah,{SARAH}\n")
    assert "Warning" not in run("import", "contacts", str(sarah), "--db", url)[2]


def test_match_by_name_and_company(db: tuple[str, Store], tmp_path: Path) -> None:
    """The name at the company, ignoring case and outer spaces, as the quality report's
    "Same name + company"; the same file again updates what it added."""
    url, store = db
    [(sarah, _, _)] = contacts_named(store, "Sarah Johnson")
    path = write(tmp_path / "people.csv",
                 NO_EMAILS.replace("Sarah Johnson,TechCorp Solutions",
                                   " sarah johnson ,TECHCORP SOLUTIONS")
                 + "No Company,,,Oslo\n")
    for added, updated in ((1, 1), (0, 2)):
        code, out, err = run("import", "contacts", str(path), "--match", "name+company",
                             "--db", url)
        assert code == 0, err
        assert f"{added} added, {updated} updated, 0 skipped, 1 rejected" in out
        assert "line 4, Company: is empty; --match name+company finds the contact by it" \
            in err
        assert "Warning" not in err
    # The contact the row matched, its cells written as the file spells them.
    assert contacts_named(store, "sarah johnson") == [(sarah, "Lisbon", None)]
    assert len(contacts_named(store, "Nadia Novak")) == 1
    # Two contacts of one name at one company: the row can't tell which, and says so.
    twin = write(tmp_path / "twin.csv", "Name,Company\nNadia Novak,Newco\n")
    assert run("import", "contacts", str(twin), "--db", url)[0] == 0  # by email: a new one
    code, out, err = run("import", "contacts", str(twin), "--match", "name+company",
                         "--db", url)
    ids = ", ".join(str(i) for i, _, _ in contacts_named(store, "Nadia Novak"))
    assert f"line 2, Name: matches 2 contacts ({ids}): merge them (segtui contacts " \
           "merge) or match by another key" in err


def test_match_by_phone(db: tuple[str, Store], tmp_path: Path) -> None:
    """The phone's digits (and letters): "+1 (555) 010-7777" is "1 555 010 7777"."""
    url, store = db
    [(sarah, _, _)] = contacts_named(store, "Sarah Johnson")
    with store.orm_session() as session:
        session.get_one(Contact, sarah).phone = "+1 (555) 010-7777"
    path = write(tmp_path / "phones.csv", "Phone,Status\n1 555 010.7777,Customer\n"
                                          "555 0000,Cold\n,Cold\n")
    code, out, err = run("import", "contacts", str(path), "--match", "phone", "--db", url)
    assert code == 0, err
    assert "0 added, 1 updated, 0 skipped, 2 rejected" in out
    assert "line 3, Name: is empty: no contact has Phone '555 0000', and a new contact " \
           "needs a name" in err
    assert "line 4, Phone: is empty; --match phone finds the contact by it" in err
    assert by_email(store, SARAH) is not None
    assert by_email(store, SARAH)[1] is LeadStatus.CUSTOMER  # type: ignore[index]


def test_match_by_external_id(db: tuple[str, Store], tmp_path: Path) -> None:
    """A CRM's own id ("Record ID", as HubSpot exports it) is kept on the contact and
    finds it again, whatever else changed, even its email; the database keeps it unique
    like the email, and a row can't give a contact another's email."""
    url, store = db
    first = write(tmp_path / "crm.csv", "Record ID,First Name,Last Name,Email\n"
                                        "101,Ivo,Ilic,ivo@old.example\n"
                                        "102,Una,Ulm,una@example.com\n")
    code, out, err = run("import", "contacts", str(first), "--match", "external-id",
                         "--db", url)
    assert code == 0, err
    assert "2 added, 0 updated" in out
    moved = write(tmp_path / "crm2.csv", "Record ID,Email,City\n"
                                         "101,ivo@new.example,Split\n"
                                         f"103,{SARAH},Oslo\n"
                                         f"102,{SARAH},Oslo\n")
    code, out, err = run("import", "contacts", str(moved), "--match", "external-id",
                         "--db", url)
    assert code == 0, err
    assert "0 added, 1 updated, 0 skipped, 2 rejected" in out
    assert ("line 3, Name: is empty: no contact has Record ID '103', and a new contact "
            "needs a name") in err
    assert f"line 4, Email: '{SARAH}' is already used by contact 1" in err
    assert contacts_named(store, "Ivo Ilic")[0][1:] == ("Split", "101")
    assert by_email(store, "ivo@new.example") is not None
    # Matching by email, a row gives the contact its external id, but not one another
    # contact has.
    [(una, _, _)] = contacts_named(store, "Una Ulm")
    code, out, err = run("import", "contacts", str(moved), "--db", url)
    assert code == 0, err
    assert "0 added, 2 updated, 0 skipped, 1 rejected" in out
    assert err.splitlines() == [f"  line 4, Record ID: '102' is already used by contact {una}"]
    assert contacts_named(store, "Sarah Johnson") == [(1, "Oslo", "103")]
    # Kept: shown and exported.
    code, out, err = run("contacts", "show", "ivo@new.example", "--json", "--db", url)
    assert '"external_id": "101"' in out


def test_match_key_columns_must_be_there(db: tuple[str, Store], tmp_path: Path) -> None:
    url, _ = db
    path = write(tmp_path / "names.csv", "Name,City\nAnn,Oslo\n")
    for key, missing in (("phone", "a Phone"), ("external-id", "an External Id"),
                         ("name+company", "a Company")):
        code, _, err = run("import", "contacts", str(path), "--match", key, "--db", url)
        assert code == 1
        assert f"--match {key} needs {missing} column; the file has none" in err
    code, _, err = run("import", "contacts", str(path), "--match", "fax", "--db", url)
    assert code == 1 and "--match must be email, name+company, phone or external-id" in err


def test_two_imports_of_the_same_new_external_ids_at_once(
        empty_store: Store, engine_name: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The external id is held by the database like the email (I16.1)."""
    rows = "".join(f"{9000 + n},Racer {n}\n" for n in range(200))
    path = write(tmp_path / "crm.csv", "External Id,Name\n" + rows)
    reports = import_twice_at_once(
        empty_store.engine.url,
        ImportRequest(ImportKind.CONTACTS, path, match=MatchKey.EXTERNAL_ID), engine_name,
        monkeypatch)
    assert sorted((r.added, r.updated, r.rejected) for r in reports) == [
        (0, 200, 0), (200, 0, 0)]
    with empty_store.reading() as conn:
        assert conn.execute(select(func.count(), func.count(func.distinct(
            Contact.external_id)))).one() == (200, 200)
