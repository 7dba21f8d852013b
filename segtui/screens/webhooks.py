"""The webhooks screen (C21.3.5): a segment's webhook subscriptions (`W` on its detail
screen) or every one (`W` on the dashboard, or "Webhooks" in the command palette), each
with its URL, the changes it is sent, its pending, delivered and dead deliveries, its last
success and its last failure; below, the delivery log of the highlighted one, newest
first. `ctrl+r` sends its dead deliveries again, `ctrl+t` sends it a signed test event
(administrators only: webhooks send members' data outside), `r` reads again.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from segtui.core.formatting import plural, whole
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.webhooks import DeliveryRow, PingResult, SubscriptionRow, WebhookError
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.live_changes import OthersChanged
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

HELP = (
    "Webhooks tell other systems of a segment's membership changes: each entry and exit "
    "is POSTed, signed, to the subscription's URL, and tried again when it fails (10 s, "
    "20 s, 40 s ... up to an hour between attempts; dead after 8). The upper table lists "
    "the subscriptions with their deliveries pending, delivered and dead, the last "
    "success and the last failure; the lower one the highlighted subscription's newest "
    "deliveries. ctrl+r sends its dead deliveries again, ctrl+t sends it a test event "
    "and says what the receiver answered (administrators). r reads again. Adding and "
    "removing subscriptions: `segtui webhooks add|remove` (docs/webhooks.md)."
)
# The counts before the times and the segment: in sight at 80 columns.
SUBSCRIPTION_COLUMNS = [("ID", 4), ("URL", 24), ("Events", 7), ("State", 6), ("Pending", 7),
                        ("Dead", 5), ("Delivered", 9), ("Last success", 16),
                        ("Last failure", 40), ("Segment", 24)]
LOG_COLUMNS = [("Delivery", 9), ("Event", 7), ("Contact", 8), ("Happened", 16),
               ("Status", 9), ("Tries", 5), ("Last answer", 40)]


def _when(at: datetime | None) -> Text:
    return Text("–" if at is None else f"{at:%Y-%m-%d %H:%M}")


def _right(value: int) -> Text:
    return Text(whole(value), justify="right")


def subscription_cells(row: SubscriptionRow) -> list[Text]:
    failure = Text("–") if row.last_failure_at is None else Text.assemble(
        f"{row.last_failure_at:%Y-%m-%d %H:%M} ", user_text(row.last_error or ""))
    return [Text(str(row.id)), user_text(row.url), Text(row.events.value),
            Text("active" if row.active else "paused"), _right(row.pending),
            Text(whole(row.dead), justify="right", style="bold" if row.dead else ""),
            _right(row.delivered), _when(row.last_success_at), failure,
            user_text(row.segment)]


def delivery_cells(row: DeliveryRow) -> list[Text]:
    answer = row.last_answer or "–"
    return [Text(str(row.id)), Text(row.event), Text(str(row.contact_id)),
            _when(row.happened_at), Text(row.status.value), _right(row.attempts),
            user_text(answer)]


class WebhooksScreen(Screen[None]):
    AUTO_FOCUS = "#webhooks-subscriptions"
    HELP = HELP
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="webhooks.back"),
        Binding("ctrl+r", "retry_dead", "Retry dead", id="webhooks.retry-dead"),
        Binding("ctrl+t", "send_test", "Send test", id="webhooks.send-test"),
        Binding("r", "reload", "Refresh", id="webhooks.refresh"),
    ]

    def __init__(self, store: Store, user: CurrentUser, segment_id: int | None = None,
                 segment_name: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.segment_id = segment_id
        self.segment_name = segment_name
        self.rows: list[SubscriptionRow] = []

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        title = [Text("Webhooks", style="bold")]
        if self.segment_name is not None:
            title += [Text(" of ", style="bold"), user_text(self.segment_name, "bold")]
        yield Label(Text.assemble(*title), id="webhooks-title")
        yield DataTable(id="webhooks-subscriptions", cursor_type="row", zebra_stripes=True)
        yield Label(Text(""), id="webhooks-log-title", classes="section-title")
        yield DataTable(id="webhooks-log", cursor_type="none", zebra_stripes=True)
        yield Label(Text(""), id="webhooks-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Webhooks"
        for selector, columns in (("#webhooks-subscriptions", SUBSCRIPTION_COLUMNS),
                                  ("#webhooks-log", LOG_COLUMNS)):
            table = self.query_one(selector, DataTable)
            for label, width in columns:
                table.add_column(label, width=width)
        self._load()

    # -- loading -------------------------------------------------------------------------

    def selected(self) -> SubscriptionRow | None:
        table = self.query_one("#webhooks-subscriptions", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @in_thread("webhooks-subscriptions")
    def _load(self) -> None:
        deliver(self, self._show, self.store.webhooks.subscriptions(self.segment_id))

    def _show(self, rows: list[SubscriptionRow]) -> None:
        table: DataTable[Text] = self.query_one("#webhooks-subscriptions", DataTable)
        keep = table.cursor_row
        self.rows = rows
        table.clear()
        table.add_rows([subscription_cells(r) for r in rows])
        if rows:
            table.move_cursor(row=min(max(keep, 0), len(rows) - 1))
        dead = sum(r.dead for r in rows)
        status = (f"{plural(len(rows), 'subscription')}, "
                  f"{plural(dead, 'dead delivery', 'dead deliveries')}"
                  if rows else "No webhooks here (segtui webhooks add SEGMENT URL adds one).")
        self.query_one("#webhooks-status", Label).update(Text(status, style="dim"))
        self._load_log()

    @on(DataTable.RowHighlighted, "#webhooks-subscriptions")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._load_log()

    def _load_log(self) -> None:
        row = self.selected()
        title = self.query_one("#webhooks-log-title", Label)
        if row is None:
            title.update(Text(""))
            self.query_one("#webhooks-log", DataTable).clear()
            return
        title.update(Text.assemble("Deliveries of webhook ", str(row.id), " to ",
                                   user_text(row.url), ", newest first"))
        self._read_log(row.id)

    @in_thread("webhooks-log")
    def _read_log(self, subscription_id: int) -> None:
        try:
            found = self.store.webhooks.log(subscription_id)
        except WebhookError:  # removed meanwhile (by another segtui): the list reads again
            deliver(self, self._load)
            return
        deliver(self, self._show_log, found)

    def _show_log(self, rows: list[DeliveryRow]) -> None:
        table: DataTable[Text] = self.query_one("#webhooks-log", DataTable)
        table.clear()
        table.add_rows([delivery_cells(r) for r in rows])

    # -- actions -------------------------------------------------------------------------

    def action_retry_dead(self) -> None:
        row = self.selected()
        if row is not None and allowed(self, self.user, "manage webhooks",
                                       Permission.MANAGE_USERS):
            self._retry(row.id)

    @in_thread("webhooks-retry", notify_failed=True)  # removed meanwhile: in its words
    def _retry(self, subscription_id: int) -> None:
        deliver(self, self._retried, self.store.webhooks.retry(subscription_id, self.user))

    def _retried(self, revived: int) -> None:
        self.notify(f"{plural(revived, 'dead delivery', 'dead deliveries')} to send again.")
        self._load()

    def action_send_test(self) -> None:
        row = self.selected()
        if row is not None and allowed(self, self.user, "test webhooks",
                                       Permission.MANAGE_USERS):
            self.notify("Sending a test event…", timeout=2)
            self._ping(row.id)

    @in_thread("webhooks-test", notify_failed=True)
    def _ping(self, subscription_id: int) -> None:
        deliver(self, self._pinged, self.store.webhooks.ping(subscription_id, self.user))

    def _pinged(self, result: PingResult) -> None:
        if result.ok:
            self.notify(f"The receiver answered {result.status} in "
                        f"{result.seconds * 1000:,.0f} ms.", markup=False)
        else:
            self.notify(f"The test event failed: {result.error}", severity="warning",
                        markup=False)

    def action_reload(self) -> None:
        self._load()

    def action_back(self) -> None:
        self.dismiss(None)

    @on(OthersChanged)
    def _others_changed(self, _event: OthersChanged) -> None:
        """Another segtui changed something (C19.1): the counts may have moved."""
        self._load()
