"""The one-line rule language (D1.2): `parse(text)` reads a rule, `format_rule(tree)`
writes one, and the two agree.

The issue's example, which the language was designed around:

    status = "Hot Lead" and (score > 70 or tag = Enterprise) and not in segment "Churned"

Engagement conditions count events in a window: `opened within 30d >= 1` ("opened in the
last 30 days"), `opened >= 3` (ever), `opened within 30d = 0` ("not since 30 days"). Date
fields take `within 7d` / `older than 90d`, numbers `between 50 and 200`, text `in (...)`,
`contains`, `starts with`, `is empty`. Keywords ignore case; `not` binds tighter than `and`,
`and` tighter than `or`. A mistake is a `RuleSyntaxError` naming the 1-based column.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from segtui.core.rules.check import MAX_CONDITIONS, MAX_DATE, MAX_DAYS, MIN_DATE, check
from segtui.core.rules.fields import FIELDS, NO_VALUE, FieldType, RuleField
from segtui.core.rules.language import RuleSyntaxError, format_rule, parse
from segtui.core.rules.tree import (
    Condition,
    EventCount,
    Group,
    Joiner,
    Node,
    Op,
    Scalar,
    SegmentRef,
    Value,
    conditions,
    from_json,
    to_json,
)

MAX_RULE_TEXT = 10_000  # parse() refuses longer text

# -- strategies: valid rule trees -------------------------------------------------------------

# Text that tends to break a quoting scheme: keywords, quotes, backslashes, Rich markup,
# things that look like numbers, dates, operators or list syntax.
TRICKY_TEXT = (
    "and", "or", "not", "AND", "Or", "NOT", "in", "segment", "is empty", "contains", "between",
    "[bold]", "[/]", "[red]alert[/red]", 'say "hi"', '"', "'", "\\", "back\\slash", "C:\\tmp\\",
    'end\\"', "x y", "  inner  spaces  ", "Hot Lead", "a, b", "(x)", ")", "(", ",", "50",
    "-3.5", "2024-01-01", "30d", "1e5", "$5", "!", "!=", ">= 1", "=", "not contains",
    "ünïcödé", "a\u00a0b", "日本語", "emoji 🎉",
)
# Any printable text: no control characters (rule_check rejects them) and no lone surrogates.
_CHARS = st.characters(exclude_categories=("Cc", "Cs"))
# check() strips text values, so the canonical value has no outer whitespace and is not empty.
texts: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(TRICKY_TEXT),
    st.text(_CHARS, min_size=1, max_size=30),
    st.lists(st.sampled_from(TRICKY_TEXT), min_size=2, max_size=4).map(" ".join),
).map(str.strip).filter(bool)


def _decimal(units: int, places: int) -> Decimal:
    return Decimal(units).scaleb(-places)


# Whole numbers and amounts with one or two decimals, negative and non-negative.
numbers: st.SearchStrategy[Decimal] = st.builds(
    _decimal, st.integers(-(10**9), 10**9), st.integers(0, 2))
window_days: st.SearchStrategy[Decimal] = st.integers(1, MAX_DAYS).map(Decimal)
event_counts: st.SearchStrategy[EventCount] = st.builds(
    EventCount, st.integers(0, 999_999_999), st.none() | st.integers(1, MAX_DAYS))


def _ordered(pair: tuple[Decimal, Decimal]) -> tuple[Decimal, Decimal]:
    return (min(pair), max(pair))


def values_for(field: RuleField, op: Op) -> st.SearchStrategy[Value]:
    """Values of the canonical type for `field op ...`."""
    if op in NO_VALUE:
        return st.none()
    if field.type is FieldType.EVENT:
        return event_counts
    if field.type is FieldType.SEGMENT:
        return texts.map(SegmentRef)  # id None: the language names segments
    scalars: st.SearchStrategy[Scalar]
    if field.type is FieldType.CHOICE:
        scalars = st.sampled_from(field.choices)
    elif field.type in (FieldType.NUMBER, FieldType.MONEY):
        if op is Op.BETWEEN:
            return st.tuples(numbers, numbers).map(_ordered)
        scalars = numbers
    elif field.type is FieldType.DATE:
        scalars = window_days if op in (Op.WITHIN, Op.OLDER) \
            else st.dates(MIN_DATE, MAX_DATE)  # the dates a rule may name (I16.9)
    else:
        scalars = texts
    if op is Op.ONE_OF:
        return st.lists(scalars, min_size=1, max_size=4, unique=True).map(tuple)
    return scalars


@st.composite
def rule_conditions(draw: st.DrawFn) -> Condition:
    field = draw(st.sampled_from(FIELDS))
    op = draw(st.sampled_from(field.operators))
    return Condition(field.key, op, draw(values_for(field, op)), draw(st.booleans()))


def groups(levels: int) -> st.SearchStrategy[Group]:
    """Non-empty groups nested at most `levels` deep (rules.depth), any joiner (even for
    one child: see `canonical`), any negation."""
    child: st.SearchStrategy[Node] = (
        rule_conditions() if levels == 1 else st.one_of(rule_conditions(), groups(levels - 1)))
    return st.builds(Group, st.sampled_from(Joiner),
                     st.lists(child, min_size=1, max_size=3).map(tuple), st.booleans())


# The root and up to three levels of nested groups below it.
rule_trees = groups(4)


def canonical(node: Node) -> Node:
    """The tree the language reads back from `format_rule(node)`.

    The text of a group is its children joined by its joiner, parenthesised when nested, so:
    - a group with one child has no joiner in the text: it reads back as an AND group
      (`(score > 1)` is Group(AND, (score > 1,)) whatever the joiner was);
    - a group whose only child is a group is written `((...))` or `(not (...))`; the parser
      takes redundant parentheses as one group, so it reads back as that child group, negated
      when exactly one of the two was. This is inherent, not a parser shortcut:
      format_rule writes both a negated root Group(OR, (a, b), negated=True) and
      Group(AND, (Group(OR, (a, b), negated=True),)) as `not (a or b)`, so no parser could
      return both. Either way the rule means the same.
    Everything else, in particular every group with two or more children, keeps its
    structure because nested groups are always parenthesised.
    """
    if isinstance(node, Condition):
        return node
    children = tuple(canonical(c) for c in node.children)
    if len(children) == 1:
        (only,) = children
        if isinstance(only, Group):
            return replace(only, negated=only.negated != node.negated)
        return Group(Joiner.AND, children, node.negated)
    return replace(node, children=children)


def _fits(tree: Node) -> str:
    """The rule's text, provided the parser accepts text that long."""
    text = format_rule(tree)
    assume(len(text) <= MAX_RULE_TEXT)
    return text


