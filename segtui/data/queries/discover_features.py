"""SQL for Discover (C22.1.2): a population's facts read in batches of contact ids into
numpy columns (core/discover/features.py).

One pass in contact id order (a keyset over `contacts.id`, BATCH rows a statement), each
batch with the columns the chosen dimensions need and, from `events`, each contact's
engagements in the windows (grouped per contact in SQL, over the batch's id range:
ix_events_contact). Text and vocabulary columns come back as plain text
(`type_coerce`): a million enum or datetime objects built and dropped cost more than the
statement. Companies (size, industry) are read once and looked up by id in numpy.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import (
    Connection,
    Date,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    type_coerce,
)

from segtui.core.discover.features import (
    TOP_TAGS,
    Categorical,
    Codes,
    Features,
    LevelTable,
    fold_rare,
)
from segtui.core.discover.model import Dimension
from segtui.core.enums import ENGAGEMENT_EVENTS, CompanySize, EventType, LeadStatus, LifecycleStage
from segtui.core.metrics import ENGAGEMENT_WINDOW_DAYS, last_days
from segtui.core.rules.tree import Node
from segtui.data.db.engine import without_memory_map
from segtui.data.db.sql import is_member
from segtui.data.db.tables import Company, Contact, EngagementEvent, Tag, contact_tags

BATCH = 100_000

# A batch read: (contacts read so far, of how many); raises Cancelled to stop.
Step = Callable[[int, int], None]


def population_size(conn: Connection, segment_id: int | None) -> int:
    """How many contacts a discovery groups: all, or the segment's current members."""
    query = select(func.count()).select_from(Contact)
    if segment_id is not None:
        query = query.where(is_member(segment_id))
    return int(conn.execute(query).scalar_one())


def _days_ago(conn: Connection, today: date) -> Any:
    """Whole days from the contact's last engagement to `today` (NULL: never)."""
    if conn.dialect.name == "sqlite":  # datetimes are text there
        return (func.julianday(literal(today.isoformat()))
                - func.julianday(func.date(Contact.last_engaged_at)))
    return literal(today, Date) - cast(Contact.last_engaged_at, Date)


@dataclass
class _Companies:
    """Per company id, the code of its size and of its industry (-1: no such company)."""

    size: Codes
    industry: Codes


def _companies(conn: Connection, sizes: LevelTable, industries: LevelTable) -> _Companies:
    rows = conn.execute(select(Company.id, type_coerce(Company.size, String),
                               Company.industry)).all()
    top = max((int(r[0]) for r in rows), default=0)
    size = np.full(top + 1, -1, dtype=np.int16)
    industry = np.full(top + 1, -1, dtype=np.int16)
    if rows:
        ids = np.fromiter((int(r[0]) for r in rows), dtype=np.int64, count=len(rows))
        size[ids] = sizes.encode([r[1] for r in rows])
        industry[ids] = industries.encode([r[2] for r in rows])
    return _Companies(size, industry)


def _top_tags(conn: Connection, segment_id: int | None) -> list[tuple[int, str]]:
    """The TOP_TAGS tags most contacts of the population have, by count then name."""
    ct = contact_tags.c
    query = (select(Tag.id, Tag.name, func.count().label("n"))
             .select_from(contact_tags).join(Tag, Tag.id == ct.tag_id)
             .group_by(Tag.id, Tag.name))
    if segment_id is not None:
        query = query.join(Contact, Contact.id == ct.contact_id).where(is_member(segment_id))
    rows = conn.execute(query.order_by(func.count().desc(), Tag.name).limit(TOP_TAGS)).all()
    return [(int(r[0]), str(r[1])) for r in rows]


def _contacts(conn: Connection, wanted: set[Dimension], today: date, segment_id: int | None
              ) -> Select[Any]:
    columns: list[Any] = [Contact.id, Contact.spent_cents, Contact.purchases]
    if wanted & {Dimension.SIZE, Dimension.INDUSTRY}:
        columns.append(Contact.company_id)
    if Dimension.STATUS in wanted:
        columns.append(type_coerce(Contact.lead_status, String).label("lead_status"))
    if Dimension.STAGE in wanted:
        columns.append(type_coerce(Contact.lifecycle_stage, String).label("lifecycle_stage"))
    if Dimension.REGION in wanted:
        columns.append(Contact.region)
    if Dimension.ENGAGED in wanted:
        columns.append(_days_ago(conn, today).label("days_ago"))
    query = select(*columns)
    if segment_id is not None:
        query = query.where(is_member(segment_id))
    return query


