"""I16.9 and I16.10: clean `segtui:` errors instead of tracebacks, on SQLite and
PostgreSQL (docs/cli.md, "Exit codes").

- A date out of range in a rule (`created after 9999-12-31`, `last_activity ...`, in
  `count`, `create --rule`, `update --rule`) is a rule error at the date's column, exit 1;
  a rule saved before dates were checked still counts (nothing is after the last day).
- An id no column can hold (2**63 and more; on PostgreSQL above 2**31 - 1) is an unknown
  contact; a byte on --stdin that is not UTF-8 names its line; a NUL in an email matches
  no contact; a NUL in an argument is a usage error (exit 2).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

import segtui.cli as cli
from segtui.core.contacts import ContactSelection
from segtui.core.rules.language import parse
from segtui.core.rules.tree import Condition, Group, Op, to_json
from segtui.core.segments import SegmentDraft
from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import Membership, Segment
from segtui.data.store import Store
from tests.conftest import _drop_pg_database, _pg_database

runner = CliRunner()

HUGE = "99999999999999999999"  # > 2**64
OUT_OF_RANGE = "is out of range: use a date from 1900-01-01 to 2999-12-31"


@pytest.fixture(autouse=True)
def no_user_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGTUI_USER", raising=False)


@pytest.fixture
def db(engine_name: str, request: pytest.FixtureRequest) -> Iterator[str]:
    if engine_name == "sqlite":
        yield str(request.getfixturevalue("demo_db_path"))
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    url = _pg_database(admin, template=request.getfixturevalue("pg_demo_template"))
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        _drop_pg_database(admin, url)


def open_store(db: str) -> Store:
    return Store.open(make_url(db) if "://" in db else sqlite_url(Path(db)))


def run(db: str, *args: str, stdin: str | bytes | None = None) -> Result:
    return runner.invoke(cli.app, ["--db", db, "--user", "Sarah Mitchell", *args],
                         input=stdin)


def error_lines(result: Result, code: int = 1) -> list[str]:
    """Exit `code`, nothing on stdout, `segtui: ` first on stderr, no traceback."""
    assert result.exit_code == code, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.stdout == ""
    assert result.stderr.startswith("segtui: "), result.stderr
    return result.stderr.splitlines()


def state(db: str) -> tuple[int, int, list[str]]:
    """Memberships, segments and their rules: what a failed command must not change."""
    store = open_store(db)
    try:
        with store.reading() as conn:
            return (int(conn.execute(select(func.count()).select_from(Membership))
                        .scalar_one()),
                    int(conn.execute(select(func.count()).select_from(Segment)).scalar_one()),
                    sorted(str(r) for r in conn.execute(select(Segment.rule)).scalars()))
    finally:
        store.close()


# -- §9: dates out of range in rules ----------------------------------------------------------


@pytest.mark.parametrize(("rule", "column"), [
    ("created after 9999-12-31", 15),
    ("last_activity after 9999-12-31", 21),
    ("last_activity before 0001-01-01", 22),
])
def test_count_with_a_date_out_of_range_is_a_rule_error(db: str, rule: str,
                                                        column: int) -> None:
    lines = error_lines(run(db, "segments", "count", rule))
    day = rule.rsplit(" ", 1)[1]
    assert lines == [f"segtui: column {column}: {day} {OUT_OF_RANGE}", f"  {rule}",
                     "  " + " " * (column - 1) + "^"]


def test_create_and_update_with_a_date_out_of_range_change_nothing(db: str) -> None:
    before = state(db)
    created = error_lines(run(db, "segments", "create", "Far Future", "--rule",
                              "score > 5 and created after 9999-12-31"))
    assert created == [f"segtui: rule: column 29: 9999-12-31 {OUT_OF_RANGE}"]
    updated = error_lines(run(db, "segments", "update", "Marketing Engagers", "--rule",
                              "last_activity after 9999-12-31"))
    assert updated == [f"segtui: rule: column 21: 9999-12-31 {OUT_OF_RANGE}"]
    assert state(db) == before


def test_a_rule_saved_before_dates_were_checked_still_counts(db: str) -> None:
    """A database may hold such a rule already: it matches nobody, and refreshing it
    works (no OverflowError)."""
    store = open_store(db)
    try:
        sid = store.segments.create_segment(SegmentDraft("Was Far", rule=parse("score > 0")),
                                            ContactSelection(),
                                            store.users.current_user("Sarah Mitchell"))
        far = to_json(Group(children=(Condition("created", Op.AFTER, date(9999, 12, 31)),)))
        with store.orm_session() as session:
            session.execute(update(Segment).where(Segment.id == sid).values(rule=far))
    finally:
        store.close()
    result = run(db, "segments", "refresh", "Was Far")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Was Far: 0 members")


# -- §10: ids, stdin bytes and NUL --------------------------------------------------------------


@pytest.mark.parametrize("contact_id", [HUGE, str(2**63), str(2**31)])
def test_an_id_no_column_can_hold_is_an_unknown_contact(db: str, contact_id: str) -> None:
    before = state(db)
    lines = error_lines(run(db, "segments", "add-members", "Inactive Subscribers",
                            "--contact-id", contact_id))
    assert lines == [f"segtui: 1 unknown contact: '{contact_id}'; nothing changed (pass "
                     "--ignore-unknown to go on without them)"]
    assert error_lines(run(db, "contacts", "show", contact_id)) == [
        f"segtui: no contact with id {contact_id}"]
    assert error_lines(run(db, "segments", "remove-members", "Enterprise Prospects",
                           "--stdin", stdin=f"{contact_id}\n")) == [
        f"segtui: 1 unknown contact: '{contact_id}'; nothing changed (pass "
        "--ignore-unknown to go on without them)"]
    assert error_lines(run(db, "contacts", "merge", "1", contact_id, "--yes")) == [
        f"segtui: no contact with id {contact_id}"]
    assert state(db) == before


def test_huge_ids_can_be_ignored_like_any_unknown_contact(db: str) -> None:
    result = run(db, "segments", "add-members", "Inactive Subscribers", "--contact-id", HUGE,
                 "--stdin", "--ignore-unknown", "--json", stdin=f"{HUGE}1\n1\n")
    assert result.exit_code == 0, result.output
    assert '"added": 1' in result.stdout
    assert f'"unknown_contact_ids": [\n    {HUGE},\n    {HUGE}1\n  ]' in result.stdout


def test_a_stdin_line_that_is_not_utf8_names_its_line(db: str) -> None:
    before = state(db)
    lines = error_lines(run(db, "segments", "add-members", "Inactive Subscribers", "--stdin",
                            stdin=b"sarah.johnson@techcorp.com\nd\xe9j\xe0@example.com\n"))
    assert lines == ["segtui: standard input, line 2: byte 0xE9 is not UTF-8 text; "
                     "nothing changed"]
    assert state(db) == before


def test_a_utf8_bom_on_stdin_is_not_part_of_the_first_email(db: str) -> None:
    result = run(db, "segments", "add-members", "Inactive Subscribers", "--stdin", "--json",
                 stdin="\ufeffsarah.johnson@techcorp.com\n".encode())
    assert result.exit_code == 0, result.output
    assert '"added": 1' in result.stdout


def test_a_nul_in_an_email_matches_no_contact(db: str) -> None:
    before = state(db)
    lines = error_lines(run(db, "segments", "add-members", "Inactive Subscribers", "--stdin",
                            stdin="sarah.johnson@techcorp.com\x00\n"))
    assert lines == ["segtui: 1 unknown contact: 'sarah.johnson@techcorp.com\\x00'; "
                     "nothing changed (pass --ignore-unknown to go on without them)"]
    assert state(db) == before


@pytest.mark.parametrize("args", [
    ["segments", "add-members", "Inactive Subscribers", "--email", "a\x00@example.com"],
    ["contacts", "show", "a\x00@example.com"],
    ["contacts", "list", "--search", "\x00"],
    ["segments", "show", "Enterprise\x00"],
    ["segments", "list", "--search", "x\udcff"],
])
def test_a_nul_or_undecodable_byte_in_an_argument_is_a_usage_error(db: str,
                                                                    args: list[str]) -> None:
    result = run(db, *args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "holds a NUL character" in result.stderr or \
        "holds bytes that are not UTF-8 text" in result.stderr
