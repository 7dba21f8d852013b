"""Each contact field's cell -> value rule (docs/import-export.md): emails, vocabularies,
dates (ISO 8601, or the order a mapping file names), tags, the quality score, text lengths.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum

from segtui.core.enums import CompanySize, LeadStatus, LifecycleStage, SourceChannel
from segtui.core.formats.cell_text import shown, squash
from segtui.core.formats.contact_fields import MAX_LENGTH, TAG_MAX, TAG_SEPARATOR, Field

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_problem(text: str) -> str | None:
    """The same rule as the Quality Score's "valid email" (docs/metrics.md): one @,
    something before it, a dot with something on both sides after it, no spaces."""
    if _EMAIL.match(text) is None or text.endswith("."):
        return f"{shown(text)} is not an email address"
    return None


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
