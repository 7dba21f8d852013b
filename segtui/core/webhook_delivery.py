"""What a webhook delivery sends and when it is tried again (C21.3.2, C21.3.3): the JSON
body, its headers and HMAC signature, and the retry schedule. Pure: the sender
(data/integration/sender.py) does the sending and the bookkeeping.

- Body: {"id", "event", "segment": {"id", "name"}, "contact": {"id", "email",
  "first_name", "last_name"}, "happened_at", "attempt"} as compact UTF-8 JSON.
- Signature: `X-Segtui-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the
  subscription's secret>`; `Idempotency-Key: segtui-delivery-<id>`, the same on every
  attempt, so a receiver drops what it has already had (delivery is at least once).
- Retries: a failed attempt (not 2xx, a timeout, no connection) is tried again after
  10 s * 2^(attempts - 1), at most an hour; after `max_attempts` failures it is dead
  until someone retries it (`segtui webhooks retry`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from segtui import __version__
from segtui.core.enums import DeliveryStatus

SIGNATURE_HEADER = "X-Segtui-Signature"
TIMESTAMP_HEADER = "X-Segtui-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
USER_AGENT = f"segtui/{__version__}"
ERROR_MAX = 500  # characters of a failure kept in last_error


@dataclass(frozen=True)
class SenderSettings:
    """How the sender works; every figure may be changed (`segtui webhooks send`)."""

    timeout: float = 10.0  # seconds per request
    max_attempts: int = 8  # failures before a delivery is dead
    first_retry: float = 10.0  # seconds before the second attempt; doubles each time
    longest_retry: float = 3600.0
    batch: int = 500  # deliveries claimed at once
    connections: int = 8  # requests in flight at once (each keeps its connection open)
    # Delivered deliveries older than this are deleted (C21.3.8), but a subscription's
    # newest, so its last success stays shown. Pending and dead ones are kept.
    keep_delivered_days: int = 30


@dataclass(frozen=True)
class Contact:
    """The contact a delivery tells of, as it is now (None fields: it is gone)."""

    id: int
    email: str | None
    first_name: str | None
    last_name: str | None


@dataclass(frozen=True)
class Outgoing:
    """One delivery ready to send."""

    id: int
    subscription_id: int
    url: str
    secret: str
    event: str
    segment_id: int
    segment: str | None
    contact: Contact
    happened_at: datetime
    attempts: int  # before this one

    def body(self) -> bytes:
        return encode(payload(self))

    def key(self) -> str:
        return idempotency_key(self.id)


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: `status` the receiver's HTTP status (None: no answer),
    `error` why it failed (None: delivered)."""

    delivery_id: int
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.error is None


def name_parts(name: str | None) -> tuple[str | None, str | None]:
    """A contact's one name as first and last: the last word is the last name."""
    if not name or not name.strip():
        return None, None
    words = name.split()
    if len(words) == 1:
        return words[0], None
    return " ".join(words[:-1]), words[-1]


def iso(at: datetime) -> str:
    """A stored (naive, local) time with its UTC offset."""
    return at.astimezone().isoformat()


def payload(out: Outgoing) -> dict[str, Any]:
    contact = out.contact
    return {
        "id": out.id,
        "event": out.event,
        "segment": {"id": out.segment_id, "name": out.segment},
        "contact": {"id": contact.id, "email": contact.email,
                    "first_name": contact.first_name, "last_name": contact.last_name},
        "happened_at": iso(out.happened_at),
        "attempt": out.attempts + 1,
    }


def ping_payload(subscription_id: int, segment_id: int, segment: str, at: datetime
                 ) -> dict[str, Any]:
    """`segtui webhooks test`: an event "test", no contact."""
    return {"id": None, "event": "test", "subscription": subscription_id,
            "segment": {"id": segment_id, "name": segment}, "contact": None,
            "happened_at": iso(at), "attempt": 1}


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (docs/webhooks.md): compare in constant time."""
    return hmac.compare_digest(signature(secret, body), header)


def idempotency_key(delivery_id: int) -> str:
    return f"segtui-delivery-{delivery_id}"


def headers(secret: str, body: bytes, key: str, sent_at: datetime) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(secret, body),
        TIMESTAMP_HEADER: str(int(sent_at.timestamp())),
        IDEMPOTENCY_HEADER: key,
        "User-Agent": USER_AGENT,
    }


def backoff(attempts: int, settings: SenderSettings) -> timedelta:
    """How long after its `attempts`-th failure a delivery waits: 10 s, 20 s, 40 s, ...
    at most an hour."""
    seconds = settings.first_retry * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.longest_retry))


def after_failure(attempts: int, now: datetime, settings: SenderSettings
                  ) -> tuple[DeliveryStatus, datetime | None]:
    """A delivery's status and next attempt once it has failed `attempts` times."""
    if attempts >= settings.max_attempts:
        return DeliveryStatus.DEAD, None
    return DeliveryStatus.PENDING, now + backoff(attempts, settings)


def short_error(text: str) -> str:
    """A failure as kept in the log: one line, at most ERROR_MAX characters."""
    line = " ".join(text.split())
    return line if len(line) <= ERROR_MAX else line[:ERROR_MAX - 1] + "…"
