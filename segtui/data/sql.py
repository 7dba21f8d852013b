"""Small SQL helpers shared by the query modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from segtui.data.models import Membership

LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with the user's % and _ taken literally."""
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def icontains(
    column: ColumnElement[Any] | QueryableAttribute[Any], text: str
) -> ColumnElement[bool]:
    """Case-insensitive "column contains text", the same on SQLite and PostgreSQL."""
    return column.ilike(contains_pattern(text), escape=LIKE_ESCAPE)


def current_membership() -> ColumnElement[bool]:
    """A membership row that is a current stay (not one from history)."""
    return Membership.removed_at.is_(None)


class casefold(FunctionElement[str]):
    """Case-insensitive identity of a text in SQL, the same on both engines: PostgreSQL's
    lower() (Unicode-aware), SQLite's casefold() registered in `data/engine.py` (SQLite's
    own lower() folds ASCII only)."""

    type = String()
    inherit_cache = True


@compiles(casefold)
def _casefold_default(element: casefold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "sqlite")
def _casefold_sqlite(element: casefold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"casefold({compiler.process(element.clauses, **kw)})"
