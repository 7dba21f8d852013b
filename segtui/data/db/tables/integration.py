"""The integration tables (C21): API tokens, webhook subscriptions and the webhook outbox.

A token is stored as the SHA-256 of its secret, never the secret (shown once when it is
made, C21.2.1). A subscription names a segment, a URL, the secret its deliveries are
signed with (kept in clear: signing needs it) and which changes it is sent. Each
membership change of a subscribed segment becomes a row of `webhook_deliveries`, written
by triggers on `memberships` in the statement that makes the change
(data/integration/outbox.py), so a change that rolls back leaves no delivery, and a delivery
stays until a sender has had a 2xx for it (at least once, C21.3.2).
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
    true,
)
from sqlalchemy.sql.elements import ColumnClause

from segtui.core.enums import DeliveryStatus, TokenScope, WebhookEvents
from segtui.data.db.tables.schema import BigId, Schema, vocabulary


class ApiToken(Schema):
    __tablename__ = "api_tokens"

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(100), nullable=False)
    name_key: ColumnClause[str] = Column(String(100), unique=True, nullable=False)
    # The user every request made with it acts as (C21.2.2); their tokens go with them.
    user_id: ColumnClause[int] = Column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    scope: ColumnClause[TokenScope] = Column(vocabulary(TokenScope, "api_token_scope"),
                                             nullable=False)
    secret_hash: ColumnClause[str] = Column(String(64), unique=True, nullable=False)
    # The secret's first characters, shown in lists to tell tokens apart.
    prefix: ColumnClause[str] = Column(String(16), nullable=False)
    created_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    created_by_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: ColumnClause[datetime | None] = Column(DateTime)
    last_used_at: ColumnClause[datetime | None] = Column(DateTime)


class WebhookSubscription(Schema):
    __tablename__ = "webhook_subscriptions"

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    segment_id: ColumnClause[int] = Column(
        Integer, ForeignKey("segments.id", ondelete="CASCADE"), index=True, nullable=False)
    url: ColumnClause[str] = Column(String(2000), nullable=False)
    secret: ColumnClause[str] = Column(String(100), nullable=False)
    events: ColumnClause[WebhookEvents] = Column(
        vocabulary(WebhookEvents, "webhook_events"), nullable=False)
    # Paused subscriptions are sent nothing, and collect nothing (their triggers skip them).
    active: ColumnClause[bool] = Column(Boolean, server_default=true(), nullable=False)
    created_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    created_by_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"))


class WebhookDelivery(Schema):
    """One membership change owed to one subscription (the outbox)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The sender's question: what is due, oldest first.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at", "id"),
        # The delivery log of one subscription, newest first.
        Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),
    )

    id: ColumnClause[int] = Column(BigId, primary_key=True)
    subscription_id: ColumnClause[int] = Column(
        Integer, ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), nullable=False)
    event: ColumnClause[str] = Column(String(8), nullable=False)  # entered | left
    # No foreign keys: the delivery tells of a contact and segment as they were; an erased
    # contact's deliveries are deleted with it (C19.5), a segment's with its subscription.
    segment_id: ColumnClause[int] = Column(Integer, nullable=False)
    contact_id: ColumnClause[int] = Column(Integer, nullable=False)
    happened_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    status: ColumnClause[DeliveryStatus] = Column(
        vocabulary(DeliveryStatus, "webhook_delivery_status"),
        server_default=text("'pending'"), nullable=False)
    attempts: ColumnClause[int] = Column(Integer, server_default=text("0"), nullable=False)
    # NULL: due now (a new change); else not before then (a retry's backoff).
    next_attempt_at: ColumnClause[datetime | None] = Column(DateTime)
    last_error: ColumnClause[str | None] = Column(Text)
    last_status: ColumnClause[int | None] = Column(Integer)  # the receiver's HTTP status
    # When it was last sent (a failure's time, for the log: migration 0025).
    last_attempt_at: ColumnClause[datetime | None] = Column(DateTime)
    delivered_at: ColumnClause[datetime | None] = Column(DateTime)