# -- properties ---------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(rule_trees)
def test_generated_trees_are_valid_and_already_canonical(tree: Group) -> None:
    """The strategy makes rules check() accepts unchanged, so the properties below are about
    rules people can save."""
    assume(len(list(conditions(tree))) <= MAX_CONDITIONS)
    assert check(tree) == (tree, [])


@settings(max_examples=200, deadline=None)
@given(rule_trees)
def test_parse_reads_back_what_format_rule_writes(tree: Group) -> None:
    assert parse(_fits(tree)) == canonical(tree)


@settings(max_examples=200, deadline=None)
@given(rule_trees)
def test_canonical_trees_read_back_exactly(tree: Group) -> None:
    canon = canonical(tree)
    assert isinstance(canon, Group)
    text = _fits(canon)
    assert parse(text) == canon
    assert format_rule(parse(text)) == text  # the text is canonical


@settings(max_examples=200, deadline=None)
@given(rule_trees)
def test_formatted_text_of_a_parsed_rule_is_canonical(tree: Group) -> None:
    text = format_rule(parse(_fits(tree)))
    assert format_rule(parse(text)) == text


@settings(max_examples=200, deadline=None)
@given(rule_trees)
def test_json_round_trip(tree: Group) -> None:
    assert from_json(to_json(tree)) == tree


