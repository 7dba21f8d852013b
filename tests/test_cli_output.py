"""I16.7: no escape codes from the command line.

Whatever a database, a file or an argument holds (ESC sequences that retitle the terminal,
C1 controls such as U+009B, bidi overrides), what the command line prints shows them as
visible stand-ins (␛, �). One function writes every line (segtui/cli/output.py); CSV for
spreadsheets never holds control characters unless --raw asks for the data exactly.

- `test_only_cli_output_writes`: no module of the command line prints by itself.
- `test_every_command_path_prints_no_escape_codes`: every command of the Typer app, run on
  a database full of hostile text (tests/hostile.py and C1 controls) with hostile files,
  names and arguments, on SQLite and PostgreSQL: no unsafe character reaches stdout or
  stderr, and the cases cover every command there is.
"""

from __future__ import annotations

import ast
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

import segtui.cli as cli
from segtui.core.contacts import ContactSelection
from segtui.core.formats.segments_toml import SegmentSpec, dump
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import Campaign, Company, Contact, Segment, Tag
from segtui.data.db.tables import campaign_segments, contact_tags, name_key, segment_tags
from segtui.data.store import Store
from tests.conftest import _drop_pg_database, _pg_database
from tests.hostile import HOSTILE

runner = CliRunner()

SEGTUI = Path(__file__).resolve().parents[1] / "segtui"

# Everything that can drive a terminal or disguise text: an OSC that retitles the
# terminal (ESC ... BEL), a C1 CSI, a bidi override, and the corpus's ANSI and OSC lines.
EVIL = "Evil\x1b]0;PWNED\x07 \x9b31m \u202egnp.exe\u202c"
# What the importers let through (they refuse C0 and C1 controls by name): bidi overrides.
QUIET = "\u202egnp.exe\u202c"
SEGMENT = f"Enterprise {EVIL}"  # the demo's Enterprise Prospects, renamed
DYNAMIC = f"Dynamic {EVIL}"
CAMPAIGN = f"Campaign {EVIL}"
HOSTILE_LINE = HOSTILE["OSC"] + HOSTILE["bidi"] + HOSTILE["ANSI"]