def _engagements(lo: int, hi: int, today: date, window_days: int) -> Select[Any]:
    """Per contact with ids lo..hi engaged in any of the windows: engagements and opens in
    the last `window_days`, engagements in the last 30 days and in the 30 before."""
    e = EngagementEvent
    w, card = last_days(today, window_days), last_days(today, ENGAGEMENT_WINDOW_DAYS)
    before = card.previous()

    def counted(*conditions: Any) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    return (select(e.contact_id,
                   counted(e.occurred_at >= w.start),
                   counted(e.occurred_at >= w.start, e.type == EventType.OPENED),
                   counted(e.occurred_at >= card.start),
                   counted(e.occurred_at < card.start))
            .where(e.contact_id >= lo, e.contact_id <= hi, e.type.in_(ENGAGEMENT_EVENTS),
                   e.occurred_at >= min(w.start, before.start), e.occurred_at < w.end)
            .group_by(e.contact_id))


class _Growing:
    """Columns allocated once for the population counted first, grown if contacts were
    added meanwhile."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.used = 0
        self.columns: dict[str, np.ndarray[Any, Any]] = {}

    def column(self, name: str, dtype: Any, width: int = 0) -> np.ndarray[Any, Any]:
        if name not in self.columns:
            shape = (self.size, width) if width else (self.size,)
            self.columns[name] = np.zeros(shape, dtype=dtype)
        return self.columns[name]

    def room_for(self, rows: int) -> None:
        if self.used + rows <= self.size:
            return
        self.size = max(self.used + rows, int(self.size * 1.25))
        for name, values in self.columns.items():
            grown = np.zeros((self.size, *values.shape[1:]), dtype=values.dtype)
            grown[:self.used] = values[:self.used]
            self.columns[name] = grown


def read_features(conn: Connection, dimensions: tuple[Dimension, ...], segment_id: int | None,
                  today: date, window_days: int, population: int, step: Step) -> Features:
    """The population's facts, one batch of BATCH contacts at a time; `step` is called
    after each batch (progress, and Cancelled to stop)."""
    wanted = set(dimensions)
    tables = {Dimension.STATUS: LevelTable(), Dimension.STAGE: LevelTable(),
              Dimension.SIZE: LevelTable(), Dimension.INDUSTRY: LevelTable(fold=True),
              Dimension.REGION: LevelTable(fold=True)}
    # The vocabularies in their own order first, so their codes are stable.
    tables[Dimension.STATUS].encode([s.value for s in LeadStatus])
    tables[Dimension.STAGE].encode([s.value for s in LifecycleStage])
    tables[Dimension.SIZE].encode([s.value for s in CompanySize])
    companies = (_companies(conn, tables[Dimension.SIZE], tables[Dimension.INDUSTRY])
                 if wanted & {Dimension.SIZE, Dimension.INDUSTRY} else None)
    no_company = {d: tables[d].encode([None])[0] for d in (Dimension.SIZE, Dimension.INDUSTRY)}
    tags = _top_tags(conn, segment_id) if Dimension.TAGS in wanted else []
    tag_column = {tag_id: i for i, (tag_id, _) in enumerate(tags)}
    out = _Growing(population)
    query = _contacts(conn, wanted, today, segment_id)
    after = 0
    while True:
        names, rows = _raw(conn, query.where(Contact.id > after).order_by(Contact.id)
                           .limit(BATCH))
        if not rows:
            break
        n, at = len(rows), out.used
        out.room_for(n)
        cols = list(zip(*rows, strict=True))
        ids = np.fromiter(cols[0], dtype=np.int64, count=n)
        out.column("id", np.int64)[at:at + n] = ids
        out.column("spent", np.float64)[at:at + n] = np.fromiter(cols[1], np.float64, n)
        out.column("purchases", np.float32)[at:at + n] = np.fromiter(cols[2], np.float32, n)
        if companies is not None:
            company = np.fromiter((-1 if c is None else c for c in cols[3]), np.int64, n)
            for d, per_company in ((Dimension.SIZE, companies.size),
                                   (Dimension.INDUSTRY, companies.industry)):
                if d in wanted:
                    codes = np.where(company >= 0, per_company[np.maximum(company, 0)], -1)
                    codes[codes < 0] = no_company[d]
                    out.column(d.value, np.int16)[at:at + n] = codes
        for d, name in ((Dimension.STATUS, "lead_status"), (Dimension.STAGE, "lifecycle_stage"),
                        (Dimension.REGION, "region")):
            if d in wanted:
                values = list(cols[names.index(name)])
                out.column(d.value, np.int16)[at:at + n] = tables[d].encode(values)
        if Dimension.ENGAGED in wanted:
            days = np.array([window_days if v is None else v
                             for v in cols[names.index("days_ago")]], dtype=np.float32)
            out.column("days_ago", np.float32)[at:at + n] = np.clip(days, 0, window_days)
        _read_engagements(conn, out, ids, at, today, window_days)
        if tags:
            _read_tags(conn, out, ids, at, tag_column)
        out.used += n
        after = int(ids[-1])
        step(out.used, max(population, out.used))
    return _features(out, wanted, tables, tags, window_days)


def _read_engagements(conn: Connection, out: _Growing, ids: np.ndarray[Any, Any], at: int,
                      today: date, window_days: int) -> None:
    _, rows = _raw(conn, _engagements(int(ids[0]), int(ids[-1]), today, window_days))
    engagements = out.column("engagements", np.float32)
    opens = out.column("opens", np.float32)
    now = out.column("engaged_now", np.bool_)
    before = out.column("engaged_before", np.bool_)
    if not rows:
        return
    data = _as_array(rows, 5)
    where, inside = _rows_of(ids, data[:, 0])
    where, data = where[inside] + at, data[inside]
    engagements[where] = data[:, 1]
    opens[where] = data[:, 2]
    now[where] = data[:, 3] > 0
    before[where] = data[:, 4] > 0


def _rows_of(ids: np.ndarray[Any, Any], contact_ids: np.ndarray[Any, Any]
             ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Where each of `contact_ids` sits in `ids` (ascending), and which of them are
    there at all (a contact in the id range but not in the population is not)."""
    where = np.searchsorted(ids, contact_ids)
    inside = (where < len(ids)) & (ids[np.minimum(where, len(ids) - 1)] == contact_ids)
    return where, inside


