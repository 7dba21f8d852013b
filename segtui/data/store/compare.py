"""`store.compare`: 2 to 6 segments side by side (C20.5).

The pass over the members (grouped by the bitmask of their segments) runs here while the
retention, the unsubscribed members and the campaigns are read beside it on connections
of their own (Database.aside): the two cores share them, as the detail tabs' statements
(P7). Each statement is its own consistent snapshot; a change committed between them is
in the next comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from segtui.core import clock
from segtui.data.store.database import Database

if TYPE_CHECKING:
    from segtui.core.compare import Comparison, MemberSums


class Compare:
    """Segments side by side."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def compare(self, segment_ids: Sequence[int]) -> Comparison:
        """The comparison of `segment_ids` (2 to 6, in that order), as the Store's user
        sees them. CompareError for too few or too many, SegmentsGone (naming them) for
        segments that do not exist or the user does not see."""
        from segtui.core.compare import (
            Comparison,
            SegmentsGone,
            Side,
            check_count,
            sums_of,
        )
        from segtui.core.metrics import last_days
        from segtui.data.db.sql import here
        from segtui.data.queries import segment_compare as q

        ids = list(dict.fromkeys(segment_ids))  # a segment named twice is compared once
        check_count(len(ids))
        now, today = clock.now(), clock.today()
        with self._db.reading() as conn:
            names = q.names(conn, ids, self._db.viewer)
            gone = [sid for sid in ids if sid not in names]
            if gone:
                raise SegmentsGone(gone)
            start = self._db.aside() or here(conn)
            window = last_days(today)
            # The largest first: the other half of the pass over the members.
            upper = start(lambda other: q.group_sums(other, ids, window, half=1))
            side = start(lambda other: (q.retention(other, ids, now),
                                        q.unsubscribed(other, ids)))
            campaigns = start(lambda other: [q.campaign_figures(other, sid) for sid in ids])
            lower = q.group_sums(conn, ids, window, half=0)
            groups = _merged(lower, upper())
            kept, unsubscribed = side()
            figures = campaigns()
        sides = []
        for i, sid in enumerate(ids):
            sums = sums_of(groups, i)
            sides.append(Side(segment_id=sid, name=names[sid], sums=sums,
                              unsubscribed=unsubscribed[sid], campaigns=figures[i],
                              retention=kept[sid], quality=q.quality_score(sums)))
        return Comparison(tuple(sides), {mask: s.members for mask, s in groups.items()})

    def region_counts(self, segment_ids: Sequence[int]) -> dict[int, int]:
        """Members per bitmask of `segment_ids` they belong to (C20.5.5), without the
        figures: what the regions alone cost (benchmarks/compare.py)."""
        from segtui.data.queries import segment_compare as q

        with self._db.reading() as conn:
            return q.region_counts(conn, list(segment_ids))


def _merged(a: dict[int, MemberSums], b: dict[int, MemberSums]) -> dict[int, MemberSums]:
    """Two halves' groups as one (a contact is in one half only)."""
    from segtui.core.compare import MemberSums

    return {mask: a.get(mask, MemberSums()) + b.get(mask, MemberSums()) for mask in a | b}
