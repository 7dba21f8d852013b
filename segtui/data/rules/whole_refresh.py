"""Refreshing many dynamic segments whole (P9; docs/rules.md, "Refreshing every
segment").

A whole refresh evaluates a rule once into a temporary set of matches and writes the
difference with the segment's rule-made members (`dynamic.refresh_segment`). Evaluated one
by one, a thousand rules at a million contacts read the same rows again and again: every
rule `city = "Austin" and ...` fetches Austin's 28,000 contacts from the table, every rule
`... and opened within 30d >= 1` lists the 64,000 contacts who opened. So the segments are
refreshed in batches, one transaction each (`plan`):

- segments whose rules all require the same condition (`C and ...`, C and-ed at the top)
  share a batch: the contacts meeting C are copied once into a temporary table and each
  rule is evaluated over the copy (a rule that requires C matches only contacts meeting
  C, so the copy holds all it can match);
- inside a batch, each list of contacts the rules read (events, tags) is read once into a
  temporary table and shared by the rules that use it (`rule_sql.sharing_lists`);
- a segment that shares no condition is a batch of its own, as before.

Exact, not a cache: the copies are taken inside the batch's transaction and dropped at its
end. That transaction holds the write lock on SQLite, so nothing changes under it; on
PostgreSQL it holds the refresh lock (`pending.serialise_refreshes`), and a process that
changes contacts after a copy was taken re-evaluates them under that lock, so after this
batch commits (and owes them until it has, data/rules/pending.py).
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Integer,
    MetaData,
    Select,
    Table,
    insert,
    select,
    text,
)
from sqlalchemy.sql import visitors
from sqlalchemy.sql.selectable import CTE

from segtui.core.rules.fields import FieldType, field_named
from segtui.core.rules.tree import Condition, EventCount, Group, Joiner, Node, Op, conditions
from segtui.data.db.tables import Contact
from segtui.data.rules import pending
from segtui.data.rules.compile_state import sharing_lists
from segtui.data.rules.compiler import compile_rule

CONTACTS = Contact.__table__
# At most this many segments a transaction: on SQLite a batch holds the write lock, and
# another process's save waits for it (SEGTUI_BUSY_TIMEOUT, 10 s by default).
BATCH_MOST = 50
_names = itertools.count()
# SQLite's page cache while a batch writes (its default is 2 MB): the members a batch
# adds are scattered over the whole `ix_memberships_contact` index (88 MB at a million
# contacts and 5.5 million stays); a cache that holds them writes each page to the log
# once, at the commit, not each time the cache spills. Given back when the batch ends.
_WRITE_CACHE_KIB = -131072


@dataclass(frozen=True)
class Batch:
    """Segments refreshed in one transaction; `shared`: the condition every one of their
    rules requires (their contacts are read once), None for a segment of its own."""

    segment_ids: tuple[int, ...]
    shared: Node | None = None
    # The contacts columns the batch's rules read: all the copy needs to hold.
    columns: tuple[str, ...] = ()
    # Its layer (order.layers): batches of one layer may run at once, in any order; a
    # layer starts when the one before it is done.
    layer: int = 0


def required(root: Node) -> tuple[Node, ...]:
    """The conditions a contact must meet for `root` to match it (its top-level `and`),
    among those a batch can share: not the members of another segment, which that
    segment's own refresh may change within the same run."""
    if isinstance(root, Group):
        if root.negated or root.joiner is not Joiner.AND or len(root.children) < 2:
            return ()
        parts: tuple[Node, ...] = root.children
    else:
        parts = (root,)
    return tuple(part for part in parts if not _uses_segments(part))


def _uses_segments(node: Node) -> bool:
    return any((field := field_named(c.field)) is None or field.type is FieldType.SEGMENT
               for c in conditions(node))


def columns_read(rules: Sequence[Node], today: date) -> tuple[str, ...]:
    """The contacts columns these rules test (the id always), in the table's order."""
    found = {"id"} | {element.name for rule in rules
                      for element in _outside_ctes(compile_rule(rule, today))
                      if isinstance(element, Column) and element.table is CONTACTS}
    return tuple(c.name for c in CONTACTS.columns if c.name in found)


def _outside_ctes(element: Any) -> Iterator[Any]:
    """Every element of the expression, except inside a CTE (`over_candidates` leaves
    CTEs on the contacts table)."""
    stack = [element]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, CTE):
            stack.extend(current.get_children())


