"""`segtui worker` (C19.6): a long-running process that keeps every dynamic segment
current, whoever changed the data (the app, a script, an import, psql).

Each pass does what the dynamic segments are owed (`store.rules.refresh_stale`): the
contacts changed since their last re-evaluation, one incremental pass (a write by any
program leaves them owed: the triggers of I16.4), the segments owed a whole
re-evaluation, and the segments not yet evaluated today (rules with time windows follow
the calendar). Between passes it waits for another connection's commit (LISTEN on
PostgreSQL, data_version on SQLite) or `--every` seconds, whichever comes first.

segtui's own writes (app, command line, imports) record what they owe the rules in their
transactions; a program writing the tables itself (psql) does not, so every
`--whole-every` hours a pass re-evaluates every dynamic segment whole. A pass is one or
more transactions, each all or nothing: a worker killed mid-pass leaves the work owed,
and the next pass does it. docs/cli.md has a systemd unit.

It also sends the webhook outbox (C21.3.4): a thread beside the passes
(`store.webhooks.run_sender`), or one sending of what is due after `--once`'s pass;
`--no-webhooks` leaves that to `segtui webhooks send`. Sending reads the subscriptions'
signing secrets, an administrator's: a worker acting as anyone else sends nothing and
says so once, when there are subscriptions.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from segtui.cli.access import writes
from segtui.cli.common import DbOption, UserOption, acting_user, command_store
from segtui.cli.output import say, warn
from segtui.core.busy import DatabaseBusy
from segtui.core.cancel import Cancelled
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser, Permission

if TYPE_CHECKING:
    from segtui.core.rules.refresh import RefreshResult
    from segtui.data.integration.sender import SendReport
    from segtui.data.store import Store


def one_pass(store: "Store", *, whole: bool = False) -> "list[RefreshResult]":
    """Bring every dynamic segment up to date once (`whole`: re-evaluate every one, for
    what other programs wrote); what was re-evaluated."""
    if whole:  # it covers what contacts are owed too (Rules.refresh_segments)
        return store.rules.refresh_segments(None)
    return store.rules.refresh_stale()


def keep_current(store: "Store", stop: threading.Event, every: float, whole_every: float,
                 report: "Callable[[list[RefreshResult], float], None]") -> None:
    """Pass after pass until `stop` is set: each after another connection's commit or
    `every` seconds; a whole one every `whole_every` seconds. Another process holding
    SQLite's write lock delays a pass, no more."""
    watch = store.changes.watch(stop)
    last_whole = time.monotonic()
    try:
        while not stop.is_set():
            started = time.perf_counter()
            whole = time.monotonic() - last_whole >= whole_every
            try:
                results = one_pass(store, whole=whole)
                if whole:
                    last_whole = time.monotonic()
            except DatabaseBusy:
                results = []  # the other writer's changes come with its commit: next pass
            except Cancelled:  # stopped mid-pass: that transaction rolled back, still owed
                return
            report(results, time.perf_counter() - started)
            if not stop.is_set():
                watch.wait(every)
    finally:
        watch.close()


def _report(results: "list[RefreshResult]", seconds: float) -> None:
    if not results:
        return
    changed = sum(1 for r in results if r.changed)
    say(f"{datetime.now():%Y-%m-%d %H:%M:%S} re-evaluated "
        f"{plural(len(results), 'dynamic segment')}, {changed:,} changed, "
        f"in {seconds * 1000:,.0f} ms")


@writes("keep dynamic segments current")
def worker(
    ctx: typer.Context,
    every: Annotated[float, typer.Option(min=1, metavar="SECONDS",
                                         help="At most this long between passes.")] = 60,
    whole_every: Annotated[float, typer.Option(
        min=0.01, metavar="HOURS", help="Re-evaluate every dynamic segment whole this often "
        "(for what programs other than segtui write).")] = 1,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    no_webhooks: Annotated[bool, typer.Option(
        "--no-webhooks", help="Don't send the webhook outbox (segtui webhooks send "
        "does).")] = False,
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Keep every dynamic segment current, until stopped (ctrl+c or SIGTERM)."""
    store = command_store(ctx, db)
    sends = not no_webhooks and may_send(store, acting_user(ctx), "segtui worker")
    try:
        if once:
            started = time.perf_counter()
            _report(one_pass(store), time.perf_counter() - started)
            if sends:
                _report_sent(store.webhooks.send_due())
            return
        stop = threading.Event()

        def stopped(*_: object) -> None:
            stop.set()
            store.cancel_all()  # a long pass stops now; its transaction rolls back

        signal.signal(signal.SIGTERM, stopped)
        warn(f"segtui worker: keeping dynamic segments current (a pass at each commit, "
             f"at least every {every:g} s); ctrl+c stops")
        sender = threading.Thread(target=store.webhooks.run_sender, name="segtui-sender",
                                  args=(stop, None, _report_sent), daemon=True)
        if sends:
            sender.start()
        try:
            keep_current(store, stop, every, whole_every * 3600, _report)
        except KeyboardInterrupt:
            stopped()
        finally:
            stop.set()
            if sender.is_alive():
                sender.join()
    finally:
        store.close()


def may_send(store: "Store", acting: "CurrentUser", who: str) -> bool:
    """Whether this process (`who`: "segtui worker", "segtui api") sends the webhook
    outbox: its user administers (the signing secrets are theirs to read); else, when
    there is something to send, it says why not."""
    if store.users.may(acting, Permission.MANAGE_USERS):
        return True
    if store.webhooks.active_count():
        warn(f"{who}: webhooks are not sent: {acting.name} ({acting.role.value}) "
             "can't read their signing secrets; run segtui webhooks send as an "
             "administrator, or this command with --user an administrator")
    return False


def _report_sent(sent: "SendReport") -> None:
    if sent.sent:
        from segtui.cli.webhooks import report_sent

        report_sent(sent)
