"""I16.2, I16.3, I16.11, I16.13-I16.15: real files from other CRMs and spreadsheets, through
`segtui import contacts`, on SQLite and PostgreSQL, read here and in the read-ahead child
(the `reading` fixture), with what the database holds checked afterwards
(docs/import-export.md).

The files in tests/files/ are our own, written with the headers and quirks of the exports
they stand for: a HubSpot contacts export (every field quoted, CRLF, "Lead Status" next
to "Status", HubSpot's lifecycle stages, lead statuses, employee ranges and sources);
Mautic's (field aliases, `title` for Mr./Mrs. next to `position`, points, both phones);
a Salesforce report (Salutation and Title, Phone and Mobile, 1/5/2024 dates, ISO-8859-1);
CiviCRM's (two "Last Name" columns, an Individual Prefix); Excel's "CSV (semicolon)" on
Windows (`sep=;`, Windows-1252 smart quotes, rows of only semicolons) and its "Unicode
Text" (UTF-16 with a BOM, tab-separated).
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import segtui.cli as cli
from segtui.core.enums import CompanySize, LeadStatus, LifecycleStage, SourceChannel
from segtui.data.db.models import Contact
from segtui.data.store import Store
from tests.test_cli_io import contact, fingerprint

FILES = Path(__file__).parent / "files"
runner = CliRunner()


@pytest.fixture
def url(demo_store: Store) -> Iterator[str]:
    yield demo_store.engine.url.render_as_string(hide_password=False)


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout, result.stderr


def sample(name: str, tmp_path: Path) -> Path:
    """A copy of a sample file: the tests may not write next to the originals."""
    return Path(shutil.copy(FILES / name, tmp_path / name))


def fields_of(store: Store, email: str) -> dict[str, object]:
    found = contact(store, email)
    assert found is not None, email
    return {"name": found.name, "title": found.title, "phone": found.phone,
            "company": found.company.name if found.company else None,
            "size": found.company.size if found.company else None,
            "status": found.lead_status, "stage": found.lifecycle_stage,
            "source": found.source, "city": found.city, "state": found.state,
            "country": found.country, "created": found.created_at,
            "tags": sorted(t.name for t in found.tags)}


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


# -- §2: a quote left open ------------------------------------------------------------------


def people(count: int) -> list[str]:
    return [f"Person {n},person{n}@example.com,Co {n},City {n}" for n in range(count)]


def test_an_unclosed_quote_is_refused_at_the_line_it_opened(
        demo_store: Store, url: str, reading: str, tmp_path: Path) -> None:
    """Line 11 opens a quote; the next quote is on line 500 (a company "Smith, Jr"): the
    reader took lines 11-500 as one field, rejected it as "has 3 fields", imported the
    rest and exited 0. Now nothing is imported and the message names line 11."""
    before = fingerprint(demo_store)
    rows = people(999)
    rows[9] = '"Broken,broken@example.com,Co,City'  # line 11
    rows[498] = 'Bob Smith,bob@example.com,"Smith, Jr",Town'  # line 500
    path = tmp_path / "quote.csv"
    path.write_text("Name,Email,Company,City\n" + "\n".join(rows) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    code, out, err = run("import", "contacts", str(path), "--db", url,
                         "--rejects", str(rejects))
    assert code == 1, out
    assert ("line 11: unclosed quote: the quote opened on this line runs to line 500, so "
            "lines 11-500 would be read as one field" in err)
    assert "nothing was imported" in err and "added" not in out
    assert fingerprint(demo_store) == before and not rejects.exists()
    # Never closed at all: the rest of the file.
    rows[498] = "Bob Smith,bob@example.com,Smith Jr,Town"
    path.write_text("Name,Email,Company,City\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, _, err = run("import", "contacts", str(path), "--db", url, "--dry-run")
    assert code == 1
    assert ("line 11: unclosed quote: the quote opened on this line is never closed, so "
            "the rest of the file (to line 1,000) would be read as one field" in err)
    # A quote opened in a later field names its own line.
    rows[9] = 'Broken,broken@example.com,"Co\nCity'
    path.write_text("Name,Email,Company,City\n" + "\n".join(rows[:20]) + "\n",
                    encoding="utf-8")
    code, _, err = run("import", "contacts", str(path), "--db", url, "--dry-run")
    assert code == 1 and "line 11: unclosed quote" in err and "to line 22" in err
    assert fingerprint(demo_store) == before


def test_line_breaks_inside_closed_quotes_still_import(
        demo_store: Store, url: str, reading: str, tmp_path: Path) -> None:
    """An address typed with Alt+Enter is one field, not an unclosed quote; a ragged row
    spanning lines is rejected as ragged, as before."""
    path = tmp_path / "multi.csv"
    path.write_text('Name,Email,City\n"Ann\nLee",ann@example.com,"12 Main St\nFloor 2"\n'
                    '"Ragged\nRow",ragged@example.com\n'
                    "Cy,cy@example.com,Rome\n"
                    # Fields ending in a line break, closed: the rows after them still count.
                    'Di,di@example.com,"Oslo\n"\n'
                    'Ed,ed@example.com,"Bergen\n"\n'
                    "Flo,flo@\n"
                    "Gus,gus@example.com,Lund\n", encoding="utf-8")
    code, out, err = run("import", "contacts", str(path), "--db", url)
    assert code == 0, err
    assert "5 added, 0 updated, 0 skipped, 2 rejected" in out
    assert "line 5: has 2 fields; the header has 3" in err
    assert "line 12: has 2 fields; the header has 3" in err  # Di: 8-9, Ed: 10-11
    assert fields_of(demo_store, "ann@example.com")["city"] == "12 Main St Floor 2"
    assert fields_of(demo_store, "ed@example.com")["city"] == "Bergen"
    assert fields_of(demo_store, "gus@example.com")["city"] == "Lund"


# -- §3 and §11: the rejects file ----------------------------------------------------------------


def test_the_rejects_file_lines_up_with_its_header(
        demo_store: Store, url: str, reading: str, tmp_path: Path) -> None:
    """Rows with too few and too many fields: each cell under its own header, padded or
    cut, the row as it was in Original Row; Line, Column and Reason always last."""
    path = tmp_path / "ragged.csv"
    path.write_text("Name;Email;Company\n"
                    "Short;short@example.com\n"
                    "Long;long@example.com;Co;=EXTRA();More\n"
                    "Bad;bad@;Co\n"
                    "Good;good@example.com;Co\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    code, out, err = run("import", "contacts", str(path), "--db", url,
                         "--rejects", str(rejects))
    assert code == 0, err
    assert "1 added, 0 updated, 0 skipped, 3 rejected" in out
    rows = read_rows(rejects)
    assert rows[0] == ["Name", "Email", "Company", "Original Row", "Line", "Column",
                       "Reason"]
    assert all(len(row) == 7 for row in rows)
    assert rows[1] == ["Short", "short@example.com", "", "Short;short@example.com", "2", "",
                       "has 2 fields; the header has 3"]
    assert rows[2] == ["Long", "long@example.com", "Co",
                       "Long;long@example.com;Co;=EXTRA();More", "3", "",
                       "has 5 fields; the header has 3"]
    assert rows[3][:6] == ["Bad", "bad@", "Co", "", "4", "Email"]


def test_an_undecodable_byte_late_in_the_file_is_a_rejected_row(
        demo_store: Store, url: str, reading: str, tmp_path: Path) -> None:
    """The first 64 KB are UTF-8, line 5,002 has a Windows-1252 apostrophe (0x92): that row
    is rejected naming the byte and the --encoding to try, and the rejects file is
    written (it crashed with UnicodeEncodeError and left none)."""
    path = tmp_path / "late.csv"
    rows = b"".join(f"P{n},p{n}@example.com\n".encode() for n in range(5_000))
    path.write_bytes(b"Name,Email\n" + rows + b"O\x92Hara,ohara@example.com\n")
    assert path.stat().st_size > 64 * 1024
    rejects = tmp_path / "rejects.csv"
    code, out, err = run("import", "contacts", str(path), "--db", url, "--dry-run",
                         "--rejects", str(rejects))
    assert code == 0, err
    assert "5,000 added, 0 updated, 0 skipped, 1 rejected" in out
    reason = ("is not valid UTF-8 (byte 0x92); if the file was saved by Excel or another "
              "Windows program, import it with --encoding cp1252")
    assert f"line 5002, Name: {reason}" in err
    assert read_rows(rejects)[1] == ["O\ufffdHara", "ohara@example.com", "", "5002",
                                     "Name", reason]
    # The encoding it suggests reads the row.
    code, out, err = run("import", "contacts", str(path), "--db", url,
                         "--encoding", "cp1252")
    assert code == 0, err
    assert "5,001 added" in out and "cp1252" in out
    assert fields_of(demo_store, "ohara@example.com")["name"] == "O’Hara"


def test_a_rejects_file_that_cannot_be_written_is_a_clean_error(
        demo_store: Store, url: str, tmp_path: Path) -> None:
    before = fingerprint(demo_store)
    path = tmp_path / "c.csv"
    path.write_text("Name,Email\nBad,bad@\n", encoding="utf-8")
    code, _, err = run("import", "contacts", str(path), "--db", url,
                       "--rejects", str(tmp_path / "missing" / "rejects.csv"))
    assert code == 1 and "Traceback" not in err
    assert "cannot write the rejects file" in err and "nothing was imported" in err
    assert fingerprint(demo_store) == before


# -- §15: Excel and Windows files ---------------------------------------------------------------


def test_excel_on_windows_semicolons_and_smart_quotes(
        demo_store: Store, url: str, reading: str, tmp_path: Path) -> None:
    """`sep=;` names the delimiter; Windows-1252 is detected from its smart quotes (they
    were read as Latin-1 and rejected as U+0092); rows of only semicolons are skipped."""
    code, out, err = run("import", "contacts", str(sample("excel-windows.csv", tmp_path)),
                         "--db", url)
    assert code == 0, err
    assert ("Imported excel-windows.csv: 3 added, 0 updated, 0 skipped, 0 rejected "
            "(3 rows," in out)
    assert "cp1252, delimiter ';'" in out
    sean = fields_of(demo_store, "sean.obrien@example.ie")
    assert (sean["name"], sean["company"], sean["title"]) == (
        "Seán O’Brien", "O’Brien & Sons", "Owner – Founder")
    assert fields_of(demo_store, "zoe.adams@example.co.uk")["name"] == "Zoë “Zo” Adams"


def test_a_latin1_file_with_a_c1_byte_late_suggests_cp1252(
        demo_store: Store, url: str, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    body = b"".join(f"Caf\xe9 {n},c{n}@example.com\n".encode("latin-1") for n in range(5_000))
    path.write_bytes(b"Name,Email\n" + body + b"O\x92Hara,ohara@example.com\n")
    code, out, err = run("import", "contacts", str(path), "--db", url, "--dry-run")
    assert code == 0 and "latin-1" in out, err
    assert ("line 5002, Name: contains control character U+0092, which is '’' in "
            "Windows-1252" in err and "--encoding cp1252" in err)


def test_excel_unicode_text_is_utf16(demo_store: Store, url: str, reading: str,
                                     tmp_path: Path) -> None:
    """Excel's "Unicode Text": UTF-16 with a BOM, tabs (refused as "no header")."""
    code, out, err = run("import", "contacts",
                         str(sample("excel-unicode-text.txt", tmp_path)), "--db", url)
    assert code == 0, err
    assert "3 added, 0 updated, 0 skipped, 0 rejected" in out
    assert "utf-16, delimiter '\\t'" in out
    li = fields_of(demo_store, "li.lei@example.cn")
    assert (li["name"], li["company"], li["city"]) == ("李雷", "雷氏贸易", "上海")
    assert fields_of(demo_store, "juergen.gross@example.de")["city"] == "München"


