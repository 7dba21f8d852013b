"""Reading contacts from a CSV file (issue 6): columns, validation, file format.

Pure Python, no database: `segtui.data.importer` writes what this module accepts. The
rules are in docs/import-export.md; each message names the line, the column and the
reason, because the person reading it has the spreadsheet open next to the terminal.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import IO, TypeVar

from segtui.core.contact_keys import MatchKey
from segtui.core.csv_safe import FORMULA_PREFIXES
from segtui.core.enums import CompanySize, LeadStatus, LifecycleStage, SourceChannel
from segtui.core.text import ellipsize, printable

# -- columns -------------------------------------------------------------------------------

F = TypeVar("F", bound=StrEnum)


class Field(StrEnum):
    """A contact field a column can fill. The values are the export's header names, so an
    export imports back without --map."""

    NAME = "Name"
    FIRST_NAME = "First Name"
    LAST_NAME = "Last Name"
    EMAIL = "Email"
    PHONE = "Phone"
    TITLE = "Title"
    COMPANY = "Company"
    COMPANY_SIZE = "Company Size"
    INDUSTRY = "Industry"
    STATUS = "Status"
    LIFECYCLE = "Lifecycle Stage"
    SOURCE = "Source"
    CITY = "City"
    STATE = "State"
    COUNTRY = "Country"
    REGION = "Region"
    QUALITY = "Quality Score"
    TAGS = "Tags"
    CREATED = "Created"
    LAST_CONTACTED = "Last Contacted"
    # The contact's id in the system the file comes from (issue 16 §16): kept, unique, and
    # a key to match rows by (`--match external-id`).
    EXTERNAL_ID = "External Id"


# Columns segtui's own export writes that are computed from events, not imported: they are
# recognised (so a re-import is not "unknown columns") and left alone.
COMPUTED_COLUMNS = ("Id", "Total Spent", "Purchases", "Last Activity", "Segments")

ALIASES: dict[Field, tuple[str, ...]] = {
    Field.NAME: ("full name", "contact name", "contact"),
    Field.FIRST_NAME: ("first", "given name", "firstname"),
    Field.LAST_NAME: ("last", "surname", "family name", "lastname"),
    Field.EMAIL: ("e-mail", "email address", "e-mail address", "mail"),
    Field.PHONE: ("phone number", "telephone", "tel", "mobile"),
    Field.TITLE: ("job title", "position", "role"),
    Field.COMPANY: ("company name", "organization", "organisation", "account"),
    Field.COMPANY_SIZE: ("size", "company segment"),
    Field.STATUS: ("lead status",),
    Field.LIFECYCLE: ("lifecycle", "stage"),
    Field.SOURCE: ("source channel", "channel", "lead source"),
    Field.STATE: ("province",),
    Field.QUALITY: ("quality", "score", "lead score"),
    Field.TAGS: ("labels", "tag"),
    Field.CREATED: ("created at", "created date", "date added"),
    Field.LAST_CONTACTED: ("last contacted at", "last contact", "last contact date"),
    Field.EXTERNAL_ID: ("record id", "contact id", "crm id", "source id"),
}

# Longest text each field holds (the column sizes in data/models.py).
MAX_LENGTH: dict[Field, int] = {
    Field.NAME: 200, Field.FIRST_NAME: 100, Field.LAST_NAME: 100, Field.EMAIL: 320,
    Field.PHONE: 50, Field.TITLE: 200, Field.COMPANY: 200, Field.INDUSTRY: 100,
    Field.CITY: 100, Field.STATE: 100, Field.COUNTRY: 100, Field.REGION: 50,
    Field.EXTERNAL_ID: 100,
}
TAG_MAX = 50
TAG_SEPARATOR = ";"


def header_key(text: str) -> str:
    """How headers are compared: case-folded, BOM and outer spaces dropped, runs of spaces,
    underscores and hyphens as one space ("E_Mail" = "e mail"; "E-mail" stays an alias)."""
    text = text.replace("\ufeff", "").strip().casefold()
    return re.sub(r"[\s_]+", " ", text)


def _known_headers() -> dict[str, Field | None]:
    known: dict[str, Field | None] = {}
    for f in Field:
        known[header_key(f.value)] = f
        for alias in ALIASES.get(f, ()):
            known[header_key(alias)] = f
    for computed in COMPUTED_COLUMNS:
        known[header_key(computed)] = None
    return known


KNOWN_HEADERS = _known_headers()


class ImportError_(Exception):
    """The file can't be imported at all (no header, unreadable); nothing was written."""


