"""Making user text safe to show.

User data (names, descriptions, tags, imported CSV cells) may hold terminal control
sequences or bidi overrides. They are replaced by visible stand-ins so they can neither
drive the terminal nor disguise text. Markup safety is the UI's half: see
`segtui.widgets.text.user_text`, which never parses markup.
"""

from __future__ import annotations

import json
import re
from typing import Any

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


def _unsafe(code: int) -> bool:
    """A character that can drive a terminal or disguise text: C0 and C1 controls, DEL,
    bidi controls, and lone surrogates (bytes that were not UTF-8, which no terminal
    encoding can write)."""
    return (code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or code in _BIDI_CONTROLS
            or 0xD800 <= code < 0xE000)


def visible(text: str, *, keep: str = "") -> str:
    """`text` with every unsafe character except those in `keep` (a tab, a line break) shown
    as a visible stand-in: C0 controls as their Unicode control pictures (ESC as ␛, CR as ␍),
    DEL as ␡, C1 controls, bidi controls and undecodable bytes as �. Each character stays
    one character, so a caret under a column still points at it.

    The command line writes every line through this (segtui/cli_output.py), and CSV for
    spreadsheets holds no control characters but line breaks and tabs (core/csv_safe.py).
    """
    if all(not _unsafe(ord(ch)) or ch in keep for ch in text):  # the usual case: untouched
        return text
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch in keep or not _unsafe(code):
            out.append(ch)
        elif code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        else:
            out.append("\ufffd")
    return "".join(out)


def printable(text: str, *, single_line: bool = True) -> str:
    """`text` with every control character replaced by a visible stand-in.

    With `single_line`, tabs and line breaks become spaces (table cells, titles); otherwise
    newlines are kept (multi-line descriptions and notes).
    """
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if _unsafe(code):
            out.append(_stand_in(code, single_line))
        else:
            out.append(ch)
    return "".join(out)


def ellipsize(text: str, width: int) -> str:
    """Cut `text` to at most `width` characters, marking the cut with an ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


# json.dumps escapes the C0 controls but not DEL, the C1 controls (U+009B is a CSI), the
# bidi controls, line and paragraph separators or undecodable bytes: escape those too.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e"
                          "\u2066-\u2069\ud800-\udfff]")


def safe_json(value: Any, *, indent: int | None = None) -> str:
    """JSON for terminals and files alike: UTF-8 text kept as it is (ensure_ascii=False),
    every character that could drive a terminal written as a \\uXXXX escape, so it is
    safe to show and parses back to exactly the stored text (docs/cli.md)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
