"""I16.5 and I16.6: every command line path that writes goes through the app's
permission check, and look-alike user names never get rights of their own.

- Every command of the Typer app declares what it does to the database (segtui/cli/access.py:
  reads, writes, builds a new database, migrates the schema); a new command that does not
  fails `test_every_command_declares_its_access`.
- Every `@writes` command, run as the demo's Viewer (Alex Kim) with arguments that would
  otherwise change something, exits 1 with one `segtui:` line and leaves every table of
  the database exactly as it was, on SQLite and PostgreSQL. A new write command without a
  case here fails `test_the_viewer_cases_cover_every_write_command`.
- `segments refresh` takes --user and logs "Members Refreshed" by that user, as `r` does.
- "Alex  Kim" is Alex Kim; "Alex Kim" with a zero-width space is refused; "Alex Kím" and
  "Alex Kim." are new Viewers, told whom they look like (docs/cli.md, "Who may do what").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

import segtui.cli as cli
from segtui.core.activities import ActivityFilter
from segtui.core.contacts import ContactSelection
from segtui.core.enums import UserRole
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import Base, Contact
from segtui.data.store import Store
from tests.conftest import _drop_pg_database, _pg_database

runner = CliRunner()

VIEWER = "Alex Kim"  # the demo's Viewer
DYNAMIC = "High Scorers"  # made by `db` below, left stale so a refresh would change it

CONTACTS_CSV = "Name,Email,Status\nZed Quinn,zed@example.com,New\n"
EVENTS_CSV = ("Email,Type,Occurred At,Campaign\n"
              "sarah.johnson@techcorp.com,opened,2024-02-20 10:00,Viewer Campaign\n")
RESULTS_CSV = ("Campaign,Email,Sent,Opened\n"
               "Viewer Results,sarah.johnson@techcorp.com,2024-02-20 10:00,yes\n")
# C21.4.5: a file that, applied with --prune, would create one segment and delete the rest.
SEGMENTS_TOML = ('format = 1\n\n[[segment]]\nname = "Viewer Segment"\ntype = "dynamic"\n'
                 'status = "Active"\nrule = "score > 50"\n')

# One run per command that writes, with arguments that would change the database if the
# user were allowed to: (command path, arguments after it, standard input).
WRITE_RUNS: dict[str, tuple[list[str], str | None]] = {
    "import contacts": (["{dir}/contacts.csv"], None),
    "import events": (["{dir}/events.csv"], None),
    "import campaigns": (["{dir}/results.csv", "--segment", "Enterprise Prospects"], None),
    "segments refresh": (["--all"], None),
    "segments create": (["Viewer Segment", "--rule", "score > 50"], None),
    "segments update": (["Enterprise Prospects", "--status", "draft"], None),
    "segments delete": (["Inactive Subscribers", "--yes"], None),
    "segments add-members": (["Inactive Subscribers", "--stdin"],
                             "sarah.johnson@techcorp.com\n2\n"),
    "segments remove-members": (["Enterprise Prospects", "--contact-id", "1"], None),
    "contacts merge": (["1", "2", "--yes"], None),
    "users add": (["Maria Lopez", "--role", "manager"], None),
    "users set-role": ([VIEWER, "administrator"], None),
    # Administrators only (C19.4, C19.5): reading the log records that it was read.
    "audit": ([], None),
    "contacts erase": (["1", "--yes"], None),
    "contacts export-data": (["1"], None),
    "worker": (["--once"], None),  # C19.6: it writes the segments' members
    "segments set-limit": (["1"], None),  # C19.3: administrators only
    "segments set-history-retention": (["365"], None),  # C20.1.4: administrators only
    "segments prune-history": ([], None),
    "segments archive": (["Inactive Subscribers"], None),  # C19.4.6
    "segments restore": (["Inactive Subscribers"], None),
    # C19.3.4-C19.3.7: administrators only.
    "users deactivate": (["Sarah Mitchell", "--transfer-to", "Priya Patel"], None),
    "users reactivate": (["Sarah Mitchell"], None),
    "users set-team": (["Sarah Mitchell", "Growth"], None),
    "users transfer": (["Sarah Mitchell", "--to", "Priya Patel"], None),
    # C19.3.2: who sees a segment (its owner or an administrator)
    "segments set-visibility": (["Enterprise Prospects", "private"], None),
    "segments hide": (["Enterprise Prospects", "--from", "Priya Patel"], None),
    "segments unhide": (["Enterprise Prospects", "--from", "Priya Patel"], None),
    # C20.4: a snapshot, and a campaign's status (which makes snapshots)
    "segments freeze": (["Enterprise Prospects"], None),
    "segments apply": (["{dir}/segments.toml", "--prune", "--yes"], None),  # C21.4.5
    "campaigns status": (["Product Demo Campaign", "active"], None),
    # C21.2.1: API tokens are an administrator's, listing them too
    "api tokens create": (["Viewer Token", "--for", VIEWER, "--scope", "write"], None),
    "api tokens list": ([], None),
    "api tokens revoke": (["Viewer Token"], None),
    # C21.3.1: webhooks send members' data outside: administrators only
    "webhooks add": (["Enterprise Prospects", "https://example.com/hooks"], None),
    "webhooks remove": (["1"], None),
    "webhooks pause": (["1"], None),
    "webhooks resume": (["1"], None),
    "webhooks test": (["1"], None),
    "webhooks retry": (["--all"], None),
    "webhooks send": (["--once"], None),
    # C22.6.3: keeping a Discover cluster creates a segment
    "discover-keep": (["1", "--k", "2"], None),
}


@pytest.fixture(autouse=True)
def no_user_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGTUI_USER", raising=False)


def open_store(db: str) -> Store:
    return Store.open(make_url(db) if "://" in db else sqlite_url(Path(db)))


@pytest.fixture
def db(engine_name: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A private demo database (as the --db value) with a dynamic segment whose members
    are out of date: contact 1's score (87) changed to 99 behind its back."""
    if engine_name == "sqlite":
        url = str(request.getfixturevalue("demo_db_path"))
        drop: Callable[[], None] = lambda: None  # noqa: E731
    else:
        admin: Engine = request.getfixturevalue("pg_admin")
        made = _pg_database(admin, template=request.getfixturevalue("pg_demo_template"))
        url = made.render_as_string(hide_password=False)
        drop = lambda: _drop_pg_database(admin, made)  # noqa: E731
    store = open_store(url)
    try:
        store.segments.create_segment(SegmentDraft(DYNAMIC, rule=parse("score > 98")),
                                      ContactSelection(),
                                      store.users.current_user("Sarah Mitchell"))
        with store.orm_session() as session:
            session.execute(update(Contact).where(Contact.id == 1).values(quality_score=99))
    finally:
        store.close()
    try:
        yield url
    finally:
        drop()


