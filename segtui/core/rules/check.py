"""Validating a rule tree, with messages that name the condition and the rule broken.

`check()` returns the tree in canonical form (choice values in their stored spelling,
segment references carrying ids) and every problem found, so the builder can show them all
at once. A rule with problems is never saved or compiled.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from segtui.core.rules.fields import NO_VALUE, OPERATOR_LABELS, FieldType, RuleField, field_named
from segtui.core.rules.tree import (
    Condition,
    EventCount,
    Group,
    Node,
    Op,
    Path,
    RuleIssue,
    SegmentRef,
    Value,
    depth,
)
from segtui.core.text import quoted

MAX_DEPTH = 8  # groups within groups
MAX_CONDITIONS = 60
MAX_TEXT = 200  # characters in one text value
MAX_CHOICES = 100  # values in one "is one of"
MAX_DAYS = 36_500  # a time window of at most a hundred years
MAX_NUMBER = Decimal("1e12")
MAX_DECIMALS = 10  # digits after the point (format_rule writes every one of them)
# Dates a rule may name (I16.9): a CRM holds nothing earlier, and a year past 2999 is
# a typo. Python's calendar ends at 9999-12-31, so "after 9999-12-31" (from the first
# moment of the next day) could not even be computed.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)


@dataclass(frozen=True)
class SegmentLookup:
    """What validation needs to know about other segments, supplied by the data layer:
    a name's id (None if no such segment), an id's current name, and which segments a
    segment's rule refers to (empty for static segments)."""

    id_of: Callable[[str], int | None]
    name_of: Callable[[int], str | None]
    references: Callable[[int], tuple[int, ...]]


def check(root: Node, segments: SegmentLookup | None = None,
          self_id: int | None = None) -> tuple[Node, list[RuleIssue]]:
    issues: list[RuleIssue] = []
    if depth(root) > MAX_DEPTH:
        issues.append(RuleIssue((), f"groups nest at most {MAX_DEPTH} deep"))
    count = _count_conditions(root)
    if count == 0:
        issues.append(RuleIssue((), "a dynamic segment needs at least one condition"))
    elif count > MAX_CONDITIONS:
        issues.append(RuleIssue((), f"at most {MAX_CONDITIONS} conditions ({count} given)"))
    fixed = _check_node(root, (), issues, segments, self_id)
    return fixed, issues


def _count_conditions(node: Node) -> int:
    if isinstance(node, Condition):
        return 1
    return sum(_count_conditions(c) for c in node.children)


def _check_node(node: Node, path: Path, issues: list[RuleIssue],
                segments: SegmentLookup | None, self_id: int | None) -> Node:
    if isinstance(node, Group):
        if not node.children and path:
            issues.append(RuleIssue(path, "this group is empty: add a condition or remove it"))
        children = tuple(_check_node(c, (*path, i), issues, segments, self_id)
                         for i, c in enumerate(node.children))
        return replace(node, children=children)
    return _check_condition(node, path, issues, segments, self_id)


def _check_condition(cond: Condition, path: Path, issues: list[RuleIssue],
                     segments: SegmentLookup | None, self_id: int | None) -> Condition:
    def problem(message: str) -> Condition:
        issues.append(RuleIssue(path, message))
        return cond

    field = field_named(cond.field)
    if field is None:
        return problem(f"unknown field {quoted(cond.field)}")
    cond = replace(cond, field=field.key)
    if cond.op not in field.operators:
        allowed = ", ".join(OPERATOR_LABELS[o] for o in field.operators)
        return problem(f"{field.label}: {OPERATOR_LABELS[cond.op]!r} does not apply to a "
                       f"{field.type.value} field (use {allowed})")
    if cond.op in NO_VALUE:
        return replace(cond, value=None)
    if cond.value is None:
        return problem(f"{field.label}: a value is needed")
    try:
        value = _checked_value(field, cond.op, cond.value, segments, self_id)
    except ValueError as exc:
        return problem(f"{field.label}: {exc}")
    return replace(cond, value=value)


