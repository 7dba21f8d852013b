"""D1.4: every rule template (segtui/core/rules/templates.py) checks cleanly against the
demo database and compiles to SQL that runs, on SQLite and PostgreSQL, with the same
counts on both engines (the demo is deterministic; the clock is 2024-02-26)."""

from __future__ import annotations

from segtui.core.rules.language import parse
from segtui.core.rules.templates import TEMPLATES
from segtui.data.store import Store

# Observed on the demo (SQLite), and required of PostgreSQL too: the same SQL meaning.
DEMO_COUNTS = {
    "High-Value Customers": 0,
    "Potential High-Value Customers": 0,
    "Super Active Users": 1,
    "Inactive User Reactivation": 0,
    "New Registered Users": 0,
    "New Paying Users": 9,
    "Subscription Channel Users": 66,
    "Content Purchase Channel Users": 2,
    "Engaged Hot Leads": 20,
    "Enterprise Prospects (rule)": 31,
    "Customers at Risk": 0,
    "Never Engaged": 31,
}


def test_every_template_checks_and_counts_on_the_demo(demo_store: Store) -> None:
    assert set(DEMO_COUNTS) == {t.name for t in TEMPLATES}
    counts: dict[str, int] = {}
    for template in TEMPLATES:
        tree = parse(template.rule)
        checked, issues = demo_store.rules.check_rule(tree)
        assert issues == [], (template.name, issues)
        assert checked == tree, template.name  # no segment names to resolve
        count = demo_store.rules.rule_count(checked)
        sample = demo_store.rules.rule_sample(checked, 5)
        assert len(sample) == min(count, 5), template.name
        counts[template.name] = count
    assert counts == DEMO_COUNTS


def test_a_template_can_make_a_dynamic_segment(demo_store: Store) -> None:
    """The builder's path: a template's rule saved as a segment gets the counted members."""
    from segtui.core.contacts import ContactSelection
    from segtui.core.segments import SegmentDraft

    template = next(t for t in TEMPLATES if t.name == "Engaged Hot Leads")
    user = demo_store.users.current_user("Sarah Mitchell")
    segment_id = demo_store.segments.create_segment(
        SegmentDraft("Engaged Hot Leads", rule=parse(template.rule)), ContactSelection(), user)
    details = demo_store.segments.segment_details(segment_id)
    assert details is not None and details.rule == parse(template.rule)
    assert details.members == DEMO_COUNTS["Engaged Hot Leads"]
