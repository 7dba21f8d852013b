"""Dynamic segments: keeping their memberships equal to their rules (D1.5).

A refresh compares the rule's matches with the current rule-made memberships and writes only
the difference: members who stopped matching get `removed_at` (history keeps the stay),
contacts who started matching get a new stay with source 'rule'. Hand-made memberships
(source 'manual') are never removed by a refresh, and contacts excluded by hand
(`segment_exclusions`) are never added. Each refresh runs inside the caller's transaction.

Segments that use other segments ("in segment X") are refreshed after the segments they
use: `dependency_order` (core/rules/order.py) orders them, and `refresh_dependents`
follows a change outward.
"""

from __future__ import annotations

import time as timer
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    except_,
    exists,
    func,
    insert,
    select,
    update,
)

from segtui.core.enums import MembershipSource, SegmentKind
from segtui.core.rules.check import SegmentLookup
from segtui.core.rules.refresh import RefreshResult
from segtui.core.rules.tree import Node, RuleFormatError, from_json, referenced_segments
from segtui.data.db.engine import UNMAPPED_IF_SCAN
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Contact, Membership, Segment, SegmentExclusion, name_key
from segtui.data.rules.compiler import compile_rule
from segtui.data.rules.evaluation import RULE_FAILURES, failing_alone, stamp_evaluated
from segtui.data.rules.joiners import add_joiners

if TYPE_CHECKING:
    from segtui.core.segments import SegmentDraft
    from segtui.data.rules import whole_refresh
    from segtui.data.rules.whole_refresh import SharedReads
from segtui.core.rules.order import dependents, layers


def segment_lookup(conn: Connection) -> SegmentLookup:
    """Every segment's id, name and references, read once: validation of a rule (names,
    deleted segments, cycles) then needs no further queries."""
    names: dict[int, str] = {}
    by_key: dict[str, int] = {}
    references: dict[int, tuple[int, ...]] = {}
    for sid, name, rule in conn.execute(select(Segment.id, Segment.name, Segment.rule)):
        names[sid] = name
        by_key[name_key(name)] = sid
        references[sid] = _references(rule)
    return SegmentLookup(
        id_of=lambda name: by_key.get(name_key(name)),
        name_of=names.get,
        references=lambda sid: references.get(sid, ()),
    )


def _references(rule_json: str | None) -> tuple[int, ...]:
    if not rule_json:
        return ()
    try:
        root = from_json(rule_json)
    except RuleFormatError:
        return ()
    return tuple(ref.id for ref in referenced_segments(root) if ref.id is not None)


def stored_rule(conn: Connection, segment_id: int) -> Node | None:
    """The segment's rule, or None for a static segment (or no such segment)."""
    text = conn.execute(select(Segment.rule).where(Segment.id == segment_id)).scalar()
    return from_json(text) if text else None


def count_matching(conn: Connection, root: Node, today: date) -> int:
    """The live count the builder shows while a rule is edited."""
    query = (select(func.count()).select_from(Contact).where(compile_rule(root, today))
             .execution_options(**{UNMAPPED_IF_SCAN: True}))  # P8: read as by hand
    return int(conn.execute(query).scalar_one())


def sample_matching(conn: Connection, root: Node, today: date,
                    limit: int = 5) -> list[tuple[int, str]]:
    """A few matching contacts (id, name), in name order: what the builder previews."""
    query = (select(Contact.id, Contact.name).where(compile_rule(root, today))
             .order_by(Contact.name, Contact.id).limit(limit))
    return [(int(r.id), str(r.name)) for r in conn.execute(query)]


def _excluded(segment_id: int) -> ColumnElement[bool]:
    return exists(select(1).where(SegmentExclusion.segment_id == segment_id,
                                  SegmentExclusion.contact_id == Contact.id))


