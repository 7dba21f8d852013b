"""Industry value trends (C22.5), on both engines: every figure against a brute-force Python
count of seeded events, the calendar months' edges, the fold into "Other industries",
the empty period, hostile industry names, and the plan that reads the conversions from
their partial index."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, insert

from benchmarks.bench import captured
from segtui.core.enums import EventType, LeadStatus
from segtui.core.industry_trends import (
    NO_INDUSTRY,
    OTHER_INDUSTRIES,
    RowKind,
    TrendsError,
)
from segtui.data.db.tables import Company, Contact, EngagementEvent
from segtui.data.store import Store
from tests.hostile import HOSTILE

NOW = datetime(2024, 3, 15, 12, 0)  # a leap year: February ends on the 29th
INDUSTRIES = ["Software", "Retail", "Healthcare", "Media", "Energy", "Biotech", "Motors",
              "Foods", "Cloud", "Telecommunications", "Logistics"]


@dataclass
class World:
    """What was written: each contact's industry as stored (None: no company, or a
    company without one) and every event."""

    industry_of: dict[int, str | None]
    events: list[tuple[int, str, datetime, int | None]]


def write(store: Store, companies: Mapping[int, str | None],
          contacts: Mapping[int, int | None],
          events: Sequence[tuple[int, str, datetime, int | None]]) -> None:
    with store.writing() as conn:
        if companies:
            conn.execute(insert(Company), [{"id": cid, "name": f"Company {cid}",
                                            "industry": industry}
                                           for cid, industry in companies.items()])
        conn.execute(insert(Contact), [
            {"id": i, "name": f"Person {i}", "email": None, "lead_status": LeadStatus.NEW,
             "quality_score": 50, "created_at": datetime(2022, 1, 1), "company_id": company}
            for i, company in contacts.items()])
        if events:
            conn.execute(insert(EngagementEvent), [
                {"contact_id": contact, "type": kind, "occurred_at": at,
                 "revenue_cents": revenue} for contact, kind, at, revenue in events])


def seeded_world(store: Store, seed: int) -> World:
    """Contacts at companies of eleven industries (and at companies whose industry is
    missing or blank, and at none), with conversions and other events from fifteen months
    before NOW to a month after, some on the months' edges, some without revenue."""
    rng = random.Random(seed)
    companies: dict[int, str | None] = {n + 1: name for n, name in enumerate(INDUSTRIES)}
    companies[20], companies[21], companies[22] = None, "  ", " Retail "
    contacts = {i: rng.choice([*companies, None]) for i in range(1, 121)}
    edges = [datetime(2024, 2, 29, 23, 59, 59), datetime(2024, 3, 1),
             datetime(2023, 4, 1), datetime(2023, 3, 31, 23, 59, 59),
             datetime(2024, 3, 15, 23, 59, 59), datetime(2024, 3, 16)]
    events = []
    for _ in range(600):
        at = NOW - timedelta(days=rng.uniform(-30, 460))
        at = at.replace(microsecond=0) if rng.random() < 0.9 else rng.choice(edges)
        kind = rng.choice([EventType.CONVERTED] * 3 + [EventType.OPENED, EventType.CLICKED])
        revenue = None if rng.random() < 0.1 else rng.randrange(0, 500_000)
        events.append((rng.choice(list(contacts)), kind.value, at, revenue))
    write(store, companies, contacts, events)
    return World({c: companies.get(k) if k else None for c, k in contacts.items()}, events)


