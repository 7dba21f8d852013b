"""Who may do what on a shared PostgreSQL database, held by the database itself (C19.2).

The model: grants for the roles. Each segtui role is a PostgreSQL group role (NOLOGIN); a
person's login is a member of exactly one, and the group's grants decide what any
program signed in as that login may do: segtui, `psql`, a script. Every rule segtui keeps
by role is a rule about whole tables (a Viewer changes no table, a Marketing Manager no
user or setting), so grants say it whole. The one rule about rows, who sees a segment
(C19.3.2), is row-level security on `segments` (migration 0017), for Viewers' logins.

- Viewer: CONNECT on the database, USAGE on the schema, SELECT on every table but
  `audit_log`; INSERT on `audit_log` (every look is recorded, C19.4) and UPDATE of
  `users.last_seen_at`. Reading the audit log is an administrator's (C19.4.3), in psql
  too: who looked at what is not every colleague's to read.
- Marketing Manager: the Viewer's, plus INSERT, UPDATE and DELETE on every other table
  ("the data tables": segments, memberships, contacts, events, the derived tables that
  triggers keep, the change log...), and the sequences. A table a later migration adds
  is a data table unless named in ADMIN_TABLES or OWNER_TABLES: new tables are covered
  without a list to keep.
- CRM Administrator: the Manager's, plus INSERT, UPDATE and DELETE on `users`,
  `settings`, `api_tokens` and `webhook_subscriptions`, and alone reads the tokens and the
  webhooks' signing secrets (C21.2, C21.3): the others read a subscription without it.
- Nobody but the schema's owner (who runs `segtui db upgrade`) changes the schema or
  `alembic_version`, or changes or deletes an `audit_log` row (a trigger refuses even
  a role granted it, C19.4.2).

Triggers run as the user whose statement fires them: a Manager's INSERT on events writes
the rollup tables (data/derived/) with the Manager's grants, which cover them (they are
data tables).

The group roles belong to one database: `segtui_<database>_viewer`, `..._manager` and
`..._administrator` (a long database name is shortened with a hash; `group_names`).
Roles are shared by every database on the server, so groups shared by every segtui
database would let a Viewer of one read every other with psql; one set per database
does not. The logins themselves are the server's: one person may sign in to several
databases with one login.

A user's login follows their row: `segtui users set-role`, `deactivate` and `reactivate`
move it between the groups (out of all of them while deactivated), through a SECURITY
DEFINER function when an administrator's login, who may not create roles, asks
(`follow_user`, C19.2.7, C19.3.4).

The grants are applied by `segtui db grant` (data/writes/logins.py) and again after
every migration, when the database's group roles exist (migrate.py: `regrant`), rather
than by ALTER DEFAULT PRIVILEGES, which would cover new tables but neither revoke nor
follow a table that changes kind. Applying revokes every grant the groups had on the
schema's tables and sequences first, so the grants are always exactly these.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, text

from segtui.core.enums import UserRole

SUFFIXES = {UserRole.VIEWER: "viewer", UserRole.MARKETING_MANAGER: "manager",
            UserRole.CRM_ADMINISTRATOR: "administrator"}
# Tables only an administrator writes; and what nobody but the owner writes (the audit
# log takes INSERTs from everyone, and nothing else: C19.4.2).
ADMIN_TABLES = frozenset({"users", "settings", "api_tokens", "webhook_subscriptions"})
OWNER_TABLES = frozenset({"alembic_version", "audit_log"})
# What anyone may read of a webhook subscription (the outbox's triggers, run as whoever
# changes memberships, read these): everything but its signing secret (C21.3.1).
_SUBSCRIPTION_SEEN = ("id", "segment_id", "url", "events", "active", "created_at",
                      "created_by_id")
# "segtui_" + name + "_administrator" must fit PostgreSQL's 63 characters.
LONGEST_NAME = 36


@dataclass(frozen=True)
class SignedIn:
    """Who the connection is signed in as, on PostgreSQL (`current_user`)."""

    login: str
    # The schema's owner (the owner of `segments`), a member of it, or a superuser; anyone,
    # before there is a schema (whoever makes it will own it).
    owner: bool
    owner_name: str | None  # the owner of `segments`
    may_create_roles: bool  # CREATEROLE, or a superuser


def signed_in(conn: Connection) -> SignedIn | None:
    """The connection's login and whether it owns the schema; None on SQLite (one
    person's file: no logins)."""
    if conn.dialect.name != "postgresql":
        return None
    row = conn.execute(text("""
        SELECT current_user AS login, r.rolsuper OR r.rolcreaterole AS creates,
               r.rolsuper OR coalesce(pg_has_role(current_user, c.relowner, 'MEMBER'),
                                      true) AS owner,
               pg_get_userbyid(c.relowner) AS owner_name
        FROM pg_roles r LEFT JOIN pg_class c ON c.oid = to_regclass('segments')
        WHERE r.rolname = current_user""")).one()
    return SignedIn(str(row.login), bool(row.owner),
                    None if row.owner_name is None else str(row.owner_name),
                    bool(row.creates))