@dataclass(frozen=True)
class ColumnMap:
    """Which column index fills which field, and what was left out."""

    fields: dict[Field, int]
    unknown: tuple[str, ...]  # header names matching no field (reported, not imported)
    width: int  # number of columns in the header


def parse_map(options: Sequence[str], fields: type[F]) -> dict[str, F]:
    """`--map "E-mail Addr=Email"` options: file header -> field."""
    mapping: dict[str, F] = {}
    by_key = {header_key(f.value): f for f in fields}
    for option in options:
        header, sep, target = option.partition("=")
        if not sep or not header.strip():
            raise ImportError_(f"--map {option!r}: write it as 'File Header=Field'")
        found = by_key.get(header_key(target))
        if found is None:
            names = ", ".join(f.value for f in fields)
            raise ImportError_(f"--map {option!r}: {target.strip()!r} is not a field; "
                               f"fields are {names}")
        mapping[header_key(header)] = found
    return mapping


def match_columns(header: Sequence[str], known: Mapping[str, F | None],
                  explicit: Mapping[str, F], what: str
                  ) -> tuple[dict[F, int], tuple[str, ...]]:
    """Which column fills which field (explicit --map entries win over names and
    aliases), and the header names matching nothing."""
    fields: dict[F, int] = {}
    unknown: list[str] = []
    for index, name in enumerate(header):
        key = header_key(name)
        target = explicit[key] if key in explicit else known.get(key, None)
        if target is None:
            if key not in known and key:
                unknown.append(name.strip())
            continue
        if target in fields:
            raise ImportError_(f"two columns fill {target.value}: "
                               f"{header[fields[target]].strip()!r} and {name.strip()!r}")
        fields[target] = index
    missing = [str(k) for k in explicit if k not in {header_key(h) for h in header}]
    if missing:
        raise ImportError_(f"--map names columns the file doesn't have: {', '.join(missing)}")
    if not fields:
        raise ImportError_(
            f"the first line is not a header: none of its columns is {what}; "
            "add a header row or name the columns with --map")
    return fields, tuple(unknown)


def map_columns(header: Sequence[str], explicit: Mapping[str, Field] | None = None,
                match: MatchKey = MatchKey.EMAIL) -> ColumnMap:
    """Match a contacts file's header row to contact fields; the columns `match` (how
    rows find their contacts, issue 16 §16) reads must be there."""
    fields, unknown = match_columns(
        header, KNOWN_HEADERS, explicit or {},
        f"a contact field (for example {Field.NAME.value}, {Field.EMAIL.value}, "
        f"{Field.COMPANY.value})")
    named = bool({Field.NAME, Field.FIRST_NAME, Field.LAST_NAME} & fields.keys())
    if not named and Field.EMAIL not in fields and match is MatchKey.EMAIL:
        raise ImportError_("the file needs a Name (or First Name) or an Email column")
    missing = [what for what, there in {
        MatchKey.NAME_COMPANY: [("a Name (or First Name)", named),
                                ("a Company", Field.COMPANY in fields)],
        MatchKey.PHONE: [("a Phone", Field.PHONE in fields)],
        MatchKey.EXTERNAL_ID: [("an External Id", Field.EXTERNAL_ID in fields)],
    }.get(match, []) if not there]
    if missing:
        raise ImportError_(f"--match {match.value} needs {' and '.join(missing)} column; "
                           "the file has none (name it with --map)")
    return ColumnMap(fields, unknown, len(header))


def match_warning(columns: ColumnMap, match: MatchKey) -> str | None:
    """What to say before importing a file whose rows can't find their contacts: without
    an Email column, matching by email makes every row a new contact, each time the file
    is imported (issue 16 §16)."""
    if match is not MatchKey.EMAIL or Field.EMAIL in columns.fields:
        return None
    others = [f"{f.value}" for f in (Field.PHONE, Field.EXTERNAL_ID) if f in columns.fields]
    if Field.COMPANY in columns.fields:
        others.insert(0, "name and company")
    hint = (f"; this file could match by {' or '.join(others)} instead (--match)" if others
            else "; give it an Email, Phone or External Id column to match by (--match)")
    return ("this file has no Email column: every row will be a new contact, and importing "
            f"it again will add them all again{hint}")


