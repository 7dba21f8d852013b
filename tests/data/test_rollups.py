"""D1.1.7 and R7.5.3: the per-contact rollups (spent, purchases, last activity, last
engagement) that triggers keep on
`events` (segtui/data/derived/rollups.py) equal a recomputation from the events, whatever writes
the events: inserts, deletes, updates that move an event to another contact or change its
type, time or revenue. Both engines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from segtui.core.enums import ACTION_EVENTS, ENGAGEMENT_EVENTS, EventType
from segtui.data.db.models import Contact, EngagementEvent
from segtui.data.derived import rollups
from segtui.data.store import Store
from tests.factories import add_contact

E = EngagementEvent
# spent_cents, purchases, last_activity_at, last_engaged_at
Rollups = tuple[int, int, datetime | None, datetime | None]


def stored(store: Store) -> dict[int, Rollups]:
    with store.reading() as conn:
        return stored_in(conn)


def recomputed(store: Store) -> dict[int, Rollups]:
    """The same four figures from the events, the slow way."""
    with store.reading() as conn:
        out: dict[int, Rollups] = {}
        for contact_id in conn.execute(select(Contact.id)).scalars():
            converted = (E.contact_id == contact_id, E.type == EventType.CONVERTED)
            spent = conn.execute(select(func.coalesce(func.sum(E.revenue_cents), 0))
                                 .where(*converted)).scalar_one()
            bought = conn.execute(select(func.count()).select_from(E)
                                  .where(*converted)).scalar_one()
            latest = conn.execute(select(func.max(E.occurred_at)).where(
                E.contact_id == contact_id, E.type.in_(ACTION_EVENTS))).scalar_one()
            engaged = conn.execute(select(func.max(E.occurred_at)).where(
                E.contact_id == contact_id, E.type.in_(ENGAGEMENT_EVENTS))).scalar_one()
            out[contact_id] = (int(spent or 0), int(bought), latest, engaged)
        return out


def event(contact_id: int, kind: EventType, at: datetime, revenue: int | None = None
          ) -> dict[str, object]:
    return {"contact_id": contact_id, "type": kind, "occurred_at": at,
            "revenue_cents": revenue}


def test_triggers_keep_rollups_exact(empty_store: Store) -> None:
    store = empty_store
    a = add_contact(store, "Ann Able")
    b = add_contact(store, "Bob Baker")
    assert stored(store) == {a: (0, 0, None, None), b: (0, 0, None, None)}
    with store.orm_session() as session:
        session.execute(insert(E), [
            event(a, EventType.CONVERTED, datetime(2024, 1, 5), 4999),
            event(a, EventType.CONVERTED, datetime(2024, 1, 6), None),
            event(a, EventType.SENT, datetime(2024, 2, 1)),  # not an action
            event(a, EventType.OPENED, datetime(2024, 1, 20)),
            event(b, EventType.UNSUBSCRIBED, datetime(2024, 2, 2)),  # not an action
            event(b, EventType.CLICKED, datetime(2023, 12, 1)),  # an action, not engagement
            event(b, EventType.MEETING_ATTENDED, datetime(2023, 11, 1)),
        ])
    assert stored(store) == recomputed(store)
    assert stored(store)[a] == (4999, 2, datetime(2024, 1, 20), datetime(2024, 1, 20))
    assert stored(store)[b] == (0, 0, datetime(2023, 12, 1), datetime(2023, 11, 1))

    with store.orm_session() as session:  # the newest action goes: the next one takes over
        session.execute(delete(E).where(E.contact_id == a, E.type == EventType.OPENED))
    assert stored(store)[a] == (4999, 2, datetime(2024, 1, 6), None)
    with store.orm_session() as session:  # an event changes hands, type, time and revenue
        session.execute(update(E).where(E.contact_id == a, E.revenue_cents == 4999)
                        .values(contact_id=b, revenue_cents=100))
        session.execute(update(E).where(E.contact_id == b, E.type == EventType.CLICKED)
                        .values(type=EventType.SENT))
        session.execute(update(E).where(E.contact_id == a, E.type == EventType.SENT)
                        .values(occurred_at=datetime(2024, 3, 1)))
        session.execute(update(E).where(E.type == EventType.MEETING_ATTENDED)
                        .values(contact_id=a))
    assert stored(store) == recomputed(store)
    assert stored(store)[a] == (0, 1, datetime(2024, 1, 6), datetime(2023, 11, 1))
    assert stored(store)[b] == (100, 1, datetime(2024, 1, 5), None)


def test_rebuild_recomputes_every_contact(empty_store: Store) -> None:
    store = empty_store
    a = add_contact(store, "Ann Able")
    with store.orm_session() as session:
        conn = session.connection()
        rollups.drop_triggers(conn)
        conn.execute(insert(E), [event(a, EventType.CONVERTED, datetime(2024, 1, 5), 700)])
        assert stored_in(conn)[a] == (0, 0, None, None)  # no triggers: not followed
        rollups.rebuild(conn)
        rollups.create_triggers(conn)
    assert stored(store)[a] == (700, 1, datetime(2024, 1, 5), None) == recomputed(store)[a]
    with store.orm_session() as session:  # and the triggers are back
        session.execute(insert(E), [event(a, EventType.CONVERTED, datetime(2024, 1, 7), 1),
                                    event(a, EventType.RESPONDED, datetime(2024, 1, 3))])
    assert stored(store)[a] == (701, 2, datetime(2024, 1, 7), datetime(2024, 1, 3))


def stored_in(conn: Connection) -> dict[int, Rollups]:
    rows = conn.execute(select(Contact.id, Contact.spent_cents, Contact.purchases,
                               Contact.last_activity_at, Contact.last_engaged_at))
    return {r.id: (int(r.spent_cents), int(r.purchases), r.last_activity_at,
                   r.last_engaged_at) for r in rows}


def test_demo_data_rollups_match_the_events(demo_store: Store) -> None:
    assert stored(demo_store) == recomputed(demo_store)