@settings(max_examples=200, deadline=None)
@given(rule_trees)
def test_json_round_trip_keeps_resolved_segment_ids(tree: Group) -> None:
    with_ids = _with_segment_ids(tree)
    assert from_json(to_json(with_ids)) == with_ids


def _with_segment_ids(node: Node) -> Node:
    if isinstance(node, Group):
        return replace(node, children=tuple(_with_segment_ids(c) for c in node.children))
    if isinstance(node.value, SegmentRef):
        return replace(node, value=SegmentRef(node.value.name, len(node.value.name)))
    return node


# Pieces of rules, for text that is nearly right; and any text at all.
_SOUP = st.lists(st.sampled_from((
    "status", "score", "opened", "created", "spent", "tag", "city", "segment", "foo", "=",
    "!=", ">", ">=", "<", "(", ")", ",", "and", "or", "not", "in", "is", "empty", "contains",
    "starts", "with", "between", "within", "older", "than", "before", "after", "30d", "0d",
    "1", "-2", "2.555", "abc", '"Hot Lead"', '"open', "2024-01-01", "2024-13-01", "²", "١",
    "1e999999999", "NaN",
)), max_size=12).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.one_of(_SOUP, st.text(max_size=60)))
def test_any_text_parses_or_fails_with_a_column(text: str) -> None:
    """Whatever is typed, parse() returns a rule or raises RuleSyntaxError pointing into
    the text (or just past its end): never another exception."""
    try:
        tree = parse(text)
    except RuleSyntaxError as exc:
        assert 1 <= exc.column <= len(text) + 1
        assert exc.message
        assert str(exc) == f"column {exc.column}: {exc.message}"
    else:
        assert isinstance(tree, Group)
        format_rule(tree)


# -- reading: examples ------------------------------------------------------------------------


def one(cond: Condition) -> Group:
    """A parsed rule of a single condition: the root is always a group."""
    return Group(Joiner.AND, (cond,))


def test_the_issue_example() -> None:
    text = 'status = "Hot Lead" and (score > 70 or tag = Enterprise) and not in segment "Churned"'
    expected = Group(Joiner.AND, (
        Condition("status", Op.EQ, "Hot Lead"),
        Group(Joiner.OR, (
            Condition("score", Op.GT, Decimal(70)),
            Condition("tag", Op.EQ, "Enterprise"),
        )),
        Condition("segment", Op.IN_SEGMENT, SegmentRef("Churned"), negated=True),
    ))
    assert parse(text) == expected
    assert format_rule(expected) == text  # the example is already canonical text


def test_opened_in_the_last_30_days() -> None:
    assert parse("opened within 30d >= 1") == one(
        Condition("opened", Op.GE, EventCount(1, 30)))


def test_opened_ever() -> None:
    assert parse("opened >= 3") == one(Condition("opened", Op.GE, EventCount(3, None)))


def test_not_opened_since_30_days() -> None:
    assert parse("opened within 30d = 0") == one(
        Condition("opened", Op.EQ, EventCount(0, 30)))


def test_event_comparisons() -> None:
    assert parse("clicked < 2 or converted != 0 or meeting == 1 or responded <> 4") == Group(
        Joiner.OR, (
            Condition("clicked", Op.LT, EventCount(2)),
            Condition("converted", Op.NE, EventCount(0)),
            Condition("meeting", Op.EQ, EventCount(1)),
            Condition("responded", Op.NE, EventCount(4)),
        ))


def test_inactive_for_90_days() -> None:
    assert parse("last_activity older than 90d") == one(
        Condition("last_activity", Op.OLDER, Decimal(90)))


def test_created_in_the_last_week() -> None:
    expected = one(Condition("created", Op.WITHIN, Decimal(7)))
    assert parse("created within 7d") == expected
    assert parse("created within 7") == expected  # the 'd' is optional
    assert format_rule(expected) == "created within 7d"


