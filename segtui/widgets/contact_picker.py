"""The one contact picker (create segment, edit segment's "Add Contacts", Add Contacts).

Search as you type (name, email, company), filters, a paged list with a checkbox per row,
"Select all N contacts" for everything matching the filters (not only the rows on screen),
and a live count of what is selected. The selection is a `ContactSelection` (a list of the
user's actions), so selecting 100,000 contacts costs nothing until the Store runs one
INSERT ... SELECT. The picker reads through a `ContactSource` (the Store satisfies it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Select

from segtui.core.contacts import ContactFilter, ContactRow, ContactSelection
from segtui.core.enums import CompanySize, LeadStatus
from segtui.core.formatting import plural, whole
from segtui.core.records import Choice, ChoiceKind, Keyset, Page
from segtui.widgets.asking import ChoiceWanted, Picked
from segtui.widgets.badges import lead_status_badge
from segtui.widgets.buttons import LiveButton
from segtui.widgets.debounce import Debouncer
from segtui.widgets.paged_table import Column, PagedTable, PageRequest
from segtui.widgets.range_slider import RangeSlider
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

CHECKED, UNCHECKED = "☑", "☐"


class _ContactSourceContacts(Protocol):
    def contact_page(
        self, flt: ContactFilter, selection: ContactSelection, *, after: Keyset | None = ...,
        before: Keyset | None = ..., at_end: bool = ..., limit: int = ...,
    ) -> Page[ContactRow]: ...

    def contact_count(self, flt: ContactFilter) -> int: ...

    def selection_count(self, selection: ContactSelection) -> int: ...


class ContactSource(Protocol):
    @property
    def contacts(self) -> _ContactSourceContacts: ...


# How the picker looks up segment, city and state values (Store.contacts.choices).
ChoiceSearch = Callable[[ChoiceKind, str], list[Choice]]


def _check(row: ContactRow) -> Text:
    return Text(CHECKED if row.selected else UNCHECKED, style="bold" if row.selected else "")


def _tags(row: ContactRow) -> Text:
    return user_text(", ".join(row.tags))


CHECK = Column[ContactRow]("check", " ", _check, width=1, detail="never")
NAME = Column[ContactRow]("name", "Name", lambda r: user_text(r.name, "bold"))
COMPANY = Column[ContactRow]("company", "Company", lambda r: user_text(r.company))
STATUS = Column[ContactRow]("status", "Status", lambda r: lead_status_badge(r.status), width=11)
CITY = Column[ContactRow]("city", "City", lambda r: user_text(r.city), width=14)
STATE = Column[ContactRow]("state", "State", lambda r: user_text(r.state), width=8,
                           min_table_width=90)
TAGS = Column[ContactRow]("tags", "Tags", _tags, min_table_width=100)
TITLE = Column[ContactRow]("title", "Title", lambda r: user_text(r.title), min_table_width=100)
EMAIL = Column[ContactRow]("email", "Email", lambda r: user_text(r.email), min_table_width=100)
PHONE = Column[ContactRow]("phone", "Phone", lambda r: user_text(r.phone), width=18,
                           min_table_width=110)
SCORE = Column[ContactRow]("score", "Score", lambda r: Text(str(r.quality_score)), width=5,
                           justify="right")

# Which columns leave a narrow table for the detail line under it (U15.7): the table
# keeps who the contact is and how they stand; the rest shows, labelled, for the
# highlighted contact.
# R7.2 (create): Name, Company, Status, City, State, Tags; below 90 columns State and
# Tags move to the line, where title, email and phone (not columns here) always are.
CREATE_COLUMNS = (CHECK, NAME, COMPANY, STATUS, CITY, STATE, TAGS,
                  *(replace(c, detail="only") for c in (TITLE, EMAIL, PHONE)))
# R7.11 (add contacts): Name, Title, Company, Email, Phone, Tags, score, status badge;
# below 100 columns title, email, phone and tags move to the line.
ADD_COLUMNS = (CHECK, NAME, TITLE, COMPANY, EMAIL, PHONE, TAGS, SCORE, STATUS)
EMPTY_MATCH = "No contacts match the search and filters — ctrl+l: clear them"
EMPTY_ALL_IN = "Every contact is already in this segment — i on the dashboard imports more"
EMPTY_NONE = "No contacts yet — i on the dashboard imports them"

STATUS_OPTIONS = [("All Statuses", "")] + [(s.value, s.value) for s in LeadStatus]
SIZE_OPTIONS = [("All Sizes", "")] + [(s.value, s.value) for s in CompanySize]


class ContactPicker(Vertical):
    DEFAULT_CSS = """
    ContactPicker { height: 1fr; }
    ContactPicker #picker-search { width: 1fr; }
    ContactPicker .picker-filters { height: 1; }
    ContactPicker .picker-filters Select { width: 16; margin-right: 1; }
    ContactPicker .picker-filters Button { width: auto; min-width: 6; max-width: 26;
                                           margin-right: 1; }
    ContactPicker RangeSlider { margin: 0 0; }
    ContactPicker .picker-head { height: 1; }
    ContactPicker #picker-available { width: 1fr; text-style: bold; }
    ContactPicker #picker-available, ContactPicker #picker-selected {
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    ContactPicker #picker-select-all { width: auto; min-width: 24; }
    ContactPicker PagedTable { height: 1fr; min-height: 4; }
    ContactPicker #picker-preview { padding: 0; }
    """
    KEYS_TITLE = "Contact list"  # its section of a dialog's help
    BINDINGS = [
        Binding("space", "toggle_row", "Select row", id="picker.select-row"),
        # Priority: works from the search box too (where ctrl+a would otherwise mean "home").
        # The key line says "select all"; the help, what "all" is.
        Binding("ctrl+a", "select_all", "Select all", priority=True,
                tooltip="Select all contacts matching the search and filters (again: "
                        "unselect them)", id="picker.select-all"),
        Binding("ctrl+l", "clear_filters", "Clear search", priority=True,
                tooltip="Clear the search and filters (ticked contacts stay ticked)",
                id="picker.clear"),
    ]

    class SelectionChanged(Message):
        """The selection changed to `selection`; `count` is None while it is being
        counted. `picked` is the selection a save adds and "discard your changes?" asks
        about: one that selects nobody (a row ticked then unticked) is none."""

        def __init__(self, picker: ContactPicker, selection: ContactSelection,
                     count: int | None) -> None:
            super().__init__()
            self.picker = picker
            self.selection = selection
            self.count = count
            self.picked = ContactSelection() if count == 0 else selection

        @property
        def control(self) -> ContactPicker:
            return self.picker

    def __init__(
        self,
        source: ContactSource,
        choices: ChoiceSearch,
        *,
        base: ContactFilter | None = None,
        columns: Sequence[Column[ContactRow]] = CREATE_COLUMNS,
        filters: Sequence[str] = ("status", "size", "segment", "city", "state"),
        score: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.source = source
        self.choices = choices
        self.base = base or ContactFilter()  # what the picker lists before any search
        self.filter = self.base
        self.selection = ContactSelection()
        self.selected_count: int | None = 0
        self.available: int | None = None
        self.columns = list(columns)
        self.filters = tuple(filters)
        self.score = score
        self._all_selected_for: ContactFilter | None = None
        self._debounce = Debouncer(self, self._search_for, group="picker-search")

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search contacts… (name, email, company)", id="picker-search",
                    compact=True)
        with Horizontal(classes="picker-filters"):
            if "status" in self.filters:
                yield Select(STATUS_OPTIONS, value="", allow_blank=False, compact=True,
                             id="picker-status")
            if "size" in self.filters:
                yield Select(SIZE_OPTIONS, value="", allow_blank=False, compact=True,
                             id="picker-size")
            for kind, label in (("segment", "All Segments"), ("city", "All cities"),
                                ("state", "All states")):
                if kind in self.filters:
                    yield LiveButton(Text(label), compact=True, id=f"picker-{kind}",
                                     classes="picker-choice")
        if self.score:
            yield RangeSlider(0, 100, label="Score Range", id="picker-score")
        with Horizontal(classes="picker-head"):
            yield Label("Available Contacts (…)", id="picker-available")
            yield LiveButton("☐ Select all", compact=True, id="picker-select-all")
        table = PagedTable(self.columns, row_key=lambda r: r.id, id="picker-table")
        yield table
        yield table.detail_line(max_lines=2, id="picker-preview")
        yield Label("0 selected", id="picker-selected")

    def on_mount(self) -> None:
        self.reload()

    # -- loading -----------------------------------------------------------------------

    def reload(self) -> None:
        flt, source = self.filter, self.source

        def fetch(request: PageRequest, limit: int) -> Page[ContactRow]:
            # Reads the selection at fetch time: rows ticked since show as ticked.
            return source.contacts.contact_page(flt, self.selection, after=request.after,
                                       before=request.before, at_end=request.at_end,
                                       limit=limit)

        table = self.query_one(PagedTable)
        if flt != self.base:
            table.set_empty_text(EMPTY_MATCH)
        else:
            table.set_empty_text(EMPTY_ALL_IN if flt.not_in_segment is not None else EMPTY_NONE)
        table.load(fetch, lambda: source.contacts.contact_count(flt))

    @on(PagedTable.Loaded, "#picker-table")
    def _loaded(self, event: PagedTable.Loaded) -> None:
        self.available = event.window.total
        shown = "…" if self.available is None else whole(self.available)
        self.query_one("#picker-available", Label).update(Text(f"Available Contacts ({shown})"))
        self._show_select_all()

    def _show_select_all(self) -> None:
        total = ("… contacts" if self.available is None
                 else plural(self.available, "contact"))
        mark = CHECKED if self._all_selected_for == self.filter else UNCHECKED
        self.query_one("#picker-select-all", Button).label = Text(
            f"{mark} Select all {total}")

    # -- filters -------------------------------------------------------------------------

    def _set_filter(self, flt: ContactFilter) -> None:
        if flt != self.filter:
            self.filter = flt
            self.reload()
            self._show_select_all()

    def action_clear_filters(self) -> None:
        """ctrl+l: the search, the filters and the score range back to showing everything
        (what an empty result offers). The selection stays."""
        self.query_one("#picker-search", Input).value = ""
        for select in self.query(Select):
            select.value = ""
        plural = {"segment": "All Segments", "city": "All cities", "state": "All states"}
        for button in self.query(".picker-choice").results(Button):
            button.label = Text(plural[(button.id or "").removeprefix("picker-")])
        for slider in self.query(RangeSlider):
            slider.set_range(slider.minimum, slider.maximum)
        self._set_filter(self.base)

    @on(Input.Changed, "#picker-search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._debounce(event.value)

    def _search_for(self, text: str) -> None:
        self._set_filter(replace(self.filter, search=text))

    @on(Input.Submitted, "#picker-search")
    def _search_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(PagedTable).focus_when_ready()

    @on(Select.Changed, "#picker-status")
    def _status_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value if isinstance(event.value, str) and event.value else None
        self._set_filter(replace(self.filter, status=LeadStatus(value) if value else None))

    @on(Select.Changed, "#picker-size")
    def _size_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value if isinstance(event.value, str) and event.value else None
        self._set_filter(replace(self.filter, size=CompanySize(value) if value else None))

    @on(RangeSlider.Changed, "#picker-score")
    def _score(self, event: RangeSlider.Changed) -> None:
        event.stop()
        self._set_filter(replace(self.filter, score=(event.low, event.high)))

    @on(Button.Pressed, ".picker-choice")
    def _choose(self, event: Button.Pressed) -> None:
        event.stop()
        kind = (event.button.id or "").removeprefix("picker-")
        button = event.button
        plural = {"segment": "segments", "city": "cities", "state": "states"}[kind]

        def picked(result: Picked | None) -> None:
            if result is None:
                return
            choice = result.choice
            label = choice.label if choice else f"All {plural}".replace("All segments",
                                                                           "All Segments")
            button.label = user_text(label)
            if kind == "segment":
                self._set_filter(replace(self.filter, segment=choice))
            elif kind == "city":
                self._set_filter(replace(self.filter, city=choice.key if choice else None))
            else:
                self._set_filter(replace(self.filter, state=choice.key if choice else None))

        self.post_message(ChoiceWanted(f"Contacts in which {kind}?", f"All {plural}",
                                       lambda text: self.choices(ChoiceKind(kind), text),
                                       None, picked))

    # -- selecting -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """space ticks the row under the list's cursor only while the list has the focus:
        on "Select all" or a filter it ticked a row the user wasn't looking at (and the
        key line offered it there)."""
        if action == "toggle_row":
            tables = self.query(PagedTable)  # none before the picker is composed
            return bool(tables) and tables.first().has_focus
        return True

    def action_toggle_row(self) -> None:
        table = self.query_one(PagedTable)
        row = table.current_row
        if row is None:
            return
        now = not row.selected
        self.selection = self.selection.toggled(row.id, now)
        self._all_selected_for = None
        table.replace_row(replace(row, selected=now))
        if self.selected_count is not None:
            self._selection_changed(self.selected_count + (1 if now else -1))
        else:
            self._recount()
        self._show_select_all()

    @on(Button.Pressed, "#picker-select-all")
    def action_select_all(self) -> None:
        selecting = self._all_selected_for != self.filter
        self.selection = self.selection.with_all(self.filter, selecting)
        self._all_selected_for = self.filter if selecting else None
        self._show_select_all()
        self.query_one(PagedTable).reload()
        if self.selection.single_select_all() == self.filter and self.available is not None:
            self._selection_changed(self.available)
        else:
            self._recount()

    def _selection_changed(self, count: int | None) -> None:
        self.selected_count = count
        shown = "counting…" if count is None else f"{whole(count)} selected"
        self.query_one("#picker-selected", Label).update(Text(shown))
        self.post_message(self.SelectionChanged(self, self.selection, count))

    def _recount(self) -> None:
        self._selection_changed(None)
        self._count(self.selection)

    @in_thread("picker-count")
    def _count(self, selection: ContactSelection) -> None:
        count = self.source.contacts.selection_count(selection)
        deliver(self, self._counted, selection, count)

    def _counted(self, selection: ContactSelection, count: int) -> None:
        if selection == self.selection:  # else a newer action is being counted
            self._selection_changed(count)

    def focus_search(self) -> None:
        self.query_one("#picker-search", Input).focus()
