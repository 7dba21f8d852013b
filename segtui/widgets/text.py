"""The one way user data becomes something on screen (S1).

User text (names, descriptions, tags, notes, imported cells, file names, error messages
that quote them) is never parsed as markup, and its control characters are replaced by
visible stand-ins (`core.text.printable`), so a contact named "[bold]x[/]" or holding
"\\x1b[31m" shows literally and can neither crash a widget nor drive the terminal.

- `user_text`: a `rich.text.Text` for any widget that takes a renderable (Label, Static,
  Button, Option, DataTable cells, Select prompts, tooltips, palette hits).
- `highlighted`: a command palette hit with the typed letters marked, never markup
  (Textual's own `Matcher.highlight` parses its argument as markup).
- `escaped_markup`: for the few Textual APIs that accept nothing but a markup string (the
  palette's help line).
- Toasts and the header go through `SegtuiApp.notify` and `SegtuiApp.format_title`, which
  use `printable` and never parse markup, whoever calls them.
- `FieldText`: stored text put in a field the user edits (an Input's value, a TextArea's
  text), which shows it and would send it to the terminal as it is: the field gets
  `shown` (hidden characters as stand-ins), the save gets `read(value)` (the stored text
  itself while the field is unchanged), and the line under the field says what the
  stand-ins are (`note`). I16.8; docs/dialogs.md, "Invisible characters in a field".

`tests/ui/test_hostile_text.py` feeds a hostile corpus through each of these places.
"""

from __future__ import annotations

import unicodedata

from rich.style import Style
from rich.text import Text
from textual.fuzzy import Matcher

from segtui.core.formatting import plural
from segtui.core.text import field_text, hidden_characters, printable, read_back


def user_text(value: str | None, style: str | Style = "", *, multiline: bool = False) -> Text:
    """User-provided text, safe to render: never markup, no control characters."""
    text = Text(printable(value or "", single_line=not multiline), style=style)
    if not multiline:
        text.no_wrap = True
        text.overflow = "ellipsis"
    return text


def escaped_markup(value: str | None) -> str:
    """User text as a markup string that shows exactly that text: control characters
    replaced, every "[" escaped (the only character that opens markup; backslashes
    elsewhere stay literal, checked by a property test)."""
    return printable(value or "").replace("[", "\\[")


def highlighted(matcher: Matcher, value: str, style: str | Style = "") -> Text:
    """A command palette hit: `value` shown literally, the letters the user typed marked."""
    text = user_text(value, style)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text.plain)
    if score:
        for offset in offsets:
            if not text.plain[offset].isspace():
                text.stylize(matcher.match_style.rich_style, offset, offset + 1)
    return text


# Names of the control characters Unicode gives no name (the C0 and C1 controls).
_CONTROL_NAMES = {"\x00": "null", "\x07": "bell", "\x08": "backspace", "\t": "tab",
                  "\n": "line break", "\r": "carriage return", "\x1b": "escape",
                  "\x7f": "delete", "\x9b": "control sequence introducer"}


def character_name(ch: str) -> str:
    """'U+202E right-to-left override', 'U+001B escape': a character no one can see, as
    the note under a field names it."""
    name = unicodedata.name(ch, "").lower() or _CONTROL_NAMES.get(ch, "control character")
    return f"U+{ord(ch):04X} {name}"


# What saving does with the invisible characters of a stored text whose rules refuse control
# characters but not format characters (a description, an activity's text).
TEXT_KEPT = ("Unchanged, it stays as saved; changed, each mark left stays its character "
             "(control characters are refused).")

# The same for a rule's values (the Rule line, a condition's value).
RULE_KEPT = "Each mark left stays its character in the rule; delete a mark to delete it."


class FieldText:
    """Stored text in a field the user edits (I16.8).

    An Input or a TextArea sends its text to the terminal as it is, so a name holding
    U+202E (or an ESC, a zero-width space) can't be its value: the field gets `shown`, in
    which each hidden character is one stand-in (␛, ␡, �). `read(value)` is what the
    field means: exactly `stored` while it still shows `shown` (so saving other fields
    changes nothing here), else the user's edit with each stand-in they left standing for
    its character again (core.text.read_back). `consequence` says what saving does with
    the characters; `note(value)` is the line shown under the field while it holds any.
    """

    def __init__(self, stored: str = "", *, multiline: bool = False,
                 consequence: str = "") -> None:
        self.stored = stored
        self.multiline = multiline
        self.consequence = consequence
        self.shown = field_text(stored, multiline=multiline)

    def read(self, value: str) -> str:
        return read_back(self.stored, self.shown, value)

    def note(self, value: str) -> Text:
        """'Holds 2 invisible characters (�): U+202E right-to-left override, …' and the
        consequence; empty when the field (as it would be saved) holds none."""
        hidden = hidden_characters(self.read(value), multiline=self.multiline)
        if not hidden:
            return Text("")
        kinds = list(dict.fromkeys(hidden))
        names = ", ".join(character_name(ch) for ch in kinds[:3])
        marks = ", ".join(dict.fromkeys(field_text(ch) for ch in kinds))
        more = ", …" if len(kinds) > 3 else ""
        note = (f"Holds {plural(len(hidden), 'invisible character')} ({marks}): "
                f"{names}{more}. {self.consequence}")
        return Text(note.strip())