def refresh_segment(conn: Connection, segment_id: int, *, now: datetime, today: date,
                    shared: SharedReads | None = None,
                    saved: SegmentDraft | None = None) -> RefreshResult | None:
    """Bring one dynamic segment's memberships up to date with its rule (evaluated whole).
    None when the segment is gone or static. `shared`: the batch it is refreshed in
    (data/rules/whole_refresh.py): its rule reads the batch's copy of the contacts meeting the
    condition the batch shares, and the batch's lists. `saved`: the segment as its caller
    has just written it in this transaction (a save), so its rule is not read back."""
    found = _dynamic(conn, segment_id, saved)
    if found is None:
        return None
    name, rule = found
    started = timer.perf_counter()
    contact_id, wanted = _wanted(rule, segment_id, today, shared)
    members, made = _stays(conn, segment_id)
    entered = left = 0
    if not made:
        # Nothing made by the rule to take back (a segment's first refresh): every match
        # that is not a member by hand joins, in one statement.
        entered = add_joiners(conn, segment_id, select(contact_id).where(wanted), now,
                              members=members)
    elif _differs(conn, segment_id, select(contact_id).where(wanted), made):
        entered, left = _apply_difference(conn, segment_id, contact_id, wanted, now, made)
    members += entered - left
    elapsed = round((timer.perf_counter() - started) * 1000)
    stamp_evaluated(conn, segment_id, now, elapsed)
    return RefreshResult(segment_id, name, max(int(entered or 0), 0),
                         max(int(left or 0), 0), members, elapsed, now)


@dataclass(frozen=True)
class Standing:
    """A dynamic segment as a check finds it: its name, rule and current stays."""

    name: str
    rule: Node
    members: int
    made: int  # of the members, made by the rule


def standings(conn: Connection, ids: Sequence[int]) -> dict[int, Standing]:
    """The dynamic segments among `ids`, read in two statements for a whole batch."""
    m = Membership
    stays = {int(sid): (int(members), int(made)) for sid, members, made in conn.execute(
        select(m.segment_id, func.count(), func.count().filter(
            m.source == MembershipSource.RULE))
        .where(m.segment_id.in_(list(ids)), current_membership())
        .group_by(m.segment_id))}
    found: dict[int, Standing] = {}
    for sid, name, rule in conn.execute(
            select(Segment.id, Segment.name, Segment.rule).where(
                Segment.id.in_(list(ids)), Segment.kind == SegmentKind.DYNAMIC,
                Segment.rule.is_not(None))):
        try:
            parsed = from_json(str(rule))
        except RuleFormatError:
            continue  # refresh_segment says so, alone
        members, made = stays.get(int(sid), (0, 0))
        found[int(sid)] = Standing(str(name), parsed, members, made)
    return found


def check_segment(conn: Connection, segment_id: int, standing: Standing, *, now: datetime,
                  today: date, shared: SharedReads | None = None) -> RefreshResult | None:
    """Whether a refresh of this segment would write nothing, found without writing or
    taking the refresh lock: its result (nobody entered or left) when its rule-made
    members already equal its rule's matches; None when it would write (a difference,
    or never evaluated: nothing made by its rule): refresh_segment, under the lock, then
    decides. The result's evaluation is not stamped (stamp_evaluated, in a write).

    "Nothing to write" read without the lock is safe: the members it compared with are
    everything re-evaluated so far, and whatever changed since its rule's lists were
    read is owed a re-evaluation by whoever changed it (data/rules/pending.py); it only
    ever spares a write that would change nothing (P9)."""
    if not standing.made:
        return None
    started = timer.perf_counter()
    contact_id, wanted = _wanted(standing.rule, segment_id, today, shared)
    if _differs(conn, segment_id, select(contact_id).where(wanted), standing.made):
        return None
    elapsed = round((timer.perf_counter() - started) * 1000)
    return RefreshResult(segment_id, standing.name, 0, 0, standing.members, elapsed, now)


def _dynamic(conn: Connection, segment_id: int, saved: SegmentDraft | None
             ) -> tuple[str, Node] | None:
    """(name, rule) of a dynamic segment: `saved` if given, else read; None when the
    segment is gone or static."""
    if saved is None:
        row = conn.execute(select(Segment.name, Segment.kind, Segment.rule)
                           .where(Segment.id == segment_id)).one_or_none()
        if row is None or row.kind != SegmentKind.DYNAMIC or not row.rule:
            return None
        return str(row.name), from_json(row.rule)
    if saved.kind != SegmentKind.DYNAMIC or saved.rule is None:
        return None
    return saved.name, saved.rule


