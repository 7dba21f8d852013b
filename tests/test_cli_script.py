"""I6.3: the scriptable CLI (`segtui segments list|show|create|update|delete|
add-members|remove-members`, `segtui contacts list|show`), driven through Typer's runner on
the demo database, on SQLite and PostgreSQL.

What docs/cli.md promises and these tests hold it to:
- `--json` prints exactly the documented keys; JSON is valid, non-ASCII text is kept as is,
  control and bidi characters are escaped, dates are ISO 8601, money is integer cents;
- exit 0 when done, 1 with one line "segtui: ..." on stderr (and nothing changed) when the
  user can fix something, 2 for command-line (usage) errors;
- every change is checked by the app's rules (names, descriptions, tags, rules,
  permissions) and logged as segment activity by the acting user (`--user`);
- none of these commands imports Textual.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner, Result

import segtui.cli as cli
from segtui.core.activities import ActivityFilter, ActivityRow
from segtui.core.contacts import ContactFilter, ContactSelection
from segtui.core.enums import LeadStatus
from segtui.core.records import Choice, SegmentFilter, SegmentSort
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import Contact
from segtui.data.queries import scripting
from segtui.data.store import Store
from segtui.data.store.segments import Segments
from tests.cli_process import run_fresh
from tests.conftest import _drop_pg_database, _pg_database
from tests.factories import add_segment

runner = CliRunner()

SUMMARY_KEYS = ["id", "name", "description", "status", "kind", "rule", "members",
                "campaigns", "updated_at", "evaluated_at", "evaluation_ms",
                "evaluation_error", "evaluation_failed_at"]  # C20.7.7
SHOW_KEYS = [*SUMMARY_KEYS, "active_campaigns", "owner", "tags", "created_at",
             "visibility", "hidden_from", "version"]  # C21.1.4: what an update names
CONTACT_KEYS = ["id", "name", "email", "title", "company", "phone", "status", "city",
                "state", "tags", "quality_score", "last_contacted_at"]
CONTACT_SHOW_KEYS = [*CONTACT_KEYS, "company_size", "industry", "lifecycle_stage", "source",
                     "country", "region", "created_at", "last_activity_at", "spent_cents",
                     "purchases", "segments", "external_id"]
ADD_KEYS = ["segment_id", "segment", "added", "already_members", "unknown_emails",
            "unknown_contact_ids"]
REMOVE_KEYS = ["segment_id", "segment", "removed", "not_members", "unknown_emails",
               "unknown_contact_ids"]
DELETE_KEYS = ["id", "name", "members", "notes", "activities"]

DEMO_SEGMENTS = ["Enterprise Prospects", "Inactive Subscribers", "Marketing Engagers",
                 "Product Trial Users"]
SARAH = "sarah.johnson@techcorp.com"  # contact 1, a member of Enterprise Prospects only
DAVID = "d.thompson@futuretech.net"  # contact 2
VIEWER_REFUSED = "segtui: Alex Kim (Viewer) is not allowed to change segments.\n"


@pytest.fixture(autouse=True)
def no_user_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The acting user is the demo's default (Sarah Mitchell) unless a test says --user."""
    monkeypatch.delenv("SEGTUI_USER", raising=False)