def test_dates_before_and_after() -> None:
    assert parse("created after 2024-01-01 and created before 2024-02-01") == Group(
        Joiner.AND, (
            Condition("created", Op.AFTER, date(2024, 1, 1)),
            Condition("created", Op.BEFORE, date(2024, 2, 1)),
        ))


def test_spent_between() -> None:
    assert parse("spent between 50 and 200") == one(
        Condition("spent", Op.BETWEEN, (Decimal(50), Decimal(200))))


def test_money_may_be_written_with_dollars_and_thousands() -> None:
    assert parse('spent >= "$1,250.50"') == one(Condition("spent", Op.GE, Decimal("1250.50")))


def test_one_of_a_list() -> None:
    assert parse('city in (Boston, "New York")') == one(
        Condition("city", Op.ONE_OF, ("Boston", "New York")))


def test_is_empty_and_is_not_empty() -> None:
    assert parse("email is not empty") == one(Condition("email", Op.NOT_EMPTY))
    assert parse("title is empty") == one(Condition("title", Op.EMPTY))


def test_not_contains() -> None:
    assert parse('company not contains "x"') == one(
        Condition("company", Op.NOT_CONTAINS, "x"))


def test_starts_with() -> None:
    assert parse("name starts with A") == one(Condition("name", Op.STARTS_WITH, "A"))


def test_keywords_and_field_names_ignore_case() -> None:
    assert parse('STATUS = "Hot Lead" AND score > 1') == parse('status = "Hot Lead" and score > 1')
    assert parse("Name STARTS WITH A Or NOT Email IS NOT EMPTY") == Group(Joiner.OR, (
        Condition("name", Op.STARTS_WITH, "A"),
        Condition("email", Op.NOT_EMPTY, negated=True),
    ))


def test_choice_values_ignore_case_and_are_stored_in_their_own_spelling() -> None:
    assert parse('status = "hot lead"') == one(Condition("status", Op.EQ, "Hot Lead"))
    assert parse("size in (enterprise, SMB, mid-market)") == one(
        Condition("size", Op.ONE_OF, ("Enterprise", "SMB", "Mid-Market")))


def test_aliases_name_the_same_field() -> None:
    assert parse("quality > 5") == one(Condition("score", Op.GT, Decimal(5)))
    assert parse("lead_status = New") == one(Condition("status", Op.EQ, "New"))
    assert parse("tags contains vip") == one(Condition("tag", Op.CONTAINS, "vip"))
    assert format_rule(parse("quality > 5")) == "score > 5"


def test_not_not_cancels() -> None:
    assert parse("not not score > 1") == one(Condition("score", Op.GT, Decimal(1)))
    assert parse("not not not score > 1") == one(
        Condition("score", Op.GT, Decimal(1), negated=True))


def test_not_applies_to_a_group() -> None:
    assert parse("not (score > 1 or tag = a)") == Group(Joiner.OR, (
        Condition("score", Op.GT, Decimal(1)),
        Condition("tag", Op.EQ, "a"),
    ), negated=True)


def test_and_binds_tighter_than_or() -> None:
    a = Condition("score", Op.GT, Decimal(1))
    b = Condition("tag", Op.EQ, "b")
    c = Condition("city", Op.EQ, "c")
    assert parse("score > 1 or tag = b and city = c") == Group(
        Joiner.OR, (a, Group(Joiner.AND, (b, c))))
    assert parse("score > 1 and tag = b or city = c") == Group(
        Joiner.OR, (Group(Joiner.AND, (a, b)), c))


def test_not_binds_tighter_than_and() -> None:
    assert parse("not score > 1 and tag = b") == Group(Joiner.AND, (
        Condition("score", Op.GT, Decimal(1), negated=True),
        Condition("tag", Op.EQ, "b"),
    ))


def test_parentheses_keep_a_group() -> None:
    assert parse("(score > 1)") == one(Condition("score", Op.GT, Decimal(1)))
    assert parse("tag = a and (score > 1)") == Group(Joiner.AND, (
        Condition("tag", Op.EQ, "a"),
        one(Condition("score", Op.GT, Decimal(1))),
    ))


