"""Incremental re-evaluation: every dynamic segment's rule, for a few changed contacts
(D1.5, P9).

An import or a merge changes a handful of contacts; each dynamic segment must then gain
the ones its rule now matches and lose those it no longer does, without evaluating the
rules over every contact. The rules are not evaluated one by one, nor as one SQL test per
rule: a thousand rules are made of far fewer distinct conditions (`city = "Boston"`,
`status = "Hot Lead"`, `opened within 30d >= 1`), so each distinct condition is asked of
the database once, as one column of one SELECT over the changed contacts, and each rule is
combined from its conditions' answers here.

That is the answer SQL would give for the whole rule: a condition's column holds TRUE,
FALSE or NULL exactly as it would inside the rule's WHERE, and the rule is combined from
them with SQL's own three-valued `and`, `or` and `not` (a contact matches when the whole
is TRUE). The conditions are compiled as for a whole refresh of a few contacts
(`compile_rule(..., few_contacts=True)`: index probes, no lists).

Why (PostgreSQL, 1M contacts, 1,000 rules): one CASE per rule, in three statements of 400
rules, spent 20-30 ms each planning the statement, 3-7 ms running it, and SQLAlchemy
another 6-16 ms in this process building each statement's cache key: 104-162 ms. The
benchmark's thousand rules hold 2,000 conditions, 60 of them distinct: one SELECT of 60
columns, planned in about 1 ms.

"In segment X" reads X's members, which the same re-evaluation may just have changed: such
conditions are asked after the segments they name were written (the segments come in
dependency layers, `order.layers`), every other condition in the first statement.

The answers are kept as bit masks over the changed contacts (bit i: the i-th changed id),
two a condition (where it is TRUE, where it is FALSE; neither: NULL), so combining a
thousand rules over 20,000 contacts (an import) is a few thousand operations on integers.
"""

from __future__ import annotations

import time as timer
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Integer,
    Select,
    any_,
    bindparam,
    func,
    insert,
    select,
    update,
)

from segtui.core.enums import MembershipSource, SegmentKind
from segtui.core.rules.refresh import RefreshResult
from segtui.core.rules.tree import (
    Condition,
    Joiner,
    Node,
    SegmentRef,
    from_json,
    referenced_segments,
)
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Contact, Membership, Segment, SegmentExclusion
from segtui.data.rules import evaluation
from segtui.data.rules.compiler import compile_rule

# Conditions asked in one SELECT (SQLite returns at most 2,000 columns).
CONDITIONS_PER_STATEMENT = 500

# (TRUE, FALSE) over the changed contacts: bit i is the i-th changed contact id.
Answer = tuple[int, int]
# A rule, combined from its conditions' answers (indexed as Plan.conditions) and the mask
# of every changed contact that exists.
Test = Callable[[Sequence[Answer], int], Answer]
# Segment ids in dependency layers (each after the layers of the segments it uses), from
# each segment's references to others, in the segments' order.
Layering = Callable[[Mapping[int, tuple[int, ...]]], list[list[int]]]


@dataclass(frozen=True)
class Plan:
    """How to re-evaluate a set of rules on one day: built once, kept while the rules and
    the day stay the same (`plan_for`)."""

    # The segments, in dependency layers: a layer uses only segments of earlier layers.
    layers: tuple[tuple[int, ...], ...]
    # Each distinct condition, once (not negated).
    conditions: tuple[Condition, ...]
    # Per layer, the SELECTs to run before it: (the conditions' indexes, the statement,
    # whose columns are the contact id and then those conditions). Layer 0 holds every
    # condition that does not read another segment's members.
    statements: tuple[tuple[tuple[tuple[int, ...], Select[*tuple[Any, ...]]], ...], ...]
    tests: dict[int, Test]
    # The segments left out, whose rules fail (C20.7.4): why, recorded on each.
    broken: tuple[tuple[int, str], ...] = ()


