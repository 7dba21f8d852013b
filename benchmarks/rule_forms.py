"""Every rule form of docs/rules.md, counted through the Store and written by hand in SQL.

    python benchmarks/bench.py --only rule-forms --repeat 5 --db sqlite:////work/data/s1m.db
    python benchmarks/bench.py --only rule-forms --db postgresql+psycopg://postgres@127.0.0.1/seg1m
    python benchmarks/bench.py --only rule-forms --rule-form clicked_at_least_3 --explain

P8: every rule within 1.5x of the same predicate written by hand in SQL, on both
engines. For each form (one per field and operator family, the nested rule of P4, and
the combinations whose plans were fixed) the benchmark times the live count
(`Store.rules.rule_count`, what the builder and `segtui segments count` run), replays the very
statement it sent on a raw DB-API connection, and runs the hand-written SQL on that raw
connection too. The ratio that matters is `ratio_to_hand`: segtui's count against an expert's
query for the same contacts.

"By hand" is what someone who knows the schema would type: the rollup columns
(`spent_cents`, `purchases`, `last_activity_at`), `company_id IN (companies ...)`, a GROUP
BY for an event count, and case-insensitivity the engine's own way (SQLite's LIKE ignores
ASCII case, PostgreSQL needs ILIKE; equality on lower()). Those fold ASCII case only, where
segtui folds all of Unicode, so on data with accents the two may differ; on the demo data
(ASCII) they count the same contacts, and each form reports both counts
(`counts_differ` says when they don't). Nothing here writes to the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as day_time
from typing import Any

from benchmarks.bench import (
    NESTED_RULE,
    NESTED_RULE_BY_HAND,
    RawReplayer,
    captured,
    median_ms,
    summary,
)
from segtui.core import clock
from segtui.core.rules.language import parse
from segtui.data.store import Store


@dataclass(frozen=True)
class RuleForm:
    """A rule and the same question written by hand. In `by_hand`, `{like}` is the
    engine's case-insensitive LIKE, `{since_N}` the first moment of the last N days,
    `{tomorrow}` the end of every window, `{segment}` the id of the segment the rule names
    (the dataset's largest)."""

    name: str
    rule: str
    by_hand: str


_COUNT = "SELECT count(*) FROM contacts c WHERE "

RULE_FORMS: tuple[RuleForm, ...] = (
    # choice
    RuleForm("status_equals", 'status = "Hot Lead"', _COUNT + "c.lead_status = 'Hot Lead'"),
    RuleForm("stage_not_equal", "stage != Customer",
             _COUNT + "(c.lifecycle_stage IS NULL OR c.lifecycle_stage <> 'Customer')"),
    RuleForm("source_one_of", "source in (referral, direct)",
             _COUNT + "c.source IN ('referral', 'direct')"),
    RuleForm("size_equals", "size = Enterprise",
             _COUNT + "c.company_id IN (SELECT id FROM companies WHERE size = 'Enterprise')"),
    RuleForm("size_and_city", "size = Enterprise and city = Chicago",
             _COUNT + "lower(c.city) = 'chicago' AND c.company_id IN "
                      "(SELECT id FROM companies WHERE size = 'Enterprise')"),
    # company text
    RuleForm("industry_equals", "industry = Software",
             _COUNT + "c.company_id IN (SELECT id FROM companies "
                      "WHERE lower(industry) = 'software')"),
    RuleForm("company_contains", 'company contains "retail"',
             _COUNT + "c.company_id IN (SELECT id FROM companies "
                      "WHERE name {like} '%retail%')"),
    RuleForm("company_not_contains", 'company not contains "retail"',
             _COUNT + "(c.company_id IS NULL OR c.company_id NOT IN "
                      "(SELECT id FROM companies WHERE name {like} '%retail%'))"),
    # contact text: few values (city, state), many values (email, name, title)
    RuleForm("city_equals", "city = Boston", _COUNT + "lower(c.city) = 'boston'"),
    RuleForm("city_contains", 'city contains "san"', _COUNT + "c.city {like} '%san%'"),
    RuleForm("state_one_of", "state in (CA, NY)", _COUNT + "lower(c.state) IN ('ca', 'ny')"),
    RuleForm("email_contains", 'email contains "smith"', _COUNT + "c.email {like} '%smith%'"),
    RuleForm("email_not_contains", 'email not contains "smith"',
             _COUNT + "(c.email IS NULL OR c.email NOT {like} '%smith%')"),
    RuleForm("email_equals", 'email = "Lisa.Lopez.325602@example.com"',
             _COUNT + "lower(c.email) = 'lisa.lopez.325602@example.com'"),
    RuleForm("email_starts_with", 'email starts with "lisa.lo"',
             _COUNT + "c.email {like} 'lisa.lo%'"),
    RuleForm("email_is_empty", "email is empty",
             _COUNT + "(c.email IS NULL OR trim(c.email) = '')"),
    RuleForm("name_contains", 'name contains "smith"', _COUNT + "c.name {like} '%smith%'"),
    RuleForm("title_equals", 'title = "VP of Sales"',
             _COUNT + "lower(c.title) = 'vp of sales'"),
    RuleForm("title_contains", 'title contains "sales"', _COUNT + "c.title {like} '%sales%'"),
    RuleForm("country_equals", "country = Germany", _COUNT + "lower(c.country) = 'germany'"),
    RuleForm("region_contains", 'region contains "america"',
             _COUNT + "c.region {like} '%america%'"),
    # tags
    RuleForm("tag_equals", "tag = Enterprise",
             _COUNT + "c.id IN (SELECT ct.contact_id FROM contact_tags ct JOIN tags t "
                      "ON t.id = ct.tag_id WHERE t.name_key = 'enterprise')"),
    RuleForm("tag_is_empty", "tag is empty",
             _COUNT + "NOT EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id)"),
    # numbers and money (purchases and spent are rollup columns)
    RuleForm("score_greater", "score > 70", _COUNT + "c.quality_score > 70"),
    RuleForm("score_between", "score between 40 and 60",
             _COUNT + "c.quality_score BETWEEN 40 AND 60"),
    RuleForm("spent_greater", "spent > 200", _COUNT + "c.spent_cents > 20000"),
    RuleForm("purchases_at_least", "purchases >= 3", _COUNT + "c.purchases >= 3"),
    # dates
    RuleForm("created_within", "created within 30d",
             _COUNT + "c.created_at >= '{since_30}'"),
    RuleForm("created_before", "created before 2023-01-01",
             _COUNT + "c.created_at < '2023-01-01 00:00:00.000000'"),
    RuleForm("last_activity_older", "last_activity older than 90d",
             _COUNT + "c.last_activity_at < '{since_90}'"),
    RuleForm("last_activity_empty", "last_activity is empty",
             _COUNT + "c.last_activity_at IS NULL"),
    # engagement facts
    RuleForm("opened_within", "opened within 30d >= 1",
             _COUNT + "c.id IN (SELECT contact_id FROM events WHERE type = 'opened' "
                      "AND occurred_at >= '{since_30}' AND occurred_at < '{tomorrow}')"),
    RuleForm("never_converted", "converted = 0",
             _COUNT + "NOT EXISTS (SELECT 1 FROM events e WHERE e.contact_id = c.id "
                      "AND e.type = 'converted')"),
    RuleForm("clicked_at_least_3", "clicked >= 3",
             _COUNT + "c.id IN (SELECT contact_id FROM events WHERE type = 'clicked' "
                      "GROUP BY contact_id HAVING count(*) >= 3)"),
    RuleForm("clicked_exactly_3", "clicked = 3",
             _COUNT + "c.id IN (SELECT contact_id FROM events WHERE type = 'clicked' "
                      "GROUP BY contact_id HAVING count(*) = 3)"),
    RuleForm("clicked_fewer_than_3", "clicked < 3",
             _COUNT + "c.id NOT IN (SELECT contact_id FROM events WHERE type = 'clicked' "
                      "GROUP BY contact_id HAVING count(*) >= 3)"),
    RuleForm("clicked_within_at_least_2", "clicked within 90d >= 2",
             _COUNT + "c.id IN (SELECT contact_id FROM events WHERE type = 'clicked' "
                      "AND occurred_at >= '{since_90}' AND occurred_at < '{tomorrow}' "
                      "GROUP BY contact_id HAVING count(*) >= 2)"),
    # other segments
    RuleForm("in_segment", 'in segment "{segment_name}"',
             _COUNT + "c.id IN (SELECT contact_id FROM memberships WHERE segment_id = "
                      "{segment} AND removed_at IS NULL)"),
    RuleForm("not_in_segment", 'not in segment "{segment_name}"',
             _COUNT + "NOT EXISTS (SELECT 1 FROM memberships m WHERE m.contact_id = c.id "
                      "AND m.segment_id = {segment} AND m.removed_at IS NULL)"),
    # groups
    RuleForm("negated_group", "not (status = Cold or score < 20)",
             _COUNT + "NOT (c.lead_status = 'Cold' OR c.quality_score < 20)"),
    RuleForm("city_or_size", "city = Boston or size = Enterprise",
             _COUNT + "(lower(c.city) = 'boston' OR c.company_id IN "
                      "(SELECT id FROM companies WHERE size = 'Enterprise'))"),
    # P4: six conditions, two nested groups (budget 200 ms)
    RuleForm("nested_6", NESTED_RULE, NESTED_RULE_BY_HAND.strip()),
)


def _moment(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def placeholders(store: Store, segment_id: int, segment_name: str) -> dict[str, str]:
    today = clock.today()
    tomorrow = datetime.combine(today + timedelta(days=1), day_time.min)
    values = {"like": "LIKE" if store.engine.dialect.name == "sqlite" else "ILIKE",
              "tomorrow": _moment(tomorrow), "segment": str(segment_id),
              "segment_name": segment_name.replace('"', '\\"')}
    for days in (30, 90):
        values[f"since_{days}"] = _moment(tomorrow - timedelta(days=days))
    return values


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def rule_form_benchmarks(store: Store, raw: RawReplayer, repeat: int,
                         results: dict[str, Any], segment_id: int, only: str | None = None,
                         explain: bool = False) -> None:
    """Each form: segtui's count (`rule_form_<name>`), the replay of the statement it sent
    on the raw connection, the hand-written SQL on that connection, and their ratio. The
    three run in turn within each repetition, so a busy machine slows them alike."""
    segment_name = _segment_name(store, segment_id)
    values = placeholders(store, segment_id, segment_name)
    for form in RULE_FORMS:
        if only is not None and form.name != only:
            continue
        rule, issues = store.rules.check_rule(parse(_fill(form.rule, values)))
        assert not issues, (form.name, issues)
        by_hand = _fill(form.by_hand, values)
        count = store.rules.rule_count(rule)  # warms the caches as a running app has them
        with captured(store) as statements:
            store.rules.rule_count(rule)
        cursor = raw.conn.cursor()
        hand_count = cursor.execute(by_hand).fetchone()[0]
        raw.conn.rollback()
        ours, replayed, hand = [], [], []
        for _ in range(repeat):
            started = time.perf_counter()
            store.rules.rule_count(rule)
            ours.append(time.perf_counter() - started)
            replayed.append(raw.run(statements))
            started = time.perf_counter()
            cursor.execute(by_hand).fetchall()
            hand.append(time.perf_counter() - started)
            raw.conn.rollback()
        name = f"rule_form_{form.name}"
        entry = results[name] = summary(name, ours, replayed, len(statements))
        floor = median_ms(hand)
        entry.update(rule=_fill(form.rule, values), count=count, by_hand=by_hand,
                     by_hand_median_ms=floor,
                     ratio_to_hand=round(entry["median_ms"] / floor, 2) if floor else None)
        if hand_count != count:
            entry["counts_differ"] = {"segtui": count, "by_hand": hand_count}
        if explain:
            entry["plan"] = _plan(store, rule)


def _segment_name(store: Store, segment_id: int) -> str:
    from sqlalchemy import select

    from segtui.data.db.tables import Segment

    with store.reading() as conn:
        return str(conn.execute(select(Segment.name).where(Segment.id == segment_id))
                   .scalar_one())


def _plan(store: Store, rule: Any) -> list[str]:
    """The plan of the count segtui sends (SQLite: EXPLAIN QUERY PLAN; PostgreSQL:
    EXPLAIN (ANALYZE, BUFFERS), run once)."""
    with captured(store) as sent:
        store.rules.rule_count(rule)
    statement, parameters = sent[-1]
    prefix = ("EXPLAIN QUERY PLAN " if store.engine.dialect.name == "sqlite"
              else "EXPLAIN (ANALYZE, BUFFERS) ")
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, parameters).all()
        conn.rollback()
    return [str(row[-1]) for row in rows]