def test_quoted_text_escapes() -> None:
    tree = one(Condition("company", Op.EQ, 'say "hi" \\ [bold]'))
    assert format_rule(tree) == 'company = "say \\"hi\\" \\\\ [bold]"'
    assert parse(format_rule(tree)) == tree


def test_keywords_as_text_values_are_quoted() -> None:
    tree = one(Condition("tag", Op.ONE_OF, ("and", "or", "x")))
    assert format_rule(tree) == 'tag in ("and", "or", x)'
    assert parse(format_rule(tree)) == tree


def test_segment_names_are_always_quoted() -> None:
    tree = one(Condition("segment", Op.IN_SEGMENT, SegmentRef("VIP")))
    assert format_rule(tree) == 'in segment "VIP"'
    assert parse("in segment VIP") == tree


def test_a_text_value_of_200_characters_round_trips() -> None:
    tree = one(Condition("company", Op.CONTAINS, "a b " * 49 + "abcd"))
    assert parse(format_rule(tree)) == tree


def test_format_rule_writes_canonical_text() -> None:
    assert format_rule(parse('STATUS="hot lead"AND quality>5.50')) == (
        'status = "Hot Lead" and score > 5.50')
    assert format_rule(parse("not (spent between 1 and 2)")) == "not (spent between 1 and 2)"


# -- reading: mistakes ----------------------------------------------------------------------


def syntax_error(text: str) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as caught:
        parse(text)
    return caught.value


def test_unknown_field() -> None:
    error = syntax_error("foo = 1")
    assert (error.column, error.message) == (1, "unknown field 'foo'")
    assert str(error) == "column 1: unknown field 'foo'"


def test_unknown_field_after_others() -> None:
    error = syntax_error("score > 1 and bar = 2")
    assert (error.column, error.message) == (15, "unknown field 'bar'")


def test_not_a_number_points_at_the_value() -> None:
    error = syntax_error("score > abc")
    assert (error.column, error.message) == (9, "'abc' is not a number")


def test_missing_closing_quote() -> None:
    error = syntax_error('name = "abc')
    assert (error.column, error.message) == (8, "this text has no closing quote")


def test_missing_closing_parenthesis() -> None:
    error = syntax_error("(score > 1 or tag = a")
    assert error.column == 22  # just past the end
    assert error.message == "expected ')' to close the '(' at column 1, found the end"


def test_closing_parenthesis_without_opening() -> None:
    error = syntax_error("score > 1)")
    assert (error.column, error.message) == (10, "this ')' has no matching '('")


def test_empty_parentheses() -> None:
    error = syntax_error("score > 1 and ()")
    assert (error.column, error.message) == (16, "empty parentheses: put a condition inside")


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_rule(text: str) -> None:
    error = syntax_error(text)
    assert error.column == 1
    assert error.message == "the rule is empty: write a condition such as score > 70"


def test_operator_not_valid_for_a_number_field() -> None:
    error = syntax_error("score contains 5")
    assert (error.column, error.message) == (
        7, "'contains' does not apply to 'score' (a number field)")


def test_date_field_has_no_equals() -> None:
    error = syntax_error("created = 2024-01-01")
    assert (error.column, error.message) == (9, "'=' does not apply to 'created' (a date field)")


def test_bad_date() -> None:
    error = syntax_error("created before 2024-13-01")
    assert (error.column, error.message) == (
        16, "'2024-13-01' is not a date (write YYYY-MM-DD)")


@pytest.mark.parametrize(("rule", "column"), [
    ("created after 9999-12-31", 15),
    ("score > 5 and last_activity before 0999-01-01", 36),
])
def test_date_out_of_range_is_a_syntax_error_at_the_date(rule: str, column: int) -> None:
    """I16.9: the line says which date, where; nothing is counted."""
    error = syntax_error(rule)
    assert error.column == column
    assert error.message.endswith("is out of range: use a date from 1900-01-01 to "
                                  "2999-12-31")


def test_not_a_status() -> None:
    error = syntax_error("status = Unknown")
    assert error.column == 10
    assert error.message == (
        "'Unknown' is not one of New, Nurturing, Qualified, Hot Lead, Customer, Cold")


