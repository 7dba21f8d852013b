"""A rule tree (core/rules/tree.py) compiled to one SQL condition on `contacts`.

Every condition compiles to a two-valued boolean (never NULL), so `not`, "does not equal"
and "does not contain" mean exactly the complement: a contact with no company is "not at
Acme", a contact who never did anything is "not active within 30 days". The same
expression runs on SQLite and PostgreSQL; nothing is filtered in Python. The meaning of
each field and operator is written down in docs/rules.md, and
tests/data/test_rule_sql.py checks it against a plain Python evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
)

from segtui.core.rules.fields import FieldType, RuleField, field_named
from segtui.core.rules.tree import Condition, EventCount, Group, Joiner, Node, Op, SegmentRef
from segtui.data.db.sql import (
    LIKE_ESCAPE,
    Text,
    casefold,
    member_ids,
    mostly_true,
    per_engine,
)
from segtui.data.db.tables import Company, Contact, EngagementEvent, Tag, contact_tags


class RuleNotCompilable(ValueError):
    """A tree that did not pass core.rule_check.check() (unknown field, unresolved
    segment): compiling it would be guessing."""


# How company conditions reach the companies table. Over all contacts (a count, a refresh)
# the matching companies are listed once (`company_id IN (...)`); for a few contacts (the
# incremental refresh) listing them would scan the companies table once per rule, so each
# contact looks its company up instead.
_few_contacts: ContextVar[bool] = ContextVar("few_contacts", default=False)
# Whether the condition being compiled is and-ed with others (it has an `and` group of two
# or more conditions above it): only then can another condition be the better start, and
# only then is a broad company condition marked "mostly true" (`_on_company`).
_beside_others: ContextVar[bool] = ContextVar("beside_others", default=False)
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


def compile_rule(root: Node, today: date, *, few_contacts: bool = False
                 ) -> ColumnElement[bool]:
    """The SQL condition selecting the contacts `root` matches on `today`. `few_contacts`:
    the query will test a handful of contacts, not scan them all (same meaning, another
    plan)."""
    token = _few_contacts.set(few_contacts)
    try:
        return _node(root, today)
    finally:
        _few_contacts.reset(token)


def _node(node: Node, today: date) -> ColumnElement[bool]:
    if isinstance(node, Group):
        beside = _beside_others.get() or (node.joiner is Joiner.AND
                                          and len(node.children) > 1)
        token = _beside_others.set(beside)
        try:
            parts = [_node(c, today) for c in node.children]
        finally:
            _beside_others.reset(token)
        if node.joiner is Joiner.AND:
            combined = and_(true(), *parts) if parts else true()
        else:
            combined = or_(false(), *parts) if parts else false()
    else:
        combined = _condition(node, today)
    return not_(combined) if node.negated else combined


def _condition(cond: Condition, today: date) -> ColumnElement[bool]:
    field = field_named(cond.field)
    if field is None:
        raise RuleNotCompilable(f"unknown field {cond.field!r}")
    compiler = _COMPILERS[field.type]
    return compiler(field, cond, today)


# -- day arithmetic: the same whole-day windows as the metrics (core/metrics.last_days) -----


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _window_start(today: date, days: int) -> datetime:
    """"Within the last N days": today and the N-1 days before it."""
    return _start_of(today + timedelta(days=1)) - timedelta(days=days)


# -- text --------------------------------------------------------------------------------


def _like(text: str, *, prefix: bool) -> str:
    escaped = (text.casefold().replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
               .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))
    return f"{escaped}%" if prefix else f"%{escaped}%"


def _text_test(column: Text, op: Op, value: Any) -> ColumnElement[bool]:
    """A null-safe test of a text column: NULL and blank count as empty, comparisons
    ignore case (Unicode case folding on both engines, see data/sql.casefold)."""
    if op is Op.EMPTY:
        return func.trim(func.coalesce(column, "")) == ""
    if op is Op.NOT_EMPTY:
        return func.trim(func.coalesce(column, "")) != ""
    return _folded_test(casefold(func.coalesce(column, "")), op, value)


def _folded_test(folded: Text, op: Op, value: Any) -> ColumnElement[bool]:
    """A comparison of case-folded text with the rule's value, folded here."""
    if op in (Op.EQ, Op.NE):
        equal = folded == str(value).casefold()
        return equal if op is Op.EQ else not_(equal)
    if op is Op.ONE_OF:
        return folded.in_([str(v).casefold() for v in value])
    if op in (Op.CONTAINS, Op.NOT_CONTAINS):
        found = folded.like(_like(str(value), prefix=False), escape=LIKE_ESCAPE)
        return found if op is Op.CONTAINS else not_(found)
    if op is Op.STARTS_WITH:
        return folded.like(_like(str(value), prefix=True), escape=LIKE_ESCAPE)
    raise RuleNotCompilable(f"{op.value!r} does not apply to text")