# -- §13: HubSpot, Mautic, Salesforce; --map, --values, mapping files --------------------------


def test_a_hubspot_export_with_the_preset(demo_store: Store, url: str, reading: str,
                                          tmp_path: Path) -> None:
    """Refused ("two columns fill Status"); `--map Status=` gets past that but HubSpot's
    values are not segtui's; `--preset hubspot` imports every row, mapped."""
    path = sample("hubspot-contacts.csv", tmp_path)
    before = fingerprint(demo_store)
    code, _, err = run("import", "contacts", str(path), "--db", url)
    assert code == 1
    assert "two columns fill Status: 'Lead Status' and 'Status'; leave one out" in err
    code, out, err = run("import", "contacts", str(path), "--db", url, "--map", "Status=",
                         "--dry-run")
    assert code == 0, err
    assert "0 added, 0 updated, 0 skipped, 5 rejected" in out
    assert "Not imported (left out by the mapping): Status" in err
    assert ("line 2, Lifecycle Stage: 'Marketing Qualified Lead' is not a lifecycle stage"
            in err)
    assert fingerprint(demo_store) == before
    code, out, err = run("import", "contacts", str(path), "--db", url,
                         "--preset", "hubspot")
    assert code == 0, err
    assert "5 added, 0 updated, 0 skipped, 0 rejected" in out
    assert ("Not imported (left out by the mapping): Record ID, Status, Last Activity "
            "Date, Contact owner, Marketing contact status" in err)
    maren = fields_of(demo_store, "maren.holt@fjordline.example")
    assert maren == {
        "name": "Maren Holt", "title": "Head of Growth", "phone": "+47 22 11 00 01",
        "company": "Fjordline AS", "size": CompanySize.ENTERPRISE,
        "status": LeadStatus.HOT_LEAD, "stage": LifecycleStage.ENGAGED,
        "source": SourceChannel.DIRECT, "city": "Oslo", "state": "Oslo",
        "country": "Norway", "created": datetime(2023, 11, 2, 14, 5), "tags": []}
    ivo = fields_of(demo_store, "ivo@brnoworks.example")
    assert (ivo["stage"], ivo["status"], ivo["size"], ivo["source"]) == (
        LifecycleStage.NEW, LeadStatus.NURTURING, CompanySize.SMB, None)
    tom = fields_of(demo_store, "tom.brandt@example.org")
    assert (tom["stage"], tom["status"]) == (None, LeadStatus.COLD)  # "Other": empty
    aisha = fields_of(demo_store, "aisha@lagoslogistics.example")  # HubSpot's inner names
    assert (aisha["stage"], aisha["status"], aisha["source"]) == (
        LifecycleStage.ADVOCATE, LeadStatus.HOT_LEAD, SourceChannel.SUBSCRIPTION)


