"""Opening an import file (I6; I16.2, I16.15): its encoding, its delimiter, and its
records one at a time with the line each starts on. Both ways of reading a file (here and
in the read-ahead child, transfer/read_ahead.py) open it with `open_csv`, so they decide alike.

- **Encoding** (`--encoding auto`), from the first 64 KB: a UTF-16 byte order mark is
  UTF-16 (Excel's "Unicode Text", tab-separated); UTF-8, with or without a BOM, when they
  decode as UTF-8; else Windows-1252 when they hold a byte from 0x80 to 0x9f, where it has
  its smart quotes, dashes and euro sign and Latin-1 only invisible controls; else Latin-1.
- **Delimiter**: a first line `sep=;` (Excel's way of naming it) names it and is skipped;
  otherwise `,` `;` TAB or `|`, whichever splits the start of the file best.
- **A quote left open** turns every line up to the next quote into one field, which used
  to vanish as one rejected row: the file is refused instead, naming the line where the
  quote opened (`records`; docs/import-export.md says why refusing, not guessing).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from segtui.core.formats.cell_text import encoding_hint, encoding_title
from segtui.core.formats.contact_columns import ImportError_
from segtui.core.formats.file_formats import Encoding

if TYPE_CHECKING:
    from _csv import Reader as CsvReader  # what csv.reader returns (typeshed's name)

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"


# The codec each choice reads with: a UTF-8 BOM is dropped; UTF-16 reads its BOM.
_CODECS = {Encoding.UTF8: "utf-8-sig", Encoding.UTF16: "utf-16",
           Encoding.CP1252: "cp1252", Encoding.LATIN1: "latin-1"}


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read, for the progress bar."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.consumed += len(data)
        return len(data)


_WINDOWS_BYTES = re.compile(rb"[\x80-\x9f]")


def detect_encoding(head: bytes) -> str:
    """The codec for a file starting with `head` (the module's docstring says how)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # An incremental decoder: a multi-byte character cut at the 64 KB edge is fine.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        if _WINDOWS_BYTES.search(head):
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:  # one of the five bytes cp1252 lacks: not Windows
                return "latin-1"
            return "cp1252"
        return "latin-1"
    return "utf-8-sig"


def detect_delimiter(sample: str) -> str:
    """The delimiter of the header line: whichever of , ; TAB | splits it most."""
    first = sample.splitlines()[0] if sample else ""
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


# Excel's first line naming the delimiter: "sep=;" (any one character).
_SEP_LINE = re.compile(r"sep=([^\r\n\"])[ \t]*(?:\r\n|\n|\r|$)", re.IGNORECASE)
_QUOTE_ADVICE = "close it, or write a quote inside a field twice (\"\")"


def _breaks(cell: str) -> int:
    """Line breaks in a cell (CRLF counts once)."""
    return cell.count("\n") + cell.count("\r") - cell.count("\r\n")


def _never_closed(cells: Sequence[str], start: int, end: int) -> str:
    """The message for the file's last record, whose field ending in a line break shows
    that its quote was still open at the end of the file."""
    index = next(i for i, c in enumerate(cells) if c.endswith(("\n", "\r")))
    opened = start + sum(_breaks(c) for c in cells[:index])
    return (f"line {opened}: unclosed quote: the quote opened on this line is never "
            f"closed, so the rest of the file (to line {end:,}) would be read as one "
            f"field; {_QUOTE_ADVICE}")


@dataclass
class CsvSource:
    """An open CSV file: decoded, delimiter known, read one record at a time."""

    counter: CountingReader
    text: io.TextIOWrapper
    encoding: str
    delimiter: str
    size: int
    first_line: int = 1  # the header's line: 2 after a `sep=` line

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line where the record starts, cells), the header first. Quoted fields may
        span lines; a quote left open is ImportError_ naming its line."""
        reader = csv.reader(self.text, delimiter=self.delimiter, strict=False)
        skipped = self.first_line - 1  # the `sep=` line the reader never saw
        start = self.first_line
        width = -1
        try:
            for cells in reader:
                end = reader.line_num + skipped
                if width < 0:
                    width = len(cells)
                elif end != start or len(cells) != width:  # spans lines, or ragged: rare
                    start = yield from self._unusual(reader, cells, start, end, width)
                    continue
                yield start, cells
                start = end + 1
        except csv.Error as exc:
            raise ImportError_(f"line {start}: {exc}") from None
        except UnicodeDecodeError as exc:  # e.g. a UTF-16 file cut mid-character
            raise ImportError_(
                f"near line {start}: not valid {encoding_title(self.encoding)} "
                f"({exc.reason}); "
                + encoding_hint(exc.object[exc.start], self.encoding)) from None

    def _unusual(self, reader: CsvReader, cells: list[str], start: int, end: int,
                 width: int) -> Generator[tuple[int, list[str]], None, int]:
        """A record spanning lines or ragged: ImportError_ if its quote was left open,
        else yielded (with the record read after it to see whether the file ended).
        Returns the line where the next record starts. Off the common path, which this
        keeps a plain loop."""
        skipped = self.first_line - 1
        while True:
            after = None
            if any(c.endswith(("\n", "\r")) for c in cells):
                # A field ending in a line break: a quote open at the end of the file, if
                # nothing comes after.
                after = next(reader, None)
                if after is None:
                    raise ImportError_(_never_closed(cells, start, end))
            problem = self._swallowed(cells, start, width)
            if problem is not None:
                raise ImportError_(problem)
            yield start, cells
            start = end + 1
            if after is None:
                return start
            cells, end = after, reader.line_num + skipped
            if end == start and len(cells) == width:
                yield start, cells
                return end + 1

    def _swallowed(self, cells: Sequence[str], start: int, width: int) -> str | None:
        """Why the record starting at `start` is a quote left open, if it is: one of its
        fields holds, before its last line, a line with as many fields as the header,
        i.e. rows of the file were read into it. (A field with line breaks but no such
        line is an address or a note typed with Alt+Enter, and is read as usual.)"""
        if width < 2:
            return None
        for index, cell in enumerate(cells):
            lines = cell.splitlines()
            if len(lines) < 2:
                continue
            for line in lines[:-1]:
                if len(next(csv.reader([line], delimiter=self.delimiter), [])) == width:
                    opened = start + sum(_breaks(c) for c in cells[:index])
                    closed = opened + _breaks(cell)
                    return (f"line {opened}: unclosed quote: the quote opened on this "
                            f"line runs to line {closed:,}, so lines {opened:,}-{closed:,} "
                            f"would be read as one field; {_QUOTE_ADVICE}")
        return None

    def close(self) -> None:
        self.text.close()


def open_csv(raw: IO[bytes], size: int, encoding: Encoding = Encoding.AUTO) -> CsvSource:
    counter = CountingReader(raw)
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    head = buffered.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    if not head.strip():
        raise ImportError_("the file is empty")
    name = detect_encoding(head) if encoding is Encoding.AUTO else _CODECS[encoding]
    sample = head.decode(name, errors="replace")
    # Undecodable bytes become lone surrogates that read_row reports with their line and
    # column, instead of an error at whatever line the decoder's chunk happened to start.
    text = io.TextIOWrapper(buffered, encoding=name, newline="", errors="surrogateescape")
    sep = _SEP_LINE.match(sample)
    if sep is None:
        return CsvSource(counter, text, name, detect_delimiter(sample[: SNIFF_BYTES // 4]),
                         size)
    text.readline()  # "sep=;" is not the header
    return CsvSource(counter, text, name, sep.group(1), size, first_line=2)