# -- one row ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    line: int  # the line in the file where the row starts (1 = the header)
    column: str  # the file's header name, or "" for the whole row
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ContactIn:
    """A validated row: only the fields the file has (None = the cell was empty). A row
    without a name is valid: it may update a contact (only the matching key and the
    columns it changes are needed, issue 16 §17); the importer rejects it if it would
    create one, blaming `name_column`."""

    line: int
    values: dict[Field, object] = field(default_factory=dict)
    email: str | None = None  # the merge key, lower-cased
    name_column: str = Field.NAME.value  # the file's header for the name (for messages)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_problem(text: str) -> str | None:
    """The same rule as the Quality Score's "valid email" (docs/metrics.md): one @,
    something before it, a dot with something on both sides after it, no spaces."""
    if _EMAIL.match(text) is None or text.endswith("."):
        return f"{shown(text)} is not an email address"
    return None


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


def suspect_problem(ch: str) -> str:
    if "\udc80" <= ch <= "\udcff":
        return (f"is not valid UTF-8 (byte 0x{ord(ch) - 0xDC00:02x}); if the file is "
                "Latin-1, import it with --encoding latin-1")
    return f"contains {_CONTROL_NAMES.get(ch, f'control character U+{ord(ch):04X}')}"


def squash(text: str) -> str:
    """Runs of whitespace, line breaks included, as one space: a cell typed with line
    breaks (Alt+Enter in a spreadsheet) is one line here, as no contact field holds
    several lines."""
    return " ".join(text.split())


def _vocabulary_of(enum: type[StrEnum], what: str) -> Converter:
    def key(text: str) -> str:
        return re.sub(r"[\s_-]+", "", text.casefold())

    members = {key(m.value): m for m in enum}
    exact = {m.value: m for m in enum}
    choices = ", ".join(m.value for m in enum)

    def convert(text: str) -> object:
        found = exact.get(text) or members.get(key(text))
        if found is None:
            raise ValueError(f"{shown(text)} is not a {what}; use one of {choices}")
        return found

    return convert