def _email_test(op: Op, value: Any) -> ColumnElement[bool] | None:
    """An email test read from `email_key` (the email trimmed and case-folded, kept by
    every writer under a unique index: core/contact_keys.py), instead of folding the case
    of every contact's email (a Python call per row on SQLite: `email contains "smith"`
    400 ms against 85 ms for a plain LIKE, P8).

    The key is the email without its outer spaces, so it answers only tests that outer
    spaces can't change: values (folded) that are not empty and neither start nor end
    with a space; None otherwise (the caller tests the email itself). A contact whose key
    is NULL (no email, a blank one, or one written by another program without its key) is
    tested on its email as before. "Contains" on the key is exactly "contains" on the
    folded email; for the other tests the key only narrows, and the email decides.
    PostgreSQL confirms "contains" on lower(email) too, so its results stay those of its
    lower() (which leaves "ß" alone where Python folds it to "ss")."""
    positive = _NEGATED.get(op, op)
    values = value if isinstance(value, tuple) else (value,)
    if positive not in _LISTABLE or any(
            not (f := str(v).casefold()) or f != f.strip() for v in values):
        return None

    def on_key(contact: Any, *, confirm: bool = True) -> ColumnElement[bool]:
        keyed = _folded_test(contact.email_key, positive, value)
        if positive is Op.CONTAINS and not confirm:
            return keyed
        return and_(keyed, _text_test(contact.email, positive, value))

    # SQLite: the keyed contacts from the key's index alone, and the few keyless ones from
    # theirs (ix_contacts_keyless_email): testing the key row by row would read the whole
    # table, as no index holds both the key and the email.
    other = Contact.__table__.alias().c
    listed = Contact.id.in_(
        select(other.id).where(other.email_key.is_not(None), on_key(other, confirm=False))
        .union_all(select(other.id).where(other.email_key.is_(None),
                                          other.email.is_not(None),
                                          _text_test(other.email, positive, value))))
    # PostgreSQL: one pass over the contacts, each tested on its key, or on its email.
    on_each = case((Contact.email_key.is_(None), _text_test(Contact.email, positive, value)),
                   else_=on_key(Contact))
    found = per_engine(sqlite=listed, postgresql=on_each)
    return not_(found) if op in _NEGATED else found


_CONTACT_TEXT: dict[str, Callable[[], Text]] = {
    "city": lambda: Contact.city,
    "state": lambda: Contact.state,
    "country": lambda: Contact.country,
    "region": lambda: Contact.region,
    "name": lambda: Contact.name,
    "email": lambda: Contact.email,
    "title": lambda: Contact.title,
}
_COMPANY_TEXT: dict[str, Callable[[], Text]] = {
    "company": lambda: Company.name,
    "industry": lambda: Company.industry,
}


def _on_company(test: ColumnElement[bool], *, broad: bool = False) -> ColumnElement[bool]:
    """`test` on the contact's company; a contact without one is tested as if every
    company field were empty. `broad`: a field with a handful of values (size, industry),
    so the matching companies hold a large share of all contacts and their index is a
    poor way into the contacts table when another condition has a better one. Alone (no
    condition and-ed with it) it is the only way in: the hint would make SQLite scan every
    contact and search the list for each (`size = Enterprise`: 184 ms, against 21 ms from
    the company index), so it is given only beside others."""
    if _few_contacts.get():
        return exists(select(1).where(Company.id == Contact.company_id, test))
    listed: ColumnElement[bool] = Contact.company_id.in_(select(Company.id).where(test))
    if broad and _beside_others.get():
        listed = mostly_true(listed)
    return and_(Contact.company_id.is_not(None), listed)


