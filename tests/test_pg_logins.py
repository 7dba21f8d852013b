"""C19.2: identity and permissions on a shared PostgreSQL database.

Each person signs in with a login of their own (`--db postgresql+psycopg://LOGIN@HOST/DB`);
`segtui db grant LOGIN --role ROLE`, run by the database's owner, makes it a member of one
of the database's segtui group roles, whose grants the database enforces for segtui and
psql alike (segtui/data/db/grants.py). Tested as a user would: through the command line,
the Store and raw SQL signed in as the login. Roles are the server's and tests run in
parallel: every login has a unique name, and every role a test made is dropped after it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, select, text, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import ProgrammingError
from typer.testing import CliRunner, Result

import segtui.cli as cli
from segtui.core.enums import UserRole
from segtui.data.db.grants import group_names
from segtui.data.db.tables import AuditEntry, User
from segtui.data.store import Store
from tests.conftest import _drop_pg_database, _pg_database
from tests.test_cli_access import WRITE_RUNS, fingerprint, one_line_error, write_files

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_user_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGTUI_USER", raising=False)


class Team:
    """A private copy of the demo on PostgreSQL, its owner `postgres`, and the logins
    a test grants roles to (dropped afterwards with the database's group roles)."""

    def __init__(self, admin: Engine, url: URL) -> None:
        self.admin, self.made = admin, url
        self.owner = url.render_as_string(hide_password=False)
        self.database = str(url.database)
        self.tag = uuid.uuid4().hex[:8]
        self.logins: list[str] = []

    def login_name(self, who: str) -> str:
        login = f"t{self.tag}_{who}"
        self.logins.append(login)
        return login

    def url(self, login: str) -> str:
        return self.made.set(username=login).render_as_string(hide_password=False)

    def grant(self, who: str, role: str, *extra: str) -> str:
        login = self.login_name(who)
        result = run(self.owner, "db", "grant", login, "--role", role, *extra)
        assert result.exit_code == 0, result.output
        return login

    def store(self, login: str | None = None) -> Store:
        return Store.open(self.made if login is None else self.made.set(username=login))

    def cleanup(self) -> None:
        engine = create_engine(self.made, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for role in [*self.logins, *group_names(self.database).values()]:
                    if conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"),
                                    {"r": role}).scalar_one():
                        conn.execute(text(f'DROP OWNED BY "{role}"'))
                        conn.execute(text(f'DROP ROLE "{role}"'))
        finally:
            engine.dispose()


def _team(admin: Engine, template: str) -> Iterator[Team]:
    made = _pg_database(admin, template=template)
    team = Team(admin, made)
    try:
        yield team
    finally:
        team.cleanup()
        _drop_pg_database(admin, made)


@pytest.fixture
def team(pg_admin: Engine, pg_demo_template: str) -> Iterator[Team]:
    yield from _team(pg_admin, pg_demo_template)


@pytest.fixture(scope="module")
def viewer_team(pg_admin: Engine, pg_demo_template: str) -> Iterator[tuple[Team, str]]:
    """One database for every refusal: a refused command changes nothing."""
    for team in _team(pg_admin, pg_demo_template):
        yield team, team.grant("priya", "viewer", "--name", "Priya Patel")


def run(db: str, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(cli.app, ["--db", db, *args], input=stdin)


def refused_sql(url: str, statement: str) -> None:
    engine = create_engine(url)
    try:
        with pytest.raises(ProgrammingError) as refusal, engine.begin() as conn:
            conn.execute(text(statement))
        assert isinstance(refusal.value.orig, psycopg.errors.InsufficientPrivilege), statement
    finally:
        engine.dispose()


def allowed_sql(url: str, statement: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def groups_of(team: Team, login: str) -> list[str]:
    with team.admin.connect() as conn:
        return list(conn.execute(text(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :u ORDER BY 1"),
            {"u": login}).scalars())


def user_row(team: Team, login: str) -> tuple[str, str, str | None, bool]:
    store = team.store()
    try:
        with store.reading() as conn:
            row = conn.execute(select(User.name, User.role, User.team, User.active)
                               .where(User.login == login)).one()
    finally:
        store.close()
    return (row.name, row.role, row.team, row.active)


# -- segtui db grant -------------------------------------------------------------------------


def test_grant_makes_the_roles_the_login_and_the_user(team: Team) -> None:
    login = team.login_name("maria")
    first = run(team.owner, "db", "grant", login, "--role", "viewer", "--name",
                "Maria  Lopez", "--team", "Growth", "--json")
    assert first.exit_code == 0, first.output
    done = json.loads(first.stdout)
    groups = group_names(team.database)
    assert done == {"login": login, "name": "Maria Lopez", "role": "Viewer", "team": "Growth",
                    "login_created": True, "user_created": True,
                    "groups": list(groups.values())}
    assert groups_of(team, login) == [groups[UserRole.VIEWER]]
    assert user_row(team, login) == ("Maria Lopez", "Viewer", "Growth", True)
    again = run(team.owner, "db", "grant", login, "--role", "viewer", "--json")
    assert json.loads(again.stdout)["login_created"] is False  # the same, once more
    assert groups_of(team, login) == [groups[UserRole.VIEWER]]
    moved = run(team.owner, "db", "grant", login, "--role", "manager")
    assert moved.exit_code == 0, moved.output
    assert moved.stdout.startswith(f"{login} signs in as Maria Lopez (Marketing Manager, "
                                   "team Growth).")
    assert groups_of(team, login) == [groups[UserRole.MARKETING_MANAGER]]  # one group only
    assert user_row(team, login) == ("Maria Lopez", "Marketing Manager", "Growth", True)
    store = team.store()
    try:
        with store.reading() as conn:
            audited = conn.execute(select(AuditEntry.action, AuditEntry.details)
                                   .where(AuditEntry.subject == "user Maria Lopez")).all()
    finally:
        store.close()
    assert [a.action for a in audited] == ["permissions_modified"] * 3
    assert audited[-1].details == f"login {login} granted Marketing Manager"


def test_grant_sets_a_password_from_standard_input(team: Team) -> None:
    login = team.login_name("pat")
    done = run(team.owner, "db", "grant", login, "--role", "viewer", "--password-stdin",
               stdin="it's a \\secret\n")
    assert done.exit_code == 0, done.output
    assert "with the password given" in done.stdout
    with team.admin.connect() as conn:
        assert conn.execute(text("SELECT rolpassword IS NOT NULL FROM pg_authid "
                                 "WHERE rolname = :r"), {"r": login}).scalar_one()
    empty = run(team.owner, "db", "grant", login, "--role", "viewer", "--password-stdin",
                stdin="\n")
    assert one_line_error(empty) == "segtui: --password-stdin: no password on standard input"


def test_grant_gives_an_existing_user_their_login(team: Team) -> None:
    login = team.grant("priya", "viewer", "--name", "priya patel")
    assert user_row(team, login) == ("Priya Patel", "Viewer", None, True)  # the demo's


def test_grant_refuses_the_owner_a_group_and_a_bad_name(team: Team) -> None:
    assert one_line_error(run(team.owner, "db", "grant", "postgres", "--role", "viewer")) \
        == "segtui: postgres owns the database (or is a superuser): it may do anything " \
        "already; grant a role to another login"
    bad = one_line_error(run(team.owner, "db", "grant", "two words", "--role", "viewer"))
    assert bad == "segtui: a login can't contain spaces or invisible characters ('two words')"


def test_only_the_owner_grants(team: Team) -> None:
    admin = team.grant("james", "administrator")
    before = fingerprint(team.owner)
    other = team.login_name("eve")
    line = one_line_error(run(team.url(admin), "db", "grant", other, "--role", "manager"))
    assert line == ("segtui: segtui db grant is for the database's owner (postgres) or a "
                    f"superuser: you are signed in as {admin}")
    assert fingerprint(team.owner) == before
    assert groups_of(team, other) == []


def test_an_owner_who_may_not_create_roles_is_told(team: Team) -> None:
    owner = team.login_name("owner")
    allowed_sql(team.owner, f'CREATE ROLE "{owner}" LOGIN IN ROLE pg_read_all_data')
    allowed_sql(team.owner, f'ALTER TABLE segments OWNER TO "{owner}"')  # the schema's
    try:
        line = one_line_error(run(team.url(owner), "db", "grant", team.login_name("x"),
                                  "--role", "viewer"))
    finally:
        allowed_sql(team.owner, "ALTER TABLE segments OWNER TO postgres")
    assert line == (f"segtui: {owner} may not create or grant roles: run segtui db grant "
                    f"as a superuser, or ask one to run: ALTER ROLE {owner} CREATEROLE")


def test_grant_and_revoke_on_sqlite_say_to_use_users(demo_db_path: Path) -> None:
    for args in (["grant", "priya", "--role", "viewer"], ["revoke", "priya"]):
        line = one_line_error(run(str(demo_db_path), "db", *args))
        assert line == (f"segtui: segtui db {args[0]} is for PostgreSQL, where each person "
                        "signs in with a login of their own; a SQLite file has no logins: "
                        "give a user a role with segtui users set-role NAME ROLE")


def test_revoke_takes_the_role_away_and_deactivates(team: Team) -> None:
    login = team.grant("priya", "manager", "--name", "Priya Patel")
    done = run(team.owner, "db", "revoke", login)
    assert done.exit_code == 0, done.output
    assert groups_of(team, login) == []
    assert user_row(team, login)[3] is False
    line = one_line_error(run(team.url(login), "segments", "create", "Mine"))
    assert line.startswith(f"segtui: you are signed in to PostgreSQL as {login}, who has "
                           "no segtui role on this database")
    refused_sql(team.url(login), "SELECT count(*) FROM contacts")
    again = run(team.owner, "db", "grant", login, "--role", "viewer")  # back, as a Viewer
    assert again.exit_code == 0, again.output
    assert user_row(team, login) == ("Priya Patel", "Viewer", None, True)


# -- a Viewer's login ------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(WRITE_RUNS))
def test_a_viewer_login_is_refused_by_every_write_command(
        viewer_team: tuple[Team, str], tmp_path: Path, command: str) -> None:
    team, login = viewer_team
    write_files(tmp_path)
    args, stdin = WRITE_RUNS[command]
    before = fingerprint(team.owner)
    result = run(team.url(login), *command.split(), *(a.format(dir=tmp_path) for a in args),
                 stdin=stdin)
    line = one_line_error(result)
    assert line.startswith("segtui: Priya Patel (Viewer) is not allowed to "), line
    assert fingerprint(team.owner) == before


@pytest.mark.parametrize("statement", [
    "INSERT INTO segments (name, name_key) VALUES ('Mine', 'mine')",
    "UPDATE contacts SET quality_score = 1",
    "DELETE FROM memberships",
    "INSERT INTO users (name, name_key, role) VALUES ('Eve', 'eve', 'CRM Administrator')",
    "UPDATE users SET role = 'CRM Administrator'",
    "UPDATE settings SET value = '1'",
    "DELETE FROM audit_log",
    "SELECT count(*) FROM audit_log",  # who looked at what: an administrator's to read
    "CREATE TABLE mine (id int)",
])
def test_a_viewer_login_can_not_write_in_sql(viewer_team: tuple[Team, str],
                                             statement: str) -> None:
    team, login = viewer_team
    refused_sql(team.url(login), statement)


def test_a_viewer_login_reads_and_its_looks_are_recorded(viewer_team: tuple[Team, str]
                                                         ) -> None:
    team, login = viewer_team
    listed = run(team.url(login), "segments", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert "Enterprise Prospects" in {s["name"] for s in json.loads(listed.stdout)}
    allowed_sql(team.url(login), "UPDATE users SET last_seen_at = now() "
                                 "WHERE login = current_user")
    store = team.store(login)
    try:
        from segtui.core.audit import Action

        me = store.users.current_user()
        assert (me.name, me.role) == ("Priya Patel", UserRole.VIEWER)
        store.audit.record(Action.DASHBOARD_ACCESSED, me)
        assert store.rules.refresh_stale() == []  # left to those who may (C19.2.6)
    finally:
        store.close()


# -- identity ------------------------------------------------------------------------------


def test_a_login_acts_as_its_own_user_only(viewer_team: tuple[Team, str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    team, login = viewer_team
    url = team.url(login)
    line = one_line_error(run(url, "--user", "Sarah Mitchell", "segments", "create", "X"))
    assert line == (f"segtui: you are signed in to PostgreSQL as {login}, who is Priya "
                    "Patel: --user can't name someone else")
    for herself in ("priya  PATEL", login):  # her own name, or her login, is her
        line = one_line_error(run(url, "--user", herself, "segments", "create", "X"))
        assert line == "segtui: Priya Patel (Viewer) is not allowed to change segments."
    monkeypatch.setenv("SEGTUI_USER", "James Carter")
    line = one_line_error(run(url, "segments", "create", "X"))
    assert line == (f"segtui: you are signed in to PostgreSQL as {login}, who is Priya "
                    "Patel: SEGTUI_USER can't name someone else")


def test_a_login_without_a_user_is_told_what_to_ask(team: Team) -> None:
    login = team.grant("ghost", "viewer")
    allowed_sql(team.owner, f"UPDATE users SET login = NULL WHERE login = '{login}'")
    line = one_line_error(run(team.url(login), "segments", "create", "X"))
    assert line == (f"segtui: you are signed in to PostgreSQL as {login}, who is not a "
                    f"segtui user: ask an administrator to run: segtui db grant {login} "
                    "--role viewer")
    stranger = team.login_name("stranger")  # a login of the server, never granted here
    allowed_sql(team.owner, f'CREATE ROLE "{stranger}" LOGIN')
    line = one_line_error(run(team.url(stranger), "segments", "list"))
    assert line == (f"segtui: you are signed in to PostgreSQL as {stranger}, who has no "
                    "segtui role on this database: ask an administrator to run: segtui db "
                    f"grant {stranger} --role viewer")


DEACTIVATED = ("Priya Patel was deactivated by an administrator: an administrator can "
               "reactivate them (segtui users reactivate)")


def test_a_deactivated_login_is_refused(team: Team) -> None:
    login = team.grant("priya", "manager", "--name", "Priya Patel")
    allowed_sql(team.owner, f"UPDATE users SET active = false WHERE login = '{login}'")
    line = one_line_error(run(team.url(login), "segments", "create", "Mine"))
    assert line == f"segtui: {DEACTIVATED}"


def test_a_deactivated_user_is_refused_on_both_engines(demo_store: Store) -> None:
    from segtui.core.permissions import UserDeactivated

    with demo_store.writing() as conn:
        conn.execute(update(User).where(User.name == "Priya Patel").values(active=False))
    with pytest.raises(UserDeactivated, match=f"^{re.escape(DEACTIVATED)}$"):
        demo_store.users.current_user("priya patel")
    assert demo_store.users.current_user("Sarah Mitchell").name == "Sarah Mitchell"


def test_a_deactivated_user_is_refused_by_the_command_line(demo_db_path: Path) -> None:
    store = Store.open(URL.create("sqlite", database=str(demo_db_path)))
    try:
        with store.writing() as conn:
            conn.execute(update(User).where(User.name == "Priya Patel")
                         .values(active=False))
    finally:
        store.close()
    result = runner.invoke(cli.app, ["--db", str(demo_db_path), "--user", "Priya Patel",
                                     "segments", "create", "X"])
    assert one_line_error(result) == f"segtui: {DEACTIVATED}"
