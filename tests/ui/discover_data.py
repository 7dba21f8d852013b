"""Discoveries made by hand for the Discover screen's tests (C22.4): the screen is tested
on what it shows of a discovery whatever the engine found, and its snapshots stay the same
when the engine's clustering is tuned. `planted(store)` is a Store call that answers with
one (and reports progress as the engine does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from segtui.core.discover.model import (
    Assignment,
    ClusterProfile,
    Dimension,
    DiscoverRequest,
    Discovery,
    KScore,
    SuggestedRule,
    Trait,
)
from segtui.data.store import Store

DIMENSIONS = (Dimension.SIZE, Dimension.INDUSTRY, Dimension.SPENT, Dimension.ENGAGED)


def cluster(index: int, name: str, size: int, population: int, traits: list[str],
            rule: str | None, *, retention: float | None = 0.8) -> ClusterProfile:
    suggested = None if rule is None else SuggestedRule(
        rule, precision=0.92, recall=0.85, matches=round(size * 0.85 / 0.92),
        in_cluster=round(size * 0.85))
    return ClusterProfile(
        index=index, name=name, size=size, share=size / population,
        traits=tuple(Trait(Dimension.SIZE, text, 1.0 - n / 10)
                     for n, text in enumerate(traits)),
        engagement_rate=0.91 - index / 10, conversion_rate=0.34 - index / 20,
        revenue_per_member_cents=124_000 - index * 30_000, retention_rate=retention,
        suggested=suggested)


def made_discovery(contact_ids: list[int], *, industry: str = "Software",
                   auto: bool = True) -> Discovery:
    """Four clusters over `contact_ids` (dealt round-robin, so each is a quarter), largest
    first as the engine orders them; `industry` shows in a trait and in a rule."""
    ids = np.array(sorted(contact_ids), dtype=np.int64)
    labels = (np.arange(len(ids)) % 4).astype(np.int32)
    population = len(ids)
    sizes = [int((labels == i).sum()) for i in range(4)]
    clusters = (
        cluster(0, "Enterprise big spenders", sizes[0], population,
                ["78% Enterprise (21% overall)", "median spent $1,240 vs $310 overall",
                 "opened, responded or met in the last 30 days: 91%"],
                'size = Enterprise and spent >= 1000'),
        cluster(1, f"{industry} regulars", sizes[1], population,
                [f"64% {industry} (18% overall)", "median 4 purchases vs 1 overall"],
                f'industry = "{industry}"'),
        cluster(2, "Quiet small businesses", sizes[2], population,
                ["88% SMB (40% overall)", "no open, response or meeting in 30 days: 97%"],
                'size = SMB and opened within 30d = 0', retention=None),
        cluster(3, "Mid-Market newcomers", sizes[3], population,
                ["71% Mid-Market (25% overall)", "median spent $0 vs $310 overall"], None),
    )
    scores = (KScore(2, 0.41), KScore(3, 0.52), KScore(4, 0.58), KScore(5, 0.49),
              KScore(6, 0.44), KScore(7, 0.40), KScore(8, 0.38)) if auto else ()
    return Discovery(DiscoverRequest(DIMENSIONS, k=None if auto else 4), population, 4,
                     scores, clusters, 0.4, Assignment(ids, labels))


Run = Callable[..., Discovery]


def plant(store: Store, run: Run) -> None:
    """`store.discover.run` answers with `run` from now on (this test's Store only)."""
    store.discover.run = run  # type: ignore[method-assign]


def planted(discovery: Discovery, asked: list[DiscoverRequest] | None = None
            ) -> Callable[..., Discovery]:
    """A stand-in for `store.discover.run` answering `discovery` after reporting progress
    (the requests it was asked go to `asked`)."""

    def run(request: DiscoverRequest, user: Any = None, *,
            progress: Callable[[float, str], None] | None = None) -> Discovery:
        if asked is not None:
            asked.append(request)
        if progress is not None:
            progress(0.5, "Clustering")
        return discovery

    return run