def _wanted(rule: Node, segment_id: int, today: date, shared: SharedReads | None
            ) -> tuple[Any, ColumnElement[bool]]:
    """(the contact id column, the condition) a segment's members are chosen by: its rule
    less its exclusions, over the batch's copy of the contacts when it has one."""
    from segtui.data.rules import whole_refresh  # a refresh's, not a rule count's (P12)

    wanted = and_(compile_rule(rule, today), ~_excluded(segment_id))
    if shared is not None and shared.candidates is not None:
        return shared.candidates.c.id, shared.over_candidates(wanted)
    return whole_refresh.CONTACTS.c.id, wanted


def _stays(conn: Connection, segment_id: int) -> tuple[int, int]:
    """(current members, of them made by the rule)."""
    m = Membership
    members, made = conn.execute(
        select(func.count(), func.count().filter(m.source == MembershipSource.RULE))
        .where(m.segment_id == segment_id, current_membership())).one()
    return int(members), int(made)


def _differs(conn: Connection, segment_id: int, matching: Select[Any], made: int) -> bool:
    """Whether the rule's matches (`matching`) differ from the segment's `made` rule-made
    members, counted without writing anything: what a refresh finds most often is no
    difference, and then it writes nothing. The matches are read once into the
    statement's own working set (a materialised CTE), not a table."""
    m = Membership
    matches = matching.cte("rule_matches").prefix_with("MATERIALIZED")
    # The leavers as a set difference (hashed or sorted, once), not an anti-join: that
    # one PostgreSQL could plan from statistics older than the rule's first members (none
    # rule-made then: one row expected) as a search of the matches once per member (2.5 s
    # for 5,495 members at a million contacts, where hashing takes 10 ms).
    leavers = except_(
        select(m.contact_id).where(m.segment_id == segment_id, current_membership(),
                                   m.source == MembershipSource.RULE),
        select(matches.c[0])).subquery()
    found, left = conn.execute(select(
        select(func.count()).select_from(matches).scalar_subquery(),
        select(func.count()).select_from(leavers).scalar_subquery())).one()
    # No rule-made member left and as many matches as they: the matches are the members.
    # More matches (a joiner, or a match who is a member by hand): the long way decides.
    return bool(left) or int(found) != made


def _apply_difference(conn: Connection, segment_id: int, contact_id: Any,
                      wanted: ColumnElement[bool], now: datetime, made: int
                      ) -> tuple[int, int]:
    """Write the difference between the rule's matches and the segment's `made` rule-made
    members: (joined, left). The rule is evaluated once, into a temporary set; leavers and
    joiners are its difference with the members."""
    from segtui.data.rules import whole_refresh  # a refresh's, not a rule count's (P12)

    matches = whole_refresh.matched(conn)
    found = conn.execute(
        insert(matches).from_select(["contact_id"], select(contact_id).where(wanted))
        .execution_options(preserve_rowcount=True)).rowcount
    m = Membership
    rule_made = (m.segment_id == segment_id, current_membership(),
                 m.source == MembershipSource.RULE)
    is_leaver = ~exists(select(1).where(matches.c.contact_id == m.contact_id))
    left = conn.execute(
        update(m)
        .where(*rule_made, is_leaver)
        .values(removed_at=now, removed_by_id=None)
        .execution_options(preserve_rowcount=True)
    ).rowcount
    # Once the leavers are gone, every rule-made member is a match: as many of them as
    # matches means every match is a member already, and nobody joins.
    entered = 0
    if found != made - left:
        entered = add_joiners(conn, segment_id, select(matches.c.contact_id), now)
    return max(int(entered or 0), 0), max(int(left or 0), 0)


def whole_batches(conn: Connection, ids: Sequence[int], today: date
                  ) -> list[whole_refresh.Batch]:
    """The batches that refresh these segments whole (data/rules/whole_refresh.py), each after
    the batches of the segments its rule uses."""
    from segtui.data.rules import whole_refresh

    rules: dict[int, Node] = {}
    for sid, text in conn.execute(select(Segment.id, Segment.rule).where(
            Segment.id.in_(list(ids)), Segment.kind == SegmentKind.DYNAMIC,
            Segment.rule.is_not(None))):
        try:  # compiled here too: planning compiles a batch's rules together
            rules[int(sid)] = root = from_json(str(text))
            compile_rule(root, today)
        except RULE_FAILURES:
            # A batch of its own, whose write records why it fails, alone (C20.7.4).
            rules.pop(int(sid), None)
    return whole_refresh.plan(rules, layers(segment_lookup(conn), ids), today)


