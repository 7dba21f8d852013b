"""The one way user data becomes something on screen (DESIGN.md, "Safety rules").

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

`tests/ui/test_hostile_text.py` feeds a hostile corpus through each of these places.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.fuzzy import Matcher

from segtui.core.text import printable


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
