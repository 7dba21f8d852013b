"""Reading engagement events and campaign results from CSV (I6; docs/import-export.md).

Two shapes of file, both becoming events (the facts every metric is computed from):
- an event log, one event per row: Email, Type, Occurred At, [Campaign], [Revenue];
- campaign results as campaign tools export them, one recipient per row: Campaign, Email,
  and a time (or yes/no) per outcome: Sent, Opened, Clicked, Responded, Converted (with
  Revenue), Unsubscribed. Each filled outcome is one event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from segtui.core.enums import EventType
from segtui.core.formats.cell_text import SUSPECT, shown, squash, suspect_problem, unquote_formula
from segtui.core.formats.column_plan import ColumnUse, Skip, header_key
from segtui.core.formats.contact_cells import email_value, past_time
from segtui.core.formats.contact_columns import ImportError_, match_columns
from segtui.core.formats.contacts_csv import RowProblem

CAMPAIGN_MAX = 200


class EventField(StrEnum):
    EMAIL = "Email"
    TYPE = "Type"
    OCCURRED = "Occurred At"
    CAMPAIGN = "Campaign"
    REVENUE = "Revenue"
    # Campaign results: one column per outcome.
    SENT = "Sent"
    OPENED = "Opened"
    CLICKED = "Clicked"
    RESPONDED = "Responded"
    MEETING = "Meeting Attended"
    CONVERTED = "Converted"
    UNSUBSCRIBED = "Unsubscribed"


OUTCOMES: dict[EventField, EventType] = {
    EventField.SENT: EventType.SENT, EventField.OPENED: EventType.OPENED,
    EventField.CLICKED: EventType.CLICKED, EventField.RESPONDED: EventType.RESPONDED,
    EventField.MEETING: EventType.MEETING_ATTENDED,
    EventField.CONVERTED: EventType.CONVERTED,
    EventField.UNSUBSCRIBED: EventType.UNSUBSCRIBED,
}

ALIASES: dict[EventField, tuple[str, ...]] = {
    EventField.EMAIL: ("e-mail", "email address", "recipient", "contact email"),
    EventField.TYPE: ("event", "event type", "activity", "action"),
    EventField.OCCURRED: ("occurred", "date", "time", "timestamp", "event time", "when"),
    EventField.CAMPAIGN: ("campaign name",),
    EventField.REVENUE: ("amount", "value", "order value"),
    EventField.SENT: ("sent at", "delivered", "delivered at"),
    EventField.OPENED: ("opened at", "open"),
    EventField.CLICKED: ("clicked at", "click"),
    EventField.RESPONDED: ("responded at", "replied", "replied at"),
    EventField.MEETING: ("meeting", "meeting at"),
    EventField.CONVERTED: ("converted at", "conversion", "purchased", "purchased at"),
    EventField.UNSUBSCRIBED: ("unsubscribed at", "unsubscribe", "opted out"),
}

KNOWN: dict[str, EventField | Skip] = {
    **{header_key(f.value): f for f in EventField},
    **{header_key(a): f for f, aliases in ALIASES.items() for a in aliases},
}

# Event type words campaign tools use, to segtui's types.
TYPE_WORDS: dict[str, EventType] = {
    **{t.value: t for t in EventType},
    "send": EventType.SENT, "delivered": EventType.SENT, "delivery": EventType.SENT,
    "open": EventType.OPENED, "click": EventType.CLICKED, "reply": EventType.RESPONDED,
    "replied": EventType.RESPONDED, "response": EventType.RESPONDED,
    "meeting": EventType.MEETING_ATTENDED, "meetingattended": EventType.MEETING_ATTENDED,
    "conversion": EventType.CONVERTED, "purchase": EventType.CONVERTED,
    "purchased": EventType.CONVERTED, "unsubscribe": EventType.UNSUBSCRIBED,
    "optout": EventType.UNSUBSCRIBED, "optedout": EventType.UNSUBSCRIBED,
}
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class EventIn:
    line: int
    email: str
    type: EventType
    occurred_at: datetime
    campaign: str | None
    revenue_cents: int | None


@dataclass(frozen=True)
class EventColumns:
    fields: dict[EventField, int]
    columns: tuple[ColumnUse[EventField], ...]
    width: int
    results: bool  # campaign results (outcome columns) rather than an event log

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.columns if c.target is Skip.UNKNOWN and c.label)


EVENT_FIELD_EXAMPLE = "an event field (for example Email, Type, Occurred At)"


def map_event_columns(header: Sequence[str], explicit: dict[str, EventField | Skip],
                      results: bool) -> EventColumns:
    plan = match_columns(header, KNOWN, explicit, EVENT_FIELD_EXAMPLE)
    fields = plan.fields
    if EventField.EMAIL not in fields:
        raise ImportError_("the file needs an Email column: events belong to contacts")
    if results:
        if EventField.CAMPAIGN not in fields:
            raise ImportError_("campaign results need a Campaign column")
        if not any(f in fields for f in OUTCOMES):
            raise ImportError_("campaign results need at least one outcome column: "
                               + ", ".join(f.value for f in OUTCOMES))
    else:
        for needed in (EventField.TYPE, EventField.OCCURRED):
            if needed not in fields:
                raise ImportError_(f"an event log needs a {needed.value} column (campaign "
                                   "results with Sent/Opened/... columns: segtui import "
                                   "campaigns)")
    return EventColumns(fields, plan.columns, len(header), results)


def _money(text: str) -> int:
    """"1,234.50", "$99", "12.3" -> cents; negative or sub-cent amounts are refused."""
    cleaned = re.sub(r"^[$€£]\s*|\s*(USD|EUR|GBP)$", "", text).replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{shown(text)} is not an amount (write 1234.50)") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{shown(text)} is not an amount of 0 or more")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{shown(text)} has fractions of a cent")
    if cents > 10**15:
        raise ValueError(f"{shown(text)} is too large")
    return int(cents)


class EventReader:
    """Validates the rows of one events or campaign results file."""

    def __init__(self, columns: EventColumns, header: Sequence[str], today: date,
                 default_time: datetime, encoding: str = "utf-8") -> None:
        self.columns = columns
        self.encoding = encoding  # named in messages about undecodable bytes
        labels = {use.index: use.label for use in columns.columns}
        self.names = {f: labels.get(i, header[i].strip()) for f, i in columns.fields.items()}
        self.default_time = default_time  # for a results "yes" without a time
        self.past = past_time(today)

    def _cell(self, cells: Sequence[str], f: EventField) -> str:
        index = self.columns.fields.get(f)
        if index is None:
            return ""
        text = cells[index]
        if text[:1] == "'":
            text = unquote_formula(text)
        return squash(text)

    def _when(self, text: str) -> datetime | None:
        if text.casefold() in NO:
            return None
        if text.casefold() in YES:
            return self.default_time
        return self.past(text)

    def read(self, cells: Sequence[str], line: int) -> list[EventIn] | list[RowProblem]:
        """The row's events, or its problems (an empty list: a blank line)."""
        if len(cells) != self.columns.width:
            if not any(c.strip() for c in cells):
                return []
            return [RowProblem(line, "", f"has {len(cells)} fields; the header has "
                                         f"{self.columns.width}")]
        problems: list[RowProblem] = []
        texts: dict[EventField, str] = {}
        for f in self.columns.fields:
            text = self._cell(cells, f)
            suspect = SUSPECT.search(text)
            if suspect:
                problems.append(RowProblem(line, self.names[f],
                                           suspect_problem(suspect.group(), self.encoding)))
            texts[f] = text

        def check(f: EventField, convert: object) -> object:
            try:
                return convert(texts.get(f, ""))  # type: ignore[operator]
            except ValueError as exc:
                problems.append(RowProblem(line, self.names.get(f, f.value), str(exc)))
                return None

        def email(text: str) -> str:
            if not text:
                raise ValueError("is empty; every event belongs to a contact")
            return email_value(text)

        def campaign(text: str) -> str | None:
            if len(text) > CAMPAIGN_MAX:
                raise ValueError(f"is {len(text):,} characters long; at most "
                                 f"{CAMPAIGN_MAX} fit")
            return text or None

        def revenue(text: str) -> int | None:
            return _money(text) if text else None

        address = check(EventField.EMAIL, email)
        campaign_name = check(EventField.CAMPAIGN, campaign)
        cents = check(EventField.REVENUE, revenue)
        events: list[tuple[EventType, datetime]] = []
        if self.columns.results:
            for f, outcome in OUTCOMES.items():
                if f in self.columns.fields and texts[f]:
                    when = check(f, self._when)
                    if isinstance(when, datetime):
                        events.append((outcome, when))
            if not events and not problems:
                return [RowProblem(line, "", "no outcome is filled in (Sent, Opened, ...)")]
        else:
            logged = check(EventField.TYPE, self._type)
            at = check(EventField.OCCURRED, self._when_required)
            if isinstance(logged, EventType) and isinstance(at, datetime):
                events.append((logged, at))
        if isinstance(cents, int) and not any(k is EventType.CONVERTED for k, _ in events) \
                and not problems:
            problems.append(RowProblem(line, self.names[EventField.REVENUE],
                                       "revenue belongs to a conversion; this row has none"))
        if problems:
            if not any(c.strip() for c in cells):
                return []  # a row of only delimiters (",,,,", Excel's): blank
            return problems
        assert isinstance(address, str)
        return [EventIn(line, address, kind, when,
                        campaign_name if isinstance(campaign_name, str) else None,
                        cents if kind is EventType.CONVERTED and isinstance(cents, int)
                        else None)
                for kind, when in events]

    def _type(self, text: str) -> EventType:
        found = TYPE_WORDS.get(re.sub(r"[\s_-]+", "", text.casefold()))
        if found is None:
            found = TYPE_WORDS.get(text.casefold())
        if found is None:
            raise ValueError(f"{shown(text)} is not an event type; use one of "
                             + ", ".join(t.value for t in EventType))
        return found

    def _when_required(self, text: str) -> datetime:
        if not text:
            raise ValueError("is empty; every event has a time")
        return self.past(text)
