"""What the segment modals hand back to the screen that opened them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SegmentSaved:
    segment_id: int
    name: str
    added: int  # contacts added by this save
    created: bool = False


@dataclass(frozen=True)
class SegmentDeleted:
    segment_id: int
    segment_name: str
