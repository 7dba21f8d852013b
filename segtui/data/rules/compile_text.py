"""A rule's text and choice conditions compiled to SQL (data/rules/compiler.py): the
contact's text columns, its company's (name, industry, size), and its closed vocabularies
(status, stage, source).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_, select

from segtui.core.rules.fields import RuleField
from segtui.core.rules.tree import Condition, Op
from segtui.data.db.sql import LIKE_ESCAPE, Text, casefold, mostly_true, per_engine
from segtui.data.db.tables import Company, Contact
from segtui.data.derived import plain_text
from segtui.data.derived.plain_text import not_ascii
from segtui.data.rules.compile_state import BESIDE_OTHERS, FEW_CONTACTS, RuleNotCompilable

# -- text --------------------------------------------------------------------------------


def like_pattern(text: str, *, prefix: bool) -> str:
    escaped = (text.casefold().replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
               .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))
    return f"{escaped}%" if prefix else f"%{escaped}%"


def _text_test(column: Text, op: Op, value: Any, *,
               non_ascii: ColumnElement[bool] | None = None) -> ColumnElement[bool]:
    """A null-safe test of a text column: NULL and blank count as empty, comparisons
    ignore case (Unicode case folding on both engines, see data/sql.casefold).

    `non_ascii`: a condition true at least wherever the column holds text beyond ASCII
    (the contact's stored flag, data/derived/plain_text.py); without it SQLite tells
    ASCII apart itself, per row (data/derived/plain_text.not_ascii)."""
    if op is Op.EMPTY:
        return func.trim(func.coalesce(column, "")) == ""
    if op is Op.NOT_EMPTY:
        return func.trim(func.coalesce(column, "")) != ""
    folded = _folded_test(casefold(func.coalesce(column, "")), op, value)
    if op not in _LISTABLE and op not in _NEGATED:
        return folded
    return per_engine(sqlite=_sqlite_text_test(column, op, value, non_ascii),
                      postgresql=folded)


def _sqlite_text_test(column: Text, op: Op, value: Any,
                      non_ascii: ColumnElement[bool] | None) -> ColumnElement[bool]:
    """SQLite: `op value` asked of SQLite's own ASCII case folding first (LIKE, COLLATE
    NOCASE: C, no call into Python), and of Python's casefold() only for text beyond
    ASCII. Exact for any text:

    - text that is all ASCII folds in Python exactly as SQLite folds it (A-Z to a-z), and
      a non-ASCII character of the value can't match an ASCII one either way;
    - for any text, SQLite's match implies casefold()'s: the value is case-folded, and
      each character of a case-folded string is its own case fold (checked over every
      code point), so a character SQLite matched (the same, or its ASCII other case)
      folds to the value's;
    - so only text beyond ASCII that SQLite did not match needs casefold(): `name
      contains "strasse"` finds "Straße" there.

    `name contains "smith"` went from 3.75x a plain `LIKE` (CASE, lower() or casefold()
    per contact) to about 1.2x with the stored flag (P8, docs/benchmarks.md). A NULL
    column is tested as the empty text, and every branch is two-valued, so NOT is the
    complement."""
    positive = _NEGATED.get(op, op)
    values = value if isinstance(value, tuple) else (value,)
    folded_values = [str(v).casefold() for v in values]
    if positive in (Op.CONTAINS, Op.STARTS_WITH):
        pattern = like_pattern(str(value), prefix=positive is Op.STARTS_WITH)
        # ESCAPE only where the value holds a wildcard or the escape: it costs SQLite
        # a fifth more per row (measured, 1M names).
        plain = not any(ch in folded_values[0] for ch in (LIKE_ESCAPE, "%", "_"))
        by_sqlite: ColumnElement[bool] = (
            column.like(pattern) if plain else column.like(pattern, escape=LIKE_ESCAPE))
    elif positive is Op.EQ:
        by_sqlite = column.collate("NOCASE") == folded_values[0]
    else:
        by_sqlite = column.collate("NOCASE").in_(folded_values)
    beyond = not_ascii(column) if non_ascii is None else non_ascii
    found = or_(by_sqlite, and_(beyond, _folded_test(casefold(column), positive, value)))
    # The empty text passes `= ""` and `contains ""`: NULL (tested as empty) must too. A
    # column that can't be NULL (a name) is spared the test, a tenth of a plain LIKE.
    if getattr(column, "nullable", True) is False:
        pass
    elif _passes_empty(positive, folded_values):
        found = or_(column.is_(None), found)
    else:
        found = and_(column.is_not(None), found)
    return not_(found) if op in _NEGATED else found


def _passes_empty(op: Op, folded_values: list[str]) -> bool:
    """Whether the empty text passes the positive test `op` of these (folded) values."""
    return "" in folded_values if op in (Op.EQ, Op.ONE_OF) else folded_values[0] == ""


def _folded_test(folded: Text, op: Op, value: Any) -> ColumnElement[bool]:
    """A comparison of case-folded text with the rule's value, folded here."""
    if op in (Op.EQ, Op.NE):
        equal = folded == str(value).casefold()
        return equal if op is Op.EQ else not_(equal)
    if op is Op.ONE_OF:
        return folded.in_([str(v).casefold() for v in value])
    if op in (Op.CONTAINS, Op.NOT_CONTAINS):
        found = folded.like(like_pattern(str(value), prefix=False), escape=LIKE_ESCAPE)
        return found if op is Op.CONTAINS else not_(found)
    if op is Op.STARTS_WITH:
        return folded.like(like_pattern(str(value), prefix=True), escape=LIKE_ESCAPE)
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
    tested on its email as before. The key only narrows, and the email decides, so
    PostgreSQL's results stay those of its lower() (which leaves "ß" alone where Python
    folds it to "ss"). SQLite's "contains" and "not contains" don't read the key: no
    index can seek them, and one scan of the email index is the LIKE by hand's own."""
    positive = _NEGATED.get(op, op)
    values = value if isinstance(value, tuple) else (value,)
    if positive not in _LISTABLE or any(
            not (f := str(v).casefold()) or f != f.strip() for v in values):
        return None

    def on_key(contact: Any, *, listed: bool = False) -> ColumnElement[bool]:
        """The key's test, then the email's (the key narrows, the email decides).
        `listed`: SQLite's list, where "starts with" is a range of the key's index, not a
        scan of it; only there, as a range is in the column's collation order, which on
        PostgreSQL need not be code point order."""
        keyed = _folded_test(contact.email_key, positive, value)
        if listed and positive is Op.STARTS_WITH:
            keyed = and_(_prefix_range(contact.email_key, str(value).casefold()), keyed)
        return and_(keyed, _text_test(contact.email, positive, value,
                                      non_ascii=contact.non_ascii_text))

    # PostgreSQL: one pass over the contacts, each tested on its key, or on its email.
    on_each = case((Contact.email_key.is_(None), _text_test(Contact.email, positive, value)),
                   else_=on_key(Contact))
    if positive is Op.CONTAINS:
        # SQLite: "contains" can't seek, so it is one scan of ix_contacts_email (the email
        # and the text flag) testing the email itself as a LIKE written by hand does
        # (_sqlite_text_test). The list of the keys that contain it, searched by every
        # contact, made "not contains" 4.5x that LIKE; "contains" was 1.5x.
        return per_engine(
            sqlite=_sqlite_text_test(Contact.email, op, value, Contact.non_ascii_text),
            postgresql=not_(on_each) if op in _NEGATED else on_each)
    # SQLite: the keyed contacts from the key's index alone, and the few keyless ones from
    # theirs (ix_contacts_keyless_email): testing the key row by row would read the whole
    # table, as no index holds both the key and the email.
    other = Contact.__table__.alias().c
    listed = Contact.id.in_(
        select(other.id).where(other.email_key.is_not(None), on_key(other, listed=True))
        .union_all(select(other.id).where(
            other.email_key.is_(None), other.email.is_not(None),
            _text_test(other.email, positive, value, non_ascii=other.non_ascii_text))))
    found = per_engine(sqlite=listed, postgresql=on_each)
    return not_(found) if op in _NEGATED else found