def test_bad_number_of_days() -> None:
    error = syntax_error("opened within 30x >= 1")
    assert (error.column, error.message) == (15, "'30x' is not a number of days (write 30d)")


def test_date_window_out_of_range() -> None:
    error = syntax_error("created within 0d")
    assert error.message == "the number of days must be a whole number from 1 to 36,500"


def test_event_without_comparison() -> None:
    error = syntax_error("opened within 30d")
    assert error.column == 18
    assert error.message == (
        "expected a comparison such as '>= 1' after 'opened', found the end")


def test_event_count_is_a_whole_number() -> None:
    error = syntax_error("opened >= 1.5")
    assert (error.column, error.message) == (11, "'1.5' is not a whole number of times")


@pytest.mark.parametrize("count", ["²", "¹⁰", "①"])
def test_event_count_in_other_digits_is_a_syntax_error(count: str) -> None:
    # str.isdigit() accepts these but int() does not: parse() used to raise a bare
    # ValueError without a column.
    error = syntax_error(f"opened >= {count}")
    assert (error.column, error.message) == (11, f"{count!r} is not a whole number of times")


def test_trailing_and() -> None:
    error = syntax_error("score > 1 and")
    assert (error.column, error.message) == (14, "expected a field name, found the end")


def test_two_conditions_without_joiner() -> None:
    error = syntax_error("score > 1 tag = a")
    assert (error.column, error.message) == (11, "expected 'and', 'or' or the end, found 'tag'")


def test_missing_value() -> None:
    error = syntax_error("score >")
    assert (error.column, error.message) == (8, "expected a value, found the end")


def test_missing_operator() -> None:
    error = syntax_error("score 5")
    assert error.column == 7
    assert error.message.startswith("expected an operator after 'score'")


def test_segment_field_hints_at_in_segment() -> None:
    error = syntax_error("segment = X")
    assert (error.column, error.message) == (1, 'write segment membership as: in segment "Name"')


def test_in_segment_needs_a_name() -> None:
    error = syntax_error("in segment")
    assert (error.column, error.message) == (11, "expected a segment name, found the end")


def test_list_needs_parentheses() -> None:
    error = syntax_error("city in Boston")
    assert (error.column, error.message) == (
        9, "expected '(' to start the list, found 'Boston'")


def test_text_longer_than_10000_characters() -> None:
    error = syntax_error("name = " + "x" * 9_994)
    assert (error.column, error.message) == (1, "the rule is longer than 10,000 characters")
    parse("name = " + "x" * 193)  # the limit is on the whole text


@pytest.mark.parametrize("text", [
    "(" * 500 + "score > 1" + ")" * 500,
    "not " * 1_500 + "score > 1",
    "not (" * 400 + "score > 1" + ")" * 400,
], ids=["parentheses", "nots", "nots-and-parentheses"])
def test_deep_nesting_is_a_syntax_error_not_a_crash(text: str) -> None:
    # Each parenthesis or 'not' used to be a Python stack frame or three: RecursionError.
    error = syntax_error(text)
    assert error.message.startswith("the rule nests more than")
    assert 1 <= error.column <= len(text)


@pytest.mark.parametrize("number", ["1e999999999999", "-1e999999999999", "1e12", "NaN", "inf"])
def test_numbers_out_of_range(number: str) -> None:
    # 1e999999999999 used to escape as decimal.Overflow.
    error = syntax_error(f"score > {number}")
    assert (error.column, error.message) == (9, f"{number!r} is not a usable number")


def test_numbers_with_many_decimals_are_refused() -> None:
    # parse() used to accept this, and format_rule() then tried to write
    # a trillion zeros after the point.
    error = syntax_error("score > 1e-999999999999")
    assert error.column == 9
    assert error.message == "'1e-999999999999' has more than 10 decimals"
    assert parse("score > 0.0000000001") == one(
        Condition("score", Op.GT, Decimal("0.0000000001")))
