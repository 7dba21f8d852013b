"""A widget asking the user something in a dialog: messages up, the app opens the dialog.

Widgets import no screens (A1), so a widget never pushes a dialog itself.
It posts one of these messages, with what to ask and the callback that takes the answer;
the app opens the dialog over the screen showing (SegtuiApp, screens/modals/) and hands
the answer back through that callback, as `push_screen` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from segtui.core.records import Choice
from segtui.core.rules.tree import Condition

# Looks up the first values matching what the user typed (in a worker: it may read the
# database).
ChoiceSearch = Callable[[str], list[Choice]]


@dataclass(frozen=True)
class Picked:
    """The user's answer: a choice, or None for "All" (no filter)."""

    choice: Choice | None


@dataclass
class ChoiceWanted(Message):
    """Pick one value from a long, searchable list (a city, state, company or segment
    filter): `answer` gets Picked(choice), Picked(None) for "All", or None if cancelled."""

    title: str
    all_label: str
    search: ChoiceSearch
    current: Choice | None
    answer: Callable[[Picked | None], None]


@dataclass
class ConditionWanted(Message):
    """Write one condition of a rule (a new one when `condition` is None): `answer` gets
    the condition, or None if cancelled. `known_values` are the suggestions per field."""

    condition: Condition | None
    known_values: dict[str, list[str]]
    answer: Callable[[Condition | None], None]
