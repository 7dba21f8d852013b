"""Webhook subscriptions in SQL (C21.3.1): added, paused, resumed and removed by
administrators (audited in the same transaction), listed with their outbox's counts, and
the delivery log (C21.3.5). The sending is sender.py's.

The lists read no secret: anyone may read a subscription but its secret (on PostgreSQL
the grants say so too, data/db/grants.py); `secret_of` is for the sender and `test`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    delete,
    func,
    insert,
    select,
    update,
)

from segtui.core import clock
from segtui.core.audit import Action
from segtui.core.enums import DeliveryStatus, WebhookEvents
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.segments import NotAllowed
from segtui.core.webhooks import (
    DeliveryRow,
    NewSubscription,
    SubscriptionRow,
    WebhookError,
    new_secret,
    secret_error,
    url_error,
)
from segtui.data.db.tables import Segment, User, WebhookDelivery, WebhookSubscription
from segtui.data.queries.visibility import visible_to
from segtui.data.writes.audit import record_audit

LOG_LIMIT = 50


def refuse_unless_admin(acting: CurrentUser, doing: str) -> None:
    """Webhooks send members' data outside: only an administrator manages them."""
    if not acting.may(Permission.MANAGE_USERS):
        raise NotAllowed(acting.name, acting.role.value, doing)


def subscription_rows(conn: Connection, *where: ColumnElement[bool],
                      viewer: CurrentUser | None = None) -> list[SubscriptionRow]:
    """Each subscription with its outbox counted: pending, delivered, dead, the last
    success, the last failure and its error; of the segments `viewer` sees (C19.3.2)."""
    d = WebhookDelivery.__table__
    counts = (select(
        d.c.subscription_id,
        func.count().filter(d.c.status == DeliveryStatus.PENDING.value).label("pending"),
        func.count().filter(d.c.status == DeliveryStatus.DELIVERED.value).label("delivered"),
        func.count().filter(d.c.status == DeliveryStatus.DEAD.value).label("dead"),
        func.max(d.c.delivered_at).label("last_success"))
        .group_by(d.c.subscription_id).subquery("counts"))
    # The failure last recorded: the delivery last attempted of those whose last
    # attempt failed (a delivered one's error was before its success). Ties: newest id.
    failures = (select(d.c.subscription_id, d.c.id, func.row_number().over(
        partition_by=d.c.subscription_id,
        order_by=(d.c.last_attempt_at.desc(), d.c.id.desc())).label("n"))
        .where(d.c.last_error.is_not(None), d.c.status != DeliveryStatus.DELIVERED.value)
        .subquery("failures"))
    failed = select(failures.c.subscription_id, failures.c.id).where(
        failures.c.n == 1).subquery("failed")
    last_failure = d.alias("last_failure")
    s, maker = WebhookSubscription.__table__, User.__table__.alias("maker")
    query = (select(s.c.id, s.c.segment_id, Segment.name, s.c.url, s.c.events, s.c.active,
                    s.c.created_at, maker.c.name,
                    func.coalesce(counts.c.pending, 0), func.coalesce(counts.c.delivered, 0),
                    func.coalesce(counts.c.dead, 0), counts.c.last_success,
                    last_failure.c.last_attempt_at, last_failure.c.last_error)
             .join(Segment, Segment.id == s.c.segment_id)
             .outerjoin(maker, maker.c.id == s.c.created_by_id)
             .outerjoin(counts, counts.c.subscription_id == s.c.id)
             .outerjoin(failed, failed.c.subscription_id == s.c.id)
             .outerjoin(last_failure, last_failure.c.id == failed.c.id)
             .where(*where, visible_to(viewer)).order_by(Segment.name_key, s.c.id))
    return [SubscriptionRow(int(r[0]), int(r[1]), r[2], r[3], WebhookEvents(r[4]),
                            bool(r[5]), r[6], r[7], int(r[8]), int(r[9]), int(r[10]), r[11],
                            r[12], r[13]) for r in conn.execute(query)]


def one_row(conn: Connection, subscription_id: int, viewer: CurrentUser | None = None
            ) -> SubscriptionRow:
    found = subscription_rows(conn, WebhookSubscription.id == subscription_id,
                              viewer=viewer)
    if not found:
        raise WebhookError(f"No webhook subscription has id {subscription_id} "
                           "(segtui webhooks list shows them).")
    return found[0]


