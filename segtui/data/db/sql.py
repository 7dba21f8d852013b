"""Small SQL helpers shared by the query modules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar, TypeVarTuple

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Select,
    String,
    any_,
    exists,
    func,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import NullType

from segtui.data.db.tables import Contact, Membership, SegmentSize

LIKE_ESCAPE = "\\"

# A column or an ORM attribute: what the query modules hand to their tests.
Text = ColumnElement[Any]


# The largest id a key column can hold: PostgreSQL's INTEGER, SQLite's 64-bit INTEGER. A
# larger number can be no row's id; sent to the database it would fail (OverflowError,
# "integer out of range"), so callers drop it first (I16.10).
_MAX_ID = {"postgresql": 2**31 - 1}
_SQLITE_MAX_ID = 2**63 - 1


def storable_ids(conn: Connection, ids: Iterable[int]) -> list[int]:
    """Those of `ids` that could be a row's id in this database (the others are none)."""
    top = _MAX_ID.get(conn.dialect.name, _SQLITE_MAX_ID)
    return [i for i in ids if -top - 1 <= i <= top]


def storable_text(text: str) -> bool:
    """Whether `text` could be stored at all: PostgreSQL text can't hold NUL, and a lone
    surrogate (a byte that was not UTF-8) can't be encoded for either engine."""
    return "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with the user's % and _ taken literally."""
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def icontains(
    column: ColumnElement[Any], text: str
) -> ColumnElement[bool]:
    """Case-insensitive "column contains text", the same on SQLite and PostgreSQL."""
    return column.ilike(contains_pattern(text), escape=LIKE_ESCAPE)


