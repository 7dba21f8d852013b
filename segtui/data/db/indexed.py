"""A table read on SQLite through one named index (`INDEXED BY`), where SQLite's planner,
which has no statistics in segtui's databases, is measured to choose worse: the
conversions of industry trends (data/queries/industry_trends.py) and the probe for a
joiner's stay (data/rules/joiners.py). Other engines plan from their statistics."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Alias
from sqlalchemy.sql.visitors import InternalTraversal


class SqliteIndexed(Alias):
    """An alias of a table that SQLite reads through one named index (`INDEXED BY`), where
    its planner's own choice is measured to be worse; other engines: a plain alias. Made
    by `sqlite_indexed`."""

    inherit_cache = True
    index: str
    # The index is part of the statement's text, so of its cache key.
    _traverse_internals = [*Alias._traverse_internals, ("index", InternalTraversal.dp_string)]


def sqlite_indexed(table: Any, name: str, index: str) -> SqliteIndexed:
    """`table AS name`, read on SQLite through `index`."""
    alias = SqliteIndexed._construct(table, name=name)
    alias.index = index
    return alias


@compiles(SqliteIndexed, "sqlite")
def _sqlite_indexed_by(element: SqliteIndexed, compiler: Any, **kw: Any) -> str:
    sql: str = compiler.visit_alias(element, **kw)
    return f"{sql} INDEXED BY {element.index}" if kw.get("asfrom") else sql


@compiles(SqliteIndexed)
def _sqlite_indexed_elsewhere(element: SqliteIndexed, compiler: Any, **kw: Any) -> str:
    sql: str = compiler.visit_alias(element, **kw)
    return sql