def fingerprint(db: str) -> dict[str, list[str]]:
    """Every row of every table: what any write, however small, would change. But for
    when each user was last seen: a look, which any command acting as a user records
    (C19.3.5)."""
    store = open_store(db)
    try:
        with store.reading() as conn:
            return {table.name: sorted(
                        repr(tuple(row)) for row in conn.execute(
                            select(*[c for c in table.columns if c.name != "last_seen_at"])))
                    for table in Base.metadata.sorted_tables}
    finally:
        store.close()


def run(db: str, *args: str, user: str | None = None, stdin: str | None = None) -> Result:
    before = ["--user", user] if user is not None else []
    return runner.invoke(cli.app, [*before, "--db", db, *args], input=stdin)


def one_line_error(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("segtui: ")
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr.removesuffix("\n")


def write_files(directory: Path) -> None:
    (directory / "contacts.csv").write_text(CONTACTS_CSV, encoding="utf-8")
    (directory / "events.csv").write_text(EVENTS_CSV, encoding="utf-8")
    (directory / "results.csv").write_text(RESULTS_CSV, encoding="utf-8")
    (directory / "segments.toml").write_text(SEGMENTS_TOML, encoding="utf-8")


# -- every command declares its access ------------------------------------------------------


def commands() -> dict[str, Any]:
    """Every command of the Typer app by its path ("segments create"), with its callback."""
    found: dict[str, Any] = {}

    def walk(group: Any, prefix: str) -> None:
        for name, command in group.commands.items():
            path = f"{prefix} {name}".strip()
            if hasattr(command, "commands"):
                walk(command, path)
            else:
                found[path] = command.callback
    walk(typer.main.get_command(cli.app), "")
    return found


def test_every_command_declares_its_access() -> None:
    from segtui.cli.access import Access, access_of

    undeclared = [path for path, callback in commands().items() if access_of(callback) is None]
    assert undeclared == [], "declare these with @reads, @writes(...), ... (segtui/cli/access.py)"
    declared = {path: access_of(callback) for path, callback in commands().items()}
    assert {p for p, a in declared.items() if a is not Access.READS} == {
        *WRITE_RUNS, "demo", "db upgrade", "db grant", "db revoke"}
    assert declared["demo"] is Access.BUILDS_DATABASE
    assert declared["db upgrade"] is Access.MIGRATES
    # C19.2.4: the database's owner's (tests/test_pg_logins.py)
    assert declared["db grant"] is declared["db revoke"] is Access.GRANTS_LOGINS


def test_the_viewer_cases_cover_every_write_command() -> None:
    from segtui.cli.access import Access, access_of

    writing = {path for path, callback in commands().items()
               if access_of(callback) is Access.WRITES}
    assert writing == set(WRITE_RUNS), "add a case to WRITE_RUNS for each write command"


def test_a_write_command_must_take_user_and_db() -> None:
    from segtui.cli.access import writes

    def sloppy(ctx: typer.Context, db: str | None = None) -> None:
        """A write command someone forgot --user on."""

    with pytest.raises(TypeError, match="must take user"):
        writes("change segments")(sloppy)


# -- a Viewer changes nothing, whatever the command -----------------------------------------


@pytest.mark.parametrize("command", sorted(WRITE_RUNS))
def test_a_viewer_is_refused_by_every_write_command(db: str, tmp_path: Path,
                                                    command: str) -> None:
    write_files(tmp_path)
    args, stdin = WRITE_RUNS[command]
    before = fingerprint(db)
    result = run(db, *command.split(), *(a.format(dir=tmp_path) for a in args),
                 user=VIEWER, stdin=stdin)
    line = one_line_error(result)
    assert line.startswith(f"segtui: {VIEWER} (Viewer) is not allowed to "), line
    assert fingerprint(db) == before


def test_the_refusals_say_what_was_refused(demo_db_path: Path, tmp_path: Path) -> None:
    db = str(demo_db_path)
    write_files(tmp_path)
    for args, doing in [
        (["import", "contacts", str(tmp_path / "contacts.csv")], "import contacts"),
        (["import", "campaigns", str(tmp_path / "results.csv")], "import campaign results"),
        (["segments", "refresh", "--all"], "re-evaluate segments"),
        (["contacts", "merge", "1", "2", "--yes"], "merge contacts"),
        (["users", "add", "Maria Lopez", "--role", "viewer"], "manage users"),
    ]:
        assert one_line_error(run(db, *args, user=VIEWER)) == \
            f"segtui: Alex Kim (Viewer) is not allowed to {doing}."


def test_the_user_may_follow_an_import_command(demo_db_path: Path, tmp_path: Path) -> None:
    db = str(demo_db_path)
    write_files(tmp_path)
    refused = runner.invoke(cli.app, ["import", "contacts", str(tmp_path / "contacts.csv"),
                                      "--db", db, "--user", VIEWER])
    assert one_line_error(refused).endswith("not allowed to import contacts.")
    done = runner.invoke(cli.app, ["import", "contacts", str(tmp_path / "contacts.csv"),
                                   "--db", db, "--user", "Priya Patel"])
    assert done.exit_code == 0, done.output
    assert "1 added" in done.stdout


# -- segments refresh: --user, and logged -----------------------------------------------------


def test_a_viewer_may_compare_the_segments_they_see(demo_db_path: Path) -> None:
    """C20.5.8: `segments compare` only reads, so a Viewer may run it; a segment hidden
    from them is one that does not exist (C19.3.2)."""
    db = str(demo_db_path)
    result = run(db, "segments", "compare", "Enterprise Prospects", "Marketing Engagers",
                 "--json", user=VIEWER)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert [s["name"] for s in shown["segments"]] == ["Enterprise Prospects",
                                                      "Marketing Engagers"]
    store = open_store(db)
    try:
        owner = store.users.current_user("Sarah Mitchell")
        prospects = store.segments.segment_id_named("Enterprise Prospects")
        assert prospects is not None
        store.segments.share(prospects, owner, hide=[VIEWER])
    finally:
        store.close()
    hidden = run(db, "segments", "compare", "Enterprise Prospects", "Marketing Engagers",
                 user=VIEWER)
    assert one_line_error(hidden) == "segtui: no segment named 'Enterprise Prospects'"


def test_a_viewer_may_read_industry_trends(demo_db_path: Path) -> None:
    """C22.5.6: `industry-trends` only reads (no segment in it, so nothing is hidden): a
    Viewer may run it."""
    result = run(str(demo_db_path), "industry-trends", "--json", user=VIEWER)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["all"]["transactions"] == 18


def test_refresh_logs_members_refreshed_by_the_acting_user(db: str) -> None:
    result = run(db, "segments", "refresh", DYNAMIC, user="Priya Patel")
    assert result.exit_code == 0, result.output
    assert "(+1 entered" in result.stdout
    store = open_store(db)
    try:
        segment_id = store.segments.segment_id_named(DYNAMIC)
        assert segment_id is not None
        newest = store.activity.activity_page(segment_id, ActivityFilter(), limit=1).rows[0]
    finally:
        store.close()
    assert (newest.type, newest.performer) == ("Members Refreshed", "Priya Patel")
    assert newest.description.startswith("+1 entered")
    assert "Re-evaluated on request" in newest.details
    again = run(db, "segments", "refresh", DYNAMIC, user="Priya Patel")
    assert "(+0 entered, −0 left)" in again.stdout  # nothing changed: nothing logged
    store = open_store(db)
    try:
        assert store.activity.activity_page(segment_id, ActivityFilter(), limit=1).rows[0].id == \
            newest.id
    finally:
        store.close()


# -- look-alike names (I16.6) -----------------------------------------------------------------


def test_a_double_space_is_the_same_viewer(db: str) -> None:
    before = fingerprint(db)
    line = one_line_error(run(db, "segments", "create", "Spaced", user="Alex  Kim"))
    assert line == "segtui: Alex Kim (Viewer) is not allowed to change segments."
    assert fingerprint(db) == before


def test_an_invisible_character_is_refused(db: str) -> None:
    before = fingerprint(db)
    line = one_line_error(run(db, "segments", "create", "Hidden", user="Alex Kim\u200b"))
    assert line == ("segtui: a user name can't contain invisible characters "
                    "('Alex Kim\\u200b' holds U+200B ZERO WIDTH SPACE)")
    assert fingerprint(db) == before


def test_the_app_does_not_open_for_an_invisible_name(demo_db_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import segtui.app

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the app must not start")

    monkeypatch.setattr(segtui.app.SegtuiApp, "run", never)
    result = runner.invoke(cli.app, ["--db", str(demo_db_path), "--user", "Alex\u200dKim"])
    assert one_line_error(result) == (
        "segtui: a user name can't contain invisible characters ('Alex\\u200dKim' holds "
        "U+200D ZERO WIDTH JOINER)")


@pytest.mark.parametrize("name", ["Alex Kím", "Alex Kim."])
def test_a_look_alike_is_a_new_viewer_told_whom_it_resembles(db: str, name: str) -> None:
    before = fingerprint(db)
    line = one_line_error(run(db, "segments", "create", "Look Alike", user=name))
    assert line == (f"segtui: {name} (Viewer) is not allowed to change segments: a name "
                    "segtui had not seen is a Viewer until an administrator gives it a "
                    "role (segtui users set-role) (did you mean 'Alex Kim'?)")
    after = fingerprint(db)
    assert {t: rows for t, rows in after.items() if t != "users"} == \
        {t: rows for t, rows in before.items() if t != "users"}
    store = open_store(db)
    try:
        assert store.users.current_user(name).role is UserRole.VIEWER  # recorded as a Viewer
    finally:
        store.close()


def test_an_administrator_gives_a_new_name_its_role(db: str) -> None:
    assert run(db, "segments", "create", "Marias Segment", user="Maria Lopez").exit_code == 1
    added = run(db, "users", "set-role", "maria  lopez", "manager", user="James Carter")
    assert added.exit_code == 0, added.output
    assert added.stdout == "Changed 'Maria Lopez': Marketing Manager.\n"
    assert run(db, "segments", "create", "Marias Segment", user="Maria Lopez").exit_code == 0
    listed = json.loads(run(db, "users", "list", "--json").stdout)
    assert [(u["name"], u["role"]) for u in listed if u["name"].startswith("Maria")] == \
        [("Maria Lopez", "Marketing Manager")]
    refused = run(db, "users", "add", "Eve", "--role", "administrator", user="Priya Patel")
    assert one_line_error(refused) == \
        "segtui: Priya Patel (Marketing Manager) is not allowed to manage users."
