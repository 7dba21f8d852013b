"""The application (C21.1): its routes, the request size limit, the error handlers and the
request log. `create_app(store, request_log)` serves the database `store` is open on."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from segtui import __version__
from segtui.api import problems
from segtui.api.gate import Caller, Gate
from segtui.api.request_log import RequestLog

if TYPE_CHECKING:
    from segtui.data.store import Store

# C21.1.6: the largest body a request may send. 10,000 contacts of every field are about
# 4 MB as JSON; 16 MB leaves room without letting one request fill the server's memory.
MAX_BODY = 16 * 1024 * 1024


class BodyLimit:
    """Refuse a body over `most` bytes with 413 before the route reads it: by its
    Content-Length, or, sent in chunks, as soon as the count passes it."""

    def __init__(self, app: ASGIApp, most: int = MAX_BODY) -> None:
        self.app = app
        self.most = most

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.most):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        too_large = answered = False

        async def counted() -> Message:
            nonlocal seen, too_large
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.most:
                too_large = True
                raise _TooLarge()
            return message

        async def sending(message: Message) -> None:
            # The route's answer to a body cut short: the route's body parser catches
            # every error reading it and answers 400 ("error parsing the body"). The 413
            # below says what happened instead.
            nonlocal answered
            if too_large:
                return
            answered = True
            await send(message)

        with contextlib.suppress(_TooLarge):  # raised where the count passed the limit
            await self.app(scope, counted, sending)
        if too_large and not answered:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problems.problem_response(
            413, f"The request body is over {self.most // (1024 * 1024)} MB: send fewer "
                 "rows per request.")
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


class LoggedRequests:
    """Each request a token made is logged as its user's, with the status it was answered
    (C21.2.3): after the answer, from what the route's check left in the request's state."""

    def __init__(self, app: ASGIApp, request_log: RequestLog) -> None:
        self.app = app
        self.request_log = request_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        logged = False

        def log() -> None:
            nonlocal logged
            caller: Caller | None = scope.get("state", {}).get("caller")
            if caller is not None and not logged:
                logged = True
                line = f"{scope['method']} {scope['path']}"
                if scope.get("query_string"):
                    line += "?" + scope["query_string"].decode("latin-1")
                self.request_log.add(caller.token_id, caller.user, line, str(status))

        async def noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                log()  # before the client has the answer's last byte
            await send(message)

        try:
            await self.app(scope, receive, noted)
        finally:
            log()  # an answer cut short


def create_app(store: Store, request_log: RequestLog) -> FastAPI:
    """The API on `store`'s database, its requests logged to `request_log`, which whoever
    makes the app (the server, a test) starts and stops."""
    from segtui.api.routes import changes, contacts, events, members, rules, segments

    app = FastAPI(
        title="segtui", version=__version__,
        description="Segments, members, rules, contacts, events and membership changes of "
                    "a segtui database. Every request needs an API token "
                    "(`segtui api tokens create`) as 'Authorization: Bearer <token>'. "
                    "Errors are problem details (RFC 9457). docs/api.md has more.",
        openapi_url="/openapi.json", docs_url="/docs", redoc_url=None,
    )
    app.state.gate = Gate(store)
    handlers: dict[Any, Any] = {
        problems.Problem: problems.on_problem,
        StarletteHTTPException: problems.on_http_error,
        RequestValidationError: problems.on_invalid,
        Exception: problems.on_crash,
    }
    for exc, handler in handlers.items():
        app.add_exception_handler(exc, handler)
    for module in (segments, members, rules, contacts, events, changes):
        app.include_router(module.router, prefix="/v1")
    # The last added is the outermost: a refused body's 413 is what the log records.
    app.add_middleware(BodyLimit)
    app.add_middleware(LoggedRequests, request_log=request_log)
    return app
