"""The checks every cell of an imported file gets, whatever it fills: control characters and
undecodable bytes (with the --encoding to try), a spreadsheet formula's quote, whitespace,
and a cell quoted for a message. Contacts and events files both use them.
"""

from __future__ import annotations

import re

from segtui.core.formats.csv_safe import FORMULA_PREFIXES
from segtui.core.text import ellipsize, printable


def shown(text: str, limit: int = 40) -> str:
    """A cell quoted for a message: control characters made visible, long text cut."""
    return repr(ellipsize(printable(text), limit))


def unquote_formula(cell: str) -> str:
    """Remove the apostrophe segtui's export puts before a cell a spreadsheet would run."""
    if len(cell) > 1 and cell[0] == "'" and cell[1:].startswith(FORMULA_PREFIXES):
        return cell[1:]
    return cell


# Control characters (C0, DEL, C1) and the lone surrogates "surrogateescape" leaves for
# bytes the encoding could not decode: one regex scan per cell finds either.
SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\udc80-\udcff]")
_CONTROL_NAMES = {"\x1b": "an escape character (ESC)", "\t": "a tab"}


def suspect_problem(ch: str, encoding: str = "utf-8") -> str:
    """Why a cell holding `ch` (SUSPECT) is refused, and, for a byte the file's encoding
    can't decode or a C1 control a Windows file would hold, which --encoding to try."""
    if "\udc80" <= ch <= "\udcff":
        byte = ord(ch) - 0xDC00
        return (f"is not valid {encoding_title(encoding)} (byte 0x{byte:02x}); "
                + encoding_hint(byte, encoding))
    name = _CONTROL_NAMES.get(ch, f"control character U+{ord(ch):04X}")
    if "\x80" <= ch <= "\x9f" and _windows_byte(ord(ch)):
        return (f"contains {name}, which is {bytes([ord(ch)]).decode('cp1252')!r} in "
                "Windows-1252: if the file was saved by Excel or another Windows "
                "program, import it with --encoding cp1252")
    return f"contains {name}"


def encoding_label(codec: str) -> str:
    """A codec as the summary names it (and --encoding takes it): utf-8-sig is utf-8."""
    return codec.removesuffix("-sig")


def encoding_title(codec: str) -> str:
    """A codec as a message names it: "UTF-8", "Windows-1252"."""
    label = encoding_label(codec)
    return {"utf-8": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252",
            "latin-1": "Latin-1"}.get(label, label)


def _windows_byte(byte: int) -> bool:
    """Whether Windows-1252 has a character for this byte (it lacks five of 0x80-0x9f)."""
    return byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)


def encoding_hint(byte: int, encoding: str) -> str:
    """Which --encoding to try for a file that has `byte` where `encoding` can't read it."""
    if encoding.startswith("utf-8") and byte >= 0x80 and _windows_byte(byte):
        return ("if the file was saved by Excel or another Windows program, import it "
                "with --encoding cp1252")
    if encoding.startswith("utf-8"):
        return "if the file is Latin-1, import it with --encoding latin-1"
    return "try --encoding latin-1, or save the file as UTF-8"


def squash(text: str) -> str:
    """Runs of whitespace, line breaks included, as one space: a cell typed with line
    breaks (Alt+Enter in a spreadsheet) is one line here, as no contact field holds
    several lines."""
    return " ".join(text.split())