def parse_when(text: str) -> datetime:
    """ISO 8601 dates and times (the export's form: 2024-01-05, 2024-01-05 09:30[:00]).
    Day-first and month-first forms are refused: 03/04/2024 means different days in
    different countries."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{shown(text)} is not a date; write it as YYYY-MM-DD "
                         "(optionally with HH:MM[:SS])") from None
    if when.tzinfo is not None:
        raise ValueError(f"{shown(text)} has a time zone; write the local time without one")
    return when


def _tags(text: str) -> object:
    tags: list[str] = []
    seen: set[str] = set()
    for part in text.split(TAG_SEPARATOR):
        tag = squash(part)
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise ValueError(f"the tag {shown(tag)} is longer than {TAG_MAX} characters")
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def _quality(text: str) -> object:
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"{shown(text)} is not a whole number from 0 to 100") from None
    if not 0 <= number <= 100:
        raise ValueError(f"{number} is outside 0-100")
    return number


def email_value(text: str) -> str:
    problem = email_problem(text)
    if problem:
        raise ValueError(problem)
    return text.lower()  # compared and stored lower-cased (docs/import-export.md)


def _text_of(limit: int) -> Converter:
    def convert(text: str) -> object:
        if len(text) > limit:
            raise ValueError(f"is {len(text):,} characters long; at most {limit} fit")
        return text

    return convert


def past_time(today: date) -> Callable[[str], datetime]:
    """A date and time no later than `today` (parse_when's forms)."""

    def convert(text: str) -> datetime:
        when = parse_when(text)
        if when.date() > today:
            raise ValueError(f"{text} is in the future")
        return when

    return convert


Converter = Callable[[str], object]


def converters(today: date) -> dict[Field, Converter]:
    """Each field's cell -> value function (ValueError with the reason)."""
    found: dict[Field, Converter] = {f: _text_of(limit) for f, limit in MAX_LENGTH.items()}
    found.update({
        Field.EMAIL: email_value, Field.QUALITY: _quality, Field.TAGS: _tags,
        Field.CREATED: past_time(today), Field.LAST_CONTACTED: past_time(today),
        Field.STATUS: _vocabulary_of(LeadStatus, "status"),
        Field.COMPANY_SIZE: _vocabulary_of(CompanySize, "company size"),
        Field.LIFECYCLE: _vocabulary_of(LifecycleStage, "lifecycle stage"),
        Field.SOURCE: _vocabulary_of(SourceChannel, "source"),
    })
    return found


class RowReader:
    """Validates records against one header; build once per file (the per-field work is
    looked up here, not per cell)."""

    def __init__(self, columns: ColumnMap, header: Sequence[str], today: date) -> None:
        convert = converters(today)
        self.width = columns.width
        # (field, index, header name, converter)
        self.plan = [(f, i, header[i].strip(), convert[f]) for f, i in columns.fields.items()]
        self.name_column = next((header[columns.fields[f]].strip() for f in
                                 (Field.NAME, Field.FIRST_NAME) if f in columns.fields),
                                Field.NAME.value)

    def read(self, cells: Sequence[str], line: int) -> ContactIn | list[RowProblem]:
        """Validate one record; every problem in the row is reported, not just the first."""
        if len(cells) != self.width:
            if not any(c.strip() for c in cells):
                return []  # a blank line: nothing to import, nothing to report
            return [RowProblem(line, "", f"has {len(cells)} fields; the header has "
                                         f"{self.width}")]
        problems: list[RowProblem] = []
        values: dict[Field, object] = {}
        for f, index, column, convert in self.plan:
            text = cells[index]
            if text[:1] == "'":
                text = unquote_formula(text)
            # Fast path (almost every cell): printable, no outer or double spaces.
            if not (text.isprintable() and "  " not in text and text[:1] != " "
                    and text[-1:] != " "):
                text = squash(text)
                suspect = SUSPECT.search(text)
                if suspect:
                    problems.append(RowProblem(line, column,
                                               suspect_problem(suspect.group())))
                    continue
            if not text:
                values[f] = None
                continue
            try:
                values[f] = convert(text)
            except ValueError as exc:
                problems.append(RowProblem(line, column, str(exc)))
        if problems:
            return problems
        first, last = values.pop(Field.FIRST_NAME, None), values.pop(Field.LAST_NAME, None)
        if not values.get(Field.NAME) and (first or last):
            values[Field.NAME] = " ".join(str(p) for p in (first, last) if p)
        name = values.get(Field.NAME)
        if name and len(str(name)) > MAX_LENGTH[Field.NAME]:
            return [RowProblem(line, self.name_column, "is longer than "
                                                       f"{MAX_LENGTH[Field.NAME]} characters")]
        if not name:
            values.pop(Field.NAME, None)  # nothing to write; a new contact is refused later
        email = values.get(Field.EMAIL)
        return ContactIn(line, values, email if isinstance(email, str) else None,
                         self.name_column)


# -- the file ----------------------------------------------------------------------------------

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"


class Encoding(StrEnum):
    AUTO = "auto"
    UTF8 = "utf-8"
    LATIN1 = "latin-1"


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


def detect_encoding(head: bytes) -> str:
    """UTF-8 (a BOM is dropped) when the first 64 KB decode as UTF-8, else Latin-1."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # An incremental decoder: a multi-byte character cut at the 64 KB edge is fine.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
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


@dataclass
class CsvSource:
    """An open CSV file: decoded, delimiter known, read one record at a time."""

    counter: CountingReader
    text: io.TextIOWrapper
    encoding: str
    delimiter: str
    size: int

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line where the record starts, cells). Quoted fields may span lines."""
        reader = csv.reader(self.text, delimiter=self.delimiter, strict=False)
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            raise ImportError_(f"line {start}: {exc}") from None

    def close(self) -> None:
        self.text.close()


def open_csv(raw: IO[bytes], size: int, encoding: Encoding = Encoding.AUTO) -> CsvSource:
    counter = CountingReader(raw)
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    head = buffered.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    if not head.strip():
        raise ImportError_("the file is empty")
    name = {Encoding.AUTO: detect_encoding(head), Encoding.UTF8: "utf-8-sig",
            Encoding.LATIN1: "latin-1"}[encoding]
    sample = head.decode(name, errors="replace")
    delimiter = detect_delimiter(sample[: SNIFF_BYTES // 4])
    # Undecodable bytes become lone surrogates that read_row reports with their line and
    # column, instead of an error at whatever line the decoder's chunk happened to start.
    text = io.TextIOWrapper(buffered, encoding=name, newline="", errors="surrogateescape")
    return CsvSource(counter, text, name, delimiter, size)
