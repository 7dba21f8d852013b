"""D1.2: the scripting commands `segtui segments count RULE [--sample N]` and
`segtui segments refresh [NAME|--all]`, driven through Typer's runner on the demo database.

What they promise (segtui/cli/segments/rules.py):
- `count` prints "<n> contacts match: <the rule in canonical form>" ("1 contact matches")
  and, with --sample N,
  N matching contacts (id, tab, name) in name order;
- a rule that does not parse exits 1 with "segtui: column N: ..." on stderr, followed by
  the rule and a caret under column N; a rule naming a missing segment exits 1;
- `refresh` re-evaluates one named dynamic segment or all of them and prints one summary
  line each ("No dynamic segments." when there are none); a static or unknown segment, or
  giving both or neither of NAME and --all, exits 1;
- neither command imports Textual (A1, like tests/test_boundary.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

import segtui.cli as cli
from segtui.core.contacts import ContactSelection
from segtui.core.enums import LeadStatus
from segtui.core.rules.language import format_rule, parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import Contact, Membership
from segtui.data.store import Store
from tests.cli_process import run_fresh

runner = CliRunner()

ISSUE_RULE = 'status = "hot lead" and (score > 70 or tag = Enterprise)'
CANONICAL = 'status = "Hot Lead" and (score > 70 or tag = Enterprise)'
HOT_LEADS = 'status = "Hot Lead"'
SUMMARY = re.compile(r"^(?P<name>.+): (?P<members>[\d,]+) members "
                     r"\(\+(?P<entered>[\d,]+) entered, −(?P<left>[\d,]+) left\) "
                     r"in [\d,]+ ms$")


def count_and_sample(db: str, rule: str, sample: int) -> tuple[int, list[tuple[int, str]]]:
    """What the Store itself says about `rule` (the same parse + check the command does)."""
    store = Store.open(make_url(db) if "://" in db else sqlite_url(Path(db)))
    try:
        checked, issues = store.rules.check_rule(parse(rule))
        assert issues == []
        return store.rules.rule_count(checked), store.rules.rule_sample(checked, sample)
    finally:
        store.close()


def make_dynamic(db: Path, name: str, rule: str) -> int:
    store = Store.open(sqlite_url(db))
    try:
        return store.segments.create_segment(SegmentDraft(name, rule=parse(rule)),
                                             ContactSelection(),
                                             store.users.current_user("Sarah Mitchell"))
    finally:
        store.close()


# -- segments count --------------------------------------------------------------------------


def test_count_prints_canonical_rule_count_and_sample(demo_db_path: Path) -> None:
    db = str(demo_db_path)
    result = runner.invoke(cli.app, ["segments", "count", ISSUE_RULE, "--sample", "3",
                                     "--db", db])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    # 28 observed on the (deterministic) demo and cross-checked against Store.rules.rule_count of
    # the parsed, checked rule just below.
    assert lines[0] == f"28 contacts match: {CANONICAL}"
    expected_count, expected_sample = count_and_sample(db, ISSUE_RULE, 3)
    assert expected_count == 28
    assert lines[1:] == [f"  {cid}\t{name}" for cid, name in expected_sample]
    assert len(lines[1:]) == 3


def test_count_without_sample_prints_only_the_count(demo_db_path: Path) -> None:
    result = runner.invoke(cli.app, ["--db", str(demo_db_path), "segments", "count",
                                     "score > 70 or tag = Enterprise"])
    assert result.exit_code == 0, result.output
    count, _ = count_and_sample(str(demo_db_path), "score > 70 or tag = Enterprise", 0)
    assert result.stdout == f"{count:,} contacts match: score > 70 or tag = Enterprise\n"


@pytest.mark.parametrize(("rule", "at"), [
    ("status = = 3", "= 3"),  # the second '='
    ("score > abc", "abc"),  # a value of the wrong type points at the value
    ('status = "Hot Lead" and bogus > 1', "bogus"),  # an unknown field
    ('status = "Hot Lead" and (score > 70', ""),  # the end: no closing ')'
])
def test_syntax_error_shows_column_and_caret(demo_db_path: Path, rule: str, at: str) -> None:
    column = (rule.rindex(at) if at else len(rule)) + 1
    result = runner.invoke(cli.app, ["segments", "count", rule, "--db", str(demo_db_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    first, shown, caret = result.stderr.splitlines()
    assert first.startswith(f"segtui: column {column}: ")
    assert shown == f"  {rule}"
    # The caret stands under the column: two spaces of indent, then column - 1 spaces.
    assert caret == " " * (2 + column - 1) + "^"
    if at:
        assert shown[caret.index("^"):].startswith(at)


def test_unknown_segment_in_rule_is_an_error(demo_db_path: Path) -> None:
    result = runner.invoke(cli.app, ["segments", "count", 'in segment "Nope"',
                                     "--db", str(demo_db_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("segtui: ")
    assert "'Nope' does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_count_in_segment_uses_the_segments_members(demo_db_path: Path) -> None:
    result = runner.invoke(cli.app, ["segments", "count", 'in segment "enterprise prospects"',
                                     "--db", str(demo_db_path)])
    assert result.exit_code == 0, result.output
    # The name is resolved (ignoring case) and shown as the segment is called.
    assert result.stdout == '45 contacts match: in segment "Enterprise Prospects"\n'


def test_count_on_postgres(pg_admin: Engine, pg_demo_template: str) -> None:
    from tests.conftest import _drop_pg_database, _pg_database

    url = _pg_database(pg_admin, template=pg_demo_template)
    try:
        shown = url.render_as_string(hide_password=False)
        result = runner.invoke(cli.app, ["segments", "count", ISSUE_RULE, "--sample", "3",
                                         "--db", shown])
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert lines[0] == f"28 contacts match: {CANONICAL}"  # the same as on SQLite
        _, sample = count_and_sample(shown, ISSUE_RULE, 3)
        assert lines[1:] == [f"  {cid}\t{name}" for cid, name in sample]
    finally:
        _drop_pg_database(pg_admin, url)


# -- segments refresh ------------------------------------------------------------------------


def test_refresh_all_without_dynamic_segments(demo_db_path: Path) -> None:
    result = runner.invoke(cli.app, ["segments", "refresh", "--all", "--db", str(demo_db_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "No dynamic segments.\n"


def test_refresh_named_dynamic_segment(demo_db_path: Path) -> None:
    make_dynamic(demo_db_path, "Hot Leads Live", HOT_LEADS)
    hot, _ = count_and_sample(str(demo_db_path), HOT_LEADS, 0)
    assert hot > 0
    result = runner.invoke(cli.app, ["segments", "refresh", "Hot Leads Live",
                                     "--db", str(demo_db_path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    match = SUMMARY.match(lines[0])
    assert match is not None, lines[0]
    assert match["name"] == "Hot Leads Live"
    assert (int(match["members"]), match["entered"], match["left"]) == (hot, "0", "0")
    # --all now finds it too; the name ignores case.
    for args in (["--all"], ["hot leads live"]):
        again = runner.invoke(cli.app, ["segments", "refresh", *args,
                                        "--db", str(demo_db_path)])
        assert again.exit_code == 0, again.output
        assert [SUMMARY.match(line) is not None for line in again.stdout.splitlines()] == [True]
        assert again.stdout.startswith(f"Hot Leads Live: {hot} members (+0 entered, −0 left)")


def test_refresh_reports_leavers_and_ends_their_stay(demo_db_path: Path) -> None:
    segment_id = make_dynamic(demo_db_path, "Hot Leads Live", HOT_LEADS)
    store = Store.open(sqlite_url(demo_db_path))
    try:
        before = store.segments.segment_details(segment_id)
        assert before is not None
        _, [(leaver, _)] = count_and_sample(str(demo_db_path), HOT_LEADS, 1)
        with store.orm_session() as session:
            session.execute(update(Contact).where(Contact.id == leaver)
                            .values(lead_status=LeadStatus.CUSTOMER))
    finally:
        store.close()
    result = runner.invoke(cli.app, ["segments", "refresh", "Hot Leads Live",
                                     "--db", str(demo_db_path)])
    assert result.exit_code == 0, result.output
    match = SUMMARY.match(result.stdout.strip())
    assert match is not None, result.stdout
    assert (int(match["members"]), match["entered"], match["left"]) == (
        before.members - 1, "0", "1")
    store = Store.open(sqlite_url(demo_db_path))
    try:
        with store.reading() as conn:
            removed = conn.execute(select(Membership.removed_at).where(
                Membership.segment_id == segment_id, Membership.contact_id == leaver)).all()
    finally:
        store.close()
    assert len(removed) == 1 and removed[0].removed_at is not None  # history keeps the stay


def test_refresh_static_segment_is_an_error(demo_db_path: Path) -> None:
    result = runner.invoke(cli.app, ["segments", "refresh", "Enterprise Prospects",
                                     "--db", str(demo_db_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "'Enterprise Prospects' is a static segment" in result.stderr


def test_refresh_unknown_segment_is_an_error(demo_db_path: Path) -> None:
    result = runner.invoke(cli.app, ["segments", "refresh", "Nope", "--db", str(demo_db_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "segtui: no segment named 'Nope'\n"


@pytest.mark.parametrize("args", [[], ["Enterprise Prospects", "--all"]])
def test_refresh_needs_exactly_one_of_name_and_all(demo_db_path: Path,
                                                   args: list[str]) -> None:
    result = runner.invoke(cli.app, ["segments", "refresh", *args, "--db", str(demo_db_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "segtui: name one segment, or give --all\n"


# -- no Textual on these paths ---------------------------------------------------------------


def test_rule_commands_do_not_import_textual(demo_db_path: Path) -> None:
    make_dynamic(demo_db_path, "Hot Leads Live", HOT_LEADS)
    db = str(demo_db_path)
    for args, expected in (
        (["segments", "count", ISSUE_RULE, "--sample", "2", "--db", db], "28 contacts match"),
        (["segments", "refresh", "--all", "--db", db], "Hot Leads Live: "),
        (["segments", "refresh", "Hot Leads Live", "--db", db], "Hot Leads Live: "),
    ):
        ran = run_fresh(args)
        assert ran.printed[0].startswith(expected), ran.output  # the command ran
        assert ran.exit_line == "exit 0"
        assert ran.textual == "False"


def test_format_of_the_issue_rule_is_what_count_prints() -> None:
    """The canonical text printed above is format_rule of the parsed rule."""
    assert format_rule(parse(ISSUE_RULE)) == CANONICAL


def test_one_match_is_counted_in_the_singular(demo_db_path: Path) -> None:
    """U15.13: "1 contact matches", never "1 contacts" nor "1 contact match"."""
    result = runner.invoke(cli.app, ["segments", "count", 'email = "amanda.green@quantum.com"',
                                     "--db", str(demo_db_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 contact matches: email = amanda.green@quantum.com\n"
