"""Validating a rule tree (D1.3): `check(tree)` returns the tree in canonical form and every
problem found, each with the path of the node it is about (child indexes from the root), so
the builder can mark the condition and say which rule it breaks.

Segment references are checked against the other segments through a `SegmentLookup`: a
reference names an existing segment, is stored by id (so renaming the segment keeps the rule
working), and may not lead back to the segment being edited, directly or through others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest

from segtui.core.rules.check import (
    MAX_CHOICES,
    MAX_CONDITIONS,
    MAX_DAYS,
    MAX_DEPTH,
    MAX_TEXT,
    SegmentLookup,
    check,
)
from segtui.core.rules.tree import (
    Condition,
    EventCount,
    Group,
    Joiner,
    Node,
    Op,
    RuleIssue,
    SegmentRef,
    Value,
    depth,
    node_at,
)

SCORE = Condition("score", Op.GT, Decimal(70))
TAG = Condition("tag", Op.EQ, "Enterprise")


def one(cond: Condition) -> Group:
    return Group(Joiner.AND, (cond,))


def messages(root: Node, segments: SegmentLookup | None = None,
             self_id: int | None = None) -> list[tuple[tuple[int, ...], str]]:
    """Each issue as (path, message)."""
    _, issues = check(root, segments, self_id)
    return [(issue.path, issue.message) for issue in issues]


def problem(cond: Condition) -> str:
    """The one message about a rule of just `cond`, which is at path (0,)."""
    found = messages(one(cond))
    assert len(found) == 1, found
    path, message = found[0]
    assert path == (0,)
    return message


def fixed(cond: Condition) -> Value:
    """The canonical value of `cond`, which must be valid."""
    root, issues = check(one(cond))
    assert issues == []
    assert isinstance(root, Group)
    only = root.children[0]
    assert isinstance(only, Condition)
    return only.value


def nested(levels: int) -> Group:
    """A rule `levels` deep (rules.depth): groups within groups around one condition."""
    node: Node = SCORE
    for _ in range(levels):
        node = Group(Joiner.AND, (node,))
    assert isinstance(node, Group)
    return node


# -- the tree as a whole ----------------------------------------------------------------------


def test_a_valid_rule_has_no_issues_and_is_returned_unchanged() -> None:
    root = Group(Joiner.AND, (SCORE, Group(Joiner.OR, (TAG, SCORE), negated=True)))
    assert check(root) == (root, [])


def test_empty_root() -> None:
    assert check(Group()) == (Group(), [
        RuleIssue((), "a dynamic segment needs at least one condition")])


def test_a_root_of_empty_groups_has_no_condition_either() -> None:
    assert messages(Group(Joiner.AND, (Group(),))) == [
        ((), "a dynamic segment needs at least one condition"),
        ((0,), "this group is empty: add a condition or remove it"),
    ]


def test_empty_nested_group() -> None:
    root = Group(Joiner.AND, (SCORE, Group(Joiner.OR, (TAG, Group()))))
    assert messages(root) == [((1, 1), "this group is empty: add a condition or remove it")]


def test_depth_limit() -> None:
    assert depth(nested(MAX_DEPTH)) == MAX_DEPTH
    assert messages(nested(MAX_DEPTH)) == []
    assert messages(nested(MAX_DEPTH + 1)) == [((), f"groups nest at most {MAX_DEPTH} deep")]


def test_condition_limit() -> None:
    assert messages(Group(Joiner.OR, (SCORE,) * MAX_CONDITIONS)) == []
    too_many = Group(Joiner.OR, (SCORE,) * (MAX_CONDITIONS - 1) + (one(SCORE), one(TAG)))
    assert messages(too_many) == [
        ((), f"at most {MAX_CONDITIONS} conditions ({MAX_CONDITIONS + 1} given)")]


def test_checking_the_canonical_tree_again_changes_nothing() -> None:
    root = Group(Joiner.AND, (
        Condition("lead_status", Op.ONE_OF, ("hot lead", "COLD", "Hot Lead")),
        Condition("spent", Op.BETWEEN, ("$50", "1,200.5")),
        Condition("created_at", Op.WITHIN, "30"),
        Condition("company", Op.CONTAINS, "  Acme  "),
        Condition("email", Op.EMPTY, "ignored"),
    ))
    canonical, issues = check(root)
    assert issues == []
    assert canonical == Group(Joiner.AND, (
        Condition("status", Op.ONE_OF, ("Hot Lead", "Cold")),
        Condition("spent", Op.BETWEEN, (Decimal(50), Decimal("1200.5"))),
        Condition("created", Op.WITHIN, Decimal(30)),
        Condition("company", Op.CONTAINS, "Acme"),
        Condition("email", Op.EMPTY),
    ))
    assert check(canonical) == (canonical, [])


def test_every_issue_has_the_path_of_its_node() -> None:
    root = Group(Joiner.AND, (
        Condition("foo", Op.EQ, "x"),  # (0,)
        Group(Joiner.OR, (
            SCORE,  # (1, 0)
            Condition("score", Op.GT, "abc"),  # (1, 1)
            Group(Joiner.AND, (
                Condition("status", Op.EQ, "Unknown"),  # (1, 2, 0)
                Group(),  # (1, 2, 1)
            ), negated=True),
        )),
        TAG,  # (2,)
        Condition("created", Op.EQ, date(2024, 1, 1)),  # (3,)
    ))
    _, issues = check(root)
    assert [issue.path for issue in issues] == [(0,), (1, 1), (1, 2, 0), (1, 2, 1), (3,)]
    # The path leads to the node the message is about.
    assert isinstance(node_at(root, (1, 1)), Condition)
    assert node_at(root, (1, 1)) == Condition("score", Op.GT, "abc")
    assert node_at(root, (1, 2, 1)) == Group()
    assert [issue.message for issue in issues] == [
        "unknown field 'foo'",
        "Quality score: 'abc' is not a number",
        "Lead status: 'Unknown' is not one of New, Nurturing, Qualified, Hot Lead, Customer, "
        "Cold",
        "this group is empty: add a condition or remove it",
        "Created: 'equals' does not apply to a date field (use before, after, within the "
        "last N days, more than N days ago, is empty, is not empty)",
    ]


def test_the_root_is_path_empty() -> None:
    assert check(Condition("foo", Op.EQ, "x"))[1] == [RuleIssue((), "unknown field 'foo'")]


# -- fields and operators ---------------------------------------------------------------------


def test_unknown_field() -> None:
    assert problem(Condition("foo", Op.EQ, "x")) == "unknown field 'foo'"


def test_aliases_become_the_field_key() -> None:
    root, issues = check(one(Condition("Quality", Op.GT, Decimal(5))))
    assert issues == []
    assert root == one(Condition("score", Op.GT, Decimal(5)))


def test_wrong_operator_lists_the_allowed_ones() -> None:
    assert problem(Condition("score", Op.CONTAINS, "5")) == (
        "Quality score: 'contains' does not apply to a number field (use equals, does not "
        "equal, greater than, less than, at least, at most, between)")


def test_segment_field_takes_only_in_segment() -> None:
    assert problem(Condition("segment", Op.EQ, SegmentRef("VIP"))) == (
        "Segment membership: 'equals' does not apply to a segment field (use is in segment)")


def test_a_value_is_needed() -> None:
    assert problem(Condition("score", Op.GT)) == "Quality score: a value is needed"


def test_is_empty_drops_any_value() -> None:
    assert fixed(Condition("email", Op.EMPTY, "x")) is None
    assert fixed(Condition("created", Op.NOT_EMPTY, date(2024, 1, 1))) is None


def test_one_value_operators_refuse_a_list() -> None:
    assert problem(Condition("score", Op.GT, (Decimal(1), Decimal(2)))) == (
        "Quality score: 'greater than' takes one value, not a list")


# -- choices ----------------------------------------------------------------------------------


def test_choice_values_take_their_stored_spelling() -> None:
    assert fixed(Condition("status", Op.EQ, "hot lead")) == "Hot Lead"
    assert fixed(Condition("status", Op.EQ, "  HOT LEAD ")) == "Hot Lead"
    assert fixed(Condition("size", Op.NE, "mid-market")) == "Mid-Market"


def test_choice_lists_are_canonical_and_without_repeats() -> None:
    assert fixed(Condition("status", Op.ONE_OF, ("hot lead", "Cold", "HOT LEAD"))) == (
        "Hot Lead", "Cold")


def test_unknown_choice() -> None:
    assert problem(Condition("source", Op.EQ, "carrier pigeon")) == (
        "Source channel: 'carrier pigeon' is not one of subscription, post_purchase, direct, "
        "referral")


# -- numbers and money ------------------------------------------------------------------------


def test_numbers_typed_as_text_are_read() -> None:
    assert fixed(Condition("score", Op.GE, "70")) == Decimal(70)
    assert fixed(Condition("spent", Op.GE, "$1,250.50")) == Decimal("1250.50")
    assert fixed(Condition("purchases", Op.LT, "-3")) == Decimal(-3)


def test_not_a_number() -> None:
    assert problem(Condition("score", Op.GT, "abc")) == "Quality score: 'abc' is not a number"
    assert problem(Condition("score", Op.GT, "")) == "Quality score: '' is not a number"


@pytest.mark.parametrize("number", ["1e12", "-1e12", "NaN", "Infinity", "1e999999999999"])
def test_numbers_must_be_usable(number: str) -> None:
    assert problem(Condition("score", Op.GT, number)) == (
        f"Quality score: {number!r} is not a usable number")


def test_too_many_decimals() -> None:
    assert fixed(Condition("score", Op.GT, Decimal("0.0000000001"))) == Decimal("1e-10")
    assert problem(Condition("score", Op.GT, "1e-11")) == (
        "Quality score: '1e-11' has more than 10 decimals")


def test_between_min_above_max() -> None:
    assert problem(Condition("spent", Op.BETWEEN, ("200", "50"))) == (
        "Total spent: between 200 and 50: the low end is above the high end")


def test_between_equal_ends() -> None:
    assert fixed(Condition("score", Op.BETWEEN, (Decimal(5), Decimal("5.0")))) == (
        Decimal(5), Decimal(5))


@pytest.mark.parametrize("value", [Decimal(5), (Decimal(5),), (Decimal(1), Decimal(2),
                                                                Decimal(3))])
def test_between_needs_two_values(value: Value) -> None:
    assert problem(Condition("score", Op.BETWEEN, value)) == (
        "Quality score: 'between' needs two values: low and high")


def test_money_with_three_decimals() -> None:
    assert fixed(Condition("spent", Op.GT, Decimal("9.99"))) == Decimal("9.99")
    assert problem(Condition("spent", Op.GT, Decimal("9.999"))) == (
        "Total spent: 9.999 has more than two decimals (amounts are in dollars and cents)")
    # A plain number field has no cents rule.
    assert fixed(Condition("score", Op.GT, Decimal("9.999"))) == Decimal("9.999")


# -- dates and windows ------------------------------------------------------------------------

DAYS_MESSAGE = "Created: the number of days must be a whole number from 1 to 36,500"


@pytest.mark.parametrize("days", [Decimal(0), Decimal(MAX_DAYS + 1), Decimal(-5),
                                  Decimal("1.5")])
def test_days_out_of_range(days: Decimal) -> None:
    assert problem(Condition("created", Op.WITHIN, days)) == DAYS_MESSAGE
    assert problem(Condition("created", Op.OLDER, days)) == DAYS_MESSAGE


def test_days_in_range() -> None:
    assert fixed(Condition("created", Op.WITHIN, Decimal(1))) == Decimal(1)
    assert fixed(Condition("last_activity", Op.OLDER, Decimal(MAX_DAYS))) == Decimal(MAX_DAYS)
    assert fixed(Condition("created", Op.WITHIN, "30")) == Decimal(30)


def test_dates() -> None:
    assert fixed(Condition("created", Op.BEFORE, "2024-01-31")) == date(2024, 1, 31)
    assert problem(Condition("created", Op.AFTER, "2024-13-01")) == (
        "Created: '2024-13-01' is not a date (write YYYY-MM-DD)")


@pytest.mark.parametrize(("field", "op", "value"), [
    ("created", Op.AFTER, "9999-12-31"),  # "after" starts the next day: past the calendar
    ("created", Op.BEFORE, date(9999, 12, 31)),
    ("last_activity", Op.AFTER, "3000-01-01"),
    ("last_activity", Op.BEFORE, "0001-01-01"),
    ("created", Op.AFTER, "1899-12-31"),
])
def test_dates_out_of_range_are_a_rule_problem(field: str, op: Op, value: str | date) -> None:
    """I16.9: not an OverflowError when the rule is counted."""
    label = "Created" if field == "created" else "Last activity"
    shown = value if isinstance(value, str) else value.isoformat()
    assert problem(Condition(field, op, value)) == (
        f"{label}: {shown} is out of range: use a date from 1900-01-01 to 2999-12-31")


def test_the_ends_of_the_date_range_are_dates() -> None:
    assert fixed(Condition("created", Op.AFTER, "2999-12-31")) == date(2999, 12, 31)
    assert fixed(Condition("created", Op.BEFORE, "1900-01-01")) == date(1900, 1, 1)


# -- engagement events ------------------------------------------------------------------------


def test_event_counts() -> None:
    assert fixed(Condition("opened", Op.GE, EventCount(1, 30))) == EventCount(1, 30)
    assert fixed(Condition("opened", Op.EQ, EventCount(0, MAX_DAYS))) == EventCount(0, MAX_DAYS)
    assert fixed(Condition("clicked", Op.GE, EventCount(3))) == EventCount(3)


@pytest.mark.parametrize("days", [0, MAX_DAYS + 1])
def test_event_window_out_of_range(days: int) -> None:
    assert problem(Condition("opened", Op.GE, EventCount(1, days))) == (
        "Opened an email: the window must be 1 to 36,500 days")


def test_event_count_not_negative() -> None:
    assert problem(Condition("opened", Op.GE, EventCount(-1, 30))) == (
        "Opened an email: the count cannot be negative")


def test_event_needs_a_count() -> None:
    assert problem(Condition("opened", Op.GE, "1")) == (
        "Opened an email: needs a count, e.g. 'opened within 30d >= 1'")


# -- text -------------------------------------------------------------------------------------


def test_text_is_trimmed() -> None:
    assert fixed(Condition("company", Op.EQ, "  Acme Inc ")) == "Acme Inc"


def test_text_length_limit() -> None:
    assert fixed(Condition("company", Op.EQ, "x" * MAX_TEXT)) == "x" * MAX_TEXT
    assert problem(Condition("company", Op.EQ, "x" * (MAX_TEXT + 1))) == (
        "Company: values are at most 200 characters (201 given)")


@pytest.mark.parametrize("text", ["a\x1b[31mred", "\x00", "tab\there", "del\x7f", "csi\x9b2J",
                                  "nel\x85x"])
def test_control_characters(text: str) -> None:
    # \x9b is the one-byte CSI: terminals read it as the start of an escape sequence.
    assert problem(Condition("company", Op.CONTAINS, text)) == (
        "Company: the value contains control characters")


def test_printable_unicode_is_fine() -> None:
    assert fixed(Condition("city", Op.EQ, "São Paulo [bold]")) == "São Paulo [bold]"


def test_blank_text() -> None:
    assert problem(Condition("city", Op.EQ, "   ")) == (
        "City: the value is empty (use 'is empty' to test for no value)")


def test_one_of_limit() -> None:
    values = tuple(f"tag{i}" for i in range(MAX_CHOICES))
    assert fixed(Condition("tag", Op.ONE_OF, values)) == values
    assert problem(Condition("tag", Op.ONE_OF, (*values, "one more"))) == (
        "Tags: 'is one of' takes at most 100 values")


def test_one_of_needs_a_value() -> None:
    assert problem(Condition("tag", Op.ONE_OF, ())) == (
        "Tags: 'is one of' needs at least one value")
    assert problem(Condition("tag", Op.ONE_OF, "vip")) == (
        "Tags: 'is one of' needs at least one value")


def test_one_of_reports_a_bad_member() -> None:
    assert problem(Condition("city", Op.ONE_OF, ("Boston", " "))) == (
        "City: the value is empty (use 'is empty' to test for no value)")


# -- segment references -----------------------------------------------------------------------


@dataclass
class FakeSegments:
    """The other segments, as the data layer would describe them: id -> current name, and
    id -> the ids of the segments its rule refers to."""

    names: dict[int, str]
    refs: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def id_of(self, name: str) -> int | None:
        return next((sid for sid, n in self.names.items() if n == name), None)

    def name_of(self, sid: int) -> str | None:
        return self.names.get(sid)

    def references(self, sid: int) -> tuple[int, ...]:
        return self.refs.get(sid, ())

    def lookup(self) -> SegmentLookup:
        return SegmentLookup(self.id_of, self.name_of, self.references)


CHURNED, VIP, NEWSLETTER = 3, 4, 5
SEGMENTS = FakeSegments({CHURNED: "Churned", VIP: "VIP", NEWSLETTER: "Newsletter"})


def in_segment(name: str, sid: int | None = None, *, negated: bool = False) -> Condition:
    return Condition("segment", Op.IN_SEGMENT, SegmentRef(name, sid), negated)


def resolved(cond: Condition, segments: FakeSegments,
             self_id: int | None = None) -> SegmentRef:
    root, issues = check(one(cond), segments.lookup(), self_id)
    assert issues == []
    assert isinstance(root, Group)
    only = root.children[0]
    assert isinstance(only, Condition)
    assert isinstance(only.value, SegmentRef)
    return only.value


def test_unknown_segment() -> None:
    assert messages(one(in_segment("Nope")), SEGMENTS.lookup()) == [
        ((0,), "Segment membership: segment 'Nope' does not exist (deleted or renamed?)")]


def test_a_typed_name_is_resolved_to_the_id() -> None:
    assert resolved(in_segment("Churned"), SEGMENTS) == SegmentRef("Churned", CHURNED)


def test_a_renamed_segment_is_found_by_id_and_shown_by_its_new_name() -> None:
    renamed = FakeSegments({CHURNED: "Lost customers", VIP: "Churned"})
    # The stored reference says "Churned" (its name when the rule was saved) and id 3; the
    # name now belongs to another segment, but the id decides.
    assert resolved(in_segment("Churned", CHURNED), renamed) == SegmentRef(
        "Lost customers", CHURNED)


def test_a_deleted_segment_is_an_error() -> None:
    deleted = FakeSegments({VIP: "VIP"})
    assert messages(one(in_segment("Churned", CHURNED)), deleted.lookup()) == [
        ((0,), "Segment membership: segment 'Churned' does not exist (deleted or renamed?)")]


def test_a_segment_cannot_refer_to_itself() -> None:
    assert messages(one(in_segment("Churned")), SEGMENTS.lookup(), self_id=CHURNED) == [
        ((0,), "Segment membership: a segment cannot depend on itself (a cycle)")]


def test_an_indirect_cycle_names_the_segment_it_goes_through() -> None:
    # Editing Churned (3) to refer to VIP (4), whose rule refers to Churned.
    segments = FakeSegments(SEGMENTS.names, {VIP: (CHURNED,)})
    root = Group(Joiner.AND, (SCORE, Group(Joiner.OR, (TAG, in_segment("VIP")))))
    assert messages(root, segments.lookup(), self_id=CHURNED) == [
        ((1, 1), "Segment membership: a segment cannot depend on itself through 'VIP' "
                 "(a cycle)")]


def test_a_longer_cycle_names_the_first_segment_on_the_way() -> None:
    # Churned -> VIP -> Newsletter -> Churned.
    segments = FakeSegments(SEGMENTS.names, {VIP: (NEWSLETTER,), NEWSLETTER: (CHURNED,)})
    assert messages(one(in_segment("VIP", negated=True)), segments.lookup(),
                    self_id=CHURNED) == [
        ((0,), "Segment membership: a segment cannot depend on itself through 'VIP' "
               "(a cycle)")]


def test_a_cycle_elsewhere_is_not_this_segments_problem() -> None:
    # VIP and Newsletter refer to each other (the data layer should never allow it, but
    # checking Churned must still finish).
    segments = FakeSegments(SEGMENTS.names, {VIP: (NEWSLETTER,), NEWSLETTER: (VIP,)})
    assert resolved(in_segment("VIP"), segments, self_id=CHURNED) == SegmentRef("VIP", VIP)


def test_a_new_segment_has_no_cycle() -> None:
    segments = FakeSegments(SEGMENTS.names, {VIP: (CHURNED,)})
    assert resolved(in_segment("VIP"), segments, self_id=None) == SegmentRef("VIP", VIP)


def test_without_a_lookup_references_are_left_alone() -> None:
    assert fixed(in_segment("Anything")) == SegmentRef("Anything")


def test_segment_field_needs_a_segment_reference() -> None:
    assert problem(Condition("segment", Op.IN_SEGMENT, "Churned")) == (
        "Segment membership: needs a segment name")
