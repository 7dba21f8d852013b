"""`segtui webhooks add|list|remove|pause|resume|test|retry|send|log` (C21.3.1-C21.3.5;
docs/webhooks.md, docs/cli.md "Webhooks").

Webhooks send members' data outside: adding, removing, pausing, testing, retrying and
sending are for CRM Administrators (Permission.MANAGE_USERS), audited; anyone may list
the subscriptions and read a delivery log (never a secret).
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

import threading
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from segtui.cli.access import reads, writes
from segtui.cli.common import (
    DbOption,
    JsonOption,
    UserOption,
    acting_user,
    command_store,
    find_segment,
)
from segtui.cli.output import dumps, fail, iso, say, warn
from segtui.core.formatting import plural
from segtui.core.permissions import Permission

if TYPE_CHECKING:
    from segtui.core.webhook_delivery import SenderSettings
    from segtui.core.webhooks import DeliveryRow, SubscriptionRow
    from segtui.data.integration.sender import SendReport

app = typer.Typer(help="Tell other systems of segments' membership changes (webhooks).",
                  no_args_is_help=True, rich_markup_mode=None)

MANAGE = "manage webhooks"


class Events(StrEnum):
    ENTERED = "entered"
    LEFT = "left"
    BOTH = "both"


SubscriptionId = Annotated[int, typer.Argument(metavar="ID", min=1, show_default=False,
                                               help="The subscription's id (webhooks list).")]
Timeout = Annotated[float, typer.Option(min=0.05, metavar="SECONDS",
                                        help="How long to wait for each answer.")]


def subscription_object(row: "SubscriptionRow") -> dict[str, Any]:
    return {"id": row.id, "segment_id": row.segment_id, "segment": row.segment,
            "url": row.url, "events": row.events.value, "active": row.active,
            "created_at": iso(row.created_at), "created_by": row.created_by,
            "pending": row.pending, "delivered": row.delivered, "dead": row.dead,
            "last_success_at": iso(row.last_success_at),
            "last_failure_at": iso(row.last_failure_at), "last_error": row.last_error}


def delivery_object(row: "DeliveryRow") -> dict[str, Any]:
    return {"id": row.id, "event": row.event, "contact_id": row.contact_id,
            "happened_at": iso(row.happened_at), "status": row.status.value,
            "attempts": row.attempts, "next_attempt_at": iso(row.next_attempt_at),
            "last_attempt_at": iso(row.last_attempt_at), "last_status": row.last_status,
            "last_error": row.last_error, "delivered_at": iso(row.delivered_at)}


def _when(at: Any) -> str:
    return "-" if at is None else f"{at:%Y-%m-%d %H:%M:%S}"


def _describe(row: "SubscriptionRow") -> list[str]:
    failure = "-" if row.last_failure_at is None else \
        f"{_when(row.last_failure_at)} ({row.last_error})"
    return [f"{row.id:>4}  {row.segment}  {row.events.value}  "
            f"{'active' if row.active else 'paused'}  {row.url}",
            f"      {row.pending:,} pending, {row.delivered:,} delivered, {row.dead:,} dead; "
            f"last success {_when(row.last_success_at)}; last failure {failure}"]


def _changed(ctx: typer.Context, db: str | None, as_json: bool, headline: str,
             change: Any) -> None:
    """Run `change(store, acting)` returning a SubscriptionRow; print it."""
    from segtui.core.segments import NotAllowed
    from segtui.core.webhooks import WebhookError

    store = command_store(ctx, db)
    try:
        row = change(store, acting_user(ctx))
    except (NotAllowed, WebhookError) as exc:
        fail(str(exc))
    finally:
        store.close()
    if as_json:
        say(dumps(subscription_object(row), indent=2))
    else:
        say(f"{headline} webhook {row.id} ({row.segment} → {row.url}).")


@app.command("add")
@writes(MANAGE, Permission.MANAGE_USERS)
def webhooks_add(
    ctx: typer.Context,
    segment: Annotated[str, typer.Argument(metavar="SEGMENT", show_default=False,
                                           help="The segment's name.")],
    url: Annotated[str, typer.Argument(metavar="URL", show_default=False,
                                       help="Where to POST (http:// or https://).")],
    events: Annotated[Events, typer.Option(case_sensitive=False,
                                           help="Which changes to send.")] = Events.BOTH,
    secret: Annotated[str | None, typer.Option(
        help="The signing secret (16-100 characters; default: a random one, printed once).",
        show_default=False)] = None,
    as_json: JsonOption = False,
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Send a segment's membership changes to URL, signed (CRM Administrators only)."""
    from segtui.core.enums import WebhookEvents
    from segtui.core.segments import NotAllowed
    from segtui.core.webhooks import WebhookError

    store = command_store(ctx, db)
    try:
        segment_id = find_segment(store, segment)
        made = store.webhooks.add(segment_id, url, WebhookEvents(events.value), secret,
                                  acting_user(ctx))
    except (NotAllowed, WebhookError) as exc:
        fail(str(exc))
    finally:
        store.close()
    if as_json:
        say(dumps({**subscription_object(made.row), "secret": made.secret}, indent=2))
        return
    say(f"Added webhook {made.row.id}: {made.row.segment} ({made.row.events.value}) → "
        f"{made.row.url}.")
    say(f"Signing secret (shown once; keep it where the receiver can read it): "
        f"{made.secret}")