_plan_cache: dict[object, Plan] = {}


def plan_for(conn: Connection, rules: Sequence[tuple[int, str]], today: date,
             layers: Layering) -> Plan:
    """The plan for these (segment id, stored rule) pairs, from the last call's when they
    and the day are the same (a stored rule is parsed and compiled again only then).
    `layers`: groups the segments in dependency layers, given each one's references."""
    key = (conn.dialect.name, today, tuple(rules))
    plan = _plan_cache.get(key)
    if plan is None:
        trees, broken = _readable(rules, today)
        references = {sid: tuple(ref.id for ref in referenced_segments(tree)
                                 if ref.id is not None) for sid, tree in trees.items()}
        plan = replace(_build(trees, today, layers(references), conn.dialect.name),
                       broken=tuple(broken.items()))
        _plan_cache.clear()
        _plan_cache[key] = plan
    return plan


def _readable(rules: Sequence[tuple[int, str]], today: date
              ) -> tuple[dict[int, Node], dict[int, str]]:
    """(the rules that compile, by segment; why each other one fails): one that fails
    is left out of the pass, not the pass's failure (C20.7.4)."""
    trees: dict[int, Node] = {}
    broken: dict[int, str] = {}
    compiles: set[Condition] = set()  # each distinct condition compiled once
    for sid, text in rules:
        try:
            tree = from_json(text)
            for leaf in {_leaf(cond) for cond in _conditions(tree)} - compiles:
                compile_rule(leaf, today, few_contacts=True)
                compiles.add(leaf)
        except evaluation.RULE_FAILURES as problem:
            broken[sid] = evaluation.describe(problem)
            continue
        trees[sid] = tree
    return trees, broken


def _leaf(cond: Condition) -> Condition:
    return replace(cond, negated=False) if cond.negated else cond


def _build(trees: dict[int, Node], today: date, layers: list[list[int]], engine: str
           ) -> Plan:
    index: dict[Condition, int] = {}
    asked_in: list[int] = []  # the layer before which each condition is asked
    for number, layer in enumerate(layers):
        for sid in layer:
            for node in _conditions(trees[sid]):
                leaf = _leaf(node)
                if leaf not in index:
                    index[leaf] = len(index)
                    asked_in.append(number if isinstance(leaf.value, SegmentRef) else 0)
    conditions = tuple(index)
    statements = []
    for number in range(len(layers)):
        wanted = [i for i, at in enumerate(asked_in) if at == number]
        statements.append(tuple(
            (tuple(part), _select([conditions[i] for i in part], today, engine))
            for part in _parts(wanted)))
    tests = {sid: _test(trees[sid], index) for layer in layers for sid in layer}
    return Plan(tuple(tuple(layer) for layer in layers), conditions, tuple(statements),
                tests)


def _conditions(node: Node) -> list[Condition]:
    if isinstance(node, Condition):
        return [node]
    return [c for child in node.children for c in _conditions(child)]


def _parts(indexes: list[int]) -> list[list[int]]:
    return [indexes[i:i + CONDITIONS_PER_STATEMENT]
            for i in range(0, len(indexes), CONDITIONS_PER_STATEMENT)]


def _select(conditions: list[Condition], today: date, engine: str
            ) -> Select[*tuple[Any, ...]]:
    """The conditions' values (TRUE, FALSE or NULL, as inside a WHERE) for each changed
    contact that exists."""
    columns = [compile_rule(c, today, few_contacts=True).label(f"c{n}")
               for n, c in enumerate(conditions)]
    return select(Contact.id, *columns).where(_changed(Contact.id, engine))


def _changed(column: ColumnElement[int], engine: str) -> ColumnElement[bool]:
    """`column` is one of the changed contact ids, the parameter `changed`. PostgreSQL:
    one array parameter, not one per id (for 20,000 contacts both sides parsed 20,000
    placeholders a statement; data/io/contact_matching.py does the same)."""
    if engine == "postgresql":
        return column == any_(bindparam("changed", type_=ARRAY(Integer)))
    return column.in_(bindparam("changed", expanding=True))


