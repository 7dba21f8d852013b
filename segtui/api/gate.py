"""Who is asking (C21.2.2): the bearer token of each request, checked against the
database on every request (a revoked token is refused from its next request on), the
user it acts as, and that user's Store, which reads only the segments they see (C19.3.2)
and writes with their permissions, as the app does."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from segtui.api.problems import Problem
from segtui.core.enums import TokenScope

if TYPE_CHECKING:
    from segtui.core.permissions import CurrentUser
    from segtui.data.store import Store

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="segtui"'}


@dataclass(frozen=True)
class Caller:
    """The token's user, their Store, and what the token may do."""

    store: Store
    user: CurrentUser
    scope: TokenScope
    token_id: int


class Gate:
    def __init__(self, store: Store) -> None:
        self.store = store  # the server's own: tokens are looked up on it
        self._lock = threading.Lock()
        self._stores: dict[tuple[int, str, str], Store] = {}

    def caller(self, authorization: str | None, *, writes: bool) -> Caller:
        """The caller a request's Authorization header names; 401 without a live token,
        403 for a read-only token asked to write. Nothing is done for either."""
        scheme, _, secret = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Problem(401, "An API token is required: send it as 'Authorization: "
                               "Bearer <token>' (segtui api tokens create).", headers=CHALLENGE)
        found = self.store.tokens.user_of(secret.strip())
        if found is None:
            raise Problem(401, "The API token is unknown or was revoked (or its user was "
                               "deactivated).", headers=CHALLENGE)
        token_id, scope, user = found
        if writes and scope is not TokenScope.WRITE:
            raise Problem(403, "This token may only read: ask an administrator for a token "
                               "with the write scope.")
        return Caller(self._store_for(user), user, scope, token_id)

    def _store_for(self, user: CurrentUser) -> Store:
        """One Store per user on the server's engine (its connections are shared)."""
        from segtui.data.store import Store

        key = (user.id, user.name, user.role.value)
        with self._lock:
            store = self._stores.get(key)
            if store is None:
                store = Store(self.store.engine)
                store.act_for(user)
                self._stores[key] = store
            return store
