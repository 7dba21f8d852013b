"""What every route asks for: the caller (C21.2.2), and the segment a path names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from segtui.api.gate import Caller, Gate
from segtui.api.problems import Problem

if TYPE_CHECKING:
    from segtui.data.store import Store

bearer = HTTPBearer(auto_error=False, description="An API token: segtui api tokens create")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _gate(request: Request) -> Gate:
    gate: Gate = request.app.state.gate
    return gate


# Both checks run on the event loop (async, so FastAPI calls them there): a lookup by key
# on the loop's own connection costs less than handing it to a worker thread and back
# (Gate, engine.lookup_engine; C21.1.13).
async def reader(request: Request, credentials: Credentials) -> Caller:
    """Anyone with a live token."""
    return _checked(request, credentials, writes=False)


async def writer(request: Request, credentials: Credentials) -> Caller:
    """A token with the write scope (what its user may change is the Store's to say)."""
    return _checked(request, credentials, writes=True)


def _checked(request: Request, credentials: HTTPAuthorizationCredentials | None, *,
             writes: bool) -> Caller:
    authorization = None if credentials is None else f"Bearer {credentials.credentials}"
    caller = _gate(request).caller(authorization, writes=writes)
    request.state.caller = caller  # the request log names them (app.LoggedRequests)
    return caller


Reader = Annotated[Caller, Depends(reader)]
Writer = Annotated[Caller, Depends(writer)]


def as_id(ref: str) -> int | None:
    """`ref` (a path's segment or contact) as an id when it is one: ASCII digits, few
    enough for the database's integer keys."""
    return int(ref) if ref.isascii() and ref.isdigit() and len(ref) <= 18 else None


def segment_id(caller: Caller, ref: str, store: Store | None = None) -> int:
    """The segment `ref` names, by id (digits) or by name (case and extra spaces
    ignored), if the caller sees it; 404 otherwise (a hidden segment is as one that does
    not exist, C19.3.2). Read on `store` (the caller's lookups, on the event loop), else
    the caller's Store."""
    store = caller.store if store is None else store
    found = as_id(ref)
    if found is not None and not store.segments.seen([found]):  # nothing counted
        found = None
    if found is None:
        from segtui.core.validation import normalise_name

        found = store.segments.segment_id_named(normalise_name(ref))
    if found is None:
        raise Problem(404, f"No segment {ref!r} (by id or name) that you can see.")
    return found