def add_subscription(conn: Connection, segment_id: int, url: str, events: WebhookEvents,
                     secret: str | None, acting: CurrentUser) -> NewSubscription:
    refuse_unless_admin(acting, "manage webhooks")
    problem = url_error(url) or (secret_error(secret) if secret is not None else None)
    if problem is not None:
        raise WebhookError(problem)
    name = conn.execute(select(Segment.name).where(Segment.id == segment_id)).scalar()
    if name is None:
        raise WebhookError(f"No segment has id {segment_id}.")
    secret = secret if secret is not None else new_secret()
    made = conn.execute(insert(WebhookSubscription).values(
        segment_id=segment_id, url=url, secret=secret, events=events,
        created_at=clock.now(), created_by_id=acting.id or None)
        .returning(WebhookSubscription.id)).scalar_one()
    record_audit(conn, Action.WEBHOOK_ADDED, acting, segment_id=segment_id,
                 subject=f"webhook {made}", details=f"{events.value} to {url}")
    return NewSubscription(one_row(conn, int(made)), secret)


def remove_subscription(conn: Connection, subscription_id: int, acting: CurrentUser
                        ) -> SubscriptionRow:
    """Remove it and its outbox (what was still pending is never sent)."""
    refuse_unless_admin(acting, "manage webhooks")
    row = one_row(conn, subscription_id)
    conn.execute(delete(WebhookDelivery)
                 .where(WebhookDelivery.subscription_id == subscription_id))
    conn.execute(delete(WebhookSubscription).where(WebhookSubscription.id == subscription_id))
    record_audit(conn, Action.WEBHOOK_REMOVED, acting, segment_id=row.segment_id,
                 subject=f"webhook {row.id}",
                 details=f"{row.url}; {row.pending:,} pending, {row.dead:,} dead dropped")
    return row


def set_active(conn: Connection, subscription_id: int, active: bool, acting: CurrentUser
               ) -> SubscriptionRow:
    """Pause (nothing sent, no new changes collected) or resume it."""
    refuse_unless_admin(acting, "manage webhooks")
    row = one_row(conn, subscription_id)
    if row.active == active:
        raise WebhookError(f"Webhook {row.id} is {'active' if active else 'paused'} already.")
    conn.execute(update(WebhookSubscription).where(WebhookSubscription.id == subscription_id)
                 .values(active=active))
    record_audit(conn, Action.WEBHOOK_CHANGED, acting, segment_id=row.segment_id,
                 subject=f"webhook {row.id}", details="resumed" if active else "paused")
    return one_row(conn, subscription_id)


def retry_dead(conn: Connection, subscription_id: int | None, acting: CurrentUser,
               now: datetime) -> int:
    """Dead deliveries (of one subscription, or all) pending again, due now, their
    attempts counted afresh; how many."""
    refuse_unless_admin(acting, "manage webhooks")
    if subscription_id is not None:
        one_row(conn, subscription_id)
    where = [WebhookDelivery.status == DeliveryStatus.DEAD.value]
    if subscription_id is not None:
        where.append(WebhookDelivery.subscription_id == subscription_id)
    revived = int(conn.execute(update(WebhookDelivery).where(*where).values(
        status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=None)).rowcount)
    record_audit(conn, Action.WEBHOOK_CHANGED, acting,
                 subject=f"webhook {subscription_id}" if subscription_id else "webhooks",
                 details=f"{revived:,} dead deliveries retried (at {now:%Y-%m-%d %H:%M:%S})")
    return revived


def secret_of(conn: Connection, subscription_id: int) -> tuple[SubscriptionRow, str]:
    row = one_row(conn, subscription_id)
    secret = conn.execute(select(WebhookSubscription.secret)
                          .where(WebhookSubscription.id == subscription_id)).scalar_one()
    return row, str(secret)


def delivery_log(conn: Connection, subscription_id: int, limit: int = LOG_LIMIT,
                 viewer: CurrentUser | None = None) -> list[DeliveryRow]:
    """The newest deliveries of one subscription first."""
    one_row(conn, subscription_id, viewer)
    d = WebhookDelivery
    query = (select(d.id, d.event, d.contact_id, d.happened_at, d.status, d.attempts,
                    d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error,
                    d.delivered_at)
             .where(d.subscription_id == subscription_id)
             .order_by(d.id.desc()).limit(limit))
    return [DeliveryRow(int(r[0]), r[1], int(r[2]), r[3], DeliveryStatus(r[4]), int(r[5]),
                        r[6], r[7], r[8], r[9], r[10]) for r in conn.execute(query)]


def active_subscriptions(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(WebhookSubscription)
                            .where(WebhookSubscription.active.is_(True))).scalar_one())


def segment_subscriptions(conn: Connection, segment_id: int,
                          viewer: CurrentUser | None = None) -> list[SubscriptionRow]:
    return subscription_rows(conn, WebhookSubscription.segment_id == segment_id,
                             viewer=viewer)
