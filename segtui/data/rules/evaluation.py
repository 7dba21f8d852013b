"""What a dynamic segment's evaluations leave on its row (C20.7): when its rule was last
evaluated whole and in how long, or why its evaluation failed and when.

A rule that cannot be evaluated (a stored rule this segtui cannot read, a condition on a
field it does not know, a value the database refuses) fails for its segment alone: the
failure is recorded on the segment, and the others are evaluated as before (C20.7.4).
A connection lost, a cancelled statement or a busy database are not the segment's
failures: those stop the run, as they did."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, or_, select, update
from sqlalchemy.exc import DataError, ProgrammingError

from segtui.core.rules.tree import RuleFormatError
from segtui.data.db.tables import Segment
from segtui.data.rules.compile_state import RuleNotCompilable

# The rule's own failures, raised before anything is written for it.
RULE_FAILURES: tuple[type[Exception], ...] = (RuleFormatError, RuleNotCompilable)
# The database refusing what the rule asks (an invalid pattern, a value out of range).
DATABASE_FAILURES: tuple[type[Exception], ...] = (DataError, ProgrammingError)
FAILURES = RULE_FAILURES + DATABASE_FAILURES

MESSAGE_MOST = 500  # characters of the error kept (C20.7.2)


def describe(problem: BaseException) -> str:
    """The error as a user reads it: the database's first line, not SQLAlchemy's
    statement and parameters."""
    orig = getattr(problem, "orig", None)
    text = str(orig if orig is not None else problem).strip()
    first = text.splitlines()[0] if text else type(problem).__name__
    return first[:MESSAGE_MOST]


def stamp_evaluated(conn: Connection, segment_id: int, now: datetime, elapsed_ms: int
                    ) -> None:
    """Record that the segment's rule was evaluated whole now, in `elapsed_ms`: any
    failure recorded before is over (C20.7.3)."""
    conn.execute(update(Segment).where(Segment.id == segment_id)
                 .values(evaluated_at=now, evaluation_ms=elapsed_ms, evaluation_error=None,
                         evaluation_failed_at=None))


def record_failure(conn: Connection, segment_id: int, now: datetime, message: str, *,
                   unless_known: bool = False) -> None:
    """Record that evaluating the segment's rule failed now with `message` (C20.7.2); its
    last successful evaluation stays as it was. `unless_known`: leave it alone when the
    same failure is recorded already (an incremental pass, which runs after every edit of
    a contact, would otherwise write the row each time)."""
    query = update(Segment).where(Segment.id == segment_id)
    if unless_known:
        query = query.where(or_(Segment.evaluation_error.is_(None),
                                Segment.evaluation_error != message))
    conn.execute(query.values(evaluation_error=message[:MESSAGE_MOST],
                              evaluation_failed_at=now))


@contextmanager
def failing_alone(conn: Connection, segment_id: int, now: Callable[[], datetime],
                  failed: list[int], *, forget: Callable[[], None] = lambda: None
                  ) -> Iterator[None]:
    """Evaluate one segment inside: its failure (FAILURES) is recorded for it, its id
    appended to `failed`, and not raised (C20.7.4). The work runs in a savepoint, so a
    statement the database refused (which aborts a PostgreSQL transaction) is undone
    alone; `forget` is then told, to drop what the caller kept from inside it (temporary
    lists made in the savepoint are gone)."""
    try:
        with conn.begin_nested():
            yield
    except FAILURES as problem:
        forget()
        record_failure(conn, segment_id, now(), describe(problem))
        failed.append(segment_id)


def failures(conn: Connection, segment_ids: Sequence[int] | None = None
             ) -> list[tuple[int, str, str]]:
    """(id, name, error) of the segments (among `segment_ids`, or all) whose last
    evaluation failed, in name order (C20.7.7)."""
    query = (select(Segment.id, Segment.name, Segment.evaluation_error)
             .where(Segment.evaluation_error.is_not(None)).order_by(Segment.name_key))
    if segment_ids is not None:
        query = query.where(Segment.id.in_(list(segment_ids)))
    return [(int(i), str(n), str(e)) for i, n, e in conn.execute(query)]