def insert_unless_present(conn: Connection, model: Any, values: Any,
                          keys: Sequence[str]) -> Insert:
    """INSERT ... ON CONFLICT (keys) DO NOTHING in the connection's own dialect: a row a
    concurrent writer has just added is theirs to keep, not an error. The dialect's module
    is imported here, when a write needs it: importing PostgreSQL's loads its five drivers,
    which a SQLite read command should not wait for (P12)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    return dialect_insert(model).values(values).on_conflict_do_nothing(index_elements=keys)


def run_ddl(conn: Connection, sqlite: Sequence[str], postgresql: Sequence[str]) -> None:
    """Run the statements written for this connection's engine (triggers and the like).
    psycopg reads `%` as a placeholder even with no parameters, so percent signs (LIKE
    patterns) are doubled to reach PostgreSQL as they are written."""
    if conn.dialect.name == "sqlite":
        for statement in sqlite:
            conn.exec_driver_sql(statement)
    else:
        for statement in postgresql:
            conn.exec_driver_sql(statement.replace("%", "%%"))


def statement_trigger_drops(name: str, table: str) -> tuple[str, ...]:
    """PostgreSQL: the DROPs of the statement triggers `trg_<name>_insert|update|delete` on
    `table` and their functions `<name>_insert|update|delete()`, the layout the derived
    tables kept per statement share (data/derived/figures.py, stays.py)."""
    kinds = ("insert", "update", "delete")
    return (*(f"DROP TRIGGER IF EXISTS trg_{name}_{kind} ON {table}" for kind in kinds),
            *(f"DROP FUNCTION IF EXISTS {name}_{kind}()" for kind in kinds))


T = TypeVar("T")
Row = TypeVarTuple("Row")


class Aside(Protocol):
    """Starts a read on a connection of its own and returns a way to wait for its result:
    a tab's statements that don't need each other run at once on the two cores
    (Store.aside, P7)."""

    def __call__(self, query: Callable[[Connection], T], /) -> Callable[[], T]: ...


def here(conn: Connection) -> Aside:
    """An Aside that runs each read at once on `conn` (one shared connection, tests)."""

    def run(query: Callable[[Connection], T], /) -> Callable[[], T]:
        result = query(conn)
        return lambda: result

    return run


# A pass over a large segment's members read in two halves at once (the cards): the
# halves alternate by blocks of this many consecutive contact ids (in_half).
ID_BLOCK = 1024


def in_half(contact_id: Text, half: int) -> ColumnElement[bool]:
    """`contact_id` is in `half` (0 or 1) of all contact ids, blocks of ID_BLOCK
    consecutive ids taken in turn. A fixed partition: two statements that read the two
    halves in their own snapshots count each member once, whatever was committed between
    them, and need no first statement to find where to split (the cards' halves start at
    once, P6). A block is a run of neighbouring rows in an index and a table kept
    in id order, so each half reads its own pages; a segment whose members span more
    than a few blocks is halved evenly (101,291 members: 50,672 and 50,619)."""
    return (contact_id // ID_BLOCK) % 2 == half


def member_ids(segment_id: int, *, from_id: int | None = None,
               below_id: int | None = None, half: int | None = None) -> Select[int]:
    """The contact ids of a segment's current members (those with `from_id <= contact id
    < below_id` where given, those `in_half(half)` where given), as a subquery for IN
    (...)."""
    return select(Membership.contact_id).where(
        *members_within(segment_id, from_id, below_id, half))


def over_members(conn: Connection, query: Select[*Row], segment_id: int, *,
                 from_id: int | None = None, below_id: int | None = None,
                 half: int | None = None, of: Text = Contact.id) -> Select[*Row]:
    """`query` (over `contacts`, or over another table keyed by contact id, `of` its key:
    contact_figures, data/derived/figures.py) read for the segment's current members, those with
    `from_id <= contact id < below_id` where given (or `in_half(half)`): one pass over
    their contacts.

    SQLite walks the members in contact id order (the join; uq_memberships_current holds
    them so) and seeks each contact. PostgreSQL is given the members' ids as one array,
    `contacts.id = ANY (ARRAY(SELECT ...))`: it walks pk_contacts with the ids sorted, so
    each heap page of `contacts` is read once, in order, by one process. Given the join,
    it hashed the members and read all 1M contacts (a parallel sequential scan of the
    279 MB table, three processes), or probed the key per member in the members' order:
    two to three times the CPU for the same 101,291 rows, on a machine of two cores that
    runs a tab's statements two at a time (P7)."""
    table = of.table
    if conn.dialect.name == "postgresql":
        return query.select_from(table).where(
            of == member_id_array(segment_id, from_id=from_id, below_id=below_id, half=half))
    return (query.select_from(Membership).join(table, of == Membership.contact_id)
            .where(*members_within(segment_id, from_id, below_id, half)))


def member_id_array(segment_id: int, *, from_id: int | None = None,
                    below_id: int | None = None, half: int | None = None
                    ) -> ColumnElement[Any]:
    """PostgreSQL only: `ANY (ARRAY(SELECT ...))` of the current members' contact ids, for
    `column == member_id_array(...)`. The ids are read once (uq_memberships_current, in
    contact id order) into an array the index scan of `column` walks sorted: an ordered
    seek per member instead of a hash of the members probed by every row of the table,
    which PostgreSQL prefers while it prices each seek as a read from disk
    (`random_page_cost`), whatever the cache holds (over_members, P7)."""
    ids = member_ids(segment_id, from_id=from_id, below_id=below_id, half=half)
    return any_(func.array(ids.scalar_subquery()))


# What `planned_for_members` sets, as (setting, value while inside). 32 MB: the hash of
# the Engagement Trend's 118,290 distinct (member, month, line) triples at 101,291 members
# takes 14 MB; at the default 4 MB it was written to disk in five batches.
_MEMBER_ARRAY_SETTINGS = (("enable_nestloop", "off"), ("enable_sort", "off"),
                          ("work_mem", "'32MB'"))


@contextmanager
def planned_for_members(conn: Connection) -> Iterator[None]:
    """PostgreSQL: the statements inside join or group the rows `member_id_array` finds,
    and are planned for many of them. The array's length is unknown when the statement is
    planned; PostgreSQL guesses 10 elements, and for 10 rows it seeks `companies` once per
    member and sorts the members to group them: for 101,291 members, 101,291 index seeks
    and a sort spilled to disk, where a hash of the 25,069 companies and a hash of the
    groups are what it picks once it knows the count (P7: Insights' member groups,
    the Analytics regions and sizes, the Engagement Trend's distinct triples). So nested
    loops and sorts are off and the hashes get room (`SET LOCAL`, this read transaction
    only) while the statements inside run, and back as they were after; a statement with
    no other way to join or sort still gets one. After a failure they
    are left to the transaction's rollback (an aborted transaction takes no more SETs).
    SQLite plans its own way: nothing changes there."""
    if conn.dialect.name != "postgresql":
        yield
        return
    for name, value in _MEMBER_ARRAY_SETTINGS:
        conn.exec_driver_sql(f"SET LOCAL {name} = {value}")
    yield
    for name, _ in _MEMBER_ARRAY_SETTINGS:
        conn.exec_driver_sql(f"SET LOCAL {name} TO DEFAULT")


def member_of(conn: Connection, column: Text, segment_id: int) -> ColumnElement[bool]:
    """`column` (a contact id) is a current member's: `IN (SELECT ...)` on SQLite, which
    starts from the members where that is cheaper; on PostgreSQL the members' ids as one
    sorted array (member_id_array), so the index on `column` is sought once per member
    instead of every row of a time range being probed against a hash of the members: the
    Engagement Trend's six months of events read 288,051 rows where it scanned 2.84M
    (803 against 277 ms of CPU, P7)."""
    if conn.dialect.name == "postgresql":
        return column == member_id_array(segment_id)
    return column.in_(member_ids(segment_id))


def members_within(segment_id: int, from_id: int | None = None,
                   below_id: int | None = None, half: int | None = None
                   ) -> list[ColumnElement[bool]]:
    """The conditions on `memberships` for the segment's current members, those with
    `from_id <= contact id < below_id` where given (a contact-id half of a large segment,
    segment_metrics.split_point), those `in_half(half)` where given."""
    within = [Membership.segment_id == segment_id, current_membership()]
    if from_id is not None:
        within.append(Membership.contact_id >= from_id)
    if below_id is not None:
        within.append(Membership.contact_id < below_id)
    if half is not None:
        within.append(in_half(Membership.contact_id, half))
    return within


def is_member(segment_id: int) -> ColumnElement[bool]:
    """The contact of the enclosing query is a current member of the segment: one probe of
    `uq_memberships_current` per contact (a correlated EXISTS)."""
    return exists(select(1).where(
        Membership.segment_id == segment_id,
        Membership.contact_id == Contact.id,
        current_membership(),
    ))


def segment_size(segment_id: ColumnElement[int] | int) -> ColumnElement[int]:
    """How many current members the segment has: the sum of its rows of `segment_sizes`,
    kept by triggers in the statement that changes its stays (data/derived/stays.py), or
    0 (an empty segment has none). A row or two read, where a count walked every stay
    (8 ms at 101,291 members). `segment_id` may be a column of the enclosing query
    (correlated)."""
    return func.coalesce(select(func.sum(SegmentSize.members))
                         .where(SegmentSize.segment_id == segment_id).scalar_subquery(), 0)


def member_count(conn: Connection, segment_id: int) -> int:
    """How many current members a segment has (`segment_size`)."""
    return int(conn.execute(select(segment_size(segment_id))).scalar_one())


def current_membership() -> ColumnElement[bool]:
    """A membership row that is a current stay (not one from history)."""
    return Membership.removed_at.is_(None)


class casefold(FunctionElement[str]):
    """Case-insensitive identity of a text in SQL, the same on both engines: PostgreSQL's
    lower() (Unicode-aware), SQLite's casefold() registered in `data/db/engine.py` (SQLite's
    own lower() folds ASCII only)."""

    type = String()
    inherit_cache = True


@compiles(casefold)
def _casefold_default(element: casefold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "sqlite")
def _casefold_sqlite(element: casefold, compiler: SQLCompiler, **kw: Any) -> str:
    # casefold() is a call into Python for every row (a rule's `name contains "smith"`
    # took 7x a plain LIKE at a million contacts). Text of one byte per character is ASCII,
    # where SQLite's own lower() folds exactly as casefold() does; only the rest (accents,
    # other scripts, a NUL) goes to Python. Both length() calls are C, and CAST AS BLOB
    # counts bytes without copying.
    text = compiler.process(element.clauses, **kw)
    return (f"CASE WHEN length({text}) = length(CAST({text} AS BLOB)) THEN lower({text}) "
            f"ELSE casefold({text}) END")


class mostly_true(FunctionElement[bool]):
    """A condition most rows pass, said to SQLite's planner (`likelihood(x, 0.9)`), which
    keeps no statistics here and would otherwise drive a query from any indexed IN list:
    "company size is Enterprise" (a third of all contacts, one index lookup each) instead
    of the city index (measured 565 ms against 44 ms with `city = Chicago` beside it).
    PostgreSQL plans from its own statistics and gets the condition unchanged."""

    type = Boolean()
    inherit_cache = True


@compiles(mostly_true)
def _mostly_true_default(element: mostly_true, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(mostly_true, "sqlite")
def _mostly_true_sqlite(element: mostly_true, compiler: SQLCompiler, **kw: Any) -> str:
    return f"likelihood({compiler.process(element.clauses, **kw)}, 0.9)"


class mostly_true_term(FunctionElement[Any]):
    """`mostly_true` for a term that stays an index constraint: SQLite gets
    `likelihood(x, 0.9)` as a WHERE term by itself, without the ` = 1` SQLAlchemy writes
    after a boolean function on an engine with no boolean type, which hid the term from
    SQLite's index choice (its NullType keeps SQLAlchemy from adding it). Used where SQLite
    should drive from another condition and still seek with this one: the Performance tab's
    sends start from the members and seek each one's sends of the window (P7)."""

    type = NullType()
    inherit_cache = True


@compiles(mostly_true_term)
def _mostly_true_term_default(element: mostly_true_term, compiler: SQLCompiler,
                              **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(mostly_true_term, "sqlite")
def _mostly_true_term_sqlite(element: mostly_true_term, compiler: SQLCompiler,
                             **kw: Any) -> str:
    return f"likelihood({compiler.process(element.clauses, **kw)}, 0.9)"


class per_engine(ColumnElement[Any]):
    """One condition written two ways, the engine's own picked when the statement is
    compiled: `sqlite` for SQLite, `postgresql` for PostgreSQL. For conditions whose fast
    form differs between the planners (data/rules/compiler.py: a list SQLite builds once and
    probes, where PostgreSQL wants EXISTS). Both forms must select the same rows. Rendered
    in parentheses, so it stays one term under NOT, AND and OR; its NullType keeps
    SQLAlchemy from writing ` = 1` after it on SQLite (see mostly_true_term)."""

    type = NullType()
    inherit_cache = True

    def __init__(self, sqlite: ColumnElement[bool], postgresql: ColumnElement[bool]) -> None:
        self.sqlite = sqlite
        self.postgresql = postgresql

    def get_children(self, **kw: Any) -> tuple[ColumnElement[bool], ...]:
        return (self.sqlite, self.postgresql)

    _traverse_internals = [
        ("sqlite", InternalTraversal.dp_clauseelement),
        ("postgresql", InternalTraversal.dp_clauseelement),
    ]


@compiles(per_engine)
def _per_engine_default(element: per_engine, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.postgresql, **kw)})"


@compiles(per_engine, "sqlite")
def _per_engine_sqlite(element: per_engine, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.sqlite, **kw)})"


@contextmanager
def sqlite_insert_trigger_paused(conn: Connection, trigger: str, recreate: str,
                                 catch_up: Callable[[], None]) -> Iterator[None]:
    """SQLite: the row trigger `trigger` is dropped for the block, `catch_up` does its work
    for the block's rows in one pass at the end, and `recreate` (its CREATE TRIGGER) puts
    it back, all in the caller's transaction: if the block fails, the rollback restores
    the trigger. Other engines: nothing changes (dropping a trigger on PostgreSQL would
    lock the table against every reader until the commit)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
    yield
    catch_up()
    conn.exec_driver_sql(recreate)