def group_names(database: str) -> dict[UserRole, str]:
    """The group role of each segtui role on `database`."""
    name = database
    if len(name) > LONGEST_NAME:
        digest = hashlib.sha1(database.encode()).hexdigest()[:8]
        name = f"{database[:LONGEST_NAME - 9]}_{digest}"
    return {role: f"segtui_{name}_{suffix}" for role, suffix in SUFFIXES.items()}


def groups(conn: Connection) -> dict[UserRole, str]:
    """The group roles of the connection's database."""
    return group_names(str(conn.execute(text("SELECT current_database()")).scalar_one()))


def role_exists(conn: Connection, name: str) -> bool:
    return bool(conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = :n"),
                             {"n": name}).scalar_one())


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def create_groups(conn: Connection) -> None:
    """The database's group roles, made if missing (NOLOGIN: nobody signs in as one)."""
    for name in groups(conn).values():
        if not role_exists(conn, name):
            conn.execute(text(f"CREATE ROLE {_quote(conn, name)} NOLOGIN"))


def apply_grants(conn: Connection) -> None:
    """Give the groups exactly the grants the module's docstring lists, on every table
    and sequence of the schema now."""
    def q(name: str) -> str:
        return _quote(conn, name)

    names = groups(conn)
    everyone = ", ".join(q(n) for n in names.values())
    writers = ", ".join(q(names[r]) for r in (UserRole.MARKETING_MANAGER,
                                               UserRole.CRM_ADMINISTRATOR))
    admin = q(names[UserRole.CRM_ADMINISTRATOR])
    database = str(conn.execute(text("SELECT current_database()")).scalar_one())
    schema = q(str(conn.execute(text("SELECT current_schema()")).scalar_one()))
    tables = set(conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
    data = sorted(tables - ADMIN_TABLES - OWNER_TABLES)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {everyone}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {everyone}",
    ]
    # The database and the schema may be another role's (a DBA's), who left PUBLIC its
    # default CONNECT, TEMPORARY and USAGE: granted here only by a role that may.
    may_database, may_schema = conn.execute(text(
        "SELECT has_database_privilege(current_database(), 'CONNECT WITH GRANT OPTION'), "
        "has_schema_privilege(current_schema(), 'USAGE WITH GRANT OPTION')")).one()
    if may_database:
        statements.append(f"GRANT CONNECT, TEMPORARY ON DATABASE {q(database)} TO {everyone}")
    if may_schema:
        statements.append(f"GRANT USAGE ON SCHEMA {schema} TO {everyone}")
    statements += [
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {everyone}",
        f"REVOKE SELECT ON audit_log FROM {everyone}",
        f"GRANT SELECT ON audit_log TO {admin}",
        f"GRANT INSERT ON audit_log TO {everyone}",
        f"GRANT UPDATE (last_seen_at) ON users TO {everyone}",
    ]
    if "api_tokens" in tables:  # C21.2: the tokens and webhook secrets are an admin's
        statements += [
            f"REVOKE SELECT ON api_tokens, webhook_subscriptions FROM {everyone}",
            f"GRANT SELECT ON api_tokens, webhook_subscriptions TO {admin}",
            f"GRANT SELECT ({', '.join(_SUBSCRIPTION_SEEN)}) ON webhook_subscriptions "
            f"TO {everyone}",
        ]
    audit_sequence = conn.execute(text(
        "SELECT pg_get_serial_sequence('audit_log', 'id')")).scalar_one_or_none()
    if audit_sequence is not None:  # already quoted as needed
        statements.append(f"GRANT USAGE ON SEQUENCE {audit_sequence} TO {everyone}")
    if data:
        statements.append(f"GRANT INSERT, UPDATE, DELETE ON "
                          f"{', '.join(q(t) for t in data)} TO {writers}")
    statements += [
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {writers}",
        f"GRANT INSERT, UPDATE, DELETE ON "
        f"{', '.join(q(t) for t in sorted(ADMIN_TABLES & tables))} TO {admin}",
    ]
    for statement in statements:
        conn.execute(text(statement))
    _create_follow_function(conn, schema)