def _raw(conn: Connection, query: Select[Any]) -> tuple[list[str], Sequence[Any]]:
    """The statement's column names and rows as the driver returns them: plain tuples,
    not SQLAlchemy Rows (a million Rows cost a second more than the rows themselves; the
    columns read here need no conversion: integers, text, and text for vocabularies)."""
    result = conn.execute(query)
    try:
        return list(result.keys()), result.cursor.fetchall()
    finally:
        result.close()


def _as_array(rows: Sequence[Any], width: int) -> np.ndarray[Any, Any]:
    """Integer rows as one array. Not np.array(rows): numpy probes each Row for the array
    protocols, a failed key lookup each (0.9 s a million rows)."""
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64,
                       count=len(rows) * width)
    return flat.reshape(len(rows), width)


def _read_tags(conn: Connection, out: _Growing, ids: np.ndarray[Any, Any], at: int,
               tag_column: dict[int, int]) -> None:
    ct = contact_tags.c
    _, rows = _raw(conn, select(ct.contact_id, ct.tag_id).where(
        ct.contact_id >= int(ids[0]), ct.contact_id <= int(ids[-1]),
        ct.tag_id.in_(list(tag_column))))
    matrix = out.column("tags", np.uint8, len(tag_column))
    if not rows:
        return
    data = _as_array(rows, 2)
    where, inside = _rows_of(ids, data[:, 0])
    columns = np.fromiter((tag_column[t] for t in data[inside, 1]), np.int64)
    matrix[where[inside] + at, columns] = 1


_EMPTY_LABELS = {Dimension.STATUS: "no lead status", Dimension.STAGE: "no lifecycle stage",
                 Dimension.SIZE: "no company size", Dimension.INDUSTRY: "no industry",
                 Dimension.REGION: "no region"}
_RULE_FIELDS = {Dimension.STATUS: "status", Dimension.STAGE: "stage", Dimension.SIZE: "size",
                Dimension.INDUSTRY: "industry", Dimension.REGION: "region"}


def _features(out: _Growing, wanted: set[Dimension], tables: dict[Dimension, LevelTable],
              tags: list[tuple[int, str]], window_days: int) -> Features:
    n = out.used

    def col(name: str, dtype: Any, width: int = 0) -> Any:
        return out.column(name, dtype, width)[:n]

    categorical: dict[Dimension, Categorical] = {}
    for d, table in tables.items():
        if d in wanted:
            cat = table.categorical(col(d.value, np.int16), _RULE_FIELDS[d], _EMPTY_LABELS[d])
            # Open-ended text folds its rare levels; a vocabulary is short already.
            categorical[d] = fold_rare(cat, fold=table.fold)
    engaged = Dimension.ENGAGED in wanted
    return Features(
        contact_ids=col("id", np.int64), spent_cents=col("spent", np.float64),
        purchases=col("purchases", np.float32), engaged_now=col("engaged_now", np.bool_),
        engaged_before=col("engaged_before", np.bool_), window_days=window_days,
        categorical=categorical,
        days_ago=col("days_ago", np.float32) if engaged else None,
        engagements=col("engagements", np.float32) if engaged else None,
        opens=col("opens", np.float32) if engaged else None,
        tags=col("tags", np.uint8, len(tags)) if tags else None,
        tag_names=tuple(name for _, name in tags))


def matching_ids(conn: Connection, rule: Node, today: date) -> np.ndarray[Any, Any]:
    """The ids of every contact a (checked) rule matches today, ascending: the rule
    compiler's own condition (data/rules/compiler.py), as a dynamic segment's refresh."""
    from segtui.data.rules.compiler import compile_rule

    without_memory_map(conn)
    _, rows = _raw(conn, select(Contact.id).where(compile_rule(rule, today))
                   .order_by(Contact.id))
    return _as_array(rows, 1).reshape(-1)
