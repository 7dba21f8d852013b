"""A rule's conditions on facts compiled to SQL (data/rules/compiler.py): tags, numbers,
dates, engagement events and other segments' members.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, select, true

from segtui.core.rules.fields import RuleField
from segtui.core.rules.tree import Condition, EventCount, Op, SegmentRef
from segtui.data.db.sql import LIKE_ESCAPE, Text, member_ids
from segtui.data.db.tables import Contact, EngagementEvent, Tag, contact_tags
from segtui.data.rules.compile_state import (
    FEW_CONTACTS,
    RuleNotCompilable,
    contacts_listed,
    start_of,
    window_start,
)
from segtui.data.rules.compile_text import like_pattern

# -- tags ------------------------------------------------------------------------------------


def _has_tag(test: ColumnElement[bool] | None) -> ColumnElement[bool]:
    if FEW_CONTACTS.get():
        query = (select(1).select_from(contact_tags)
                 .where(contact_tags.c.contact_id == Contact.id))
        if test is not None:
            query = query.join(Tag, Tag.id == contact_tags.c.tag_id).where(test)
        return exists(query)
    # Over all contacts, the list of contacts tagged so (as for events): a probe of
    # contact_tags for each of a million contacts took 1.7 s for `tag = Enterprise`.
    tagged = select(contact_tags.c.contact_id)
    if test is not None:
        tagged = tagged.join(Tag, Tag.id == contact_tags.c.tag_id).where(test)
    return contacts_listed(tagged)


def tags_condition(_: RuleField, cond: Condition, __: date) -> ColumnElement[bool]:
    op, value = cond.op, cond.value
    if op is Op.EMPTY:
        return not_(_has_tag(None))
    if op is Op.NOT_EMPTY:
        return _has_tag(None)
    if op in (Op.EQ, Op.NE):
        has = _has_tag(Tag.name_key == str(value).strip().casefold())
        return has if op is Op.EQ else not_(has)
    if op is Op.ONE_OF:
        assert isinstance(value, tuple)
        return _has_tag(Tag.name_key.in_([str(v).strip().casefold() for v in value]))
    if op is Op.CONTAINS:
        pattern = like_pattern(str(value), prefix=False)
        return _has_tag(Tag.name_key.like(pattern, escape=LIKE_ESCAPE))
    raise RuleNotCompilable(f"{op.value!r} does not apply to tags")


# -- numbers ---------------------------------------------------------------------------------


def _compare(left: Text, op: Op, value: Any) -> ColumnElement[bool]:
    if op is Op.BETWEEN:
        low, high = value
        return and_(left >= low, left <= high)
    comparisons: dict[Op, Callable[[Any], ColumnElement[bool]]] = {
        Op.EQ: lambda v: left == v, Op.NE: lambda v: left != v,
        Op.GT: lambda v: left > v, Op.LT: lambda v: left < v,
        Op.GE: lambda v: left >= v, Op.LE: lambda v: left <= v,
    }
    if op not in comparisons:
        raise RuleNotCompilable(f"{op.value!r} does not apply to a number")
    return comparisons[op](value)


def _as_sql_number(value: Any) -> Any:
    """Integral Decimals as int (SQLite compares an int column with a Decimal bound as
    text otherwise), the rest as Decimal."""
    if isinstance(value, tuple):
        return tuple(_as_sql_number(v) for v in value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def number_condition(field: RuleField, cond: Condition, _: date) -> ColumnElement[bool]:
    value: Any = cond.value
    left: Text
    if field.key == "score":
        left = Contact.quality_score
    elif field.key == "purchases":
        left = Contact.purchases  # a trigger-kept rollup of converted events (rollups.py)
    elif field.key == "spent":
        # Money is integer cents in the database; the rule speaks dollars.
        left = Contact.spent_cents
        value = (tuple(v * 100 for v in value) if isinstance(value, tuple)
                 else Decimal(value) * 100)
    else:
        raise RuleNotCompilable(f"no number field {field.key!r}")
    return _compare(left, cond.op, _as_sql_number(value))


# -- dates -----------------------------------------------------------------------------------


def date_condition(field: RuleField, cond: Condition, today: date) -> ColumnElement[bool]:
    op, value = cond.op, cond.value
    # The instant a test is about: "before D" is before D's first moment, "after D" from
    # the first moment of the next day, "within N days" from the window's first moment.
    if op is Op.BEFORE:
        assert isinstance(value, date)
        edge, earlier = start_of(value), True
    elif op is Op.AFTER:
        assert isinstance(value, date)
        if value >= date.max:  # a rule saved before dates were checked (I16.9)
            return false()
        edge, earlier = start_of(value + timedelta(days=1)), False
    elif op in (Op.WITHIN, Op.OLDER):
        assert isinstance(value, Decimal)
        edge, earlier = window_start(today, int(value)), op is Op.OLDER
    elif op in (Op.EMPTY, Op.NOT_EMPTY):
        edge, earlier = None, False
    else:
        raise RuleNotCompilable(f"{op.value!r} does not apply to a date")
    if field.key == "created":
        if edge is None:
            return false() if op is Op.EMPTY else true()
        return Contact.created_at < edge if earlier else Contact.created_at >= edge
    # last_activity: the newest action, a trigger-kept rollup (rollups.py); NULL = none.
    latest = Contact.last_activity_at
    if edge is None:
        return latest.is_(None) if op is Op.EMPTY else latest.is_not(None)
    if earlier:
        return and_(latest.is_not(None), latest < edge)
    return and_(latest.is_not(None), latest >= edge)


# -- engagement facts ------------------------------------------------------------------------


# A count condition evaluated for a count, in Python: does it hold for a contact who did
# nothing (0)?
_HOLDS: dict[Op, Callable[[int, int], bool]] = {
    Op.GE: lambda a, b: a >= b, Op.GT: lambda a, b: a > b, Op.EQ: lambda a, b: a == b,
    Op.NE: lambda a, b: a != b, Op.LT: lambda a, b: a < b, Op.LE: lambda a, b: a <= b,
}


def event_condition(field: RuleField, cond: Condition, today: date) -> ColumnElement[bool]:
    value = cond.value
    assert isinstance(value, EventCount) and field.event is not None
    e = EngagementEvent
    done = [e.type == field.event]  # the events that count, whoever did them
    if value.days is not None:
        done.append(e.occurred_at >= window_start(today, value.days))
        done.append(e.occurred_at < start_of(today + timedelta(days=1)))
    where = [e.contact_id == Contact.id, *done]  # ... done by this contact
    few = FEW_CONTACTS.get()
    some: ColumnElement[bool]
    if few:
        some = exists(select(1).where(*where))
    else:
        # Over all contacts, "did it at least once" is the list of contacts who did: one
        # range of ix_events_type_time_contact, read from the index alone. The list never
        # holds NULL, so its negation stays two-valued.
        some = contacts_listed(select(e.contact_id).where(*done, e.contact_id.is_not(None)))
    n, op = value.count, cond.op
    # "At least once" and "never" are the tests above (a list or one index seek), not counts.
    if (op is Op.GE and n == 1) or (op is Op.GT and n == 0) or (op is Op.NE and n == 0):
        return some
    if (op is Op.EQ and n == 0) or (op is Op.LT and n == 1) or (op is Op.LE and n == 0):
        return not_(some)
    if op is Op.GE and n == 0:
        return true()
    if op is Op.LT and n == 0:
        return false()
    if few:  # a handful of contacts: count each one's events (one index range each)
        counted = select(func.count()).where(*where).scalar_subquery()
        return _compare(counted, op, n)
    # Over all contacts, a count is the list of contacts whose count passes, counted once
    # per contact who did it (GROUP BY over an index range), not a correlated count for
    # each of a million contacts (`clicked >= 3`: 1,172 ms -> see docs/benchmarks.md).
    # A contact who did nothing is in no group: when the test holds for a count of 0
    # (`< 3`, `!= 2`), the answer is everyone except those whose count fails it.
    holds_for_none = _HOLDS[op](0, n)
    passes = _compare(func.count(), op, n)
    grouped = (select(e.contact_id).where(*done, e.contact_id.is_not(None))
               .group_by(e.contact_id).having(not_(passes) if holds_for_none else passes))
    listed = contacts_listed(grouped)
    return not_(listed) if holds_for_none else listed


# -- other segments --------------------------------------------------------------------------


def segment_condition(_: RuleField, cond: Condition, __: date) -> ColumnElement[bool]:
    ref = cond.value
    if not isinstance(ref, SegmentRef) or ref.id is None:
        raise RuleNotCompilable("a segment reference was not resolved to a segment")
    return contacts_listed(member_ids(ref.id), shareable=False)