@app.command("list")
@reads
def webhooks_list(ctx: typer.Context, as_json: JsonOption = False,
                  db: DbOption = None) -> None:
    """List every subscription with its deliveries counted (pending, delivered, dead)
    and its last success and failure."""
    store = command_store(ctx, db)
    try:
        rows = store.webhooks.subscriptions()
    finally:
        store.close()
    if as_json:
        say(dumps([subscription_object(r) for r in rows], indent=2))
        return
    if not rows:
        say("No webhooks (segtui webhooks add SEGMENT URL adds one).")
    for row in rows:
        for line in _describe(row):
            say(line)


@app.command("remove")
@writes(MANAGE, Permission.MANAGE_USERS)
def webhooks_remove(ctx: typer.Context, subscription_id: SubscriptionId,
                    as_json: JsonOption = False, user: UserOption = None,
                    db: DbOption = None) -> None:
    """Remove a subscription; its deliveries not yet sent are dropped."""
    _changed(ctx, db, as_json, "Removed",
             lambda store, acting: store.webhooks.remove(subscription_id, acting))


@app.command("pause")
@writes(MANAGE, Permission.MANAGE_USERS)
def webhooks_pause(ctx: typer.Context, subscription_id: SubscriptionId,
                   as_json: JsonOption = False, user: UserOption = None,
                   db: DbOption = None) -> None:
    """Stop sending (and collecting) a subscription's changes until resumed."""
    _changed(ctx, db, as_json, "Paused",
             lambda store, acting: store.webhooks.set_active(subscription_id, False, acting))


@app.command("resume")
@writes(MANAGE, Permission.MANAGE_USERS)
def webhooks_resume(ctx: typer.Context, subscription_id: SubscriptionId,
                    as_json: JsonOption = False, user: UserOption = None,
                    db: DbOption = None) -> None:
    """Send a paused subscription's changes again (those made while it was paused are
    not sent)."""
    _changed(ctx, db, as_json, "Resumed",
             lambda store, acting: store.webhooks.set_active(subscription_id, True, acting))


@app.command("test")
@writes("test webhooks", Permission.MANAGE_USERS)
def webhooks_test(ctx: typer.Context, subscription_id: SubscriptionId,
                  timeout: Timeout = 10.0, as_json: JsonOption = False,
                  user: UserOption = None, db: DbOption = None) -> None:
    """Send one signed test event now and say what the receiver answered (exit 1 unless
    2xx)."""
    from segtui.core.segments import NotAllowed
    from segtui.core.webhooks import WebhookError

    store = command_store(ctx, db)
    try:
        result = store.webhooks.ping(subscription_id, acting_user(ctx), timeout)
    except (NotAllowed, WebhookError) as exc:
        fail(str(exc))
    finally:
        store.close()
    if as_json:
        say(dumps({"url": result.url, "status": result.status, "error": result.error,
                   "ok": result.ok, "seconds": round(result.seconds, 3)}, indent=2))
    elif result.ok:
        say(f"{result.url} answered {result.status} in {result.seconds * 1000:,.0f} ms.")
    if not result.ok:
        fail(f"the test event to {result.url} failed: {result.error}")


