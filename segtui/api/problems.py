"""Errors as problem details (RFC 9457, `application/problem+json`), with the messages the
command line prints for the same refusal (C21.1.6)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Request too large",
          415: "Unsupported media type", 422: "Unprocessable content",
          500: "Internal server error", 503: "Service unavailable"}


class Problem(Exception):
    """Raised by a route: answered as a problem with `status` and `detail`."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers
        self.extra = extra


def problem_response(status: int, detail: str, headers: dict[str, str] | None = None,
                     **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
            "detail": detail, **extra}
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.detail, exc.headers, **exc.extra)


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "body"


async def on_invalid(request: Request, exc: Exception) -> JSONResponse:
    """A body or parameter of the wrong shape: every problem, each with where it is."""
    assert isinstance(exc, RequestValidationError)
    errors = [{"where": _where(tuple(e.get("loc", ()))), "problem": str(e.get("msg", ""))}
              for e in exc.errors()]
    first = errors[0] if errors else {"where": "body", "problem": "invalid"}
    return problem_response(422, f"{first['where']}: {first['problem']}", errors=errors)


async def on_crash(request: Request, exc: Exception) -> JSONResponse:
    """Anything unexpected: a problem without the internals (the server logs them)."""
    return problem_response(500, "The server failed to answer; nothing was changed by this "
                                 "request unless its answer said so.")
