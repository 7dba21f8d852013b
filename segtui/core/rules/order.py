"""The order dynamic segments are refreshed in: each after the segments its rule uses
("in segment X"). Pure: it works on a SegmentLookup read once (check.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from segtui.core.rules.check import SegmentLookup


def dependency_order(lookup: SegmentLookup, ids: Iterable[int]) -> list[int]:
    """`ids` ordered so every segment comes after the segments its rule uses (those among
    `ids`). Rules are validated against cycles when saved; a cycle found here anyway (a
    database edited by hand) is broken by leaving the rest in id order."""
    wanted = list(dict.fromkeys(ids))
    pending = set(wanted)
    ordered: list[int] = []
    visiting: set[int] = set()

    def visit(sid: int) -> None:
        if sid not in pending or sid in visiting:
            return
        visiting.add(sid)
        for used in lookup.references(sid):
            visit(used)
        visiting.discard(sid)
        if sid in pending:
            pending.discard(sid)
            ordered.append(sid)

    for sid in wanted:
        visit(sid)
    return ordered


def dependents(lookup: SegmentLookup, all_ids: Sequence[int], changed: int) -> list[int]:
    """Segments whose rules use `changed`, directly or through others, in refresh order."""
    found: list[int] = []
    frontier = [changed]
    seen = {changed}
    while frontier:
        current = frontier.pop()
        for sid in all_ids:
            if sid not in seen and current in lookup.references(sid):
                seen.add(sid)
                found.append(sid)
                frontier.append(sid)
    return dependency_order(lookup, found)


def used_by_closure(lookup: SegmentLookup, segment_ids: Iterable[int]) -> set[int]:
    """These segments and every segment their rules use, directly or through others: what
    their members depend on."""
    found: set[int] = set()
    frontier = list(segment_ids)
    while frontier:
        sid = frontier.pop()
        if sid not in found:
            found.add(sid)
            frontier.extend(lookup.references(sid))
    return found


def layers(lookup: SegmentLookup, ids: Sequence[int]) -> list[list[int]]:
    """`ids` grouped so each segment's layer comes after the layers of the segments it
    uses: within a layer, no segment uses another."""
    order = dependency_order(lookup, ids)
    wanted = set(order)
    level: dict[int, int] = {}
    for sid in order:  # dependencies first, so their levels are known
        used = [level[u] for u in lookup.references(sid) if u in wanted and u in level]
        level[sid] = 1 + max(used) if used else 0
    layers: list[list[int]] = [[] for _ in range(1 + max(level.values(), default=-1))]
    for sid in order:
        layers[level[sid]].append(sid)
    return layers
