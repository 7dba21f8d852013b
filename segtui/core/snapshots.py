"""Snapshots of segments (C20.4): a segment's members at one moment, kept as a new static
segment. The names and descriptions they get, and what a campaign status change returns.

Segment names hold only letters, digits and spaces (R7.2), so a snapshot's default name
writes its date as "2026 12 06" rather than with dashes (C20.4.1).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from segtui.core.enums import CampaignStatus
from segtui.core.formatting import plural
from segtui.core.segments import SegmentError
from segtui.core.validation import DESCRIPTION_MAX, NAME_MAX, normalise_name


def name_words(text: str) -> str:
    """`text` with every character a segment name may not hold made a space (C20.4.5): a
    campaign called "Q1 – Launch!" gives "Q1 Launch"."""
    kept = "".join(ch if ch.isalnum() or ch == " " or unicodedata.category(ch).startswith("M")
                   else " " for ch in text)
    return normalise_name(kept)


def _day(day: date) -> str:
    return f"{day:%Y %m %d}"


def _fit(parts: list[str], tail: str) -> str:
    """The parts joined and followed by `tail`, the longest part cut first so the whole
    fits in a segment name (NAME_MAX)."""
    room = NAME_MAX - len(tail)
    parts = [p for p in parts if p]
    while sum(len(p) + 1 for p in parts) > room and parts:
        longest = max(range(len(parts)), key=lambda i: len(parts[i]))
        over = sum(len(p) + 1 for p in parts) - room
        parts[longest] = parts[longest][: max(len(parts[longest]) - over, 1)].rstrip()
    return normalise_name(" ".join([*parts, tail]))


def snapshot_name(source: str, day: date) -> str:
    """C20.4.1: "Enterprise Prospects snapshot 2026 12 06"."""
    return _fit([name_words(source)], f"snapshot {_day(day)}")


def campaign_snapshot_name(segment: str, campaign: str, day: date) -> str:
    """C20.4.5: "Enterprise Prospects Product Demo Campaign sent 2026 12 06"."""
    return _fit([name_words(segment), name_words(campaign)], f"sent {_day(day)}")


def numbered(name: str, n: int) -> str:
    """The n-th try at a free name: "X", then "X 2", "X 3"..., within NAME_MAX."""
    if n <= 1:
        return name
    suffix = f" {n}"
    return name[: NAME_MAX - len(suffix)].rstrip() + suffix


def _plain(text: str) -> str:
    """Control characters out of a name quoted in a description (descriptions refuse
    them, core/validation.py)."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def snapshot_description(source: str, at: datetime) -> str:
    """C20.4.1: what it was frozen from and when."""
    text = f"Snapshot of “{_plain(source)}”: its members as they were on {at:%Y-%m-%d %H:%M}."
    return text[:DESCRIPTION_MAX]


def campaign_snapshot_description(segment: str, campaign: str, at: datetime) -> str:
    """C20.4.5: whom the campaign was sent to."""
    text = (f"Snapshot of “{_plain(segment)}”: its members when campaign "
            f"“{_plain(campaign)}” became Active, {at:%Y-%m-%d %H:%M}.")
    return text[:DESCRIPTION_MAX]


@dataclass(frozen=True)
class Snapshot:
    """A snapshot made: the new segment, its name, its members, and its source's name."""

    segment_id: int
    name: str
    members: int
    source: str


@dataclass(frozen=True)
class CampaignFound:
    id: int
    name: str
    status: CampaignStatus


@dataclass(frozen=True)
class StatusChanged:
    """C20.4.4: a campaign's status set; the snapshots its activation made (none unless
    it became Active just now)."""

    campaign: str
    before: CampaignStatus
    after: CampaignStatus
    snapshots: tuple[Snapshot, ...] = ()

    @property
    def changed(self) -> bool:
        return self.before is not self.after

    def summary(self) -> str:
        if not self.changed:
            return f"“{self.campaign}” is already {self.after.value}: nothing changed."
        said = f"“{self.campaign}”: {self.before.value} → {self.after.value}"
        if self.snapshots:
            made = "; ".join(f"“{s.name}” ({plural(s.members, 'member')})"
                             for s in self.snapshots)
            said += f"; {'snapshot' if len(self.snapshots) == 1 else 'snapshots'} {made}"
        return said + "."


class CampaignNotFound(SegmentError):
    """No campaign by that name, or several, or it is gone: the message says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