def test_values_options_and_a_mapping_file(demo_store: Store, url: str, reading: str,
                                           tmp_path: Path) -> None:
    """--values maps one value; a mapping file (TOML) maps columns and values; --map and
    --values win over it."""
    path = tmp_path / "crm.csv"
    path.write_text("Who,Mail,Stage,Tier,Notes\n"
                    "Kim,kim@example.com,MQL,Gold,x\n"
                    "Lou,lou@example.com,Won,Bronze,y\n", encoding="utf-8")
    mapping = tmp_path / "my-crm.toml"
    mapping.write_text('name = "My CRM"\n[columns]\nWho = "Name"\nMail = "Email"\n'
                       'Notes = ""\nTier = "Status"\n'
                       '[values."Lifecycle Stage"]\nMQL = "Engaged"\nWon = "Customer"\n'
                       "[values.Status]\nGold = \"Hot Lead\"\nBronze = \"Cold\"\n",
                       encoding="utf-8")
    code, out, err = run("import", "contacts", str(path), "--db", url,
                         "--preset", str(mapping), "--values", "status:Bronze=Nurturing")
    assert code == 0, err
    assert "2 added, 0 updated, 0 skipped, 0 rejected" in out
    assert "Not imported (left out by the mapping): Notes" in err
    kim, lou = (fields_of(demo_store, e) for e in ("kim@example.com", "lou@example.com"))
    assert (kim["stage"], kim["status"]) == (LifecycleStage.ENGAGED, LeadStatus.HOT_LEAD)
    assert (lou["stage"], lou["status"]) == (LifecycleStage.CUSTOMER, LeadStatus.NURTURING)


