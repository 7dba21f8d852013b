"""C19.2: what a Marketing Manager's and a CRM Administrator's logins may do on
PostgreSQL, held by segtui and by the database alike; the grants follow the schema after
a migration; a Viewer's login opens the app. Logins: tests/test_pg_logins.py's Team."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, text

from segtui.core import clock
from segtui.core.enums import UserRole
from segtui.data.db import migrate
from segtui.data.db.engine import make_engine
from segtui.data.rules import pending
from segtui.screens.dashboard import DashboardScreen
from tests.test_cli_access import one_line_error
from tests.test_pg_logins import Team, _team, allowed_sql, groups_of, refused_sql, run
from tests.ui.conftest import make_app, settle

EVENTS_CSV = ("Email,Type,Occurred At,Campaign\n"
              "sarah.johnson@techcorp.com,opened,2024-02-20 10:00,Manager Campaign\n")


@pytest.fixture(autouse=True)
def no_user_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGTUI_USER", raising=False)


@pytest.fixture
def team(pg_admin: Engine, pg_demo_template: str) -> Iterator[Team]:
    yield from _team(pg_admin, pg_demo_template)


def test_a_manager_login_changes_segments_and_contacts_but_not_users(
        team: Team, tmp_path: Path) -> None:
    login = team.grant("sarah", "manager", "--name", "Sarah Mitchell")
    url = team.url(login)
    made = run(url, "segments", "create", "Managers Own", "--rule", "score > 50", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["owner"] == "Sarah Mitchell"
    (tmp_path / "events.csv").write_text(EVENTS_CSV, encoding="utf-8")
    imported = run(url, "import", "events", str(tmp_path / "events.csv"))  # triggers fire
    assert imported.exit_code == 0, imported.output
    assert "1 added" in imported.stdout
    # In SQL too: an event's triggers keep the derived tables (data/derived/) as it.
    allowed_sql(url, "INSERT INTO events (contact_id, type, occurred_at) "
                     "VALUES (1, 'clicked', '2024-02-21 10:00')")
    allowed_sql(url, "UPDATE contacts SET quality_score = 99 WHERE id = 2")
    refreshed = run(url, "segments", "refresh", "--all")
    assert refreshed.exit_code == 0, refreshed.output
    for statement in ("UPDATE users SET role = 'CRM Administrator'",
                      "INSERT INTO settings (key, value) VALUES ('x', 'y')",
                      "UPDATE settings SET value = '1'", "DELETE FROM audit_log",
                      "SELECT count(*) FROM audit_log",  # reading it is an administrator's
                      "UPDATE alembic_version SET version_num = 'x'"):
        refused_sql(url, statement)
    line = one_line_error(run(url, "users", "set-role", "Alex Kim", "administrator"))
    assert line == "segtui: Sarah Mitchell (Marketing Manager) is not allowed to manage users."


def test_an_administrator_login_sets_roles(team: Team) -> None:
    admin = team.grant("james", "administrator", "--name", "James Carter")
    changed = run(team.url(admin), "users", "set-role", "Alex Kim", "manager")
    assert changed.exit_code == 0, changed.output
    assert changed.stdout == "Changed 'Alex Kim': Marketing Manager.\n"
    allowed_sql(team.url(admin), "UPDATE settings SET value = value")
    allowed_sql(team.url(admin), "SELECT count(*) FROM audit_log")  # C19.4.3: theirs
    # A user who signs in with a login: the administrator's set-role moves the login to
    # the new role's group too (the follow function, C19.3.4), so the database agrees.
    viewer = team.grant("priya", "viewer", "--name", "Priya Patel")
    moved = run(team.url(admin), "users", "set-role", "Priya Patel", "manager")
    assert moved.exit_code == 0, moved.output
    assert groups_of(team, viewer) == [f"segtui_{team.database}_manager"]
    made = run(team.url(viewer), "segments", "create", "Priyas Own")
    assert made.exit_code == 0, made.output
    # The owner's set-role does the same.
    back = run(team.owner, "--user", "James Carter", "users", "set-role", "Priya Patel",
               "viewer")
    assert back.exit_code == 0, back.output
    assert groups_of(team, viewer) == [f"segtui_{team.database}_viewer"]
    refused_sql(team.url(viewer), "DELETE FROM segments")


def test_a_deactivated_login_loses_its_grants_and_gets_them_back(team: Team) -> None:
    """C19.3.4 on PostgreSQL: an administrator's login deactivates a Manager's; the login
    is then in no group of the database, so psql can't write (or read) either; reactivated,
    it is a Manager again."""
    admin = team.grant("james", "administrator", "--name", "James Carter")
    manager = team.grant("sarah", "manager", "--name", "Sarah Mitchell")
    done = run(team.url(admin), "users", "deactivate", "Sarah Mitchell",
               "--transfer-to", "James Carter")
    assert done.exit_code == 0, done.output
    assert groups_of(team, manager) == []
    refused_sql(team.url(manager), "INSERT INTO segments (name, name_key, status, "
                                   "created_at, updated_at) VALUES ('Mine', 'mine', "
                                   "'Active', now(), now())")
    refused_sql(team.url(manager), "SELECT count(*) FROM contacts")
    assert run(team.url(manager), "segments", "list").exit_code == 1
    again = run(team.url(admin), "users", "reactivate", "Sarah Mitchell")
    assert again.exit_code == 0, again.output
    assert groups_of(team, manager) == [f"segtui_{team.database}_manager"]
    made = run(team.url(manager), "segments", "create", "Sarahs Again")
    assert made.exit_code == 0, made.output
    # Nobody but an administrator may call the function that moves logins.
    refused_sql(team.url(manager), "SELECT segtui_follow_user(1)")


def test_tables_a_migration_adds_get_the_grants(team: Team) -> None:
    manager = team.grant("sarah", "manager", "--name", "Sarah Mitchell")
    engine = make_engine(team.made)
    try:  # 0016 made segment_hidden_from: down and up again, it is a new table
        command.downgrade(migrate.alembic_config(engine), "0015")
        assert migrate.upgrade(engine)
    finally:
        engine.dispose()
    allowed_sql(team.url(manager), "INSERT INTO segment_hidden_from (segment_id, user_id) "
                                   "SELECT 1, id FROM users WHERE name = 'Alex Kim'")
    refused_sql(team.url(manager), "UPDATE users SET team = 'x'")


async def test_a_viewer_login_opens_the_dashboard(team: Team) -> None:
    viewer = team.grant("alex", "viewer", "--name", "Alex Kim")
    made = run(team.owner, "--user", "Sarah Mitchell", "segments", "create", "High Scorers",
               "--rule", "score > 90")
    assert made.exit_code == 0, made.output
    allowed_sql(team.owner, "UPDATE segments SET evaluated_at = '2024-01-01' "
                            "WHERE rule IS NOT NULL")  # stale: the app would re-evaluate
    store = team.store(viewer)
    try:
        app = make_app(store)
        assert (app.user.name, app.user.role) == ("Alex Kim", UserRole.VIEWER)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            app.keep_fresh()  # what the timer does every 60 s
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            errors = [n.message for n in app._notifications if n.severity == "error"]
            assert errors == []
            assert app.crash is None
    finally:
        store.close()


def test_a_viewer_login_reads_what_others_must_bring_up_to_date(team: Team) -> None:
    viewer = team.grant("alex", "viewer", "--name", "Alex Kim")
    made = run(team.owner, "--user", "Sarah Mitchell", "segments", "create", "High Scorers",
               "--rule", "score > 90")
    assert made.exit_code == 0, made.output
    store = team.store()
    try:
        with store.writing() as conn:  # a change whose process ended before refreshing
            pending.owe_contacts(conn, [2], clock.now())
    finally:
        store.close()
    listed = run(team.url(viewer), "segments", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert listed.stderr == (
        "segtui: dynamic segments may be out of date (1 changed contact to re-evaluate): "
        "your login may not change segments; `segtui worker`, or anyone who may, brings "
        "them up to date\n")


def rows_seen(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            return [tuple(row) for row in conn.execute(text(statement))]
    finally:
        engine.dispose()


def test_a_viewers_psql_sees_only_the_segments_segtui_shows(team: Team) -> None:
    """C19.3.2 held by the database (row-level security, migration 0017): a segment its
    owner made private is neither read nor changed by a Viewer's login in SQL; the
    owner's, a Manager's (whose segtui keeps every dynamic segment correct) and an
    administrator's logins read it, as does the schema's owner. segtui itself shows it to
    none of the others."""
    owner = team.grant("sarah", "manager", "--name", "Sarah Mitchell")
    viewer = team.grant("priya", "viewer", "--name", "Priya Patel")
    manager = team.grant("maria", "manager", "--name", "Maria Lopez")
    admin = team.grant("james", "administrator", "--name", "James Carter")
    made = run(team.url(owner), "segments", "create", "Sarahs Secret")
    assert made.exit_code == 0, made.output
    hidden = run(team.url(owner), "segments", "set-visibility", "Sarahs Secret", "private")
    assert hidden.exit_code == 0, hidden.output
    query = "SELECT name FROM segments WHERE name = 'Sarahs Secret'"
    assert rows_seen(team.url(viewer), query) == []
    [(seen,)] = rows_seen(team.url(viewer), "SELECT count(*) FROM segments")
    [(every,)] = rows_seen(team.owner, "SELECT count(*) FROM segments")
    assert seen == int(str(every)) - 1
    for login in (owner, manager, admin):
        assert rows_seen(team.url(login), query) == [("Sarahs Secret",)]
    assert rows_seen(team.owner, query) == [("Sarahs Secret",)]
    for login in (viewer, manager):
        assert run(team.url(login), "segments", "show", "Sarahs Secret").exit_code == 1
    # Shared again, it is the Viewer's to see.
    run(team.url(owner), "segments", "set-visibility", "Sarahs Secret", "everyone")
    assert rows_seen(team.url(viewer), query) == [("Sarahs Secret",)]