def _test(node: Node, index: dict[Condition, int]) -> Test:
    """`node` combined from its conditions' answers with SQL's three-valued logic: `and`
    is TRUE where all are TRUE and FALSE where any is FALSE, `or` the other way round,
    `not` swaps TRUE and FALSE (NULL stays NULL). An empty `and` is TRUE, an empty `or`
    FALSE, as `compile_rule` writes them."""
    if isinstance(node, Condition):
        i = index[_leaf(node)]
        if node.negated:
            return lambda answers, _: (answers[i][1], answers[i][0])
        return lambda answers, _: answers[i]
    parts = [_test(child, index) for child in node.children]
    test: Test
    if node.joiner is Joiner.AND:
        def test(answers: Sequence[Answer], every: int) -> Answer:
            true, false = every, 0
            for part in parts:
                t, f = part(answers, every)
                true &= t
                false |= f
            return true, false
    else:
        def test(answers: Sequence[Answer], every: int) -> Answer:
            true, false = 0, every
            for part in parts:
                t, f = part(answers, every)
                true |= t
                false &= f
            return true, false
    if node.negated:
        inner = test

        def test(answers: Sequence[Answer], every: int) -> Answer:
            true, false = inner(answers, every)
            return false, true
    return test


# -- masks over the changed contacts -------------------------------------------------------


