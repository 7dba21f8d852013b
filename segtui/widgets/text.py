"""The one way user data becomes something on screen (DESIGN.md, "Safety rules").

`rich.text.Text` is never parsed for markup, and control characters are replaced by visible
stand-ins, so a contact named "[bold]x[/]" or holding "\\x1b[31m" shows literally.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from segtui.core.text import printable


def user_text(value: str | None, style: str | Style = "", *, multiline: bool = False) -> Text:
    """User-provided text, safe to render: never markup, no control characters."""
    text = Text(printable(value or "", single_line=not multiline), style=style)
    if not multiline:
        text.no_wrap = True
        text.overflow = "ellipsis"
    return text