def _prefix_range(column: Text, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix` (not empty), as a range an index can seek: the texts
    from `prefix` up to, not including, `prefix` with its last character the next one.
    Exact in code point order, SQLite's BINARY order for UTF-8 (a LIKE "starts with" that
    ignores case is no range: `email starts with "lisa.lo"` scanned all 1M keys, 1.4-1.6x
    the LIKE by hand, P8). A prefix ending in the last code point is ranged by the part
    before it; the next character skips the surrogates, which no text holds."""
    head = prefix.rstrip("\U0010ffff")
    if not head:
        return column >= prefix
    following = ord(head[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:
        following = 0xE000
    return and_(column >= prefix, column < head[:-1] + chr(following))


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
    if FEW_CONTACTS.get():
        return exists(select(1).where(Company.id == Contact.company_id, test))
    listed: ColumnElement[bool] = Contact.company_id.in_(select(Company.id).where(test))
    if broad and BESIDE_OTHERS.get():
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


def text_condition(field: RuleField, cond: Condition, _: date) -> ColumnElement[bool]:
    if field.key in _CONTACT_TEXT:
        column = _CONTACT_TEXT[field.key]()
        if field.key in _FEW_VALUES and not FEW_CONTACTS.get():
            listed = _listed_text(column, cond.op, cond.value)
            if listed is not None:
                return listed
        if field.key == "email" and not FEW_CONTACTS.get():
            keyed = _email_test(cond.op, cond.value)
            if keyed is not None:
                return keyed
        flagged = field.key in plain_text.COLUMNS
        return _text_test(column, cond.op, cond.value,
                          non_ascii=Contact.non_ascii_text if flagged else None)
    column = _COMPANY_TEXT[field.key]()
    broad = field.key == "industry"
    # The name's flag sits in ix_companies_name (data/derived/plain_text.py); an industry
    # is one of a handful of values, told apart per row.
    flag = Company.non_ascii_name if field.key == "company" else None
    return _company_field(cond.op, cond.value, lambda op, value: _company_text(
        column, op, value, broad=broad, flag=flag))


# A negative operator on a company field is the complement of its positive one.
_COMPLEMENTS = {Op.NE: Op.EQ, Op.NOT_CONTAINS: Op.CONTAINS, Op.NOT_EMPTY: Op.EMPTY}


def _company_field(op: Op, value: Any,
                   positive: Callable[[Op, Any], ColumnElement[bool]]) -> ColumnElement[bool]:
    """A company field's test: the positive operators are asked of the companies table, the
    negative ones are their complement over all contacts, company or not."""
    if op in _COMPLEMENTS:
        return not_(positive(_COMPLEMENTS[op], value))
    return positive(op, value)


def _company_text(column: Text, op: Op, value: Any, *, broad: bool,
                  flag: ColumnElement[bool] | None) -> ColumnElement[bool]:
    tested = _on_company(_text_test(column, op, value, non_ascii=flag), broad=broad)
    if op is Op.EMPTY:
        return or_(Contact.company_id.is_(None), tested)
    return tested


# -- closed vocabularies ---------------------------------------------------------------------

_CHOICE_COLUMNS: dict[str, Callable[[], Text]] = {
    "status": lambda: Contact.lead_status,
    "stage": lambda: Contact.lifecycle_stage,
    "source": lambda: Contact.source,
}


def choice_condition(field: RuleField, cond: Condition, _: date) -> ColumnElement[bool]:
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
