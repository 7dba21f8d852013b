"""Making user text safe to show.

User data (names, descriptions, tags, imported CSV cells) may hold terminal control
sequences or bidi overrides. They are replaced by visible stand-ins so they can neither
drive the terminal nor disguise text. Markup safety is the UI's half: see
`segtui.widgets.text.user_text`, which never parses markup.
"""

from __future__ import annotations

# Characters that reorder or hide text (Trojan Source); shown as a replacement char.
_BIDI_CONTROLS = {
    *range(0x200E, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
}


def _stand_in(code: int, single_line: bool) -> str:
    if code in (0x0A, 0x0D, 0x09):
        return " " if single_line or code != 0x0A else "\n"
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ESC shows as ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def printable(text: str, *, single_line: bool = True) -> str:
    """`text` with every control character replaced by a visible stand-in.

    With `single_line`, tabs and line breaks become spaces (table cells, titles); otherwise
    newlines are kept (multi-line descriptions and notes).
    """
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or code in _BIDI_CONTROLS:
            out.append(_stand_in(code, single_line))
        else:
            out.append(ch)
    return "".join(out)


def ellipsize(text: str, width: int) -> str:
    """Cut `text` to at most `width` characters, marking the cut with an ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