def breadth(node: Node) -> int:
    """How large a share of the contacts a condition is likely to hold, from its kind
    alone (0 narrow to 3 unknown or broad): the batch's copy holds the contacts meeting
    it, and each rule of the batch reads the whole copy, so the narrowest shared condition
    makes the smallest copy. A city or an email names few contacts; a list of those who did
    something (opened, tagged) some; a status or a stage a sixth; a company size, an
    industry, a comparison or a negation could be most of them."""
    if not isinstance(node, Condition) or node.negated:
        return 3
    field = field_named(node.field)
    if field is None:
        return 3
    if field.type is FieldType.EVENT:  # did it (at least n times), not "never"
        done = isinstance(node.value, EventCount) and node.value.count > 0
        return 1 if node.op in (Op.GE, Op.GT) or (node.op is Op.EQ and done) else 3
    if node.op not in (Op.EQ, Op.ONE_OF, Op.STARTS_WITH):
        return 3
    if field.type is FieldType.TEXT and field.key != "industry":
        return 0
    if field.type is FieldType.TAGS:
        return 1
    if field.type is FieldType.CHOICE and field.key != "size":
        return 2
    return 3


def plan(rules: Mapping[int, Node], layers: Sequence[Sequence[int]], today: date
         ) -> list[Batch]:
    """The batches refreshing `layers` (each layer after the segments its rules use, see
    order.layers) in order. Within a layer, each segment joins the batch of one of the
    conditions it requires that other segments of the layer require too: the narrowest
    (`breadth`), then the one most share, then the first it names. Inside a batch the
    segments keep their order (data/rules/whole_refresh.py explains the batches)."""
    batches: list[Batch] = []
    for number, layer in enumerate(layers):
        needs = {sid: required(rules[sid]) if sid in rules else () for sid in layer}
        shared_by = Counter(c for sid in layer for c in set(needs[sid]))
        groups: dict[Node, list[int]] = {}
        for sid in layer:
            common = [c for c in needs[sid] if shared_by[c] > 1]
            if common:  # the narrowest, then the most shared, then the first named
                best = min(common, key=lambda c: (breadth(c), -shared_by[c]))
                groups.setdefault(best, []).append(sid)
        in_groups = {sid for ids in groups.values() if len(ids) > 1 for sid in ids}
        found = [Batch(chunk, shared, columns_read([shared, *(rules[s] for s in chunk)],
                                                   today), number)
                 for shared, ids in groups.items() if len(ids) > 1
                 for chunk in _chunks(ids)]
        found += [Batch((sid,), layer=number) for sid in layer if sid not in in_groups]
        batches += sorted(found, key=lambda b: b.segment_ids[0])
    return batches


def _chunks(ids: list[int]) -> Iterator[tuple[int, ...]]:
    for i in range(0, len(ids), BATCH_MOST):
        yield tuple(ids[i:i + BATCH_MOST])


def _temporary(name: str, columns: Sequence[Column[Any]]) -> Table:
    return Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])


class RunTurns:
    """The refresh lock's turns a run's own connections drew (PostgreSQL,
    `pending.serialise_refreshes`): a turn of the run's other connection between two of a
    connection's batches re-evaluated none of its segments, so it leaves its lists good."""

    def __init__(self) -> None:
        self._drawn: set[int] = set()
        self._lock = threading.Lock()

    def draw(self, conn: Connection) -> int | None:
        """Take the refresh lock (first in a transaction that re-evaluates): its turn."""
        turn = pending.serialise_refreshes(conn)
        if turn is not None:
            with self._lock:
                self._drawn.add(turn)
        return turn

    def only_ours_between(self, before: int, turn: int) -> bool:
        with self._lock:
            return all(t in self._drawn for t in range(before + 1, turn))


class SharedLists:
    """The lists of contacts (events, tags) the rules of a refresh run read, each read once
    into a temporary table of the run's connection (`rule_sql.sharing_lists`).

    A list holds while nothing it depends on changed. The run itself writes only
    memberships and segments, so on SQLite the lists are kept from batch to batch while no
    other connection committed anything (`PRAGMA data_version`, read inside the batch's
    write transaction, so nobody can commit between the check and the use).

    On PostgreSQL another process may commit a change between two batches; that alone
    leaves the lists no staler than a change committed while a batch runs, since the
    process owes its contacts a re-evaluation under the refresh lock, after this run's
    batch, which corrects them. What a kept list must not do is undo a re-evaluation
    made in between, from before its change: so the lists are kept only when nobody but
    the run took the refresh lock since the previous batch (`RunTurns`).

    `for_checks`: lists read only to find whether a segment would change
    (`refresh.check_segment`), kept for the whole run: a difference found there only
    sends the segment to a write, which reads its own lists (data/store/refresh_run.py)."""

    def __init__(self, conn: Connection, turns: RunTurns | None = None, *,
                 for_checks: bool = False) -> None:
        self.conn = conn
        self.turns = turns
        self.for_checks = for_checks
        self._tables: dict[tuple[str, tuple[Any, ...]], Table] = {}
        # When the lists were read: SQLite's data_version, or PostgreSQL's refresh turn.
        self._seen: int | None = None

    def start_batch(self, turn: int | None = None) -> None:
        """Call first in each batch's transaction, with the turn it took the refresh lock
        in (`RunTurns.draw`): forgets lists that may be stale."""
        if self.for_checks:
            return
        if self.conn.dialect.name == "sqlite":
            version = int(self.conn.exec_driver_sql("PRAGMA data_version").scalar_one())
            if version != self._seen:
                self.drop()
            self._seen = version
            return
        if (turn is None or self._seen is None or self.turns is None
                or not self.turns.only_ours_between(self._seen, turn)):
            self.drop()
        self._seen = turn

    def listed(self, ids: Select[Any]) -> Select[Any]:
        """The ids `ids` selects, from the run's copy of them."""
        compiled = ids.compile(self.conn)
        # An `in (a, b)` value is a list: made a tuple, so the key can be looked up.
        key = (str(compiled), tuple(sorted(
            (name, tuple(value) if isinstance(value, list) else value)
            for name, value in compiled.params.items())))
        table = self._tables.get(key)
        if table is None:
            table = _temporary(f"segtui_list_{next(_names)}",
                               [Column("contact_id", Integer, primary_key=True)])
            table.create(self.conn)
            listed = ids.subquery()
            self.conn.execute(insert(table).from_select(
                ["contact_id"], select(listed.c[0]).distinct()))
            _analyse(self.conn, table.name)
            self._tables[key] = table
        return select(table.c.contact_id)

    def drop(self) -> None:
        for table in self._tables.values():
            self.conn.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
        self._tables.clear()