# C19.3.4 on PostgreSQL: an administrator who deactivates, reactivates or gives a role to a
# user with a login moves the login between the groups, though their own login may not
# create roles: a SECURITY DEFINER function, made by whoever applies the grants (the owner,
# who may), does it for them. It reads what to do from the user's row (its role and
# whether it is active), never from its caller, and never touches a superuser or the
# schema's owner; only the administrators' group may call it.
FOLLOW_FUNCTION = "segtui_follow_user"


def _create_follow_function(conn: Connection, schema: str) -> None:
    names = groups(conn)
    viewer, manager, admin = (_literal(names[r]) for r in (
        UserRole.VIEWER, UserRole.MARKETING_MANAGER, UserRole.CRM_ADMINISTRATOR))
    function = f"{schema}.{FOLLOW_FUNCTION}(integer)"
    conn.execute(text(f"""
CREATE OR REPLACE FUNCTION {schema}.{FOLLOW_FUNCTION}(target integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $follow$
DECLARE
    who record;
    grp text;
BEGIN
    SELECT u.login, u.role, u.active INTO who FROM {schema}.users u WHERE u.id = target;
    IF NOT FOUND OR who.login IS NULL
       OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = who.login) THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = who.login AND rolsuper)
       OR who.login = (SELECT pg_get_userbyid(relowner) FROM pg_class
                       WHERE oid = '{schema}.segments'::regclass) THEN
        RAISE EXCEPTION 'the login % is the database''s owner or a superuser', who.login
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOREACH grp IN ARRAY ARRAY[{viewer}, {manager}, {admin}] LOOP
        IF EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                   JOIN pg_roles u ON u.oid = m.member
                   WHERE g.rolname = grp AND u.rolname = who.login) THEN
            EXECUTE format('REVOKE %I FROM %I', grp, who.login);
        END IF;
    END LOOP;
    IF who.active THEN
        grp := CASE who.role WHEN 'Viewer' THEN {viewer}
                             WHEN 'Marketing Manager' THEN {manager} ELSE {admin} END;
        EXECUTE format('GRANT %I TO %I', grp, who.login);
    END IF;
END $follow$"""))
    conn.execute(text(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC"))
    administrators = _quote(conn, names[UserRole.CRM_ADMINISTRATOR])
    conn.execute(text(f"GRANT EXECUTE ON FUNCTION {function} TO {administrators}"))


def may_follow(conn: Connection) -> bool:
    """Whether this connection may move a user's login between the groups through the
    follow function (an administrator's login, the owner; False where there is none)."""
    return bool(conn.execute(text(
        "SELECT to_regprocedure(:f) IS NOT NULL AND has_function_privilege(:f, 'EXECUTE')"),
        {"f": f"{FOLLOW_FUNCTION}(integer)"}).scalar_one())


def follow_user(conn: Connection, user_id: int) -> None:
    """The login of user `user_id` (if it has one) in the group of its role if the user is
    active, else in none of this database's groups: segtui and the database agree on who
    may do what (C19.2.7, C19.3.4). Does nothing on SQLite or where `segtui db grant` never
    ran (no login can have a group there)."""
    if conn.dialect.name != "postgresql":
        return
    if not conn.execute(text("SELECT to_regprocedure(:f) IS NOT NULL"),
                        {"f": f"{FOLLOW_FUNCTION}(integer)"}).scalar_one():
        return
    conn.execute(text(f"SELECT {FOLLOW_FUNCTION}(:id)"), {"id": user_id})


def regrant(conn: Connection) -> bool:
    """After a migration: the grants again, over the tables as they are now, if this
    database has its group roles (`segtui db grant` made them). True if applied."""
    if conn.dialect.name != "postgresql":
        return False
    if not any(role_exists(conn, name) for name in groups(conn).values()):
        return False
    create_groups(conn)
    apply_grants(conn)
    return True


def make_member(conn: Connection, login: str, role: UserRole, *,
                password: str | None = None) -> bool:
    """`login` a member of `role`'s group and of no other segtui group of this database;
    made (LOGIN, no password unless one is given) when missing, allowed to sign in
    again when it was not. True when the login was made."""
    made = not role_exists(conn, login)
    secret = "" if password is None else " PASSWORD " + _literal(password)
    if made:
        conn.execute(text(f"CREATE ROLE {_quote(conn, login)} LOGIN{secret}"))
    else:
        conn.execute(text(f"ALTER ROLE {_quote(conn, login)} LOGIN{secret}"))
    move_to(conn, login, role)
    return made


def move_to(conn: Connection, login: str, role: UserRole) -> None:
    """`login` a member of `role`'s group, and of no other segtui group of this database."""
    leave_groups(conn, login)
    conn.execute(text(f"GRANT {_quote(conn, groups(conn)[role])} TO {_quote(conn, login)}"))


def leave_groups(conn: Connection, login: str) -> list[UserRole]:
    """`login` a member of none of this database's segtui groups; the roles it had."""
    had = []
    for role, name in groups(conn).items():
        member = conn.execute(text(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = :g AND u.rolname = :u"),
            {"g": name, "u": login}).scalar_one()
        if member:
            conn.execute(text(f"REVOKE {_quote(conn, name)} FROM {_quote(conn, login)}"))
            had.append(role)
    return had


def disable_login(conn: Connection, login: str) -> None:
    """`login` may no longer sign in to the server (a deactivated user, C19.2.3). The
    login is the server's: this holds for every database on it. Connections already open
    stay open until they end."""
    conn.execute(text(f"ALTER ROLE {_quote(conn, login)} NOLOGIN"))


def enable_login(conn: Connection, login: str) -> None:
    """`login` may sign in again (a user reactivated)."""
    conn.execute(text(f"ALTER ROLE {_quote(conn, login)} LOGIN"))


def may_write_data(conn: Connection) -> bool:
    """Whether the connection's login may write the data tables (a Manager or an
    Administrator, the owner; on SQLite, always): the work segtui does unasked (keeping
    dynamic segments fresh) is skipped for a login that may not."""
    if conn.dialect.name != "postgresql":
        return True
    return bool(conn.execute(text(  # several privileges at once would ask for any one
        "SELECT has_table_privilege('memberships', 'INSERT') "
        "AND has_table_privilege('memberships', 'DELETE')")).scalar_one())


def _literal(value: str) -> str:
    """A string literal for DDL, which takes no parameters (a password). PostgreSQL's
    standard_conforming_strings (on since 9.1) leaves backslashes alone."""
    if "\x00" in value:
        raise ValueError("a password can't hold a NUL character")
    return "'" + value.replace("'", "''") + "'"