@app.command("retry")
@writes(MANAGE, Permission.MANAGE_USERS)
def webhooks_retry(
    ctx: typer.Context,
    subscription_id: Annotated[int | None, typer.Argument(
        metavar="[ID]", min=1, show_default=False,
        help="The subscription whose dead deliveries to send again.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every subscription's.")] = False,
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Send dead deliveries again: pending, due now, with all their attempts."""
    from segtui.core.segments import NotAllowed
    from segtui.core.webhooks import WebhookError

    if subscription_id is None and not every:
        ctx.fail("give a subscription's ID, or --all for every subscription's")
    if subscription_id is not None and every:
        ctx.fail("give a subscription's ID or --all, not both")
    store = command_store(ctx, db)
    try:
        revived = store.webhooks.retry(subscription_id, acting_user(ctx))
    except (NotAllowed, WebhookError) as exc:
        fail(str(exc))
    finally:
        store.close()
    say(f"{plural(revived, 'dead delivery', 'dead deliveries')} to send again.")


@app.command("log")
@reads
def webhooks_log(
    ctx: typer.Context,
    subscription_id: SubscriptionId,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many.")] = 50,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """A subscription's delivery log, newest first: status, attempts, the receiver's last
    answer."""
    from segtui.core.webhooks import WebhookError

    store = command_store(ctx, db)
    try:
        rows = store.webhooks.log(subscription_id, limit)
    except WebhookError as exc:
        fail(str(exc))
    finally:
        store.close()
    if as_json:
        say(dumps([delivery_object(r) for r in rows], indent=2))
        return
    if not rows:
        say(f"Webhook {subscription_id} has no deliveries yet.")
        return
    say(f"{'ID':>8}  {'EVENT':<7}  {'CONTACT':>8}  {'HAPPENED':<19}  {'STATUS':<9}  "
        f"{'TRIES':>5}  LAST")
    for r in rows:
        last = r.last_answer or "-"
        say(f"{r.id:>8}  {r.event:<7}  {r.contact_id:>8}  {_when(r.happened_at):<19}  "
            f"{r.status.value:<9}  {r.attempts:>5}  {last}")


def sender_settings(timeout: float, max_attempts: int, batch: int,
                    connections: int, keep_days: int) -> "SenderSettings":
    from segtui.core.webhook_delivery import SenderSettings

    return SenderSettings(timeout=timeout, max_attempts=max_attempts, batch=batch,
                          connections=connections, keep_delivered_days=keep_days)


def report_sent(sent: "SendReport") -> None:
    from datetime import datetime

    say(f"{datetime.now():%Y-%m-%d %H:%M:%S} webhooks: "
        f"{plural(sent.delivered, 'delivery', 'deliveries')} delivered, "
        f"{sent.failed:,} failed (to retry), {sent.dead:,} dead, "
        f"in {sent.seconds * 1000:,.0f} ms")


@app.command("send")
@writes("send webhooks", Permission.MANAGE_USERS)
def webhooks_send(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Send what is due, then exit.")] = False,
    timeout: Timeout = 10.0,
    max_attempts: Annotated[int, typer.Option(min=1, max=100, help="Failures before a "
                                              "delivery is dead.")] = 8,
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Deliveries claimed at "
                                       "once.")] = 500,
    connections: Annotated[int, typer.Option(min=1, max=64, help="Requests in flight at "
                                             "once.")] = 8,
    keep_days: Annotated[int, typer.Option(min=1, max=3650, help="Days a delivered "
                                           "delivery is kept in the log.")] = 30,
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Send the webhook outbox in the foreground until stopped (ctrl+c or SIGTERM);
    `segtui worker` does it too, unless --no-webhooks."""
    import signal

    settings = sender_settings(timeout, max_attempts, batch, connections, keep_days)
    store = command_store(ctx, db)
    try:
        if once:
            sent = store.webhooks.send_due(settings)
            if sent.sent:
                report_sent(sent)
            else:  # said in words, not as "0 deliveries delivered, 0 failed, ..."
                say("webhooks: nothing was due to send")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        warn("segtui webhooks send: sending the webhook outbox; ctrl+c stops")
        try:
            store.webhooks.run_sender(stop, settings, report_sent)
        except KeyboardInterrupt:
            stop.set()
    finally:
        store.close()
