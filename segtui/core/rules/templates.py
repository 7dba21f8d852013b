"""Ready-made rules to start a dynamic segment from (D1.4.1: the strategies of the
sources, plus a few for the demo data). Picking one fills the builder for editing.

Each template is written in the query language (core/rules/language.py), which keeps it
readable here and proves it parses (tests/core/test_rule_templates.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleTemplate:
    name: str
    rule: str
    why: str  # where it comes from / what it is for


TEMPLATES: tuple[RuleTemplate, ...] = (
    RuleTemplate("High-Value Customers", "spent > 200 and purchases > 3",
                 "D1.4.1 value tiers: Total Spent > $200 AND Purchase Count > 3"),
    RuleTemplate("Potential High-Value Customers",
                 "stage = Engaged and spent > 50 and last_activity within 7d",
                 "D1.4.1: Engaged, spent over $50, active in the last 7 days"),
    RuleTemplate("Super Active Users",
                 "last_activity within 3d and stage in (Engaged, Customer)",
                 "D1.4.1: active in the last 3 days, Engaged or Customer"),
    RuleTemplate("Inactive User Reactivation", "last_activity older than 30d and spent > 0",
                 "D1.4.1: no activity for 30 days, has spent money"),
    RuleTemplate("New Registered Users", "stage = New and created within 7d",
                 "D1.4.1: lifecycle stage New, registered in the last 7 days"),
    RuleTemplate("New Paying Users", "purchases = 1 and spent > 0",
                 "D1.4.1: exactly one purchase"),
    RuleTemplate("Subscription Channel Users", "source = subscription",
                 "D1.4.1: acquired through subscriptions"),
    RuleTemplate("Content Purchase Channel Users", "source = post_purchase and purchases > 0",
                 "D1.4.1: acquired through an article purchase, and bought"),
    RuleTemplate("Engaged Hot Leads", 'status = "Hot Lead" and opened within 30d >= 1',
                 "Demo data: hot leads who opened an email this month"),
    RuleTemplate("Enterprise Prospects (rule)",
                 'size = Enterprise and status in (Qualified, "Hot Lead")',
                 "Demo data: the spec's Enterprise Prospects as a rule"),
    RuleTemplate("Customers at Risk", "status = Customer and last_activity older than 60d",
                 "Demo data: customers with no action for over 60 days (R7.7's "
                 "inactive threshold)"),
    RuleTemplate("Never Engaged",
                 "opened = 0 and clicked = 0 and responded = 0 and meeting = 0",
                 "Contacts who never opened, clicked, responded or met"),
)
