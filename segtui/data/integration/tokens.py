"""API tokens in SQL (C21.2): made and revoked by administrators (audited in the same
transaction), and looked up by their secret's hash for each request."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    bindparam,
    insert,
    select,
    update,
)

from segtui.core import clock
from segtui.core.api_tokens import (
    SHOWN_PREFIX,
    ApiTokenRow,
    NewToken,
    TokenError,
    new_secret,
    secret_hash,
    token_name_error,
)
from segtui.core.audit import Action
from segtui.core.enums import TokenScope
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.segments import NotAllowed
from segtui.core.validation import normalise_name
from segtui.data.db.tables import ApiToken, User, name_key
from segtui.data.writes.audit import record_audit


def _refuse_unless_admin(acting: CurrentUser, doing: str) -> None:
    """Tokens act as any user they name: only an administrator makes or revokes them."""
    if not acting.may(Permission.MANAGE_USERS):
        raise NotAllowed(acting.name, acting.role.value, doing)


def _rows(conn: Connection, *where: ColumnElement[bool]) -> list[ApiTokenRow]:
    owner, maker = User.__table__.alias("owner"), User.__table__.alias("maker")
    query = (select(ApiToken.id, ApiToken.name, owner.c.name, ApiToken.scope,
                    ApiToken.prefix, ApiToken.created_at, maker.c.name,
                    ApiToken.revoked_at, ApiToken.last_used_at)
             .join(owner, owner.c.id == ApiToken.user_id)
             .outerjoin(maker, maker.c.id == ApiToken.created_by_id)
             .where(*where).order_by(ApiToken.name_key))
    return [ApiTokenRow(*row) for row in conn.execute(query)]


def token_rows(conn: Connection) -> list[ApiTokenRow]:
    return _rows(conn)


def create_token(conn: Connection, name: str, user_name: str, scope: TokenScope,
                 acting: CurrentUser) -> NewToken:
    """A new token `name` acting as `user_name` with `scope`; NotAllowed unless `acting`
    is an administrator, TokenError for a bad or taken name or an unknown user."""
    _refuse_unless_admin(acting, "create API tokens")
    problem = token_name_error(name)
    if problem is not None:
        raise TokenError(problem)
    name = normalise_name(name)
    if conn.execute(select(ApiToken.id).where(ApiToken.name_key == name_key(name))).first():
        raise TokenError(f"A token named “{name}” already exists: revoke it or choose "
                         "another name.")
    user = conn.execute(select(User.id, User.name, User.active)
                        .where(User.name_key == name_key(user_name))).one_or_none()
    if user is None:
        raise TokenError(f"No user is called “{user_name}” (segtui users list shows them).")
    if not user.active:
        raise TokenError(f"{user.name} was deactivated: a token can't act as them.")
    secret = new_secret()
    now = clock.now()
    conn.execute(insert(ApiToken).values(
        name=name, name_key=name_key(name), user_id=user.id, scope=scope,
        secret_hash=secret_hash(secret), prefix=secret[:SHOWN_PREFIX], created_at=now,
        created_by_id=acting.id or None))
    record_audit(conn, Action.API_TOKEN_CREATED, acting, subject=f"token {name}",
                 details=f"acts as {user.name}, scope {scope.value}")
    (row,) = _rows(conn, ApiToken.name_key == name_key(name))
    return NewToken(row, secret)


def revoke_token(conn: Connection, name: str, acting: CurrentUser) -> ApiTokenRow:
    """Revoke the token `name` (its requests are refused from the next one on)."""
    _refuse_unless_admin(acting, "revoke API tokens")
    found = _rows(conn, ApiToken.name_key == name_key(normalise_name(name)))
    if not found:
        raise TokenError(f"No token is called “{name}” (segtui api tokens list shows them).")
    if found[0].revoked:
        raise TokenError(f"The token “{found[0].name}” was revoked already.")
    conn.execute(update(ApiToken).where(ApiToken.id == found[0].id)
                 .values(revoked_at=clock.now()))
    record_audit(conn, Action.API_TOKEN_REVOKED, acting, subject=f"token {found[0].name}")
    return _rows(conn, ApiToken.id == found[0].id)[0]


def token_user(conn: Connection, secret: str) -> tuple[int, TokenScope, CurrentUser] | None:
    """(the token's id, its scope, the user it acts as) for a live token's secret; None
    for an unknown or revoked one, or one whose user was deactivated."""
    row = conn.execute(_live_token(), {"token_hash": secret_hash(secret)}).one_or_none()
    if row is None:
        return None
    return int(row[0]), row[1], CurrentUser(int(row[2]), row[3], row[4])


@cache
def _live_token() -> Select[*tuple[Any, ...]]:
    """`token_user`'s statement, built once: every API request runs it (C21.1.13)."""
    return (select(ApiToken.id, ApiToken.scope, User.id, User.name, User.role)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.secret_hash == bindparam("token_hash", type_=String),
                   ApiToken.revoked_at.is_(None), User.active.is_(True)))


def mark_used(conn: Connection, token_ids: dict[int, datetime]) -> None:
    """Record when each token was last used (the API server's request log, batched)."""
    for token_id, at in token_ids.items():
        conn.execute(update(ApiToken).where(ApiToken.id == token_id)
                     .values(last_used_at=at))