def _checked_value(field: RuleField, op: Op, value: Value,
                   segments: SegmentLookup | None, self_id: int | None) -> Value:
    kind = field.type
    if kind is FieldType.SEGMENT:
        return _segment_ref(value, segments, self_id)
    if kind is FieldType.EVENT:
        if not isinstance(value, EventCount):
            raise ValueError("needs a count, e.g. 'opened within 30d >= 1'")
        if value.count < 0:
            raise ValueError("the count cannot be negative")
        if value.days is not None and not 1 <= value.days <= MAX_DAYS:
            raise ValueError(f"the window must be 1 to {MAX_DAYS:,} days")
        return value
    if op is Op.ONE_OF:
        if not isinstance(value, tuple) or not value:
            raise ValueError("'is one of' needs at least one value")
        if len(value) > MAX_CHOICES:
            raise ValueError(f"'is one of' takes at most {MAX_CHOICES} values")
        return tuple(dict.fromkeys(coerce_scalar(field, op, v) for v in value))
    if op is Op.BETWEEN:
        if not isinstance(value, tuple) or len(value) != 2:
            raise ValueError("'between' needs two values: low and high")
        low, high = (coerce_scalar(field, op, v) for v in value)
        assert isinstance(low, Decimal) and isinstance(high, Decimal)
        if low > high:
            raise ValueError(f"between {low} and {high}: the low end is above the high end")
        return (low, high)
    if isinstance(value, tuple):
        raise ValueError(f"{OPERATOR_LABELS[op]!r} takes one value, not a list")
    return coerce_scalar(field, op, value)


def coerce_scalar(field: RuleField, op: Op, value: Value) -> str | Decimal | date:
    """One value of a condition in its canonical type, or ValueError saying why not."""
    kind = field.type
    if kind in (FieldType.NUMBER, FieldType.MONEY) or op in (Op.WITHIN, Op.OLDER):
        number = _number(value)
        if op in (Op.WITHIN, Op.OLDER):
            if number != number.to_integral_value() or not 1 <= number <= MAX_DAYS:
                raise ValueError(f"the number of days must be a whole number from 1 to "
                                 f"{MAX_DAYS:,}")
        elif kind is FieldType.MONEY and number.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(f"{number} has more than two decimals (amounts are in dollars "
                             "and cents)")
        return number
    if kind is FieldType.DATE:
        if isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value).strip())
            except ValueError:
                raise ValueError(f"{quoted(value)} is not a date (write YYYY-MM-DD)") from None
        if not MIN_DATE <= day <= MAX_DATE:
            raise ValueError(f"{day.isoformat()} is out of range: use a date from "
                             f"{MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}")
        return day
    if not isinstance(value, str):
        value = str(value)
    text = value.strip()
    if not text:
        raise ValueError("the value is empty (use 'is empty' to test for no value)")
    if len(text) > MAX_TEXT:
        raise ValueError(f"values are at most {MAX_TEXT} characters ({len(text)} given)")
    if any(unicodedata.category(ch) == "Cc" for ch in text):  # C0, DEL and C1 (CSI...)
        raise ValueError("the value contains control characters")
    if kind is FieldType.CHOICE:
        for choice in field.choices:
            if choice.casefold() == text.casefold():
                return choice
        raise ValueError(f"{quoted(text)} is not one of {', '.join(field.choices)}")
    return text


def _number(value: Value) -> Decimal:
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        cleaned = value.strip().replace(",", "").removeprefix("$")
        try:
            number = Decimal(cleaned)
        except ArithmeticError:
            raise ValueError(f"{quoted(value)} is not a number") from None
    else:
        raise ValueError(f"{quoted(value)} is not a number")
    if not number.is_finite() or number.copy_abs() >= MAX_NUMBER:  # abs() could overflow
        raise ValueError(f"{quoted(value)} is not a usable number")
    if number.as_tuple().exponent < -MAX_DECIMALS:  # type: ignore[operator]
        raise ValueError(f"{quoted(value)} has more than {MAX_DECIMALS} decimals")
    return number


def _segment_ref(value: Value, segments: SegmentLookup | None,
                 self_id: int | None) -> SegmentRef:
    if not isinstance(value, SegmentRef):
        raise ValueError("needs a segment name")
    if segments is None:
        return value
    # The id is the identity (the segment may have been renamed); the name finds it when
    # the rule was typed.
    found = value.id if value.id is not None and segments.name_of(value.id) else None
    if found is None:
        found = segments.id_of(value.name)
    if found is None:
        raise ValueError(f"segment {quoted(value.name)} does not exist (deleted or renamed?)")
    name = segments.name_of(found) or value.name
    if self_id is not None and _reaches(found, self_id, segments):
        how = "itself" if found == self_id else f"itself through {quoted(name)}"
        raise ValueError(f"a segment cannot depend on {how} (a cycle)")
    return SegmentRef(name, found)


def _reaches(start: int, target: int, segments: SegmentLookup) -> bool:
    """Whether `target` is `start` or a segment that `start` depends on, transitively."""
    seen: set[int] = set()
    stack = [start]
    while stack:
        current = stack.pop()
        if current == target:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(segments.references(current))
    return False
