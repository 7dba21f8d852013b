"""Reading contacts from a CSV file (I6): the contact fields and their columns,
validation, value mapping (I16.13). Which column fills which field is worked out by
core/formats/column_plan.py; the file itself (encoding, delimiter, records) is core/csv_source.py.

Pure Python, no database: `segtui.data.io.importer` writes what this module accepts. The
rules are in docs/import-export.md; each message names the line, the column and the
reason, because the person reading it has the spreadsheet open next to the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from segtui.core.contact_keys import MatchKey
from segtui.core.enums import CompanySize, LeadStatus, LifecycleStage, SourceChannel
from segtui.core.formats.column_plan import (
    ColumnPlan,
    ColumnUse,
    Skip,
    header_key,
    plan_columns,
)
from segtui.core.formats.csv_safe import FORMULA_PREFIXES
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
    # The contact's id in the system the file comes from (I16.16): kept, unique, and
    # a key to match rows by (`--match external-id`).
    EXTERNAL_ID = "External Id"


# Columns segtui's own export writes that are computed from events, not imported: they are
# recognised (so a re-import is not "unknown columns") and left alone.
COMPUTED_COLUMNS = ("Id", "Total Spent", "Purchases", "Last Activity", "Segments")
# A form of address (Mr., Mrs., Dr.): segtui keeps none, since it addresses a contact by
# name and sends no mail; such columns are recognised and listed as not imported.
SALUTATION_COLUMNS = ("Salutation", "Prefix", "Name Prefix", "Honorific", "Individual Prefix",
                      "Courtesy Title", "Form of Address")

ALIASES: dict[Field, tuple[str, ...]] = {
    Field.NAME: ("full name", "contact name", "contact"),
    Field.FIRST_NAME: ("first", "given name", "firstname"),
    Field.LAST_NAME: ("last", "surname", "family name", "lastname"),
    Field.EMAIL: ("e-mail", "email address", "e-mail address", "mail"),
    Field.PHONE: ("phone number", "telephone", "tel", "mobile"),
    Field.TITLE: ("job title", "position", "role"),
    Field.COMPANY: ("company name", "organization", "organisation", "account",
                    "account name", "employer", "current employer"),
    Field.COMPANY_SIZE: ("size", "company segment"),
    Field.STATUS: ("lead status",),
    Field.LIFECYCLE: ("lifecycle", "stage"),
    Field.SOURCE: ("source channel", "channel", "lead source"),
    Field.STATE: ("province",),
    Field.QUALITY: ("quality", "score", "lead score"),
    Field.TAGS: ("labels", "tag"),
    Field.CREATED: ("created at", "created date", "date added", "create date"),
    Field.LAST_CONTACTED: ("last contacted at", "last contact", "last contact date"),
    Field.EXTERNAL_ID: ("record id", "contact id", "crm id", "source id"),
}

# Longest text each field holds (the column sizes in data/db/models.py).
MAX_LENGTH: dict[Field, int] = {
    Field.NAME: 200, Field.FIRST_NAME: 100, Field.LAST_NAME: 100, Field.EMAIL: 320,
    Field.PHONE: 50, Field.TITLE: 200, Field.COMPANY: 200, Field.INDUSTRY: 100,
    Field.CITY: 100, Field.STATE: 100, Field.COUNTRY: 100, Field.REGION: 50,
    Field.EXTERNAL_ID: 100,
}
TAG_MAX = 50
TAG_SEPARATOR = ";"


def _known_headers() -> dict[str, Field | Skip]:
    known: dict[str, Field | Skip] = {}
    for f in Field:
        known[header_key(f.value)] = f
        for alias in ALIASES.get(f, ()):
            known[header_key(alias)] = f
    for computed in COMPUTED_COLUMNS:
        known[header_key(computed)] = Skip.COMPUTED
    for salutation in SALUTATION_COLUMNS:
        known[header_key(salutation)] = Skip.SALUTATION
    return known


KNOWN_HEADERS = _known_headers()
# A "Title" column next to another column filling Title (Job Title, Position) is the
# salutation, as in Mautic's, Outlook's and Salesforce's files (I16.14).
GIVES_WAY = {header_key(Field.TITLE.value): Skip.SALUTATION}


class ImportError_(Exception):
    """The file can't be imported at all (no header, unreadable); nothing was written."""


