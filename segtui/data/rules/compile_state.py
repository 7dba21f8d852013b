"""What the parts of a rule's compilation (data/rules/compiler.py) share: the error for a
tree that can't be compiled, the context a condition is compiled in (a few contacts or all,
beside other conditions or alone, lists shared across segments), whole-day windows, and a
list of contacts as a condition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, select

from segtui.data.db.sql import per_engine
from segtui.data.db.tables import Contact


class RuleNotCompilable(ValueError):
    """A tree that did not pass core.rule_check.check() (unknown field, unresolved
    segment): compiling it would be guessing."""


# How company conditions reach the companies table. Over all contacts (a count, a refresh)
# the matching companies are listed once (`company_id IN (...)`); for a few contacts (the
# incremental refresh) listing them would scan the companies table once per rule, so each
# contact looks its company up instead.
FEW_CONTACTS: ContextVar[bool] = ContextVar("few_contacts", default=False)
# Whether the condition being compiled is and-ed with others (it has an `and` group of two
# or more conditions above it): only then can another condition be the better start, and
# only then is a broad company condition marked "mostly true" (`_on_company`).
BESIDE_OTHERS: ContextVar[bool] = ContextVar("beside_others", default=False)
# While many segments are refreshed whole in one transaction (data/rules/whole_refresh.py): turns a
# list of contacts (who opened within 30 days, who carry a tag) into the same list read once
# into a temporary table, so rules that share it do not each compute it again.
_shared_lists: ContextVar[Callable[[Select[Any]], Select[Any]] | None] = ContextVar(
    "shared_lists", default=None)


@contextmanager
def sharing_lists(materialise: Callable[[Select[Any]], Select[Any]]) -> Iterator[None]:
    """Rules compiled inside read their lists of contacts through `materialise`, which
    returns a query of the same ids (it must hold them as of the current transaction)."""
    token = _shared_lists.set(materialise)
    try:
        yield
    finally:
        _shared_lists.reset(token)


# -- day arithmetic: the same whole-day windows as the metrics (core/metrics.last_days) -----


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min)


def window_start(today: date, days: int) -> datetime:
    """"Within the last N days": today and the N-1 days before it."""
    return start_of(today + timedelta(days=1)) - timedelta(days=days)


# -- lists of contacts -----------------------------------------------------------------------


def contacts_listed(ids: Select[Any], *, shareable: bool = True) -> ColumnElement[bool]:
    """The contacts whose ids `ids` lists (a subquery that never yields NULL), over all
    contacts. SQLite: `contacts.id IN (ids)`, a list built once that the planner may start
    from, visiting just those contacts (P4: 626 ms -> ~140 ms for the benchmark's
    nested rule). PostgreSQL: EXISTS, which its planner makes a semi-join (an anti-join
    under NOT) and, under OR, probes per contact or hashes; an IN list too large to hash
    in work_mem is searched from the start for every contact instead (`opened >= 1 or
    city = Boston` planned at a cost of 5.7e10, `opened = 0` at 2.4e10, P8).
    `shareable`: the list stays the same while segments are refreshed (`sharing_lists`);
    a segment's members do not, as the segments it uses are refreshed first."""
    materialise = _shared_lists.get()
    if shareable and materialise is not None:
        ids = materialise(ids)
    listed = ids.subquery()
    return per_engine(
        sqlite=Contact.id.in_(ids),
        postgresql=exists(select(1).select_from(listed)
                          .where(listed.c[0] == Contact.id)))