BIDI = {*range(0x200E, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def unsafe(text: str) -> list[str]:
    """The characters of `text` that must never reach a terminal: C0 controls but tab and
    line breaks, DEL, C1 controls, bidi controls, undecodable bytes."""
    return sorted({f"U+{ord(ch):04X}" for ch in text
                   if (ord(ch) < 0x20 and ch not in "\t\n\r") or 0x7F <= ord(ch) < 0xA0
                   or ord(ch) in BIDI or 0xD800 <= ord(ch) < 0xE000})


# -- one function prints ------------------------------------------------------------------

PRINTING = {("typer", "echo"), ("typer", "secho"), ("click", "echo"), ("click", "secho"),
            ("sys.stdout", "write"), ("sys.stderr", "write")}


def _printing_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "print":
            found.append(f"{path.name}:{node.lineno} print")
        elif isinstance(func, ast.Attribute) and (ast.unparse(func.value), func.attr) \
                in PRINTING:
            found.append(f"{path.name}:{node.lineno} {ast.unparse(func)}")
    return found


def test_only_cli_output_writes() -> None:
    modules = sorted((SEGTUI / "cli").rglob("*.py"))
    assert {m.relative_to(SEGTUI).as_posix() for m in modules} >= {
        "cli/__init__.py", "cli/app_commands.py", "cli/transfer.py", "cli/contacts.py",
        "cli/segments/listing.py", "cli/quality.py", "cli/users.py", "cli/output.py"}
    output = SEGTUI / "cli" / "output.py"
    calls = [c for m in modules if m != output for c in _printing_calls(m)]
    assert calls == [], "print through segtui/cli/output.py (say, warn, fail, status)"
    assert _printing_calls(output)  # the check does see calls


# -- a database full of hostile text -------------------------------------------------------


@pytest.fixture(autouse=True)
def no_user_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGTUI_USER", raising=False)


def open_store(db: str) -> Store:
    return Store.open(make_url(db) if "://" in db else sqlite_url(Path(db)))


def make_hostile(db: str) -> None:
    """The demo, with hostile text wherever the command line shows data: a segment's name,
    description and tag, a dynamic segment's name, a campaign, a company, a contact's
    name, title and tag, and two contacts sharing an email (the quality report)."""
    store = open_store(db)
    try:
        sarah = store.users.current_user("Sarah Mitchell")
        store.segments.create_segment(SegmentDraft("Dynamic One", rule=parse("score > 98")),
                                      ContactSelection(), sarah)
        with store.orm_session() as session:
            seg = session.scalar(select(Segment.id).where(
                Segment.name_key == name_key("Enterprise Prospects")))
            session.execute(update(Segment).where(Segment.id == seg).values(
                name=SEGMENT, name_key=name_key(SEGMENT), description=HOSTILE_LINE))
            session.execute(update(Segment).where(Segment.name == "Dynamic One").values(
                name=DYNAMIC, name_key=name_key(DYNAMIC)))
            campaign = session.scalar(select(campaign_segments.c.campaign_id)
                                      .where(campaign_segments.c.segment_id == seg))
            session.execute(update(Campaign).where(Campaign.id == campaign)
                            .values(name=CAMPAIGN))
            tag = session.execute(insert(Tag).values(name=EVIL[:50], name_key=EVIL[:50])
                                  .returning(Tag.id)).scalar_one()
            session.execute(insert(segment_tags).values(segment_id=seg, tag_id=tag))
            session.execute(insert(contact_tags).values(contact_id=1, tag_id=tag))
            company = session.scalar(select(Contact.company_id).where(Contact.id == 1))
            session.execute(update(Company).where(Company.id == company)
                            .values(name=f"Co {EVIL}"))
            # C22.5: the industry of a contact with conversions (the demo's contact 11)
            session.execute(update(Company).where(Company.id == select(Contact.company_id)
                                                  .where(Contact.id == 11).scalar_subquery())
                            .values(industry=f"Ind {EVIL}"))
            session.execute(update(Contact).where(Contact.id == 1).values(
                name=f"Sarah {EVIL}", title=HOSTILE_LINE[:200], quality_score=99))
            session.execute(update(Contact).where(Contact.id.in_([2, 3]))
                            .values(email="same@example.com", name=f"Twin {EVIL}"))
    finally:
        store.close()


@pytest.fixture
def db(engine_name: str, request: pytest.FixtureRequest) -> Iterator[str]:
    if engine_name == "sqlite":
        url = str(request.getfixturevalue("demo_db_path"))
        make_hostile(url)
        yield url
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    made = _pg_database(admin, template=request.getfixturevalue("pg_demo_template"))
    url = made.render_as_string(hide_password=False)
    try:
        make_hostile(url)
        yield url
    finally:
        _drop_pg_database(admin, made)


def hostile_files(directory: Path) -> dict[str, str]:
    """Files whose names, headers and cells hold escape codes."""
    contacts = directory / f"contacts{EVIL}.csv"
    contacts.write_text(f"Name,Email,Company,{EVIL}\n"
                        f"Ok Person,ok@example.com,Co {QUIET},x\n"
                        f"{EVIL},bad{EVIL}@example.com,,x\n", encoding="utf-8")
    events = directory / f"events{EVIL}.csv"
    events.write_text("Email,Type,Occurred At,Campaign\n"
                      f"sarah.johnson@techcorp.com,opened,2024-02-20 10:00,New {EVIL}\n"
                      f"sarah.johnson@techcorp.com,opened,2024-02-20 11:00,New {QUIET}\n"
                      f"sarah.johnson@techcorp.com,{EVIL},2024-02-20 10:00,x\n",
                      encoding="utf-8")
    results = directory / f"results{EVIL}.csv"
    results.write_text("Campaign,Email,Sent,Opened\n"
                       f"Results {EVIL},sarah.johnson@techcorp.com,2024-02-20 10:00,yes\n"
                       f"Results {QUIET},sarah.johnson@techcorp.com,2024-02-20 10:00,yes\n",
                       encoding="utf-8")
    missing = directory / f"missing{EVIL}.csv"
    # C21.4: a segments file naming a segment with escape codes (refused), and one whose
    # new segment's description holds bidi controls (allowed, as in the app).
    bad_segments = directory / f"bad{EVIL}.toml"
    bad_segments.write_text(dump([SegmentSpec(EVIL)]), encoding="utf-8")
    segments = directory / f"segments{EVIL}.toml"
    segments.write_text(dump([SegmentSpec("Fine Name", description=f"Desc {QUIET}")]),
                        encoding="utf-8")
    return {"bad_segments": str(bad_segments), "segments": str(segments),
            "contacts": str(contacts), "events": str(events), "results": str(results),
            "missing": str(missing), "out": str(directory / f"out{EVIL}.csv"),
            "rejects": str(directory / f"rejects{EVIL}.csv"),
            "newdb": str(directory / f"new{EVIL}.db"), "demo": str(directory / f"d{EVIL}.db")}


def cases(files: dict[str, str]) -> list[tuple[list[str], str | None]]:
    """(arguments, stdin) for every command path, reads first, then writes."""
    as_sarah = ["--user", "Sarah Mitchell"]
    as_admin = ["--user", "James Carter"]
    return [
        (["--version"], None),
        (["segments", "list"], None),
        (["segments", "list", "--json"], None),
        (["segments", "list", "--jsonl", "--search", "Evil"], None),
        (["segments", "list", "--status", EVIL], None),  # a usage error quoting it
        (["segments", "list", f"--x{EVIL}"], None),  # an unknown option
        ([f"segments{EVIL}"], None),  # an unknown command
        (["segments", "show", SEGMENT], None),
        (["segments", "show", SEGMENT, "--json"], None),
        (["segments", "show", f"No {EVIL}"], None),
        (["segments", "compare", SEGMENT, DYNAMIC, "Marketing Engagers"], None),  # C20.5.8
        (["segments", "compare", SEGMENT, DYNAMIC, "--json"], None),
        (["segments", "compare", SEGMENT], None),  # one segment: refused
        (["segments", "compare", SEGMENT, f"No {EVIL}"], None),
        (["segments", "count", f'name contains "Sarah" or in segment "{SEGMENT}"',
          "--sample", "5"], None),
        (["segments", "count", f'name = "{EVIL}"'], None),  # the caret echo
        (["segments", "count", f"nam{EVIL}e = 3"], None),
        (["segments", "count", f'title = "x" or "{EVIL}'], None),  # no closing quote
        (["contacts", "list"], None),
        (["contacts", "list", "--json", "--search", "Sarah"], None),
        (["contacts", "show", "1"], None),
        (["contacts", "show", "1", "--json"], None),
        (["contacts", "show", f"{EVIL}@example.com"], None),
        (["export", "members", SEGMENT, "-o", "-"], None),
        (["export", "members", SEGMENT, "-o", "-", "--format", "json"], None),
        (["export", "members", SEGMENT, "-o", "-", "--format", "jsonl"], None),
        (["export", "members", SEGMENT, "-o", files["out"]], None),
        (["export", "members", f"No {EVIL}", "-o", "-"], None),
        (["export", "segments", "-o", "-"], None),
        (["industry-trends"], None),  # C22.5.6
        (["industry-trends", "--json"], None),
        (["industry-trends", "--months", EVIL], None),
        (["quality"], None),
        (["quality", "--json"], None),
        (["users", "list"], None),
        (["users", "list", "--json"], None),
        (["segments", "refresh", DYNAMIC, *as_sarah], None),
        (["segments", "refresh", f"No {EVIL}", *as_sarah], None),
        (["segments", "create", EVIL, *as_sarah], None),
        (["segments", "create", "Fine Name", "--description", EVIL, *as_sarah], None),
        (["segments", "create", "Uses It", "--rule", f'in segment "{SEGMENT}"', *as_sarah],
         None),
        (["segments", "update", SEGMENT, "--status", "active", *as_sarah], None),
        (["segments", "delete", SEGMENT, "--yes", *as_sarah], None),  # campaigns block it
        (["segments", "add-members", SEGMENT, "--email", f"{EVIL}@x.com", *as_sarah], None),
        (["segments", "add-members", SEGMENT, "--stdin", "--ignore-unknown", *as_sarah],
         f"{EVIL}\n2\n"),
        (["segments", "remove-members", SEGMENT, "--contact-id", "1", *as_sarah], None),
        (["import", "contacts", files["contacts"], "--rejects", files["rejects"],
          *as_sarah], None),
        (["import", "contacts", files["missing"], *as_sarah], None),
        (["import", "events", files["events"], *as_sarah], None),
        (["import", "campaigns", files["results"], "--segment", SEGMENT, *as_sarah], None),
        (["import", "campaigns", files["results"], "--segment", f"No {EVIL}", *as_sarah],
         None),
        (["contacts", "merge", "2", "3", "--yes", *as_sarah], None),
        (["users", "add", EVIL, "--role", "viewer", "--user", "James Carter"], None),
        (["users", "set-role", f"No {EVIL}", "viewer", "--user", "James Carter"], None),
        (["users", "set-team", EVIL, "--none", "--user", "James Carter"], None),
        (["users", "set-team", "Alex Kim", EVIL, "--user", "James Carter"], None),
        (["users", "transfer", "Sarah Mitchell", "--to", f"No {EVIL}", "--user",
          "James Carter"], None),
        (["users", "deactivate", f"No {EVIL}", "--user", "James Carter"], None),
        (["users", "reactivate", f"No {EVIL}", "--user", "James Carter"], None),
        (["audit", "--user", "James Carter"], None),
        (["audit", "--json", "--user-of", EVIL, "--user", "James Carter"], None),
        (["contacts", "export-data", "1", "--user", "James Carter"], None),
        (["contacts", "erase", f"{EVIL}@example.com", "--yes", "--user", "James Carter"], None),
        (["contacts", "erase", "3", "--yes", "--user", "James Carter"], None),
        (["worker", "--once", *as_sarah], None),
        (["segments", "limit"], None),
        (["segments", "history", SEGMENT, "--only", "left", *as_sarah], None),
        (["segments", "history", f"No {EVIL}", *as_sarah], None),
        (["segments", "history", SEGMENT, "--sizes", "--since", EVIL, *as_sarah], None),
        (["segments", "migration", SEGMENT, "--days", "90", *as_sarah], None),
        (["segments", "history-retention"], None),
        (["segments", "set-history-retention", "7", "--user", "James Carter"], None),
        (["segments", "prune-history", "--dry-run", "--user", "James Carter"], None),
        (["segments", "limit", "--json"], None),
        (["segments", "set-limit", "0", "--user", "James Carter"], None),
        # C20.4: a snapshot of a hostile name, a hostile snapshot name, a campaign's status
        (["segments", "dump", "--members"], None),  # C21.4.1
        (["segments", "dump", "-o", files["out"] + ".toml"], None),
        (["segments", "plan", files["segments"]], None),  # C21.4.3
        (["segments", "plan", files["bad_segments"], "--json"], None),
        (["segments", "apply", files["bad_segments"], *as_sarah], None),
        (["segments", "apply", files["segments"], "--prune", *as_sarah], None),  # no --yes
        (["segments", "apply", files["segments"], *as_sarah], None),
        (["segments", "freeze", SEGMENT, "--json", *as_sarah], None),
        (["segments", "freeze", SEGMENT, *as_sarah], None),  # the default name taken
        (["segments", "freeze", SEGMENT, "--as", EVIL, *as_sarah], None),
        (["campaigns", "status", f"No {EVIL}", "active", *as_sarah], None),
        (["campaigns", "status", "Product Demo Campaign", "active", *as_sarah], None),
        (["segments", "archive", f"No {EVIL}", *as_sarah], None),
        (["segments", "archive", SEGMENT, *as_sarah], None),
        (["segments", "restore", SEGMENT, *as_sarah], None),
        (["segments", "restore", SEGMENT, *as_sarah], None),  # not archived any more
        (["segments", "set-visibility", SEGMENT, "private", *as_sarah], None),
        (["segments", "set-visibility", f"No {EVIL}", "team", *as_sarah], None),
        (["segments", "hide", SEGMENT, "--from", EVIL, *as_sarah], None),
        (["segments", "hide", SEGMENT, "--from", "Priya Patel", *as_sarah], None),
        (["segments", "unhide", SEGMENT, "--from", "Priya Patel", *as_sarah], None),
        (["segments", "set-visibility", SEGMENT, "everyone", *as_sarah], None),
        # C21.3: webhooks of a hostile segment, hostile URLs and secrets; nobody listens on
        # port 9, so the test event, the sending and the log meet failures.
        (["webhooks", "add", SEGMENT, f"https://example.com/{EVIL}", *as_admin], None),
        (["webhooks", "add", SEGMENT, f"ftp{EVIL}://example.com/", *as_admin], None),
        (["webhooks", "add", SEGMENT, "https://example.com/", "--secret", EVIL * 3,
          *as_admin], None),
        (["webhooks", "add", f"No {EVIL}", "https://example.com/", *as_admin], None),
        (["webhooks", "add", SEGMENT, "http://127.0.0.1:9/hook", *as_admin], None),
        (["webhooks", "add", SEGMENT, "http://127.0.0.1:9/x", "--json", *as_admin], None),
        (["segments", "add-members", SEGMENT, "--contact-id", "1", *as_sarah], None),
        (["webhooks", "send", "--once", "--timeout", "1", *as_admin], None),
        (["webhooks", "test", "1", "--timeout", "1", *as_admin], None),
        (["webhooks", "list"], None),
        (["webhooks", "list", "--json"], None),
        (["webhooks", "log", "1"], None),
        (["webhooks", "log", "1", "--json"], None),
        (["webhooks", "pause", "1", *as_admin], None),
        (["webhooks", "resume", "1", "--json", *as_admin], None),
        (["webhooks", "retry", "--all", *as_admin], None),
        (["webhooks", "remove", "1", *as_admin], None),
        (["segments", "create", "By Someone", "--user", f"Some {EVIL}"], None),
        (["db", "upgrade", "--db", files["newdb"]], None),
        (["db", "grant", EVIL, "--role", "viewer", "--name", EVIL, "--db", files["newdb"]],
         None),
        (["db", "revoke", EVIL, "--db", files["newdb"]], None),
        (["demo", "--build-only", "--db", files["demo"]], None),
        # C21.2.1: a hostile token name, user and token; the list shows what was made
        (["api", "tokens", "create", EVIL, "--for", "Sarah Mitchell", "--user",
          "James Carter"], None),
        (["api", "tokens", "create", "Fine Token", "--for", f"No {EVIL}", "--user",
          "James Carter"], None),
        (["api", "tokens", "create", "Fine Token", "--for", "Sarah Mitchell", "--json",
          "--user", "James Carter"], None),
        (["api", "tokens", "list", "--user", "James Carter"], None),
        (["api", "tokens", "list", "--json", "--user", "James Carter"], None),
        (["api", "tokens", "revoke", f"No {EVIL}", "--user", "James Carter"], None),
        (["api", "tokens", "revoke", "Fine Token", "--user", "James Carter"], None),
        # C22.6: clusters of hostile industries and tags, kept under a hostile name
        (["discover", "--k", "3", "--dimensions", "industry,tags,size"], None),
        (["discover", "--k", "2", "--json", "--segment", SEGMENT], None),
        (["discover", "--segment", f"No {EVIL}"], None),
        (["discover", "--dimensions", EVIL], None),
        (["discover-keep", "1", "--k", "2", "--name", EVIL, *as_sarah], None),
        (["discover-keep", "1", "--k", "2", "--as", "dynamic", "--rule", f'tag = "{EVIL}"',
          *as_sarah], None),
        (["discover-keep", "2", "--k", "2", "--as", "dynamic", *as_sarah], None),
    ]


def command_path(args: list[str], known: set[str]) -> str | None:
    words = [a for a in args if not a.startswith("-")]
    for size in (3, 2, 1):  # `api tokens create` has three words
        if " ".join(words[:size]) in known:
            return " ".join(words[:size])
    return None


def all_commands() -> set[str]:
    found: set[str] = set()

    def walk(group: Any, prefix: str) -> None:
        for name, command in group.commands.items():
            path = f"{prefix} {name}".strip()
            if hasattr(command, "commands"):
                walk(command, path)
            else:
                found.add(path)
    walk(typer.main.get_command(cli.app), "")
    return found


def test_every_command_path_prints_no_escape_codes(db: str, tmp_path: Path) -> None:
    files = hostile_files(tmp_path)
    known = all_commands()
    ran: set[str] = set()
    leaks: list[str] = []
    for args, stdin in cases(files):
        with_db = args if args[0] in ("demo", "db", "--version") else [*args, "--db", db]
        result: Result = runner.invoke(cli.app, with_db, input=stdin)
        shown = result.stdout + result.stderr
        if not (result.exception is None or isinstance(result.exception, SystemExit)):
            leaks.append(f"{args[:3]!r} raised {result.exception!r}")
        elif unsafe(shown):
            leaks.append(f"{args[:3]!r} printed {unsafe(shown)}: {shown!r}")
        path = command_path(args, known)
        if path is not None:
            ran.add(path)
    assert leaks == [], "\n".join(leaks)
    assert ran == known, f"no hostile case runs {sorted(known - ran)}"
    # The file export kept the data exact where it may: stand-ins, not escape codes.
    exported = Path(files["out"]).read_text(encoding="utf-8")
    assert unsafe(exported) == [] and "Sarah Evil␛]0;PWNED␇" in exported


# -- exports: spreadsheets get no control characters; --raw gets the data exactly ---------


def test_csv_for_spreadsheets_holds_no_controls_unless_raw(db: str, tmp_path: Path) -> None:
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    for path, extra in ((safe, []), (raw, ["--raw"])):
        result = runner.invoke(cli.app, ["export", "members", SEGMENT, "-o", str(path),
                                         "--db", db, *extra])
        assert result.exit_code == 0, result.output
    safe_rows = list(csv.DictReader(io.StringIO(safe.read_text(encoding="utf-8"))))
    raw_rows = list(csv.DictReader(io.StringIO(raw.read_text(encoding="utf-8"))))
    [safe_sarah] = [r for r in safe_rows if r["Id"] == "1"]
    [raw_sarah] = [r for r in raw_rows if r["Id"] == "1"]
    assert raw_sarah["Name"] == f"Sarah {EVIL}"  # exactly as stored
    assert safe_sarah["Name"] == "Sarah Evil␛]0;PWNED␇ \ufffd31m \ufffdgnp.exe\ufffd"
    assert unsafe(safe.read_text(encoding="utf-8")) == []
    segments = runner.invoke(cli.app, ["export", "segments", "-o", "-", "--db", db])
    assert unsafe(segments.stdout) == [] and "Enterprise Evil␛]0;PWNED␇" in segments.stdout


def test_industry_trends_show_an_industry_as_stand_ins(db: str) -> None:
    """C22.5.6: a company's industry as stand-ins in the table, exactly in the JSON."""
    text = runner.invoke(cli.app, ["industry-trends", "--db", db])
    assert text.exit_code == 0, text.output
    assert unsafe(text.stdout) == [] and "Ind Evil␛]0;PWNED␇" in text.stdout
    shown = runner.invoke(cli.app, ["industry-trends", "--json", "--db", db])
    assert unsafe(shown.stdout) == []
    assert f"Ind {EVIL}" in {r["industry"] for r in json.loads(shown.stdout)["industries"]}


def test_json_exports_escape_controls_and_parse_back_exactly(db: str) -> None:
    result = runner.invoke(cli.app, ["export", "members", SEGMENT, "-o", "-", "--format",
                                     "jsonl", "--db", db])
    assert result.exit_code == 0, result.output
    assert unsafe(result.stdout) == []
    names = {json.loads(line)["name"] for line in result.stdout.splitlines()}
    assert f"Sarah {EVIL}" in names


def test_an_export_to_a_terminal_shows_stand_ins_even_raw(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import segtui.cli.output as cli_output

    monkeypatch.setattr(cli_output, "stdout_is_terminal", lambda: True)
    result = runner.invoke(cli.app, ["export", "members", SEGMENT, "-o", "-", "--raw",
                                     "--db", db])
    assert result.exit_code == 0, result.output
    assert unsafe(result.stdout.replace("\r\n", "\n")) == []
    assert "Sarah Evil␛]0;PWNED␇" in result.stdout
    monkeypatch.setattr(cli_output, "stdout_is_terminal", lambda: False)
    piped = runner.invoke(cli.app, ["export", "members", SEGMENT, "-o", "-", "--raw",
                                    "--db", db])
    assert f"Sarah {EVIL}" in piped.stdout  # a pipe gets the data exactly


# -- the helpers ----------------------------------------------------------------------------


def test_say_warn_and_fail_show_stand_ins(capsys: pytest.CaptureFixture[str]) -> None:
    import segtui.cli.output as cli_output

    cli_output.say(f"a\t{EVIL}\nb")
    cli_output.warn("w\x1b[2J\r")
    with pytest.raises(typer.Exit):
        cli_output.fail(f"bad {EVIL}\nsecond", "  x\x1by\tz", "   ^")
    out, err = capsys.readouterr()
    assert out == "a\tEvil␛]0;PWNED␇ \ufffd31m \ufffdgnp.exe\ufffd\nb\n"
    assert err == ("w␛[2J␍\n"
                   "segtui: bad Evil␛]0;PWNED␇ \ufffd31m \ufffdgnp.exe\ufffd second\n"
                   "  x␛y␉z\n   ^\n")


def test_the_progress_line_redraws_itself(capsys: pytest.CaptureFixture[str]) -> None:
    import segtui.cli.output as cli_output

    cli_output.status(f"███  40%  {EVIL}")
    cli_output.clear_status(5)
    assert capsys.readouterr().err == \
        "\r███  40%  Evil␛]0;PWNED␇ \ufffd31m \ufffdgnp.exe\ufffd\r     \r"


def test_a_terminal_writer_keeps_line_ends_only(capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    import segtui.cli.output as cli_output

    writer = cli_output._TerminalWriter(sys.stdout)
    writer.write("a,b\r\nc\rd\x9b\n")
    assert capsys.readouterr().out == "a,b\nc␍d\ufffd\n"
    assert not hasattr(writer, "buffer")  # Click must not write past it