# Contact text columns with an index and few distinct values (a few hundred cities, not a
# million emails): a test on them is asked of their distinct values, which become an IN
# list the index answers, instead of folding the case of every contact's value.
_FEW_VALUES = {"city", "state"}
# The operators that hold for some values only; their complements (not equal, does not
# contain) are the negation, empty and not empty are tests of NULL and blank.
_LISTABLE = (Op.EQ, Op.ONE_OF, Op.CONTAINS, Op.STARTS_WITH)
_NEGATED = {Op.NE: Op.EQ, Op.NOT_CONTAINS: Op.CONTAINS}


def _distinct_values(column: Any) -> Any:
    """The distinct non-NULL values of an indexed column, one index seek each (a "loose
    index scan": the next value is the least one greater than the last), as a CTE with the
    column `v`. Reading the index whole would touch every contact."""
    table = column.table
    first = select(func.min(column).label("v")).cte(recursive=True, nesting=True)
    following = (select(func.min(column)).select_from(table)
                 .where(column > first.c.v).scalar_subquery())
    return first.union_all(select(following).where(first.c.v.is_not(None)))


def _listed_text(column: Any, op: Op, value: Any) -> ColumnElement[bool] | None:
    """`op value` on a few-values column as `column IN (its matching distinct values)`:
    the same test (`_text_test`) on each distinct value, so the meaning cannot drift. None
    where that would differ: a test the empty text passes would also pass NULL."""
    positive = _NEGATED.get(op, op)
    values = value if isinstance(value, tuple) else (value,)
    if positive not in _LISTABLE or any(str(v) == "" for v in values):
        return None
    distinct = _distinct_values(column)
    matching = select(distinct.c.v).where(distinct.c.v.is_not(None),
                                          _text_test(distinct.c.v, positive, value))
    listed = and_(column.is_not(None), column.in_(matching))
    return not_(listed) if op in _NEGATED else listed


def _text(field: RuleField, cond: Condition, _: date) -> ColumnElement[bool]:
    if field.key in _CONTACT_TEXT:
        column = _CONTACT_TEXT[field.key]()
        if field.key in _FEW_VALUES and not _few_contacts.get():
            listed = _listed_text(column, cond.op, cond.value)
            if listed is not None:
                return listed
        if field.key == "email" and not _few_contacts.get():
            keyed = _email_test(cond.op, cond.value)
            if keyed is not None:
                return keyed
        return _text_test(column, cond.op, cond.value)
    column = _COMPANY_TEXT[field.key]()
    broad = field.key == "industry"
    return _company_field(cond.op, cond.value,
                          lambda op, value: _company_text(column, op, value, broad=broad))


# A negative operator on a company field is the complement of its positive one.
_COMPLEMENTS = {Op.NE: Op.EQ, Op.NOT_CONTAINS: Op.CONTAINS, Op.NOT_EMPTY: Op.EMPTY}


def _company_field(op: Op, value: Any,
                   positive: Callable[[Op, Any], ColumnElement[bool]]) -> ColumnElement[bool]:
    """A company field's test: the positive operators are asked of the companies table, the
    negative ones are their complement over all contacts, company or not."""
    if op in _COMPLEMENTS:
        return not_(positive(_COMPLEMENTS[op], value))
    return positive(op, value)


def _company_text(column: Text, op: Op, value: Any, *, broad: bool
                  ) -> ColumnElement[bool]:
    tested = _on_company(_text_test(column, op, value), broad=broad)
    if op is Op.EMPTY:
        return or_(Contact.company_id.is_(None), tested)
    return tested


# -- closed vocabularies ---------------------------------------------------------------------

_CHOICE_COLUMNS: dict[str, Callable[[], Text]] = {
    "status": lambda: Contact.lead_status,
    "stage": lambda: Contact.lifecycle_stage,
    "source": lambda: Contact.source,
}


def _choice(field: RuleField, cond: Condition, _: date) -> ColumnElement[bool]:
    op, value = cond.op, cond.value
    if field.key == "size":
        return _company_field(op, value, _size)
    column = _CHOICE_COLUMNS[field.key]()
    return _choice_test(column, op, value)