@dataclass(frozen=True)
class ColumnMap:
    """Which column index fills which field, and what every column does."""

    fields: dict[Field, int]
    columns: tuple[ColumnUse[Field], ...]
    width: int  # number of columns in the header

    @property
    def unknown(self) -> tuple[str, ...]:
        """Header names matching no field (reported, not imported)."""
        return tuple(c.label for c in self.columns if c.target is Skip.UNKNOWN and c.label)


def map_target(target: str, fields: type[F], *, salutation: bool = False
               ) -> F | Skip | None:
    """What a --map entry's right side names: a field, "" (leave the column out), or for
    contacts "Salutation" (a form of address, not imported); None if nothing."""
    key = header_key(target)
    if not key:
        return Skip.LEFT_OUT
    if salutation and key == "salutation":
        return Skip.SALUTATION
    return next((f for f in fields if header_key(f.value) == key), None)


def parse_map(options: Sequence[str], fields: type[F], *, salutation: bool = False
              ) -> dict[str, F | Skip]:
    """`--map "E-mail Addr=Email"` options: file header (or "Last Name#2", a repeated
    header's second column) -> field; "Header=" leaves the column out, and, for contacts
    (`salutation`), "Header=Salutation" marks it as a form of address, not imported."""
    mapping: dict[str, F | Skip] = {}
    for option in options:
        header, sep, target = option.rpartition("=")
        if not sep or not header.strip():
            raise ImportError_(f"--map {option!r}: write it as 'File Header=Field', or "
                               "'File Header=' to leave the column out")
        found = map_target(target, fields, salutation=salutation)
        if found is None:
            raise ImportError_(f"--map {option!r}: {target.strip()!r} is not a field; "
                               f"fields are {field_names(fields, salutation)}")
        mapping[header_key(header)] = found
    return mapping


def field_names(fields: type[F], salutation: bool = False) -> str:
    return ", ".join([*(f.value for f in fields), *(["Salutation"] if salutation else [])])


def match_columns(header: Sequence[str], known: Mapping[str, F | Skip],
                  explicit: Mapping[str, F | Skip], what: str) -> ColumnPlan[F]:
    """Which column fills which field (column_plan.plan_columns), or ImportError_."""
    plan = plan_columns(header, known, explicit, what)
    if plan.problems:
        raise ImportError_(plan.problems[0])
    return plan


CONTACT_FIELD_EXAMPLE = (f"a contact field (for example {Field.NAME.value}, "
                         f"{Field.EMAIL.value}, {Field.COMPANY.value})")


def plan_contact_columns(header: Sequence[str],
                         explicit: Mapping[str, Field | Skip] | None = None,
                         preset: Mapping[str, Field | Skip] | None = None,
                         match: MatchKey = MatchKey.EMAIL) -> ColumnPlan[Field]:
    """Every column of a contacts file and what it fills, with what stops the import (the
    columns `match` reads must be there: how rows find their contacts, I16.16);
    never raises (the import dialog shows the plan it lets the user change)."""
    plan = plan_columns(header, KNOWN_HEADERS, explicit or {}, CONTACT_FIELD_EXAMPLE,
                        preset=preset, gives_way=GIVES_WAY)
    fields = plan.fields
    named = bool({Field.NAME, Field.FIRST_NAME, Field.LAST_NAME} & fields.keys())
    problems = list(plan.problems)
    if fields and not named and Field.EMAIL not in fields and match is MatchKey.EMAIL:
        problems.append("the file needs a Name (or First Name) or an Email column")
    missing = [what for what, there in {
        MatchKey.NAME_COMPANY: [("a Name (or First Name)", named),
                                ("a Company", Field.COMPANY in fields)],
        MatchKey.PHONE: [("a Phone", Field.PHONE in fields)],
        MatchKey.EXTERNAL_ID: [("an External Id", Field.EXTERNAL_ID in fields)],
    }.get(match, []) if not there]
    if missing:
        problems.append(f"--match {match.value} needs {' and '.join(missing)} column; "
                        "the file has none (name it with --map)")
    return ColumnPlan(plan.columns, tuple(problems))


def map_columns(header: Sequence[str], explicit: Mapping[str, Field | Skip] | None = None,
                preset: Mapping[str, Field | Skip] | None = None,
                match: MatchKey = MatchKey.EMAIL) -> ColumnMap:
    """Match a contacts file's header row to contact fields (ImportError_ if it can't)."""
    plan = plan_contact_columns(header, explicit, preset, match)
    if plan.problems:
        raise ImportError_(plan.problems[0])
    return ColumnMap(plan.fields, plan.columns, len(header))