def test_mapping_options_are_checked_before_anything_is_read(
        demo_store: Store, url: str, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Name,Email\nA,a@example.com\n", encoding="utf-8")
    bad_file = tmp_path / "bad.toml"
    bad_file.write_text('[values.Status]\nOpen = "Hot"\n', encoding="utf-8")
    cases = {
        ("--values", "status:Open=Hot"): "--values 'status:Open=Hot': 'Hot' is not a status",
        ("--values", "status=Hot"): "write it as 'Field:File Value=segtui Value'",
        ("--values", "nickname:a=b"): "'nickname' is not a field",
        ("--preset", "pipedrive"): "not a preset (hubspot, mautic, salesforce)",
        ("--preset", str(bad_file)): "[values.Status] 'Open': 'Hot' is not a status",
        ("--map", "Name=Nickname"): "'Nickname' is not a field",
    }
    for args, message in cases.items():
        code, _, err = run("import", "contacts", str(path), "--db", url, *args)
        assert code == 1 and message in err, (args, err)


def test_a_mautic_export_title_is_a_salutation(demo_store: Store, url: str, reading: str,
                                               tmp_path: Path) -> None:
    """Mautic's `title` (Mr./Mrs.) is not the job title, with the preset or without it
    (a Title next to a Position is the salutation); points are not a quality score."""
    path = sample("mautic-contacts.csv", tmp_path)
    code, out, err = run("import", "contacts", str(path), "--db", url, "--dry-run",
                         "--map", "mobile=", "--map", "stage=")
    assert code == 0, err
    assert "5 added, 0 updated, 0 skipped, 0 rejected" in out
    assert "Not imported (salutation; segtui keeps none): title" in err
    code, out, err = run("import", "contacts", str(path), "--db", url, "--preset", "mautic")
    assert code == 0, err
    assert "5 added, 0 updated, 0 skipped, 0 rejected" in out
    assert "Not imported (salutation; segtui keeps none): title" in err
    jonas = fields_of(demo_store, "j.keller@kellerbau.example")
    assert (jonas["name"], jonas["title"], jonas["phone"], jonas["stage"]) == (
        "Jonas Keller", "Site Manager", "+49 30 000001", LifecycleStage.ENGAGED)
    assert jonas["created"] == datetime(2023, 9, 1, 12, 0)
    clara = fields_of(demo_store, "clara@nunesfilhos.example")
    assert (clara["title"], clara["stage"], clara["tags"]) == (
        "Owner", LifecycleStage.CUSTOMER, ["VIP"])  # the demo's tag, reused
    found = contact(demo_store, "erin@walshdesign.example")
    assert found is not None and found.quality_score == 50  # points 1200: not a score


def test_a_salesforce_report_export(demo_store: Store, url: str, reading: str,
                                    tmp_path: Path) -> None:
    """Month-first dates, ISO-8859-1, a Salutation, Phone before Mobile."""
    code, out, err = run("import", "contacts", str(sample("salesforce-contacts.csv", tmp_path)),
                         "--db", url, "--preset", "salesforce")
    assert code == 0, err
    assert "4 added, 0 updated, 0 skipped, 0 rejected" in out and "latin-1" in out
    assert "Not imported (salutation; segtui keeps none): Salutation" in err
    renee = fields_of(demo_store, "renee.lefevre@betonnord.example")
    assert (renee["name"], renee["title"], renee["company"], renee["source"],
            renee["created"]) == ("Renée Lefèvre", "VP Operations", "Béton Nord SA",
                                  SourceChannel.REFERRAL, datetime(2024, 1, 5))
    dale = fields_of(demo_store, "dale@tplumber.example")
    assert (dale["phone"], dale["created"], dale["state"]) == (
        None, datetime(2023, 12, 20), "WA")  # Mobile is left out: Phone comes first
    grace = fields_of(demo_store, "grace.ong@harbourhealth.example")
    assert (grace["phone"], grace["source"]) == ("+65 6000 0003", None)  # Trade Show


# -- §14: a repeated header ----------------------------------------------------------------------


def test_a_repeated_header_is_imported_once_or_mapped(
        demo_store: Store, url: str, reading: str, tmp_path: Path) -> None:
    """CiviCRM's two "Last Name" columns: the first fills Last Name, the second is listed
    and can be mapped ("Last Name#2") or used instead; its Individual Prefix is a
    salutation and Current Employer the company."""
    path = sample("civicrm-contacts.csv", tmp_path)
    code, out, err = run("import", "contacts", str(path), "--db", url, "--dry-run")
    assert code == 0, err
    assert "3 added, 0 updated, 0 skipped, 0 rejected" in out
    assert ("Not imported (repeated header; --map 'Last Name#2=Field' imports one): "
            "Last Name#2" in err)
    assert "Not imported (salutation; segtui keeps none): Individual Prefix" in err
    code, out, err = run("import", "contacts", str(path), "--db", url,
                         "--map", "Last Name=", "--map", "last name#2=Last Name")
    assert code == 0, err
    hanna = fields_of(demo_store, "hanna.berg@civic.example")
    assert (hanna["name"], hanna["company"], hanna["title"]) == (
        "Hanna Lund", "Civic Trust", "Coordinator")
    assert fields_of(demo_store, "omar.said@civic.example")["name"] == "Omar"


def test_every_column_of_a_repeated_header_needs_its_own_entry(
        demo_store: Store, url: str, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("Email,Name,Name\na@example.com,Ann,Lee\n", encoding="utf-8")
    code, _, err = run("import", "contacts", str(path), "--db", url, "--map",
                       "Name#2=Name", "--dry-run")
    assert code == 1 and "two columns fill Name: 'Name' and 'Name#2'" in err
    code, _, err = run("import", "contacts", str(path), "--db", url, "--map",
                       "Name#3=Title")
    assert code == 1 and "--map names columns the file doesn't have: name#3" in err


def test_every_built_in_preset_resolves() -> None:
    from segtui.core.formats.presets import PRESETS, resolve

    for name, preset in PRESETS.items():
        resolved = resolve(preset)
        assert resolved.columns and resolved.values, name


def test_importing_twice_with_a_preset_updates(demo_store: Store, url: str,
                                               tmp_path: Path) -> None:
    path = sample("hubspot-contacts.csv", tmp_path)
    for expected in ("5 added, 0 updated", "0 added, 5 updated"):
        code, out, err = run("import", "contacts", str(path), "--db", url,
                             "--preset", "HubSpot")
        assert code == 0 and expected in out, err
    with demo_store.reading() as conn:
        emails = conn.execute(select(Contact.email).where(
            Contact.email.like("%fjordline%"))).scalars().all()
    assert emails == ["maren.holt@fjordline.example"]