def _analyse(conn: Connection, name: str) -> None:
    # PostgreSQL plans with no statistics for a temporary table (autovacuum never visits
    # them): without these, it guesses their size from nothing.
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"ANALYZE {name}"))


class SharedReads:
    """What one batch shares: the copy of the contacts meeting its shared condition, and
    the run's lists (`SharedLists`). Use as `with SharedReads(...).active(batch):` around
    compiling and running the batch's rules."""

    def __init__(self, conn: Connection, today: date, lists: SharedLists) -> None:
        self.conn = conn
        self.today = today
        self.lists = lists
        self.candidates: Table | None = None

    @contextmanager
    def active(self, batch: Batch) -> Iterator[SharedReads]:
        """Inside, the batch's rules read what it shares; a batch of one reads a copy for
        nobody else, but the run's lists when it has them."""
        sqlite = self.conn.dialect.name == "sqlite"
        several = len(batch.segment_ids) > 1
        if sqlite and several:  # see _WRITE_CACHE_KIB
            self.conn.exec_driver_sql(f"PRAGMA cache_size = {_WRITE_CACHE_KIB}")
        try:
            with sharing_lists(self.lists.listed):
                if batch.shared is not None and several:
                    self.candidates = self._copy(batch.shared, batch.columns)
                yield self
        finally:
            if self.candidates is not None:
                self.conn.execute(text(f"DROP TABLE IF EXISTS {self.candidates.name}"))
                self.candidates = None
            if sqlite and several:
                self.conn.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default
                self.conn.exec_driver_sql("PRAGMA shrink_memory")

    def over_candidates(self, condition: ColumnElement[bool]) -> ColumnElement[bool]:
        """`condition` (compiled over `contacts`) asked of the copy instead: each reference
        to a contacts column becomes the copy's, correlated subqueries included. CTEs are
        left alone: the distinct values of an indexed column are read from its index."""
        assert self.candidates is not None
        copy = self.candidates

        def swap(element: Any, **_: Any) -> Any:
            if isinstance(element, CTE):
                return element
            if isinstance(element, Column) and element.table is CONTACTS:
                return copy.c[element.name]
            return None

        return visitors.replacement_traverse(condition, {}, swap)

    def _copy(self, shared: Node, columns: Sequence[str]) -> Table:
        name = f"segtui_candidates_{next(_names)}"
        # The columns the rules read, as contacts has them, without constraints or
        # indexes: each rule reads the whole copy.
        listed = ", ".join(columns)
        self.conn.execute(text(f"CREATE TEMPORARY TABLE {name} AS "
                               f"SELECT {listed} FROM contacts WHERE 1 = 0"))
        copy = _temporary(name, [Column(c, CONTACTS.c[c].type) for c in columns])
        self.conn.execute(insert(copy).from_select(
            list(columns),
            select(*(CONTACTS.c[c] for c in columns)).where(
                compile_rule(shared, self.today))))
        _analyse(self.conn, name)
        return copy


_MATCHED = _temporary("segtui_matched", [Column("contact_id", Integer, primary_key=True)])


def matched(conn: Connection) -> Table:
    """The connection's (empty) temporary table a rule's matches are read into."""
    conn.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS segtui_matched "
                      "(contact_id INTEGER PRIMARY KEY)"))
    if conn.dialect.name == "postgresql":
        # Not DELETE: in a batch's transaction the deleted rows of the segments before
        # stay in the table until the commit, and every later read scans them (50
        # segments of 4,500 matches: 94 ms a read where 2 would do).
        conn.execute(text("TRUNCATE segtui_matched"))
    else:  # SQLite empties a table deleted from without a WHERE at once
        conn.execute(_MATCHED.delete())
    return _MATCHED

