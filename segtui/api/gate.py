"""Who is asking (C21.2.2): the bearer token of each request, checked against the
database on every request (a revoked token is refused from its next request on), the
user it acts as, and that user's Stores, which read only the segments they see (C19.3.2)
and write with their permissions, as the app does.

Each user has two Stores: `store`, on the server's engine, for the routes that run in
worker threads, and `lookups`, on an engine of one connection for the event loop's own
reads by key (the token check, a segment by id: `Store.lookups`, C21.1.13)."""

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
    # The same user's Store for reads on the event loop itself (`Gate`, above).
    lookups: Store


class Gate:
    def __init__(self, store: Store) -> None:
        self.store = store  # the server's own
        self.lookups = store.lookups()  # tokens are looked up on it
        self._lock = threading.Lock()
        self._stores: dict[tuple[int, str, str], tuple[Store, Store]] = {}

    def close(self) -> None:
        """Let go of the lookups' connection (whoever made the app closes it)."""
        if self.lookups is not self.store:
            self.lookups.close()

    def caller(self, authorization: str | None, *, writes: bool) -> Caller:
        """The caller a request's Authorization header names; 401 without a live token,
        403 for a read-only token asked to write. Nothing is done for either. Runs on the
        event loop (`lookups`)."""
        scheme, _, secret = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Problem(401, "An API token is required: send it as 'Authorization: "
                               "Bearer <token>' (segtui api tokens create).", headers=CHALLENGE)
        found = self.lookups.tokens.user_of(secret.strip())
        if found is None:
            raise Problem(401, "The API token is unknown or was revoked (or its user was "
                               "deactivated).", headers=CHALLENGE)
        token_id, scope, user = found
        if writes and scope is not TokenScope.WRITE:
            raise Problem(403, "This token may only read: ask an administrator for a token "
                               "with the write scope.")
        store, lookups = self._stores_for(user)
        return Caller(store, user, scope, token_id, lookups)

    def _stores_for(self, user: CurrentUser) -> tuple[Store, Store]:
        """One Store per user on each of the server's engines (their connections are
        shared)."""
        from segtui.data.store import Store

        key = (user.id, user.name, user.role.value)
        with self._lock:
            stores = self._stores.get(key)
            if stores is None:
                stores = (Store(self.store.engine), Store(self.lookups.engine))
                for store in stores:
                    store.act_for(user)
                self._stores[key] = stores
            return stores
