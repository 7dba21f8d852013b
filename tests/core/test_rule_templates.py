"""D1.4: the ready-made rule templates (segtui/core/rules/templates.py).

Every template is valid query-language text whose canonical form reads back to the same
tree, names are unique, and the templates taken from D1.4.1 ("Segmentation Strategies
and Examples") mean exactly what the seed says.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from segtui.core.rules.check import check
from segtui.core.rules.language import format_rule, parse
from segtui.core.rules.templates import TEMPLATES, RuleTemplate
from segtui.core.rules.tree import Condition, Group, Joiner, Node, Op

AND = Joiner.AND


def ids(template: RuleTemplate) -> str:
    return template.name


@pytest.mark.parametrize("template", TEMPLATES, ids=ids)
def test_template_parses_and_round_trips(template: RuleTemplate) -> None:
    tree = parse(template.rule)
    text = format_rule(tree)
    assert parse(text) == tree
    assert format_rule(parse(text)) == text  # canonical text is a fixed point
    # Written in canonical form already, so what the builder shows is what is written here.
    assert text == template.rule


@pytest.mark.parametrize("template", TEMPLATES, ids=ids)
def test_template_passes_the_database_free_check(template: RuleTemplate) -> None:
    tree = parse(template.rule)
    checked, issues = check(tree)
    assert issues == []
    assert checked == tree  # nothing left to canonicalise
    assert template.why.strip() != ""


def test_names_are_unique_and_rules_distinct() -> None:
    names = [t.name for t in TEMPLATES]
    assert len(names) == len(set(names))
    assert len({t.name.casefold() for t in TEMPLATES}) == len(names)
    assert len({parse(t.rule) for t in TEMPLATES}) == len(TEMPLATES)


def gt(field: str, n: int) -> Condition:
    return Condition(field, Op.GT, Decimal(n))


# The strategies of D1.4.1 as trees: what each template must mean.
SEED_001: dict[str, Node] = {
    # "Total Spent > $200 AND Purchase Count > 3"
    "High-Value Customers": Group(AND, (gt("spent", 200), gt("purchases", 3))),
    # Engaged, spent over $50, active in the last 7 days
    "Potential High-Value Customers": Group(AND, (
        Condition("stage", Op.EQ, "Engaged"), gt("spent", 50),
        Condition("last_activity", Op.WITHIN, Decimal(7)))),
    # active in the last 3 days, lifecycle stage Engaged or Customer
    "Super Active Users": Group(AND, (
        Condition("last_activity", Op.WITHIN, Decimal(3)),
        Condition("stage", Op.ONE_OF, ("Engaged", "Customer")))),
    # no activity for 30 days, has spent money
    "Inactive User Reactivation": Group(AND, (
        Condition("last_activity", Op.OLDER, Decimal(30)), gt("spent", 0))),
    # lifecycle stage New, registered in the last 7 days
    "New Registered Users": Group(AND, (
        Condition("stage", Op.EQ, "New"), Condition("created", Op.WITHIN, Decimal(7)))),
    # exactly one purchase
    "New Paying Users": Group(AND, (
        Condition("purchases", Op.EQ, Decimal(1)), gt("spent", 0))),
    # acquired through subscriptions
    "Subscription Channel Users": Group(AND, (
        Condition("source", Op.EQ, "subscription"),)),
    # acquired through an article purchase
    "Content Purchase Channel Users": Group(AND, (
        Condition("source", Op.EQ, "post_purchase"), gt("purchases", 0))),
}


def test_seed_001_templates_are_all_there() -> None:
    from_seed = {t.name for t in TEMPLATES if t.why.startswith("D1.4.1")}
    assert from_seed == set(SEED_001)


def test_high_value_customers_is_spent_over_200_and_more_than_3_purchases() -> None:
    template = next(t for t in TEMPLATES if t.name == "High-Value Customers")
    assert parse(template.rule) == Group(Joiner.AND, (
        Condition("spent", Op.GT, Decimal("200")),
        Condition("purchases", Op.GT, Decimal("3")),
    ))


def test_super_active_users_is_active_in_3_days_and_engaged_or_customer() -> None:
    template = next(t for t in TEMPLATES if t.name == "Super Active Users")
    assert parse(template.rule) == Group(Joiner.AND, (
        Condition("last_activity", Op.WITHIN, Decimal(3)),
        Condition("stage", Op.ONE_OF, ("Engaged", "Customer")),
    ))


@pytest.mark.parametrize("name", sorted(SEED_001))
def test_seed_001_template_means_what_the_seed_says(name: str) -> None:
    template = next(t for t in TEMPLATES if t.name == name)
    assert parse(template.rule) == SEED_001[name]
