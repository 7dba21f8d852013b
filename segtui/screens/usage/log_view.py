"""The Usage & audit screen's Log (C19.4.4): the audit log newest first, a keyset page at a
time, under a row of filters: user, action and segment (each picked from a searchable
list), and since/until days typed as YYYY-MM-DD.

A day that is not one is said under the table, naming the field and the rule, and left
out; the other filters still apply. Each filter shown is recorded in the log once, as
its reading (user_activity_reviewed when it names a user, else access_logs_checked).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label

from segtui.core.audit import Action, AuditEntry, AuditFilter, filter_day
from segtui.core.busy import DatabaseBusy
from segtui.core.permissions import CurrentUser
from segtui.core.records import Choice, ChoiceKind, Page
from segtui.data.store import Store
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.screens.usage.tables import EMPTY_LOG, LOG_COLUMNS, log_status
from segtui.widgets.asking import Picked
from segtui.widgets.paged_table import PagedTable, PageRequest
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, run_in_thread

PICKERS = ("filter-user", "filter-action", "filter-segment")
DAYS = {"filter-since": "Since", "filter-until": "Until"}


class LogView(Vertical):
    def __init__(self, store: Store, user: CurrentUser, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.user = user
        self.filter = AuditFilter()
        self.segment_name: str | None = None  # the segment filter's label
        self.problems: dict[str, str] = {}  # field id -> what is wrong with what was typed

    def compose(self) -> ComposeResult:
        with Horizontal(id="log-filters"):
            yield Button("User: all", id="filter-user", compact=True)
            yield Button("Action: all", id="filter-action", compact=True)
            yield Button("Segment: all", id="filter-segment", compact=True)
            yield Input(placeholder="since YYYY-MM-DD", id="filter-since", compact=True)
            yield Input(placeholder="until YYYY-MM-DD", id="filter-until", compact=True)
        table = PagedTable(LOG_COLUMNS, row_key=lambda e: e.id, id="log-table")
        table.set_empty_text(EMPTY_LOG)
        yield table
        yield table.detail_line(max_lines=1, id="log-detail")
        yield Label("", id="log-status", classes="usage-status")

    def on_mount(self) -> None:
        self.load()

    # -- the list ------------------------------------------------------------------------

    def load(self) -> None:
        """The log from its first page for the filter shown. The reading is recorded
        first, so the log shows it, as `segtui audit` does."""
        flt, store = self.filter, self.store

        def record() -> None:
            # Another process's write holding SQLite: the look goes unrecorded (C19.4.1).
            with suppress(DatabaseBusy):
                store.audit.reviewed(flt, self.user)
            deliver(self, self._show_log, flt)

        run_in_thread(self, "log-reviewed", record)

    def _show_log(self, flt: AuditFilter) -> None:
        if flt != self.filter:  # filtered again meanwhile: that one's list follows
            return
        user, store = self.user, self.store

        def fetch(request: PageRequest, limit: int) -> Page[AuditEntry]:
            return store.audit.log_page(flt, user, after=request.after, before=request.before,
                                        at_end=request.at_end, limit=limit)

        self.query_one(PagedTable).load(fetch, lambda: store.audit.log_count(flt, user))

    def reload(self) -> None:
        self.query_one(PagedTable).reload()

    @on(PagedTable.Loaded, "#log-table")
    def _loaded(self, event: PagedTable.Loaded) -> None:
        self._show_status()

    def _show_status(self) -> None:
        table = self.query_one(PagedTable)
        status: Text = log_status(table.window, self.filter, self.segment_name)
        if self.problems:
            status = user_text(" ".join(self.problems.values()) + " The other filters apply.",
                               "bold")
        self.query_one("#log-status", Label).update(status)

    def _set(self, flt: AuditFilter) -> None:
        if flt != self.filter:
            self.filter = flt
            self.load()
        else:
            self._show_status()

    # -- the filters ---------------------------------------------------------------------

    def focus_filters(self) -> None:
        self.query_one("#filter-user", Button).focus()

    @property
    def filters_focused(self) -> bool:
        focused = self.screen.focused
        return focused is not None and focused in self.query_one("#log-filters").children

    def clear(self) -> None:
        self.problems = {}
        self.segment_name = None
        for input_id in DAYS:
            self.query_one(f"#{input_id}", Input).value = ""
        self._labels(AuditFilter())
        self._set(AuditFilter())

    def _labels(self, flt: AuditFilter) -> None:
        self.query_one("#filter-user", Button).label = user_text(
            f"User: {flt.actor}" if flt.actor else "User: all")
        self.query_one("#filter-action", Button).label = user_text(
            f"Action: {flt.action.value.replace('_', ' ')}" if flt.action else "Action: all")
        self.query_one("#filter-segment", Button).label = user_text(
            f"Segment: {self.segment_name}" if self.segment_name else "Segment: all")

    @on(Button.Pressed, "#log-filters Button")
    def _pick(self, event: Button.Pressed) -> None:
        event.stop()
        store = self.store
        which = event.button.id or ""
        if which == "filter-user":
            current = Choice(self.filter.actor, self.filter.actor) if self.filter.actor \
                else None

            def users(text: str) -> list[Choice]:
                wanted = text.strip().casefold()
                return [Choice(u.name, u.name) for u in store.users.all_users()
                        if wanted in u.name.casefold()][:50]

            self.app.push_screen(ChoicePicker("Entries by user", "All users", users, current),
                                 self._user_picked)
        elif which == "filter-action":
            action = self.filter.action
            current = Choice(action.value, action.value.replace("_", " ")) if action \
                else None

            def actions(text: str) -> list[Choice]:
                wanted = text.strip().casefold()
                return [Choice(a.value, a.value.replace("_", " ")) for a in Action
                        if wanted in a.value.replace("_", " ")]

            self.app.push_screen(ChoicePicker("Entries of action", "All actions", actions,
                                              current), self._action_picked)
        elif which == "filter-segment":
            segment_id = self.filter.segment_id
            current = Choice(str(segment_id), self.segment_name or "") \
                if segment_id is not None else None
            self.app.push_screen(
                ChoicePicker("Entries about segment", "All segments",
                             lambda text: store.contacts.choices(ChoiceKind.SEGMENT, text),
                             current), self._segment_picked)

    def _user_picked(self, picked: Picked | None) -> None:
        if picked is not None:
            flt = replace(self.filter, actor=picked.choice.key if picked.choice else None)
            self._labels(flt)
            self._set(flt)

    def _action_picked(self, picked: Picked | None) -> None:
        if picked is not None:
            flt = replace(self.filter, action=Action(picked.choice.key) if picked.choice
                          else None)
            self._labels(flt)
            self._set(flt)

    def _segment_picked(self, picked: Picked | None) -> None:
        if picked is not None:
            choice = picked.choice
            self.segment_name = choice.label if choice else None
            flt = replace(self.filter, segment_id=int(choice.key) if choice else None)
            self._labels(flt)
            self._set(flt)

    @on(Input.Submitted, "#log-filters Input")
    @on(Input.Blurred, "#log-filters Input")
    def _day_typed(self, event: Input.Submitted | Input.Blurred) -> None:
        """enter, or leaving the box: the day applies; a day that is not one is said and
        left out (the other filters stay)."""
        field = event.input.id or ""
        try:
            day = filter_day(DAYS[field], event.value)
        except ValueError as error:
            self.problems[field] = str(error) + "."
            day = None
        else:
            self.problems.pop(field, None)
        self._set(replace(self.filter, since=day) if field == "filter-since"
                  else replace(self.filter, until=day))
        if isinstance(event, Input.Submitted) and field not in self.problems:
            self.query_one(PagedTable).focus_when_ready()