def match_warning(columns: ColumnMap, match: MatchKey) -> str | None:
    """What to say before importing a file whose rows can't find their contacts: without
    an Email column, matching by email makes every row a new contact, each time the file
    is imported (I16.16)."""
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
    columns it changes are needed, I16.17); the importer rejects it if it would
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


class DateOrder(StrEnum):
    """How a file writes dates besides ISO 8601 (always accepted). A mapping file or a
    preset (Salesforce's report exports write 1/5/2024) says which; never guessed, since
    03/04/2024 means different days in different countries."""

    ISO = "iso"
    MONTH_FIRST = "month-first"  # 1/5/2024, 1/5/2024 9:30 AM
    DAY_FIRST = "day-first"  # 5/1/2024, 5.1.2024 09:30


_NUMERIC_DATE = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?")
_DATE_FORMS = {DateOrder.MONTH_FIRST: "M/D/YYYY [H:MM [AM|PM]]",
               DateOrder.DAY_FIRST: "D/M/YYYY [HH:MM]"}


def parse_when(text: str, order: DateOrder = DateOrder.ISO) -> datetime:
    """ISO 8601 dates and times (the export's form: 2024-01-05, 2024-01-05 09:30[:00]),
    and, when `order` says so, month-first or day-first numeric dates. Without it those
    are refused: 03/04/2024 means different days in different countries."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = _numeric_date(text, order)
    if when.tzinfo is not None:
        raise ValueError(f"{shown(text)} has a time zone; write the local time without one")
    return when


def _numeric_date(text: str, order: DateOrder) -> datetime:
    found = _NUMERIC_DATE.fullmatch(text) if order is not DateOrder.ISO else None
    if found is None:
        form = _DATE_FORMS.get(order)
        raise ValueError(f"{shown(text)} is not a date; write it as YYYY-MM-DD "
                         "(optionally with HH:MM[:SS])" + (f" or {form}" if form else ""))
    first, second, year, hour, minute, second_s, half = found.groups()
    month, day = (first, second) if order is DateOrder.MONTH_FIRST else (second, first)
    hours = int(hour or 0)
    if half is not None:
        if not 1 <= hours <= 12:
            raise ValueError(f"{shown(text)} is not a time: {hours} with AM/PM")
        hours = hours % 12 + (12 if half.casefold() == "pm" else 0)
    try:
        return datetime(int(year), int(month), int(day), hours, int(minute or 0),
                        int(second_s or 0))
    except ValueError:
        raise ValueError(f"{shown(text)} is not a date ({_DATE_FORMS[order]})") from None


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


def past_time(today: date, order: DateOrder = DateOrder.ISO) -> Callable[[str], datetime]:
    """A date and time no later than `today` (parse_when's forms)."""

    def convert(text: str) -> datetime:
        when = parse_when(text, order)
        if when.date() > today:
            raise ValueError(f"{text} is in the future")
        return when

    return convert


Converter = Callable[[str], object]


def converters(today: date, order: DateOrder = DateOrder.ISO) -> dict[Field, Converter]:
    """Each field's cell -> value function (ValueError with the reason)."""
    found: dict[Field, Converter] = {f: _text_of(limit) for f, limit in MAX_LENGTH.items()}
    found.update({
        Field.EMAIL: email_value, Field.QUALITY: _quality, Field.TAGS: _tags,
        Field.CREATED: past_time(today, order), Field.LAST_CONTACTED: past_time(today, order),
        Field.STATUS: _vocabulary_of(LeadStatus, "status"),
        Field.COMPANY_SIZE: _vocabulary_of(CompanySize, "company size"),
        Field.LIFECYCLE: _vocabulary_of(LifecycleStage, "lifecycle stage"),
        Field.SOURCE: _vocabulary_of(SourceChannel, "source"),
    })
    return found


# -- value mapping (I16.13) --------------------------------------------------------------------

# field -> value_key(a file's value) -> what it becomes (None: an empty cell)
ValueMap = dict[Field, dict[str, object]]
VOCABULARIES = (Field.STATUS, Field.LIFECYCLE, Field.COMPANY_SIZE, Field.SOURCE)
_VALUE_HINT = " (or map the value: --values, a preset)"


def value_key(text: str) -> str:
    """How mapped values are compared: case-folded, spaces and underscores dropped, so
    "Open Deal" = "OPEN_DEAL" (HubSpot's internal name); hyphens stay ("1-5" is not 15)."""
    return re.sub(r"[\s_]+", "", text.casefold())


def field_named(text: str) -> Field | None:
    """A contact field by its name or an alias ("lead status" is Status)."""
    found = KNOWN_HEADERS.get(header_key(text))
    return found if isinstance(found, Field) else None


def add_value(values: ValueMap, target_field: Field, source: str, target: str,
              where: str) -> None:
    """Map the file's `source` value of a field to `target` (checked by the field's own
    rule now, so a typo fails before any row is read; "" maps it to an empty cell)."""
    if target_field in (Field.CREATED, Field.LAST_CONTACTED):
        raise ImportError_(f"{where}: dates are not mapped value by value (a mapping "
                           "file's `dates` setting reads other date forms)")
    if not squash(source):
        raise ImportError_(f"{where}: the file's value is empty; write 'Field:Value=New'")
    text = squash(target)
    value: object = None
    if text:
        try:
            value = converters(date.max)[target_field](text)
        except ValueError as exc:
            raise ImportError_(f"{where}: {exc}") from None
    values.setdefault(target_field, {})[value_key(squash(source))] = value


def parse_values(options: Sequence[str]) -> ValueMap:
    """`--values 'status:Marketing Qualified Lead=Qualified'` options."""
    values: ValueMap = {}
    for option in options:
        name, colon, rest = option.partition(":")
        source, equals, target = rest.rpartition("=")
        where = f"--values {option!r}"
        if not colon or not equals:
            raise ImportError_(f"{where}: write it as 'Field:File Value=segtui Value'")
        found = field_named(name)
        if found is None:
            fields = ", ".join(f.value for f in Field)
            raise ImportError_(f"{where}: {name.strip()!r} is not a field; fields are "
                               f"{fields}")
        add_value(values, found, source, target, where)
    return values


def _mapped(convert: Converter, table: Mapping[str, object]) -> Converter:
    def mapped(text: str) -> object:
        key = value_key(text)
        return table[key] if key in table else convert(text)

    return mapped


@dataclass(frozen=True)
class ReadOptions:
    """How cells are read beyond their field's rules: the file's values mapped to
    segtui's, the order of numeric dates, and the file's encoding (named in messages)."""

    values: Mapping[Field, Mapping[str, object]] = field(default_factory=dict)
    dates: DateOrder = DateOrder.ISO
    encoding: str = "utf-8"


class RowReader:
    """Validates records against one header; build once per file (the per-field work is
    looked up here, not per cell)."""

    def __init__(self, columns: ColumnMap, header: Sequence[str], today: date,
                 options: ReadOptions | None = None) -> None:
        options = options or ReadOptions()
        convert = converters(today, options.dates)
        for f, table in options.values.items():
            convert[f] = _mapped(convert[f], table)
        self.width = columns.width
        self.encoding = options.encoding
        labels = {use.index: use.label for use in columns.columns}
        # (field, index, header name, converter)
        self.plan = [(f, i, labels.get(i, header[i].strip()), convert[f])
                     for f, i in columns.fields.items()]
        self.name_column = next((labels.get(columns.fields[f], f.value) for f in
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
                    problems.append(RowProblem(line, column, suspect_problem(
                        suspect.group(), self.encoding)))
                    continue
            if not text:
                values[f] = None
                continue
            try:
                values[f] = convert(text)
            except ValueError as exc:
                problems.append(RowProblem(line, column, str(exc) + (
                    _VALUE_HINT if f in VOCABULARIES else "")))
        if problems:
            return problems
        first, last = values.pop(Field.FIRST_NAME, None), values.pop(Field.LAST_NAME, None)
        if not values.get(Field.NAME) and (first or last):
            values[Field.NAME] = " ".join(str(p) for p in (first, last) if p)
        name = values.get(Field.NAME)
        if not name and not any(c.strip() for c in cells):
            return []  # a row of only delimiters (",,,,", Excel's): blank too
        if name and len(str(name)) > MAX_LENGTH[Field.NAME]:
            return [RowProblem(line, self.name_column, "is longer than "
                                                       f"{MAX_LENGTH[Field.NAME]} characters")]
        if not name:
            values.pop(Field.NAME, None)  # nothing to write; a new contact is refused later
        email = values.get(Field.EMAIL)
        return ContactIn(line, values, email if isinstance(email, str) else None,
                         self.name_column)
