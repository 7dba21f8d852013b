"""AI Insights: deterministic, explainable findings about one segment.

Nothing here guesses. Every insight is a figure computed by SQL from the segment's facts
(`segtui.data.queries.insights`), written as a finding with the numbers, the method in plain words
(with the exact windows and thresholds), a severity, and optionally an action the UI can
offer. The same data on the same day always gives the same insights, word for word.

Texts may contain user data verbatim (contact and segment names): the UI must render them
without parsing markup (see `segtui.widgets.text.user_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from segtui.core.contacts import ContactFilter

Severity = Literal["info", "good", "warning"]


class InsightKind(StrEnum):
    """What an insight is about; the order of `segment_insights` output follows this."""

    ENGAGEMENT_CHANGE = "engagement_change"
    GONE_INACTIVE = "gone_inactive"
    LOOKALIKES = "lookalikes"
    OVERLAP = "overlap"
    DATA_QUALITY = "data_quality"
    CAMPAIGNS = "campaigns"
    NO_MEMBERS = "no_members"


class InsightActionKind(StrEnum):
    ADD_CONTACTS = "add_contacts"  # add the contacts matching `contact_filter` to the segment
    OPEN_SEGMENT = "open_segment"  # open the detail screen of `segment_id`


@dataclass(frozen=True)
class InsightAction:
    """Something the UI can offer next to an insight. Build with the class methods."""

    kind: InsightActionKind
    label: str  # button text, e.g. "Add 6 lookalike contacts"
    contact_filter: ContactFilter | None = None  # ADD_CONTACTS: exactly the stated contacts
    segment_id: int | None = None  # OPEN_SEGMENT
    segment_name: str = ""  # OPEN_SEGMENT: shown until the screen has loaded

    def __post_init__(self) -> None:
        if self.kind is InsightActionKind.ADD_CONTACTS and self.contact_filter is None:
            raise ValueError("an add_contacts action needs a contact filter")
        if self.kind is InsightActionKind.OPEN_SEGMENT and self.segment_id is None:
            raise ValueError("an open_segment action needs a segment id")

    @classmethod
    def add_contacts(cls, contact_filter: ContactFilter, label: str) -> InsightAction:
        return cls(InsightActionKind.ADD_CONTACTS, label, contact_filter=contact_filter)

    @classmethod
    def open_segment(cls, segment_id: int, name: str) -> InsightAction:
        return cls(InsightActionKind.OPEN_SEGMENT, f"Open {name}", segment_id=segment_id,
                   segment_name=name)


@dataclass(frozen=True)
class Insight:
    kind: InsightKind
    title: str  # short headline, e.g. "Engagement up 4 points"
    finding: str  # one or two sentences, with the numbers
    method: str  # how it was computed, in plain words, with the exact windows and thresholds
    severity: Severity
    action: InsightAction | None = None


# -- wording helpers (pure; shared by the SQL side and tests) --------------------------------


def quoted(name: str) -> str:
    """A user-supplied name inside typographic quotes, otherwise verbatim."""
    return f"“{name}”"


def pct(value: Decimal) -> str:
    """A percentage as computed by `core.metrics.percent`: '76%', '6.7%'."""
    return f"{value}%"


# -- member data quality --------------------------------------------------------------------


class MemberCheck(StrEnum):
    """The member data quality finding's checks, in the order it reports them."""

    NO_EMAIL = "no_email"
    INVALID_EMAIL = "invalid_email"
    SHARED_EMAIL = "shared_email"
    NO_PHONE = "no_phone"


CHECK_METHODS = {
    MemberCheck.NO_EMAIL: "Missing email = none, or only spaces.",
    MemberCheck.INVALID_EMAIL: "Valid email = text@text.text, one @, no spaces.",
    MemberCheck.SHARED_EMAIL: "Duplicates compare emails case-insensitively, outer spaces "
                              "ignored, with every other contact (segtui keeps one contact "
                              "per email: only contacts another program wrote can share one).",
    MemberCheck.NO_PHONE: "Missing phone = none, or only spaces.",
}


def data_quality_method(found: list[MemberCheck]) -> str:
    """How the finding was computed: the rule of each problem it reports; every rule when
    it reports none. (A finding about phones alone used to explain the email rules only,
    U15.13.)"""
    return " ".join(CHECK_METHODS[check] for check in (found or list(MemberCheck)))
