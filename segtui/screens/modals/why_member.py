""""Why is this contact in this segment?" (D1.5): added by hand, kept out by hand, or
which conditions of the rule it meets, condition by condition."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from segtui.core.rules.refresh import Explanation
from segtui.core.text import printable
from segtui.screens.modals.dialog import Dialog
from segtui.widgets.key_line import KeyLine
from segtui.widgets.palette import ThemeColours, theme_colours
from segtui.widgets.text import user_text


def explanation_text(name: str, segment: str, why: Explanation, colours: ThemeColours) -> Text:
    lines = Text()
    if why.since:
        lines.append(printable(why.since) + "\n")
    if why.added_by_hand:  # since when and by whom is said above
        lines.append("A member by hand: a refresh never removes it.\n" if why.since
                     else f"{why.added_by_hand}: a refresh never removes it.\n")
    if why.excluded_by_hand:
        lines.append("Removed by hand: kept out of this segment whatever its rule says.\n")
    if why.rule_matches is None:
        if not why.added_by_hand:
            lines.append("A static segment: its members are picked by hand.\n"
                         if why.member else "Not a member.\n")
        return lines
    verdict = "meets" if why.rule_matches else "does not meet"
    lines.append(f"{printable(name)} {verdict} the rule of {printable(segment)}:\n")
    for line in why.lines:
        mark, role = ("✓", "good") if line.matched else ("✗", "error")
        lines.append("  " * line.depth)
        lines.append(f"{mark} ", style=colours.style(role, bold=True))
        lines.append(printable(line.text) + "\n")
    return lines


class WhyMember(Dialog[None]):
    HELP = ("Why this contact is (or is not) in this segment: added or removed by hand "
            "(kept so whatever the rule says), or the segment's rule condition by "
            "condition, ✓ met and ✗ not met.")
    BINDINGS = [Binding("escape,enter", "close", "Close", id="why.close")]

    def __init__(self, name: str, segment: str, why: Explanation) -> None:
        super().__init__()
        self.contact_name = name
        self.segment = segment
        self.why = why
        self.title_text = f"Why {name}?"

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield Static(explanation_text(self.contact_name, self.segment, self.why,
                                          theme_colours(self)))
            yield KeyLine(classes="modal-keys")

    def action_close(self) -> None:
        self.dismiss(None)