def _mask(positions: Sequence[int], size: int) -> int:
    """The bit mask with these bits set, built in one pass (a bit at a time would copy
    the whole integer for each)."""
    bits = bytearray((size + 7) // 8)
    for p in positions:
        bits[p >> 3] |= 1 << (p & 7)
    return int.from_bytes(bits, "little")


def _bits(mask: int) -> list[int]:
    """The positions of the set bits, lowest first."""
    return [i for i, bit in enumerate(reversed(bin(mask))) if bit == "1"]


def _answers(rows: Sequence[Any], width: int, position: dict[int, int], size: int
             ) -> tuple[list[Answer], list[int]]:
    """Each column's (TRUE, FALSE) masks from the rows (contact id, then `width` values;
    SQLite answers 1 and 0), and the positions of the contacts found."""
    found = [position[int(row[0])] for row in rows]
    answers = []
    for column in range(1, width + 1):
        true = [p for p, row in zip(found, rows, strict=True)
                if row[column] is not None and row[column]]
        false = [p for p, row in zip(found, rows, strict=True)
                 if row[column] is not None and not row[column]]
        answers.append((_mask(true, size), _mask(false, size)))
    return answers, found


# -- the re-evaluation ---------------------------------------------------------------------


def refresh_contacts(conn: Connection, contact_ids: Sequence[int], *, now: datetime,
                     today: date, layers: Layering) -> list[RefreshResult]:
    """Re-evaluate every dynamic segment for these contacts only (see the module's text),
    inside the caller's transaction. Returns the segments whose members changed, in
    dependency order; their evaluation time is left as it was (not a whole evaluation).
    `layers`: groups segment ids in dependency layers (order.layers)."""
    changed_ids = sorted(set(contact_ids))
    if not changed_ids:
        return []
    started = timer.perf_counter()
    rows = conn.execute(select(Segment.id, Segment.name, Segment.rule)
                        .where(Segment.kind == SegmentKind.DYNAMIC, Segment.rule.is_not(None))
                        .order_by(Segment.id)).all()
    # Unpacked, not read by attribute (ten times slower for a thousand rows).
    plan = plan_for(conn, [(sid, rule or "") for sid, _, rule in rows], today, layers)
    for sid, problem in plan.broken:
        evaluation.record_failure(conn, sid, now, problem, unless_known=True)
    size = len(changed_ids)
    engine, given = conn.dialect.name, {"changed": changed_ids}
    position = {cid: p for p, cid in enumerate(changed_ids)}

    # The changed contacts' current stays in these segments, and their exclusions: read by
    # contact and kept here for the dynamic segments (asked for them in SQL, SQLite probed
    # each dynamic segment's stays for each contact: 7 s for 20,000 contacts).
    m = Membership
    dynamic = plan.tests.keys()
    present: dict[int, list[int]] = {}
    rule_made: dict[int, list[int]] = {}
    for sid, cid, source in conn.execute(
            select(m.segment_id, m.contact_id, m.source)
            .where(_changed(m.contact_id, engine), current_membership()), given):
        if int(sid) in dynamic:
            present.setdefault(int(sid), []).append(position[int(cid)])
            if source == MembershipSource.RULE:
                rule_made.setdefault(int(sid), []).append(position[int(cid)])
    kept_out: dict[int, list[int]] = {}
    for sid, cid in conn.execute(
            select(SegmentExclusion.segment_id, SegmentExclusion.contact_id)
            .where(_changed(SegmentExclusion.contact_id, engine)), given):
        if int(sid) in dynamic:
            kept_out.setdefault(int(sid), []).append(position[int(cid)])

    answers: list[Answer] = [(0, 0)] * len(plan.conditions)
    every = -1  # the contacts that exist: set by the first statement that runs
    entered: dict[int, int] = {}
    left: dict[int, int] = {}
    for layer, statements in zip(plan.layers, plan.statements, strict=True):
        for indexes, statement in statements:
            found_rows = conn.execute(statement, given).all()
            part, found = _answers(found_rows, len(indexes), position, size)
            for i, answer in zip(indexes, part, strict=True):
                answers[i] = answer
            if every < 0:
                every = _mask(found, size)
        if every < 0:  # rules without conditions: ask which contacts exist
            found_ids = conn.execute(select(Contact.id).where(
                _changed(Contact.id, engine)), given).scalars()
            every = _mask([position[int(c)] for c in found_ids], size)
        joiners: list[tuple[int, int]] = []
        leavers: list[tuple[int, int]] = []
        for sid in layer:
            wanted, _ = plan.tests[sid](answers, every)
            if sid in kept_out:
                wanted &= ~_mask(kept_out[sid], size)
            joining = wanted & ~_mask(present[sid], size) if sid in present else wanted
            leaving = _mask(rule_made[sid], size) & ~wanted if sid in rule_made else 0
            if joining:
                joiners += [(sid, changed_ids[p]) for p in _bits(joining)]
            if leaving:
                leavers += [(sid, changed_ids[p]) for p in _bits(leaving)]
        if joiners:
            conn.execute(insert(m), [
                {"segment_id": sid, "contact_id": cid, "source": MembershipSource.RULE,
                 "added_at": now} for sid, cid in joiners])
        if leavers:
            conn.execute(
                update(m).where(m.segment_id == bindparam("s"),
                                m.contact_id == bindparam("c"), current_membership())
                .values(removed_at=now, removed_by_id=None),
                [{"s": sid, "c": cid} for sid, cid in leavers])
        for sid, _ in joiners:
            entered[sid] = entered.get(sid, 0) + 1
        for sid, _ in leavers:
            left[sid] = left.get(sid, 0) + 1
    elapsed = round((timer.perf_counter() - started) * 1000)
    touched = [sid for layer in plan.layers for sid in layer
               if sid in entered or sid in left]
    if not touched:
        return []
    names = {sid: name for sid, name, _ in rows}
    counts = dict(conn.execute(
        select(m.segment_id, func.count()).where(m.segment_id.in_(touched),
                                                 current_membership())
        .group_by(m.segment_id)).all())
    return [RefreshResult(sid, names[sid], entered.get(sid, 0), left.get(sid, 0),
                          int(counts.get(sid, 0)), elapsed, now) for sid in touched]