def _choice_test(column: Text, op: Op, value: Any) -> ColumnElement[bool]:
    if op is Op.EMPTY:
        return column.is_(None)
    if op is Op.NOT_EMPTY:
        return column.is_not(None)
    if op is Op.EQ:
        return and_(column.is_not(None), column == value)
    if op is Op.NE:
        return or_(column.is_(None), column != value)
    if op is Op.ONE_OF:
        return and_(column.is_not(None), column.in_(list(value)))
    raise RuleNotCompilable(f"{op.value!r} does not apply to a choice")


def _size(op: Op, value: Any) -> ColumnElement[bool]:
    if op is Op.EMPTY:
        return or_(Contact.company_id.is_(None),
                   _on_company(Company.size.is_(None), broad=True))
    return _on_company(_choice_test(Company.size, op, value), broad=True)


# -- lists of contacts -----------------------------------------------------------------------


def _contacts_listed(ids: Select[Any], *, shareable: bool = True) -> ColumnElement[bool]:
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



# -- tags ------------------------------------------------------------------------------------


def _has_tag(test: ColumnElement[bool] | None) -> ColumnElement[bool]:
    if _few_contacts.get():
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
    return _contacts_listed(tagged)


def _tags(_: RuleField, cond: Condition, __: date) -> ColumnElement[bool]:
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
        return _has_tag(Tag.name_key.like(_like(str(value), prefix=False), escape=LIKE_ESCAPE))
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


def _number(field: RuleField, cond: Condition, _: date) -> ColumnElement[bool]:
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


def _date(field: RuleField, cond: Condition, today: date) -> ColumnElement[bool]:
    op, value = cond.op, cond.value
    # The instant a test is about: "before D" is before D's first moment, "after D" from
    # the first moment of the next day, "within N days" from the window's first moment.
    if op is Op.BEFORE:
        assert isinstance(value, date)
        edge, earlier = _start_of(value), True
    elif op is Op.AFTER:
        assert isinstance(value, date)
        if value >= date.max:  # a rule saved before dates were checked (I16.9)
            return false()
        edge, earlier = _start_of(value + timedelta(days=1)), False
    elif op in (Op.WITHIN, Op.OLDER):
        assert isinstance(value, Decimal)
        edge, earlier = _window_start(today, int(value)), op is Op.OLDER
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


def _event(field: RuleField, cond: Condition, today: date) -> ColumnElement[bool]:
    value = cond.value
    assert isinstance(value, EventCount) and field.event is not None
    e = EngagementEvent
    done = [e.type == field.event]  # the events that count, whoever did them
    if value.days is not None:
        done.append(e.occurred_at >= _window_start(today, value.days))
        done.append(e.occurred_at < _start_of(today + timedelta(days=1)))
    where = [e.contact_id == Contact.id, *done]  # ... done by this contact
    few = _few_contacts.get()
    some: ColumnElement[bool]
    if few:
        some = exists(select(1).where(*where))
    else:
        # Over all contacts, "did it at least once" is the list of contacts who did: one
        # range of ix_events_type_time_contact, read from the index alone. The list never
        # holds NULL, so its negation stays two-valued.
        some = _contacts_listed(select(e.contact_id).where(*done, e.contact_id.is_not(None)))
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
    listed = _contacts_listed(grouped)
    return not_(listed) if holds_for_none else listed


# -- other segments --------------------------------------------------------------------------


def _segment(_: RuleField, cond: Condition, __: date) -> ColumnElement[bool]:
    ref = cond.value
    if not isinstance(ref, SegmentRef) or ref.id is None:
        raise RuleNotCompilable("a segment reference was not resolved to a segment")
    return _contacts_listed(member_ids(ref.id), shareable=False)


_COMPILERS: dict[FieldType, Callable[[RuleField, Condition, date], ColumnElement[bool]]] = {
    FieldType.TEXT: _text,
    FieldType.CHOICE: _choice,
    FieldType.TAGS: _tags,
    FieldType.NUMBER: _number,
    FieldType.MONEY: _number,
    FieldType.DATE: _date,
    FieldType.EVENT: _event,
    FieldType.SEGMENT: _segment,
}


