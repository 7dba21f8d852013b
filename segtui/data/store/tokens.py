"""`store.tokens`: API tokens (C21.2), made, listed and revoked by administrators, and
the user a request's token acts as."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from segtui.data.store.database import Database

if TYPE_CHECKING:
    from segtui.core.api_tokens import ApiTokenRow, NewToken
    from segtui.core.enums import TokenScope
    from segtui.core.permissions import CurrentUser


class Tokens:
    """API tokens."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def all_tokens(self) -> list[ApiTokenRow]:
        from segtui.data.integration import tokens

        with self._db.reading() as conn:
            return tokens.token_rows(conn)

    def create(self, name: str, user_name: str, scope: TokenScope,
               acting: CurrentUser) -> NewToken:
        """A new token acting as `user_name`: its secret is in the result and nowhere
        else. NotAllowed unless `acting` administers; TokenError for a bad name or user."""
        from segtui.data.integration import tokens

        with self._db.writing() as conn:
            return tokens.create_token(conn, name, user_name, scope, acting)

    def revoke(self, name: str, acting: CurrentUser) -> ApiTokenRow:
        from segtui.data.integration import tokens

        with self._db.writing() as conn:
            return tokens.revoke_token(conn, name, acting)

    def user_of(self, secret: str) -> tuple[int, TokenScope, CurrentUser] | None:
        """(token id, scope, its user) for a live token's secret, else None."""
        from sqlalchemy.exc import DBAPIError

        from segtui.data.integration import tokens

        try:
            with self._db.reading() as conn:
                return tokens.token_user(conn, secret)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        # The database server dropped the connection (a restart). The API server's
        # lookups are not pinged before each use (engine.lookup_engine), and this check is
        # each request's first read: ask again, on a new connection.
        with self._db.reading() as conn:
            return tokens.token_user(conn, secret)

    def record_requests(self, used: dict[int, datetime],
                        requests: list[tuple[CurrentUser, str, str]]) -> None:
        """The API server's request log, in one transaction: when each token was last
        used, and an audit entry per request (user, "GET /segments/4", its status)."""
        from segtui.core.audit import Action
        from segtui.data.integration import tokens
        from segtui.data.writes.audit import record_audits

        with self._db.writing() as conn:
            tokens.mark_used(conn, used)
            record_audits(conn, Action.API_REQUEST, requests)