def brute_force(world: World, months: int = 12, top: int = 8
                ) -> tuple[list[tuple[str, list[tuple[int, int]]]], int]:
    """The rows the Store should return, counted in Python: (name, per month (count,
    revenue)), the top `top` by revenue (then count, then name), then the fold; and how
    many groups had a transaction."""
    first = date(NOW.year, NOW.month, 1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    keys = []
    day = first
    for _ in range(months):
        keys.append((day.year, day.month))
        day = (day + timedelta(days=32)).replace(day=1)
    end = datetime(NOW.year, NOW.month, NOW.day) + timedelta(days=1)
    found: dict[str, list[tuple[int, int]]] = {}
    for contact, kind, at, revenue in world.events:
        if kind != "converted" or not datetime(first.year, first.month, 1) <= at < end:
            continue
        name = (world.industry_of[contact] or "").strip() or NO_INDUSTRY
        cells = found.setdefault(name, [(0, 0)] * months)
        index = keys.index((at.year, at.month))
        count, total = cells[index]
        cells[index] = (count + 1, total + (revenue or 0))
    ranked = sorted(found.items(), key=lambda item: (
        -sum(r for _, r in item[1]), -sum(n for n, _ in item[1]), item[0].casefold(),
        item[0]))
    rows = ranked[:top]
    if len(ranked) > top:
        rows.append((OTHER_INDUSTRIES, [
            (sum(cells[i][0] for _, cells in ranked[top:]),
             sum(cells[i][1] for _, cells in ranked[top:])) for i in range(months)]))
    return rows, len(ranked)


def average(revenue: int, count: int) -> int | None:
    if not count:
        return None
    return int((Decimal(revenue) / count).quantize(Decimal(1), ROUND_HALF_UP))


def change(averages: list[int | None]) -> Decimal | None:
    known = [a for a in averages if a is not None]
    if len(known) < 2 or known[0] == 0:
        return None
    return (Decimal(known[-1] - known[0]) * 100 / known[0]).quantize(Decimal(1),
                                                                   ROUND_HALF_UP)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_equal_a_brute_force_count(empty_store: Store, seed: int) -> None:
    """C22.5.1-C22.5.4: each industry's transactions, revenue and average per month, the
    ranking, the fold, the totals and the change, exactly as Python counts them."""
    world = seeded_world(empty_store, seed)
    trends = empty_store.metrics.industry_trends(NOW)
    expected, groups = brute_force(world)
    assert groups > 8  # the fold is tried
    assert [(row.name, [(m.transactions, m.revenue_cents) for m in row.months])
            for row in trends.rows] == expected
    for row, (_, cells) in zip(trends.rows, expected, strict=True):
        assert row.averages == [average(r, n) for n, r in cells]
        assert row.change == change(row.averages)
    assert trends.folded == groups - 8
    everything = [(sum(c[i][0] for _, c in expected), sum(c[i][1] for _, c in expected))
                  for i in range(12)]
    assert [(m.transactions, m.revenue_cents) for m in trends.overall.months] == everything
    assert trends.months[0] == date(2023, 4, 1) and trends.months[-1] == date(2024, 3, 1)


def test_months_are_calendar_months_of_the_clock(empty_store: Store) -> None:
    """C22.5.2: an event at 23:59:59 on a month's last day is in that month, one at
    midnight in the next; the first instant of the oldest month counts, an event exactly
    12 months before now (in the thirteenth month back) does not; today counts to its
    last second, tomorrow not."""
    events = [
        (1, "converted", datetime(2024, 2, 29, 23, 59, 59), 100),  # February
        (1, "converted", datetime(2024, 3, 1, 0, 0, 0), 200),  # March
        (1, "converted", datetime(2023, 4, 1, 0, 0, 0), 300),  # April 2023, the first
        (1, "converted", datetime(2023, 3, 31, 23, 59, 59), 400),  # before the period
        (1, "converted", datetime(2023, 3, 15, 12, 0, 0), 500),  # exactly 12 months ago
        (1, "converted", datetime(2024, 3, 15, 23, 59, 59), 600),  # today, its last second
        (1, "converted", datetime(2024, 3, 16, 0, 0, 0), 700),  # tomorrow
    ]
    write(empty_store, {1: "Software"}, {1: 1}, events)
    trends = empty_store.metrics.industry_trends(NOW)
    (row,) = trends.rows
    assert row.averages == [300, *[None] * 9, 100, 400]  # March: (200 + 600) / 2
    assert [m.transactions for m in row.months] == [1, *[0] * 9, 1, 2]
    assert trends.start == datetime(2023, 4, 1) and trends.end == datetime(2024, 3, 16)
    # The same with three months: the period starts on the 1st of January.
    short = empty_store.metrics.industry_trends(NOW, months=3)
    assert short.months == (date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1))
    assert short.rows[0].averages == [None, 100, 400]


def test_no_transaction_says_so(empty_store: Store) -> None:
    """C22.5.5: opens, and a conversion older than the period, are no transactions of it."""
    write(empty_store, {1: "Software"}, {1: 1},
          [(1, "opened", datetime(2024, 3, 1), None),
           (1, "converted", datetime(2022, 1, 1), 5_000)])
    trends = empty_store.metrics.industry_trends(NOW)
    assert trends.empty and trends.rows == () and trends.folded == 0
    assert trends.empty_text() == ("No transactions (converted events) in the last 12 "
                                   "months (Apr 2023 – Mar 2024): no industry trend to show.")
    empty = empty_store.metrics.industry_trends(NOW, months=1)
    assert empty.empty and "last 1 month (Mar 2024)" in empty.empty_text()


