"""Pick one value from a long, searchable list (city, state, company filters).

The list is never loaded whole: every keystroke (debounced) asks `search` for the first
matches, so it stays fast with tens of thousands of companies. Widgets ask for it with
`widgets.asking.ChoiceWanted`; the app opens it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from segtui.core.records import Choice
from segtui.screens.modals.dialog import Dialog
from segtui.widgets.asking import ChoiceSearch, ChoiceWanted, Picked
from segtui.widgets.debounce import Debouncer
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

ALL_KEY = "\x00all"  # option id of "All ..."; no real value can hold a NUL


class ChoicePicker(Dialog[Picked | None]):
    """Returns Picked(choice), Picked(None) for "All", or None when cancelled."""

    HELP = ("Type to narrow the list (it searches as you type, never loading it whole), "
            "↓ moves into it, enter picks the highlighted value; the first entry, \"All\", "
            "removes the filter.")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="choice.cancel"),
        Binding("down", "focus_list", "To the list", show=False, id="choice.to-list"),
        Binding("ctrl+l", "clear_search", "Clear the search", show=False, id="choice.clear-search"),
    ]

    def __init__(
        self,
        title: str,
        all_label: str | None,
        search: ChoiceSearch,
        current: Choice | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.all_label = all_label
        self.search = search
        self.current = current
        self._typed_lookup = Debouncer(self, self._search, group="lookup")
        self._shown_for: str | None = None  # the search text the list currently answers
        self._pick_when_shown = False  # Enter came before the answer to the latest text
        self._found: dict[str, Choice] = {}  # option id -> the choice it shows

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="modal-box"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield Input(placeholder="Type to search…", id="picker-search")
            yield OptionList(id="picker-options")
            yield KeyLine(("enter", "pick"), ("↓", "list"), classes="modal-keys")

    @classmethod
    def asked(cls, wanted: ChoiceWanted) -> ChoicePicker:
        """The picker a widget asked for."""
        return cls(wanted.title, wanted.all_label, wanted.search, wanted.current)

    def on_mount(self) -> None:
        self._typed_lookup.now("")

    @on(Input.Changed, "#picker-search")
    def _typed(self, event: Input.Changed) -> None:
        # Every value at once when the box is emptied; typing waits for a pause.
        if event.value:
            self._typed_lookup(event.value)
        else:
            self._typed_lookup.now("")

    @on(Input.Submitted, "#picker-search")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value != self._shown_for:
            self._pick_when_shown = True  # fast typist: pick once the matches arrive
            return
        self._pick_highlighted()

    def _pick_highlighted(self) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = options.highlighted or 0
            options.action_select()

    @in_thread("lookup-query")
    def _search(self, text: str) -> None:
        deliver(self, self._show_found, text, self.search(text))

    def _show_found(self, text: str, found: list[Choice]) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        if not text and self.all_label:  # None: a value must be picked (no "All")
            options.add_option(Option(user_text(self.all_label), id=ALL_KEY))
        options.add_options(Option(user_text(c.label), id=c.key) for c in found)
        self._found = {c.key: c for c in found}
        if not found and text:
            # What is empty and the next step (U15.15).
            options.add_option(Option(user_text(f"No match for “{text}” — ctrl+l: clear the "
                                                "search"), disabled=True))
        options.highlighted = 0 if options.option_count else None
        self._shown_for = text
        if self._pick_when_shown and text == self.query_one(Input).value:
            self._pick_when_shown = False
            self._pick_highlighted()

    @on(OptionList.OptionSelected, "#picker-options")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id
        if key == ALL_KEY or key is None:
            self.dismiss(Picked(None))
            return
        # The choice as stored, not the option's prompt (which shows control characters
        # as visible stand-ins).
        self.dismiss(Picked(self._found.get(key, Choice(key=key, label=key))))

    def action_clear_search(self) -> None:
        """ctrl+l: every value again (what "No match" offers)."""
        search = self.query_one(Input)
        search.value = ""
        search.focus()

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()

