"""The dashboard's filter bar (f): status, city, state and company, and Clear.

City, state and company each have far too many values for a drop-down: their buttons ask
for the choice picker (`ChoiceWanted`), which searches the values as the user types. The
bar tells its screen the filters it shows with `FilterBar.Changed`; the Clear button's
press goes to the screen, which clears the search too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Select

from segtui.core.enums import SegmentStatus
from segtui.core.records import Choice, ChoiceKind, SegmentFilter
from segtui.widgets.asking import ChoiceWanted, Picked
from segtui.widgets.text import user_text

ARCHIVED = "archived"  # the status filter's "Archived": the archived segments (C19.4.6)
STATUS_OPTIONS: list[tuple[str, str]] = [("All Statuses", "")] + [
    (s.value, s.value) for s in SegmentStatus
] + [("Archived", ARCHIVED)]
PLURALS = {ChoiceKind.CITY: "cities", ChoiceKind.STATE: "states",
           ChoiceKind.COMPANY: "companies"}
BUTTONS = {"city-filter": ChoiceKind.CITY, "state-filter": ChoiceKind.STATE,
           "company-filter": ChoiceKind.COMPANY}


class _ChoiceSourceContacts(Protocol):
    def choices(self, kind: ChoiceKind, text: str = ..., limit: int = ...) -> list[Choice]: ...


class ChoiceSource(Protocol):
    """Where the pickers look values up (the Store satisfies it)."""

    @property
    def contacts(self) -> _ChoiceSourceContacts: ...


@dataclass(frozen=True)
class Filters:
    """What the bar filters by; None is "All"."""

    status: SegmentStatus | None = None
    city: Choice | None = None
    state: Choice | None = None
    company: Choice | None = None  # key = company id
    archived: bool = False

    def applied_to(self, flt: SegmentFilter) -> SegmentFilter:
        """`flt` narrowed to these (the search stays)."""
        return replace(flt, status=self.status, city=self.city.key if self.city else None,
                       state=self.state.key if self.state else None, company=self.company,
                       archived=self.archived)


def filter_summary(flt: SegmentFilter) -> str:
    """'filtered by search “x”, status Active, city Boston' or 'no filters' (user text:
    show it with user_text)."""
    parts = [
        "archived segments" if flt.archived else "",
        f"search “{flt.search}”" if flt.search else "",
        f"status {flt.status.value}" if flt.status else "",
        f"city {flt.city}" if flt.city else "",
        f"state {flt.state}" if flt.state else "",
        f"company {flt.company.label}" if flt.company else "",
    ]
    active = [p for p in parts if p]
    return "filtered by " + ", ".join(active) if active else "no filters"


class FilterBar(Horizontal):
    """Hidden until f shows it (the screen toggles `display`)."""

    @dataclass
    class Changed(Message):
        """The user picked `filters` (one of them changed)."""

        filters: Filters

    def __init__(self, source: ChoiceSource, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        self.filters = Filters()

    def compose(self) -> ComposeResult:
        yield Select(STATUS_OPTIONS, value="", allow_blank=False, id="status-filter")
        yield Button("All cities", id="city-filter", classes="filter-button")
        yield Button("All states", id="state-filter", classes="filter-button")
        yield Button("All companies", id="company-filter", classes="filter-button")
        yield Button("Clear", id="clear-filters")

    def on_mount(self) -> None:
        self.display = False

    def focus_first(self) -> None:
        self.query_one("#status-filter", Select).focus()

    def clear(self) -> None:
        """Every filter back to "All" (without telling the screen, which cleared them)."""
        self.filters = Filters()
        self.query_one("#status-filter", Select).value = ""
        self._show()

    @on(Select.Changed, "#status-filter")
    def _status_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value if isinstance(event.value, str) else ""
        self._set(replace(self.filters, archived=value == ARCHIVED,
                          status=SegmentStatus(value) if value and value != ARCHIVED
                          else None))

    @on(Button.Pressed, ".filter-button")
    def _pick_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.pick(BUTTONS[event.button.id or ""])

    def pick(self, kind: ChoiceKind) -> None:
        """Ask the user for the city, state or company to filter by (or "All")."""
        current = {ChoiceKind.CITY: self.filters.city, ChoiceKind.STATE: self.filters.state,
                   ChoiceKind.COMPANY: self.filters.company}[kind]

        def picked(result: Picked | None) -> None:
            if result is None:  # cancelled
                return
            choice, f = result.choice, self.filters
            self._set(replace(f, city=choice) if kind is ChoiceKind.CITY
                      else replace(f, state=choice) if kind is ChoiceKind.STATE
                      else replace(f, company=choice))

        self.post_message(ChoiceWanted(
            f"Filter by {kind.value}", f"All {PLURALS[kind]}",
            lambda text: self.source.contacts.choices(kind, text), current, picked))

    def _set(self, filters: Filters) -> None:
        self.filters = filters
        self._show()
        self.post_message(self.Changed(filters))

    def _show(self) -> None:
        f = self.filters
        for button_id, word, choice in (("#city-filter", "City", f.city),
                                        ("#state-filter", "State", f.state),
                                        ("#company-filter", "Company", f.company)):
            everything = f"All {PLURALS[BUTTONS[button_id[1:]]]}"
            self.query_one(button_id, Button).label = user_text(
                f"{word}: {choice.label}" if choice else everything)