def test_the_smaller_industries_fold_into_other_industries(empty_store: Store) -> None:
    """C22.5.3: ten industries, revenue 1,000 to 10,000 a transaction: the eight largest by
    revenue one by one, the two smallest together, their average their revenue over their
    transactions (not the mean of their averages)."""
    companies = {n: f"Industry {n:02d}" for n in range(1, 11)}
    contacts = {n: n for n in range(1, 11)}
    events = [(n, "converted", datetime(2024, 3, 1 + k), n * 1000 + k)
              for n in range(1, 11) for k in range(1 if n == 1 else 3)]
    write(empty_store, companies, contacts, events)
    trends = empty_store.metrics.industry_trends(NOW)
    assert [r.name for r in trends.rows] == [
        *(f"Industry {n:02d}" for n in range(10, 2, -1)), OTHER_INDUSTRIES]
    assert trends.rows[-1].kind is RowKind.OTHER and trends.folded == 2
    other = trends.rows[-1].total
    assert (other.transactions, other.revenue_cents) == (4, 1000 + 2000 + 2001 + 2002)
    assert other.average_cents == 1751  # 7,003 / 4 = 1,750.75
    assert [r.name for r in trends.top] == [r.name for r in trends.rows[:-1]]
    assert trends.fold_text() == ("Top 8 industries by revenue; 2 more industries in "
                                  "“Other industries”.")
    assert trends.overall.total.transactions == 28


def test_no_company_and_no_industry_are_one_group(empty_store: Store) -> None:
    """C22.5.1: a contact without a company, at a company without an industry, or with a
    blank one, is "(no industry)"; a conversion without revenue is a transaction of 0."""
    write(empty_store, {1: None, 2: "   ", 3: "Retail"}, {1: None, 2: 1, 3: 2, 4: 3},
          [(1, "converted", datetime(2024, 3, 2), 1000),
           (2, "converted", datetime(2024, 3, 2), 2000),
           (3, "converted", datetime(2024, 3, 2), 3000),
           (4, "converted", datetime(2024, 3, 2), None)])
    trends = empty_store.metrics.industry_trends(NOW)
    assert [(r.name, r.kind, r.total.transactions, r.total.revenue_cents, r.averages[-1])
            for r in trends.rows] == [(NO_INDUSTRY, RowKind.NONE, 3, 6000, 2000),
                                      ("Retail", RowKind.INDUSTRY, 1, 0, 0)]


def test_hostile_industry_names_come_back_exactly(empty_store: Store) -> None:
    names = dict(enumerate(HOSTILE.values(), start=1))
    write(empty_store, names, {n: n for n in names},
          [(n, "converted", datetime(2024, 3, 2), 1000 * n) for n in names])
    trends = empty_store.metrics.industry_trends(NOW)
    shown = {r.name for r in trends.rows if r.kind is RowKind.INDUSTRY}
    assert shown <= {v.strip() for v in HOSTILE.values()} and len(shown) == 8


def test_months_out_of_range_are_refused(empty_store: Store) -> None:
    for months in (0, -1, 61):
        with pytest.raises(TrendsError, match="--months must be 1 to 60"):
            empty_store.metrics.industry_trends(NOW, months=months)


# -- how the statement runs ----------------------------------------------------------------


def plan_lines(store: Store) -> Iterator[str]:
    """The plan of the statement industry_trends sends: SQLite's EXPLAIN QUERY PLAN, or
    PostgreSQL's after VACUUM ANALYZE (the visibility map makes an index-only scan what
    it is at scale) with sequential and bitmap scans priced out: on a few hundred rows
    any scan is cheapest, and the question is whether the statement can be read from the
    index alone, which its shape decides."""
    with captured(store) as sent:
        store.metrics.industry_trends(NOW)
    (statement, parameters), = [s for s in sent if "companies.industry" in s[0]]
    if store.engine.dialect.name == "postgresql":  # as tests/data/test_detail_plans_pg.py
        with store.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE events")
    with store.engine.connect() as conn:
        yield from _explained(conn, statement, parameters)


def _explained(conn: Connection, statement: str, parameters: Any) -> Iterator[str]:
    if conn.dialect.name == "sqlite":
        for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters):
            yield str(row[-1])
        return
    conn.exec_driver_sql("SET enable_seqscan = off")
    conn.exec_driver_sql("SET enable_bitmapscan = off")
    for (line,) in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters):
        yield str(line)
    conn.rollback()


def test_the_conversions_are_read_from_their_partial_index(empty_store: Store) -> None:
    """C22.5.7: the period's conversions come from ix_events_conversions (their time,
    contact and revenue, without the table), not from the index of every event type."""
    seeded_world(empty_store, 1)
    plan = "\n".join(plan_lines(empty_store))
    assert "ix_events_conversions" in plan, plan
    assert "ix_events_type_time_contact" not in plan, plan
    if empty_store.engine.dialect.name == "postgresql":
        assert "Index Only Scan using ix_events_conversions" in plan, plan
