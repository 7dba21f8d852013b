"""Where a reader of the membership-changes feed is (C21.1.11).

Changes are ordered by (time, stay id, direction). Times are whole seconds, and a stay's
exit keeps the stay's id, so two changes of the same second can commit in the other
order: an exit of an old stay (a small id) committed after a page ended at a new stay's
entry (a large id) of that second. The position therefore keeps, for the page's last
second, which changes of that second were given; the next page gives every change of
that second not among them, then the later ones. A second with more changes than
SEEN_MAX (a refresh's batch) keeps only the key (the rare late exit of that second
would then come only with a later change of its stay; docs/api.md says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from segtui.core.history import MembershipChange

SEEN_MAX = 100


@dataclass(frozen=True)
class FeedPosition:
    at: datetime  # the last given change's time
    stay: int  # and its key
    direction: str
    seen: tuple[tuple[int, str], ...] | None  # the changes of `at` given; None: too many

    @property
    def key(self) -> tuple[datetime, int, str]:
        return self.at, self.stay, self.direction

    def payload(self) -> list[Any]:
        return [self.at.isoformat(), self.stay, self.direction,
                None if self.seen is None else [list(s) for s in self.seen]]

    @classmethod
    def from_payload(cls, payload: Any) -> FeedPosition:
        """ValueError when `payload` is not one `payload()` made."""
        try:
            at, stay, direction, seen = payload
            if not (isinstance(stay, int) and isinstance(direction, str)):
                raise ValueError
            given = None if seen is None else tuple((int(s), str(d)) for s, d in seen)
            return cls(datetime.fromisoformat(at), stay, direction, given)
        except (TypeError, ValueError):
            raise ValueError("not a feed position") from None


def advanced(position: FeedPosition | None, changes: Sequence[MembershipChange]
             ) -> FeedPosition | None:
    """Where a reader at `position` is once given `changes` (in feed order)."""
    if not changes:
        return position
    last = changes[-1]
    at, stay, direction = last.key
    same: list[tuple[int, str]] = []
    if position is not None and position.at == at:
        if position.seen is None:
            return FeedPosition(at, stay, direction, None)
        same = list(position.seen)
    same += [(c.key[1], c.key[2]) for c in changes if c.key[0] == at]
    return FeedPosition(at, stay, direction, tuple(same) if len(same) <= SEEN_MAX else None)