@pytest.fixture
def db(engine_name: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A private copy of the demo database on each engine, as the --db value."""
    if engine_name == "sqlite":
        yield str(request.getfixturevalue("demo_db_path"))
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    url = _pg_database(admin, template=request.getfixturevalue("pg_demo_template"))
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        _drop_pg_database(admin, url)


@contextmanager
def opened(db: str) -> Iterator[Store]:
    store = Store.open(make_url(db) if "://" in db else sqlite_url(Path(db)))
    try:
        yield store
    finally:
        store.close()


def run(db: str, *args: str, user: str | None = None, stdin: str | None = None) -> Result:
    before = ["--user", user] if user else []
    return runner.invoke(cli.app, [*before, "--db", db, *args], input=stdin)


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def user_error(result: Result) -> str:
    """Exit 1, nothing on stdout, one line on stderr: returns that line."""
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("segtui: ")
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


def segment_names(db: str) -> list[str]:
    with opened(db) as store:
        return [r.name for r in store.segments.iter_segments(SegmentFilter(), SegmentSort())]


def segment_id(db: str, name: str) -> int:
    with opened(db) as store:
        found = store.segments.segment_id_named(name)
    assert found is not None
    return found


def activities(db: str, name: str) -> list[ActivityRow]:
    """The segment's timeline, newest first."""
    with opened(db) as store:
        sid = store.segments.segment_id_named(name)
        assert sid is not None
        return list(store.activity.activity_page(sid, ActivityFilter(), limit=50).rows)


def members(db: str, name: str) -> set[int]:
    with opened(db) as store:
        sid = store.segments.segment_id_named(name)
        assert sid is not None
        flt = ContactFilter(segment=Choice(str(sid), name))
        return {r.id for r in store.contacts.contact_page(flt, ContactSelection(), limit=1000).rows}


def contact_id(db: str, email: str) -> int:
    with opened(db) as store, store.reading() as conn:
        [found] = scripting.contacts_by_email(conn, [email])[email]
    return found


def iso_parses(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.isoformat(timespec="seconds") == value
    return parsed


# -- segments list ------------------------------------------------------------------------


def test_list_json_shape_and_values(db: str) -> None:
    rows = ok_json(run(db, "segments", "list", "--json"))
    assert [r["name"] for r in rows] == DEMO_SEGMENTS  # name order
    with opened(db) as store:
        for obj in rows:
            assert list(obj) == SUMMARY_KEYS
            row = store.segments.segment_row(obj["id"])
            assert row is not None
            assert obj == {
                "id": row.id, "name": row.name, "description": row.description,
                "status": row.status.value, "kind": "static", "rule": None,
                "members": row.contact_count, "campaigns": row.campaign_count,
                "updated_at": row.last_modified.isoformat(timespec="seconds"),
                "evaluated_at": None, "evaluation_ms": None, "evaluation_error": None,
                "evaluation_failed_at": None,
            }
            iso_parses(obj["updated_at"])
    by_name = {r["name"]: r for r in rows}
    assert (by_name["Enterprise Prospects"]["members"],
            by_name["Enterprise Prospects"]["campaigns"]) == (45, 3)


def test_list_filters_and_formats(demo_db_path: Path) -> None:
    db = str(demo_db_path)
    active = ok_json(run(db, "segments", "list", "--status", "active", "--json"))
    assert [r["name"] for r in active] == ["Enterprise Prospects", "Marketing Engagers"]
    searched = ok_json(run(db, "segments", "list", "--search", "trial", "--json"))
    assert [r["name"] for r in searched] == ["Product Trial Users"]
    assert ok_json(run(db, "segments", "list", "--search", "no such thing", "--json")) == []
    lines = run(db, "segments", "list", "--jsonl").stdout.splitlines()
    assert [json.loads(line)["name"] for line in lines] == DEMO_SEGMENTS
    table = run(db, "segments", "list")
    assert table.exit_code == 0
    header, *body = table.stdout.splitlines()
    assert header.split() == ["ID", "NAME", "STATUS", "KIND", "MEMBERS", "CAMPAIGNS",
                              "UPDATED"]
    assert len(body) == 4 and "Enterprise Prospects" in body[0] and "45" in body[0]
    empty = run(db, "segments", "list", "--search", "no such thing")
    assert (empty.exit_code, empty.stdout) == (0, "No segments.\n")


def test_list_reads_keyset_pages(demo_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The list is streamed page by page (here 3 segments a page), never loaded whole."""
    db = str(demo_db_path)
    with opened(db) as store:
        user = store.users.current_user("Sarah Mitchell")
        for n in range(5):
            store.segments.create_segment(SegmentDraft(f"Paged {n}", rule=parse("score > 90")),
                                 ContactSelection(), user)
    calls: list[int] = []
    original = Segments.segment_page

    def small_pages(self: Segments, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(self, *args, **{**kwargs, "limit": 3})

    monkeypatch.setattr(Segments, "segment_page", small_pages)
    rows = ok_json(run(db, "segments", "list", "--json"))
    assert len(calls) == 3  # 9 segments, 3 a page
    assert [r["name"] for r in rows] == sorted([*DEMO_SEGMENTS,
                                                *(f"Paged {n}" for n in range(5))])
    paged = [r for r in rows if r["name"].startswith("Paged")]
    assert {(r["kind"], r["rule"]) for r in paged} == {("dynamic", "score > 90")}


def test_list_bad_status_is_a_usage_error(demo_db_path: Path) -> None:
    result = run(str(demo_db_path), "segments", "list", "--status", "bogus")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--status'" in result.stderr


def test_json_and_jsonl_together_is_a_usage_error(demo_db_path: Path) -> None:
    for command in (["segments", "list"], ["contacts", "list"]):
        result = run(str(demo_db_path), *command, "--json", "--jsonl")
        assert result.exit_code == 2
        assert "give --json or --jsonl, not both" in result.stderr


# -- segments show ------------------------------------------------------------------------


def test_show_json_shape_and_values(db: str) -> None:
    obj = ok_json(run(db, "segments", "show", "enterprise  PROSPECTS", "--json"))
    assert list(obj) == SHOW_KEYS
    with opened(db) as store:
        details = store.segments.segment_details(obj["id"])
    assert details is not None
    assert obj["name"] == "Enterprise Prospects"
    assert obj["members"] == details.members == 45
    assert (obj["campaigns"], obj["active_campaigns"]) == (3, 1)
    assert obj["owner"] == "Sarah Mitchell"
    assert obj["tags"] == ["Enterprise", "High Value", "Q1 2024"]
    assert iso_parses(obj["created_at"]) == details.created_at
    assert iso_parses(obj["updated_at"]) == details.updated_at
    assert (obj["kind"], obj["rule"], obj["evaluated_at"]) == ("static", None, None)


def test_show_text(demo_db_path: Path) -> None:
    result = run(str(demo_db_path), "segments", "show", "Enterprise Prospects")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Name:        Enterprise Prospects"
    assert "Campaigns:   3 (1 active)" in lines
    assert "Tags:        Enterprise, High Value, Q1 2024" in lines


def test_show_missing_segment(db: str) -> None:
    assert user_error(run(db, "segments", "show", "Nope")) == \
        "segtui: no segment named 'Nope'\n"


def test_show_missing_argument_is_a_usage_error(demo_db_path: Path) -> None:
    result = run(str(demo_db_path), "segments", "show")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


# -- segments create ----------------------------------------------------------------------


def test_create_static(db: str) -> None:
    obj = ok_json(run(db, "segments", "create", "  Spring   Launch ", "--description",
                      "Leads for the launch", "--tag", "Q2 2024", "--tag", "Launch",
                      "--status", "active", "--json", user="Priya Patel"))
    assert list(obj) == SHOW_KEYS
    assert obj["name"] == "Spring Launch"  # normalised like the app does
    assert (obj["status"], obj["kind"], obj["rule"], obj["members"]) == (
        "Active", "static", None, 0)
    assert (obj["owner"], obj["tags"]) == ("Priya Patel", ["Launch", "Q2 2024"])
    assert obj["created_at"] == obj["updated_at"] == "2024-02-26T12:00:00"  # the fixed clock
    assert segment_id(db, "spring launch") == obj["id"]
    [created] = activities(db, "Spring Launch")
    assert (created.type, created.performer) == ("Segment Created", "Priya Patel")
    assert created.description == "Segment created with 0 contacts"


def test_create_dynamic_from_rule(db: str) -> None:
    rule = 'status = "hot lead" and score > 70'
    obj = ok_json(run(db, "segments", "create", "Hot Leads", "--rule", rule, "--json"))
    with opened(db) as store:
        checked, issues = store.rules.check_rule(parse(rule))
        assert issues == []
        expected = store.rules.rule_count(checked)
    assert expected > 0
    assert (obj["kind"], obj["rule"], obj["members"], obj["status"]) == (
        "dynamic", 'status = "Hot Lead" and score > 70', expected, "Draft")
    assert obj["evaluated_at"] == "2024-02-26T12:00:00"
    assert len(members(db, "Hot Leads")) == expected
    [created] = activities(db, "Hot Leads")
    assert created.performer == "Sarah Mitchell"  # the demo's default user
    assert created.description.startswith(f"Segment created with {expected} contacts")


def test_create_text_output(demo_db_path: Path) -> None:
    result = run(str(demo_db_path), "segments", "create", "Plain")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == ["Created segment 'Plain'.",
                                              "Name:        Plain"]


@pytest.mark.parametrize(("args", "message"), [
    (["[bold]Big[/bold]"],
     "Segment name may contain only letters, digits and spaces, not “[”."),
    (["\x1b[31mRed"], "Segment name may contain only letters, digits and spaces, not ESC."),
    (["Red\x1b]0;pwned\x07"],
     "Segment name may contain only letters, digits and spaces, not ESC."),
    (["A" * 101], "Segment name must be at most 100 characters (this one has 101)."),
    ([""], "Segment name is required."),
    (["   "], "Segment name is required."),
    (["Line\nBreak"],
     "Segment name may contain only letters, digits and spaces, not a line break."),
    (["Fine", "--description", "bad \x1b[2J"], "Description can't contain ESC."),
    (["Fine", "--description", "x" * 501],
     "Description must be at most 500 characters (this one has 501)."),
    (["Fine", "--tag", "[red]"], "A tag may contain only letters, digits and spaces, not “[”."),
    (["Fine", "--tag", "VIP", "--tag", "vip"], "The tag “vip” is already added."),
    (["Fine", "--rule", "score >"], "rule: column 8: expected a value, found the end"),
    (["Fine", "--rule", 'in segment "Nope"'],
     "Segment membership: segment 'Nope' does not exist (deleted or renamed?)"),
    (["Enterprise PROSPECTS"],
     "A segment named “Enterprise PROSPECTS” already exists (names ignore case)."),
])
def test_create_refuses_bad_input_and_changes_nothing(db: str, args: list[str],
                                                      message: str) -> None:
    before = segment_names(db)
    assert user_error(run(db, "segments", "create", *args, "--json")) == \
        f"segtui: {message}\n"
    assert segment_names(db) == before


def test_error_messages_never_carry_control_characters(demo_db_path: Path) -> None:
    line = user_error(run(str(demo_db_path), "segments", "show", "\x1b[31mX\x9b1m"))
    assert "\x1b" not in line and "\x9b" not in line
    assert line == "segtui: no segment named '\\x1b[31mX\\x9b1m'\n"


def test_json_keeps_unicode_and_escapes_controls(demo_db_path: Path) -> None:
    db = str(demo_db_path)
    description = "Café Ünïcode \u202eevil\u202c"  # bidi overrides are allowed, not shown
    result = run(db, "segments", "create", "Café Clients", "--description", description,
                 "--json")
    obj = ok_json(result)
    assert "Café Clients" in result.stdout  # ensure_ascii=False: non-ASCII kept as is
    assert "\u202e" not in result.stdout and "\\u202e" in result.stdout
    assert (obj["name"], obj["description"]) == ("Café Clients", description)
    listed = run(db, "segments", "list", "--search", "café")
    assert "\u202e" not in listed.stdout


# -- permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["segments", "create", "Viewer Segment"],
    ["segments", "update", "Enterprise Prospects", "--status", "draft"],
    ["segments", "delete", "Inactive Subscribers", "--yes"],
    ["segments", "delete", "Inactive Subscribers"],
    ["segments", "add-members", "Inactive Subscribers", "--email", SARAH],
    ["segments", "remove-members", "Enterprise Prospects", "--email", SARAH],
])
def test_viewer_changes_nothing(db: str, args: list[str]) -> None:
    before = (segment_names(db), members(db, "Enterprise Prospects"),
              members(db, "Inactive Subscribers"), activities(db, "Enterprise Prospects"))
    assert user_error(run(db, *args, user="Alex Kim")) == VIEWER_REFUSED
    assert before == (segment_names(db), members(db, "Enterprise Prospects"),
                      members(db, "Inactive Subscribers"),
                      activities(db, "Enterprise Prospects"))


def test_viewer_may_read(demo_db_path: Path) -> None:
    db = str(demo_db_path)
    for args in (["segments", "list", "--json"], ["segments", "show", "Marketing Engagers"],
                 ["contacts", "list", "--limit", "1"], ["contacts", "show", "1"]):
        assert run(db, *args, user="Alex Kim").exit_code == 0


def test_user_may_follow_the_command(demo_db_path: Path) -> None:
    db = str(demo_db_path)
    result = runner.invoke(cli.app, ["segments", "create", "Late User", "--user", "Alex Kim",
                                     "--db", db])
    assert user_error(result) == VIEWER_REFUSED
    assert run(db, "segments", "create", "Late User", "--user", "James Carter").exit_code == 0
    assert activities(db, "Late User")[0].performer == "James Carter"


# -- segments update ----------------------------------------------------------------------


def test_update_fields_logs_the_acting_user(db: str) -> None:
    obj = ok_json(run(db, "segments", "update", "marketing engagers", "--name",
                      "Content Engagers", "--description", "Readers", "--status", "draft",
                      "--tag", "Content", "--json", user="James Carter"))
    assert list(obj) == SHOW_KEYS
    assert (obj["name"], obj["description"], obj["status"], obj["tags"]) == (
        "Content Engagers", "Readers", "Draft", ["Content"])
    assert obj["members"] == 28  # members untouched
    assert "Marketing Engagers" not in segment_names(db)
    edited = activities(db, "Content Engagers")[0]
    assert (edited.type, edited.performer) == ("Segment Edited", "James Carter")
    assert edited.description == ("Changed name “Marketing Engagers” → “Content Engagers”, "
                                  "description, status Active → Draft, tags")


def test_update_status_only_and_clear_tags(demo_db_path: Path) -> None:
    db = str(demo_db_path)
    obj = ok_json(run(db, "segments", "update", "Product Trial Users", "--status", "active",
                      "--json"))
    assert obj["status"] == "Active"
    changed = activities(db, "Product Trial Users")[0]
    assert (changed.type, changed.description) == ("Status Changed",
                                                   "Changed status Draft → Active")
    cleared = ok_json(run(db, "segments", "update", "Product Trial Users", "--clear-tags",
                          "--json"))
    assert cleared["tags"] == []


def test_update_status_keeps_a_name_the_rules_no_longer_accept(db: str) -> None:
    """I16.8: a name another tool stored with a bidi override is not judged again
    when only the status changes, and stays byte for byte (before: refused)."""
    name = "Zed\u202eAdmin\u202c"
    with opened(db) as store:
        add_segment(store, name)
    obj = ok_json(run(db, "segments", "update", name, "--status", "draft", "--json"))
    assert (obj["name"], obj["status"]) == (name, "Draft")
    assert segment_id(db, name)
    line = user_error(run(db, "segments", "update", name, "--name", name + " Team"))
    assert "control character U+202E" in line and "\u202e" not in line


def test_update_rule_makes_it_dynamic_and_static_again(db: str) -> None:
    obj = ok_json(run(db, "segments", "update", "Inactive Subscribers", "--rule",
                      "score > 95", "--json"))
    with opened(db) as store:
        checked, _ = store.rules.check_rule(parse("score > 95"))
        matching = store.rules.rule_count(checked)
    assert (obj["kind"], obj["rule"]) == ("dynamic", "score > 95")
    # The 120 members picked by hand stay (manual memberships), the rule adds its matches.
    assert obj["members"] >= max(120, matching)
    assert any(a.description == "Changed type Static → Dynamic"
               for a in activities(db, "Inactive Subscribers"))
    back = ok_json(run(db, "segments", "update", "Inactive Subscribers", "--static",
                       "--json"))
    assert (back["kind"], back["rule"], back["members"]) == ("static", None, obj["members"])


@pytest.mark.parametrize(("args", "message"), [
    (["--name", "Bad/Name"], "Segment name may contain only letters, digits and spaces, "
                             "not “/”."),
    (["--name", "Inactive Subscribers"],
     "A segment named “Inactive Subscribers” already exists (names ignore case)."),
    (["--description", "\x07beep"], "Description can't contain control character U+0007."),
    (["--rule", 'in segment "Enterprise Prospects"'],
     "Segment membership: a segment cannot depend on itself (a cycle)"),
])
def test_update_refuses_bad_input(db: str, args: list[str], message: str) -> None:
    before = activities(db, "Enterprise Prospects")
    line = user_error(run(db, "segments", "update", "Enterprise Prospects", *args))
    assert line == f"segtui: {message}\n"
    assert activities(db, "Enterprise Prospects") == before
    assert "Enterprise Prospects" in segment_names(db)


def test_update_missing_segment(demo_db_path: Path) -> None:
    assert user_error(run(str(demo_db_path), "segments", "update", "Nope", "--status",
                          "active")) == "segtui: no segment named 'Nope'\n"


@pytest.mark.parametrize(("args", "message"), [
    ([], "nothing to change"),
    (["--rule", "score > 1", "--static"], "give --rule or --static, not both"),
    (["--tag", "A", "--clear-tags"], "give --tag or --clear-tags, not both"),
    (["--status", "paused"], "Invalid value for '--status'"),
])
def test_update_usage_errors(demo_db_path: Path, args: list[str], message: str) -> None:
    result = run(str(demo_db_path), "segments", "update", "Enterprise Prospects", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_deactivating_a_segment_other_rules_use_is_refused(demo_db_path: Path) -> None:
    db = str(demo_db_path)
    assert run(db, "segments", "create", "Uses It", "--rule",
               'in segment "Marketing Engagers"').exit_code == 0
    line = user_error(run(db, "segments", "update", "Marketing Engagers", "--status",
                          "inactive"))
    assert line == ("segtui: This segment cannot be deactivated: the rules of “Uses It” use "
                    "it. Change those rules first.\n")


# -- segments delete ----------------------------------------------------------------------


def test_delete_needs_yes(db: str) -> None:
    line = user_error(run(db, "segments", "delete", "Inactive Subscribers"))
    assert line.startswith("segtui: deleting 'Inactive Subscribers' removes 120 memberships")
    assert line.endswith("; pass --yes to delete it\n")
    assert "Inactive Subscribers" in segment_names(db)


def test_delete_with_yes(db: str) -> None:
    with opened(db) as store:
        preview = store.segments.delete_preview(segment_id(db, "Inactive Subscribers"))
    assert preview is not None
    obj = ok_json(run(db, "segments", "delete", "inactive subscribers", "--yes", "--json"))
    assert list(obj) == DELETE_KEYS
    assert obj == {"id": preview.segment.id, "name": "Inactive Subscribers", "members": 120,
                   "notes": preview.notes, "activities": preview.activities}
    assert segment_names(db) == [n for n in DEMO_SEGMENTS if n != "Inactive Subscribers"]
    with opened(db) as store:
        assert store.contacts.contact_count(ContactFilter()) == 255  # contacts stay


def test_delete_text(demo_db_path: Path) -> None:
    result = run(str(demo_db_path), "segments", "delete", "Inactive Subscribers", "--yes")
    assert result.exit_code == 0
    assert result.stdout.startswith("Deleted segment 'Inactive Subscribers': removed 120 "
                                    "memberships")


def test_delete_blocked_by_active_campaign(db: str) -> None:
    line = user_error(run(db, "segments", "delete", "Enterprise Prospects", "--yes"))
    assert line == ("segtui: 'Enterprise Prospects': This segment cannot be deleted because "
                    "it is being used in active campaigns. You need to pause 1 active "
                    "campaign before deleting this segment. Active: Q1 Enterprise Outreach.\n")
    assert "Enterprise Prospects" in segment_names(db)


def test_delete_blocked_by_rules_using_it(db: str) -> None:
    assert run(db, "segments", "create", "Uses It", "--rule",
               'in segment "Inactive Subscribers"').exit_code == 0
    line = user_error(run(db, "segments", "delete", "Inactive Subscribers", "--yes"))
    assert line == ("segtui: 'Inactive Subscribers': This segment cannot be deleted: the "
                    "rules of “Uses It” use it. Change those rules first.\n")
    assert "Inactive Subscribers" in segment_names(db)


def test_delete_missing_segment(demo_db_path: Path) -> None:
    assert user_error(run(str(demo_db_path), "segments", "delete", "Nope", "--yes")) == \
        "segtui: no segment named 'Nope'\n"


# -- add-members / remove-members ---------------------------------------------------------


def test_add_members_by_email_id_and_stdin(db: str) -> None:
    sarah, david = contact_id(db, SARAH), contact_id(db, DAVID)
    before = members(db, "Inactive Subscribers")
    assert sarah not in before and david not in before
    already = min(before)
    stdin = f"# one per line\n\n{DAVID}\n{already}\n"
    obj = ok_json(run(db, "segments", "add-members", "Inactive Subscribers",
                      "--email", SARAH.upper(), "--contact-id", str(sarah), "--stdin",
                      "--json", user="Priya Patel", stdin=stdin))
    assert list(obj) == ADD_KEYS
    assert obj == {"segment_id": segment_id(db, "Inactive Subscribers"),
                   "segment": "Inactive Subscribers", "added": 2, "already_members": 1,
                   "unknown_emails": [], "unknown_contact_ids": []}
    assert members(db, "Inactive Subscribers") == before | {sarah, david}
    added = activities(db, "Inactive Subscribers")[0]
    assert (added.type, added.description, added.performer) == (
        "Contacts Added", "Added 2 contacts", "Priya Patel")


def test_add_members_text(demo_db_path: Path) -> None:
    result = run(str(demo_db_path), "segments", "add-members", "Inactive Subscribers",
                 "--email", SARAH)
    assert result.exit_code == 0
    assert result.stdout == ("Inactive Subscribers: added 1, already members 0, "
                             "unknown 0.\n")


def test_unknown_contacts_change_nothing_unless_ignored(db: str) -> None:
    before = (members(db, "Inactive Subscribers"), activities(db, "Inactive Subscribers"))
    line = user_error(run(db, "segments", "add-members", "Inactive Subscribers",
                          "--email", SARAH, "--email", "nobody@example.com",
                          "--contact-id", "999999"))
    assert line == ("segtui: 2 unknown contacts: 'nobody@example.com', '999999'; nothing "
                    "changed (pass --ignore-unknown to go on without them)\n")
    assert before == (members(db, "Inactive Subscribers"),
                      activities(db, "Inactive Subscribers"))
    obj = ok_json(run(db, "segments", "add-members", "Inactive Subscribers",
                      "--email", SARAH, "--email", "nobody@example.com",
                      "--contact-id", "999999", "--ignore-unknown", "--json"))
    assert (obj["added"], obj["unknown_emails"], obj["unknown_contact_ids"]) == (
        1, ["nobody@example.com"], [999999])
    assert contact_id(db, SARAH) in members(db, "Inactive Subscribers")


def test_hostile_email_is_just_unknown(demo_db_path: Path) -> None:
    line = user_error(run(str(demo_db_path), "segments", "add-members", "Marketing Engagers",
                          "--email", "\x1b[2J[bold]x@y.z"))
    assert "\x1b" not in line
    assert line == ("segtui: 1 unknown contact: '\\x1b[2J[bold]x@y.z'; nothing changed "
                    "(pass --ignore-unknown to go on without them)\n")


def test_one_contact_per_email(db: str) -> None:
    """I16.1: the database itself refuses a second contact with an email (trimmed,
    case ignored), whoever writes it, so `--email` names one contact in any spelling."""
    with opened(db) as store:
        for twin in (SARAH.upper(), f" {SARAH} "):
            with pytest.raises(IntegrityError), store.orm_session() as session:
                session.add(Contact(name="Sarah Twin", email=twin, lead_status=LeadStatus.NEW,
                                    created_at=datetime(2024, 1, 1)))
            with pytest.raises(IntegrityError), store.orm_session() as session:
                session.execute(update(Contact).where(Contact.id == 2)
                                .values(email=twin, email_key=SARAH))
    obj = ok_json(run(db, "segments", "add-members", "Marketing Engagers",
                      "--email", "Sarah.Johnson@TechCorp.com", "--json"))
    assert (obj["added"], obj["unknown_emails"]) == (1, [])
    assert 1 in members(db, "Marketing Engagers")


def test_shared_email_is_refused(demo_db_path: Path) -> None:
    """Two contacts another program wrote without the email's key can still share it:
    named by email, they are refused rather than guessed."""
    db = str(demo_db_path)
    with opened(db) as store, store.orm_session() as session:
        session.execute(update(Contact).where(Contact.id.in_([1, 2]))
                        .values(email="twin@example.com", email_key=None))
    line = user_error(run(db, "segments", "add-members", "Marketing Engagers",
                          "--email", "twin@example.com"))
    assert line == ("segtui: 'twin@example.com' is the email of 2 contacts (1, 2): "
                    "name them with --contact-id; nothing changed\n")
    assert run(db, "segments", "add-members", "Marketing Engagers", "--contact-id",
               "1").exit_code == 0


def test_add_members_to_dynamic_segment_keeps_them(demo_db_path: Path) -> None:
    db = str(demo_db_path)
    assert run(db, "segments", "create", "Top Scores", "--rule", "score > 97").exit_code == 0
    low = min(members(db, "Inactive Subscribers"))  # scores 20-70: the rule never matches
    obj = ok_json(run(db, "segments", "add-members", "Top Scores", "--contact-id", str(low),
                      "--json"))
    assert obj["added"] == 1
    assert run(db, "segments", "refresh", "Top Scores").exit_code == 0
    assert low in members(db, "Top Scores")  # added by hand: the refresh keeps it


def test_remove_members(db: str) -> None:
    sarah = contact_id(db, SARAH)
    assert sarah in members(db, "Enterprise Prospects")
    outsider = min(members(db, "Inactive Subscribers") - members(db, "Enterprise Prospects"))
    obj = ok_json(run(db, "segments", "remove-members", "Enterprise Prospects",
                      "--email", SARAH, "--contact-id", str(outsider), "--json",
                      user="James Carter"))
    assert list(obj) == REMOVE_KEYS
    assert (obj["removed"], obj["not_members"]) == (1, 1)
    assert sarah not in members(db, "Enterprise Prospects")
    removed = activities(db, "Enterprise Prospects")[0]
    assert (removed.type, removed.description, removed.performer) == (
        "Contacts Removed", "Removed Sarah Johnson", "James Carter")
    shown = ok_json(run(db, "contacts", "show", SARAH, "--json"))
    assert shown["segments"] == []


def test_members_commands_need_contacts(demo_db_path: Path) -> None:
    for command in ("add-members", "remove-members"):
        result = run(str(demo_db_path), "segments", command, "Marketing Engagers")
        assert result.exit_code == 2
        assert "name the contacts with --email, --contact-id or --stdin" in result.stderr


def test_members_of_a_missing_segment(demo_db_path: Path) -> None:
    line = user_error(run(str(demo_db_path), "segments", "add-members", "Nope",
                          "--contact-id", "1"))
    assert line == "segtui: no segment named 'Nope'\n"


def test_contact_id_must_be_a_number(demo_db_path: Path) -> None:
    result = run(str(demo_db_path), "segments", "add-members", "Marketing Engagers",
                 "--contact-id", "abc")
    assert result.exit_code == 2
    assert "Invalid value for '--contact-id'" in result.stderr


# -- contacts -----------------------------------------------------------------------------


def test_contacts_list_json_shape(db: str) -> None:
    rows = ok_json(run(db, "contacts", "list", "--segment", "Enterprise Prospects",
                       "--json"))
    assert len(rows) == 45
    assert {r["id"] for r in rows} == members(db, "Enterprise Prospects")
    assert [(r["name"], r["id"]) for r in rows] == sorted((r["name"], r["id"]) for r in rows)
    for row in rows:
        assert list(row) == CONTACT_KEYS
        assert isinstance(row["quality_score"], int) and isinstance(row["tags"], list)
        assert row["status"] in {s.value for s in LeadStatus}
        if row["last_contacted_at"] is not None:
            iso_parses(row["last_contacted_at"])


def test_contacts_list_filters_limit_and_pages(db: str) -> None:
    everyone = ok_json(run(db, "contacts", "list", "--json"))
    assert len(everyone) == 255  # more than one page of 200
    assert len({r["id"] for r in everyone}) == 255
    limited = ok_json(run(db, "contacts", "list", "--limit", "201", "--json"))
    assert limited == everyone[:201]
    hot = ok_json(run(db, "contacts", "list", "--status", "HOT LEAD", "--json"))
    assert hot and {r["status"] for r in hot} == {"Hot Lead"}
    assert hot == [r for r in everyone if r["status"] == "Hot Lead"]
    found = ok_json(run(db, "contacts", "list", "--search", "TECHCORP.com", "--json"))
    assert SARAH in {r["email"] for r in found}
    lines = run(db, "contacts", "list", "--limit", "3", "--jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == everyone[:3]


def test_contacts_list_text_and_errors(demo_db_path: Path) -> None:
    db = str(demo_db_path)
    table = run(db, "contacts", "list", "--limit", "2")
    header, *body = table.stdout.splitlines()
    assert header.split() == ["ID", "NAME", "EMAIL", "COMPANY", "STATUS", "SCORE"]
    assert len(body) == 2
    assert run(db, "contacts", "list", "--search", "zzzz").stdout == "No contacts.\n"
    assert ok_json(run(db, "contacts", "list", "--search", "zzzz", "--json")) == []
    assert user_error(run(db, "contacts", "list", "--segment", "Nope")) == \
        "segtui: no segment named 'Nope'\n"
    assert run(db, "contacts", "list", "--limit", "0").exit_code == 2


def test_contacts_show(db: str) -> None:
    by_email = ok_json(run(db, "contacts", "show", SARAH.upper(), "--json"))
    by_id = ok_json(run(db, "contacts", "show", str(by_email["id"]), "--json"))
    assert by_email == by_id
    assert list(by_id) == CONTACT_SHOW_KEYS
    assert (by_id["name"], by_id["email"]) == ("Sarah Johnson", SARAH)
    assert isinstance(by_id["spent_cents"], int) and isinstance(by_id["purchases"], int)
    assert [(s["name"], s["source"]) for s in by_id["segments"]] == [
        ("Enterprise Prospects", "manual")]
    assert list(by_id["segments"][0]) == ["id", "name", "source", "added_at"]
    iso_parses(by_id["created_at"])
    # The list's fields are the same in both shapes.
    [listed] = [r for r in ok_json(run(db, "contacts", "list", "--search", SARAH, "--json"))]
    assert {k: by_id[k] for k in CONTACT_KEYS} == listed


def test_contacts_show_money_in_cents(demo_db_path: Path) -> None:
    db = str(demo_db_path)
    with opened(db) as store, store.orm_session() as session:
        session.execute(update(Contact).where(Contact.id == 1).values(spent_cents=123456))
    obj = ok_json(run(db, "contacts", "show", "1", "--json"))
    assert obj["spent_cents"] == 123456
    assert "spent:             1,234.56" in run(db, "contacts", "show", "1").stdout.splitlines()


def test_contacts_show_missing(db: str) -> None:
    assert user_error(run(db, "contacts", "show", "999999")) == \
        "segtui: no contact with id 999999\n"
    assert user_error(run(db, "contacts", "show", "nobody@example.com")) == \
        "segtui: no contact with email 'nobody@example.com'\n"


# -- no Textual on these paths ------------------------------------------------------------


def test_scripting_commands_do_not_import_textual(demo_db_path: Path) -> None:
    db = str(demo_db_path)
    for args in (
        ["segments", "list", "--json"],
        ["segments", "show", "Enterprise Prospects", "--json"],
        ["segments", "create", "Fresh One", "--rule", "score > 90", "--json"],
        ["segments", "update", "Fresh One", "--status", "active", "--json"],
        ["segments", "add-members", "Fresh One", "--contact-id", "1", "--json"],
        ["segments", "remove-members", "Fresh One", "--contact-id", "1", "--json"],
        ["segments", "delete", "Fresh One", "--yes", "--json"],
        ["contacts", "list", "--limit", "2", "--json"],
        ["contacts", "show", "1", "--json"],
    ):
        ran = run_fresh(["--db", db, *args])
        json.loads("\n".join(ran.printed))  # the command ran and printed its JSON
        assert ran.exit_line == "exit 0", ran.output
        assert ran.textual == "False", args


def test_help_lists_the_scripting_commands() -> None:
    segments = runner.invoke(cli.app, ["segments", "--help"])
    for command in ("list", "show", "create", "update", "delete", "add-members",
                    "remove-members", "count", "refresh"):
        assert command in segments.output
    contacts = runner.invoke(cli.app, ["contacts", "--help"])
    assert contacts.exit_code == 0
    assert "list" in contacts.output and "show" in contacts.output
