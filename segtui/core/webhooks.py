"""Webhook subscriptions (C21.3.1): what a subscription is, the rows an administrator
sees, and the checks on what is typed for one (its URL, its signing secret).

A subscription sends a segment's membership changes (entered, left or both) to a URL,
each delivery signed with the subscription's secret (core/webhook_delivery.py). Its
secret is made with `secrets` when none is given, and shown once, when it is added.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from segtui.core.enums import DeliveryStatus, WebhookEvents

URL_MAX = 2000
SECRET_MIN = 16
SECRET_MAX = 100
SECRET_PREFIX = "whsec_"


@dataclass(frozen=True)
class SubscriptionRow:
    """A subscription as the list and the delivery log screen show it (never its secret)."""

    id: int
    segment_id: int
    segment: str
    url: str
    events: WebhookEvents
    active: bool
    created_at: datetime
    created_by: str | None
    pending: int
    delivered: int
    dead: int
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class NewSubscription:
    """A subscription just added: its row and its secret, which is never shown again."""

    row: SubscriptionRow
    secret: str


@dataclass(frozen=True)
class DeliveryRow:
    """One delivery in a subscription's log."""

    id: int
    event: str
    contact_id: int
    happened_at: datetime
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None

    @property
    def last_answer(self) -> str:
        """What its last attempt got, for the delivery log ("" before any): a delivered
        one's status, with the error of an earlier attempt after it (the log showed that
        error alone, as if the success had failed); else its last error or status."""
        if self.status is DeliveryStatus.DELIVERED:
            answer = str(self.last_status) if self.last_status else "delivered"
            return f"{answer} (after {self.last_error})" if self.last_error else answer
        return self.last_error or (str(self.last_status) if self.last_status else "")


@dataclass(frozen=True)
class PingResult:
    """What the receiver answered a test event: its HTTP status (None: no answer)."""

    url: str
    status: int | None
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookError(ValueError):
    """A subscription can't be added or changed as asked (a bad URL or secret, an unknown
    segment or subscription): the message says why. Nothing was changed."""


def new_secret() -> str:
    """A signing secret: 32 random bytes, URL-safe (48 characters)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _control(text: str) -> bool:
    """Control characters, and format characters (bidi overrides, zero-width spaces)."""
    return any(ord(ch) < 32 or 127 <= ord(ch) < 160 or unicodedata.category(ch) == "Cf"
               for ch in text)


def url_error(url: str) -> str | None:
    """Why `url` can't receive webhooks, or None: http or https, a host (and no user
    name or password), at most 2,000 characters, no spaces or control characters."""
    if not url.strip():
        return "A webhook URL is required, e.g. https://example.com/hooks/segtui."
    if len(url) > URL_MAX:
        return f"A webhook URL must be at most {URL_MAX:,} characters (this one has " \
               f"{len(url):,})."
    if _control(url) or any(ch.isspace() for ch in url):
        return "A webhook URL can't hold spaces or control characters."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"“{url}” is not a URL ({exc})."
    if parts.scheme.lower() not in ("http", "https"):
        return f"A webhook URL must start with http:// or https:// (“{url}” does not)."
    if not parts.hostname:
        return f"A webhook URL must name a host (“{url}” does not)."
    if parts.username is not None or parts.password is not None:
        return ("A webhook URL can't hold a user name or password (segtui would not send "
                "them): the receiver checks each delivery's signature instead.")
    if port == 0:
        return "A webhook URL's port must be 1 to 65535."
    return None


def secret_error(secret: str) -> str | None:
    """Why `secret` can't sign deliveries, or None: 16 to 100 printable characters."""
    if len(secret) < SECRET_MIN:
        return f"A webhook secret must be at least {SECRET_MIN} characters (this one has " \
               f"{len(secret)}); leave --secret out and segtui makes one."
    if len(secret) > SECRET_MAX:
        return f"A webhook secret must be at most {SECRET_MAX} characters (this one has " \
               f"{len(secret)})."
    if _control(secret) or any(ch.isspace() for ch in secret):
        return "A webhook secret can't hold spaces or control characters."
    return None
