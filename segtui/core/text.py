"""Making user text safe to show.

User data (names, descriptions, tags, imported CSV cells) may hold terminal control
sequences or bidi overrides. They are replaced by visible stand-ins so they can neither
drive the terminal nor disguise text. Markup safety is the UI's half: see
`segtui.widgets.text.user_text`, which never parses markup. A field the user edits shows
stored text the same way and gives back exactly what was stored (`field_text`,
`read_back`; `segtui.widgets.text.FieldText`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from difflib import SequenceMatcher
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


# What `_unsafe` finds, as one pattern: most text has none of it, and a CSV export of
# 100,000 members asks about 2.3M cells (the HTTP API's export, C21.1.7; csv_safe.safe_row
# scans a whole row with it).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")


def visible(text: str, *, keep: str = "") -> str:
    """`text` with every unsafe character except those in `keep` (a tab, a line break) shown
    as a visible stand-in: C0 controls as their Unicode control pictures (ESC as ␛, CR as ␍),
    DEL as ␡, C1 controls, bidi controls and undecodable bytes as �. Each character stays
    one character, so a caret under a column still points at it.

    The command line writes every line through this (segtui/cli/output.py), and CSV for
    spreadsheets holds no control characters but line breaks and tabs (core/formats/csv_safe.py).
    """
    if UNSAFE.search(text) is None:  # the usual case: untouched (one C-speed scan)
        return text
    if all(not _unsafe(ord(ch)) or ch in keep for ch in text):  # only what `keep` keeps
        return text
    return "".join(ch if ch in keep or not _unsafe(ord(ch)) else _picture(ord(ch))
                   for ch in text)


def _picture(code: int) -> str:
    """The one character that stands for an unsafe or hidden one: a C0 control's Unicode
    "control picture" (ESC as ␛), ␡ for DEL, � for the rest."""
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


# Characters that take no room besides the unsafe ones: format characters (zero-width
# space and joiners, soft hyphen, word joiner, BOM, the Arabic letter mark) and the line
# and paragraph separators (which a text area would take for line breaks).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zl", "Zp"})


def _hidden(ch: str, keep: str) -> bool:
    return ch not in keep and (_unsafe(ord(ch)) or unicodedata.category(ch) in
                               _INVISIBLE_CATEGORIES)


def hidden_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters of `text` an editable field shows as stand-ins (`field_text`), in
    order: what `visible` replaces and every other invisible character; a multi-line
    field's line breaks and tabs are not hidden."""
    keep = "\n\t" if multiline else ""
    return [ch for ch in text if _hidden(ch, keep)]


def field_text(text: str, *, multiline: bool = False) -> str:
    """`text` as an editable field shows it (I16.8): each hidden character (see
    `hidden_characters`) as one stand-in character, so the field can neither drive the
    terminal nor hold something the user can't see, and each position of the field is one
    character of `text` (`read_back` relies on it)."""
    keep = "\n\t" if multiline else ""
    return "".join(_picture(ord(ch)) if _hidden(ch, keep) else ch for ch in text)


def read_back(stored: str, shown: str, edited: str) -> str:
    """What a field that showed `stored` as `shown` (`field_text`) holds after the user
    made it `edited`: exactly `stored` while it is unchanged; otherwise the stretches of
    `shown` the edit left in place are `stored`'s own characters again (a stand-in left
    alone is the hidden character it stands for; deleting it deletes that character) and
    what the user typed is taken as typed."""
    if edited == shown:
        return stored
    if stored == shown:  # nothing was hidden
        return edited
    out: list[str] = []
    matcher = SequenceMatcher(None, shown, edited, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        out.append(stored[i1:i2] if tag == "equal" else edited[j1:j2])
    return "".join(out)


def printable(text: str, *, single_line: bool = True) -> str:
    """`text` with every control character replaced by a visible stand-in.

    With `single_line`, tabs and line breaks become spaces (table cells, titles); otherwise
    newlines are kept (multi-line descriptions and notes).
    """
    # The usual case, checked in C: every character a printable one (no control, format,
    # separator or surrogate character, which covers every unsafe one), nothing to replace.
    # Each cell of a table page passes here (P5).
    if text.isprintable():
        return text
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


# What the user wrote is quoted in a message up to this many characters: a message
# echoing a 3,000-character word pushed the rest (where the mistake is) out of sight.
QUOTE_LIMIT = 40


def quoted(value: object) -> str:
    """`value` quoted for a message (as repr does), a long text cut with an ellipsis."""
    return repr(ellipsize(value, QUOTE_LIMIT)) if isinstance(value, str) else repr(value)


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