def dynamic_ids(conn: Connection) -> list[int]:
    """The dynamic segments a whole pass re-evaluates: not the archived ones (C19.4.6;
    a restore owes its segment a whole re-evaluation)."""
    return [int(i) for i in conn.execute(
        select(Segment.id).where(Segment.kind == SegmentKind.DYNAMIC,
                                 Segment.archived_at.is_(None)).order_by(Segment.id)
    ).scalars()]


def stale_ids(conn: Connection, today: date) -> list[int]:
    """Dynamic segments not evaluated yet today: a rule with a time window ("within 30d")
    selects different contacts each day, so yesterday's memberships may be out of date."""
    start = datetime.combine(today, datetime.min.time())
    return [int(i) for i in conn.execute(
        select(Segment.id).where(
            Segment.kind == SegmentKind.DYNAMIC, Segment.archived_at.is_(None),
            (Segment.evaluated_at.is_(None)) | (Segment.evaluated_at < start),
        ).order_by(Segment.id)
    ).scalars()]


def refresh_contacts(conn: Connection, contact_ids: Sequence[int], *, now: datetime,
                     today: date) -> list[RefreshResult]:
    """Re-evaluate every dynamic segment for these contacts only: what an import or an edit
    of a few contacts (or their events) calls, instead of refreshing whole segments.

    Each distinct condition of the rules is asked once for the changed contacts, and the
    rules are combined from the answers (data/rules/incremental.py), layer by layer so "in
    segment X" sees X already updated; the differences with their current stays are
    written as for a whole refresh. Returns the segments whose members changed; their
    evaluation time is left as it was (it was not a whole evaluation)."""
    from segtui.data.rules import incremental  # a write's, not a read command's (P12)

    return incremental.refresh_contacts(
        conn, contact_ids, now=now, today=today,
        layers=lambda references: layers(SegmentLookup(
            id_of=lambda _: None, name_of=lambda _: None,
            references=lambda sid: references.get(sid, ())), list(references)))


def refresh_dependents(conn: Connection, segment_id: int, *, now: datetime, today: date,
                       lookup: SegmentLookup | None = None) -> list[RefreshResult]:
    """After `segment_id`'s members changed: re-evaluate the segments that use it.
    Runs after every hand edit of members, so with no dynamic segment it costs one query.
    `lookup`: the caller's, when it has read one in this transaction (who uses a segment
    does not change when that segment's own rule does)."""
    every = dynamic_ids(conn)
    if not every:
        return []
    order = dependents(lookup or segment_lookup(conn), every, segment_id)
    results: list[RefreshResult] = []
    for sid in order:  # one that fails does so alone, recorded (C20.7.4)
        with failing_alone(conn, sid, lambda: now, []):
            if (result := refresh_segment(conn, sid, now=now, today=today)) is not None:
                results.append(result)
    return results


def overrides(conn: Connection, segment_id: int) -> tuple[int, int]:
    """(members added by hand, contacts kept out by hand): a dynamic segment's manual
    overrides of its rule, which refreshes keep."""
    by_hand = conn.execute(
        select(func.count()).select_from(Membership)
        .where(Membership.segment_id == segment_id, current_membership(),
               Membership.source == MembershipSource.MANUAL)).scalar_one()
    kept_out = conn.execute(
        select(func.count()).select_from(SegmentExclusion)
        .where(SegmentExclusion.segment_id == segment_id)).scalar_one()
    return int(by_hand), int(kept_out)


def uses_of(conn: Connection, segment_id: int,
            lookup: SegmentLookup | None = None) -> list[str]:
    """Names of the segments whose rules use this one (they block deleting it)."""
    lookup = lookup or segment_lookup(conn)
    return sorted((lookup.name_of(sid) or "?") for sid in dynamic_ids(conn)
                  if segment_id in lookup.references(sid))
