"""A rule tree (core/rules/tree.py) compiled to one SQL condition on `contacts`.

Every condition compiles to a two-valued boolean (never NULL), so `not`, "does not equal"
and "does not contain" mean exactly the complement: a contact with no company is "not at
Acme", a contact who never did anything is "not active within 30 days". The same
expression runs on SQLite and PostgreSQL; nothing is filtered in Python. The meaning of
each field and operator is written down in docs/rules.md, and
tests/data/test_rule_sql.py checks it against a plain Python evaluation.

Here the tree is walked; each condition is compiled by its field's family: text and choices
in compile_text.py, tags, numbers, dates, events and segments in compile_facts.py, with
what they share (the compiling context, lists of contacts) in compile_state.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import ColumnElement, and_, false, not_, or_, true

from segtui.core.rules.fields import FieldType, RuleField, field_named
from segtui.core.rules.tree import Condition, Group, Joiner, Node
from segtui.data.rules.compile_facts import (
    date_condition,
    event_condition,
    number_condition,
    segment_condition,
    tags_condition,
)
from segtui.data.rules.compile_state import BESIDE_OTHERS, FEW_CONTACTS, RuleNotCompilable
from segtui.data.rules.compile_text import choice_condition, text_condition


def compile_rule(root: Node, today: date, *, few_contacts: bool = False
                 ) -> ColumnElement[bool]:
    """The SQL condition selecting the contacts `root` matches on `today`. `few_contacts`:
    the query will test a handful of contacts, not scan them all (same meaning, another
    plan)."""
    token = FEW_CONTACTS.set(few_contacts)
    try:
        return _node(root, today)
    finally:
        FEW_CONTACTS.reset(token)


def _node(node: Node, today: date) -> ColumnElement[bool]:
    if isinstance(node, Group):
        beside = BESIDE_OTHERS.get() or (node.joiner is Joiner.AND
                                          and len(node.children) > 1)
        token = BESIDE_OTHERS.set(beside)
        try:
            parts = [_node(c, today) for c in node.children]
        finally:
            BESIDE_OTHERS.reset(token)
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


_COMPILERS: dict[FieldType, Callable[[RuleField, Condition, date], ColumnElement[bool]]] = {
    FieldType.TEXT: text_condition,
    FieldType.CHOICE: choice_condition,
    FieldType.TAGS: tags_condition,
    FieldType.NUMBER: number_condition,
    FieldType.MONEY: number_condition,
    FieldType.DATE: date_condition,
    FieldType.EVENT: event_condition,
    FieldType.SEGMENT: segment_condition,
}
