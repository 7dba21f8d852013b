"""A discovery from the facts (C22.1, C22.2, C22.3.2): check the request, encode, choose k,
cluster, describe each cluster and propose its rule. The Store reads the facts before and
counts each rule's precision and recall over the database after (store.discover).

Stages report progress in `Stages`' shares of the run (reading the contacts takes the
first half: data/queries/discover_features.py), and each checks for a cancel first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from segtui.core.discover import clustering, describe, rule_fit
from segtui.core.discover.features import Features
from segtui.core.discover.model import (
    K_AUTO_RANGE,
    MAX_K,
    MAX_WINDOW_DAYS,
    MIN_WINDOW_DAYS,
    ClusterProfile,
    Dimension,
    DiscoverError,
    DiscoverRequest,
    KScore,
)
from segtui.core.formatting import plural
from segtui.core.rules.tree import Node

MAX_SEED = 2**32 - 1  # numpy's and scikit-learn's seeds

# Where each stage ends, as a fraction of the run (reading: 0 to READ).
READ, CHOOSE, CLUSTER, DESCRIBE = 0.5, 0.7, 0.85, 0.9

# (fraction done, what is happening): reports progress; raises Cancelled to stop.
Report = Callable[[float, str], None]


def checked(request: DiscoverRequest) -> DiscoverRequest:
    """The request with its dimensions in order and once each, or DiscoverError saying
    what is wrong (C22.1.1)."""
    dims = tuple(dict.fromkeys(request.dimensions))
    if not dims:
        raise DiscoverError("Choose at least one dimension to group contacts by.")
    if request.k is not None and not 2 <= request.k <= MAX_K:
        raise DiscoverError(f"k must be from 2 to {MAX_K} (or auto); {request.k} was given.")
    if not MIN_WINDOW_DAYS <= request.window_days <= MAX_WINDOW_DAYS:
        raise DiscoverError(f"The engagement window must be from {MIN_WINDOW_DAYS} to "
                            f"{MAX_WINDOW_DAYS} days; {request.window_days} was given.")
    if not 0 <= request.seed <= MAX_SEED:
        raise DiscoverError(f"The seed must be from 0 to {MAX_SEED:,}; {request.seed} was given.")
    return DiscoverRequest(dims, request.k, request.segment_id, request.seed,
                           request.window_days)


def check_population(population: int, k: int | None) -> None:
    """C22.1.7: an empty population, or fewer contacts than k, is said before any work."""
    if population == 0:
        raise DiscoverError("There are no contacts to group here.")
    least = k if k is not None else K_AUTO_RANGE.start + 1  # a silhouette needs k < n
    if population < least:
        raise DiscoverError(f"Only {plural(population, 'contact')} to group: "
                            f"{'k = ' + str(k) if k else 'choosing k'} needs at least "
                            f"{least}.")


@dataclass(frozen=True)
class Clustered:
    """A discovery before its rules are counted: the clusters, largest first, and each
    one's proposed rule (by cluster index; None where none was found)."""

    k: int
    k_scores: tuple[KScore, ...]
    labels: clustering.Labels
    clusters: tuple[ClusterProfile, ...]
    rules: dict[int, Node | None]


def run(features: Features, request: DiscoverRequest, report: Report) -> Clustered:
    """Cluster the facts as `request` asks (checked already) and describe the result.

    On one thread (OpenMP and BLAS, threadpoolctl): with a core busy elsewhere, OpenMP's
    threads wait for each other at every step: fitting k = 2..8 on 100,000 rows took
    19 s on two threads and 1.7 s on one on this two-core machine, and one thread gives
    the same result whatever the machine's cores (C22.1.6)."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(limits=1):
        return _run(features, request, report)


def _run(features: Features, request: DiscoverRequest, report: Report) -> Clustered:
    dims = request.dimensions
    if request.k is not None:
        check_population(len(features), request.k)
    if Dimension.TAGS in dims and (features.tags is None or features.tags.shape[1] == 0):
        raise DiscoverError("No contact here has a tag: choose dimensions other than Tags.")
    report(READ, "Encoding")
    encoded = clustering.encode(features, dims)
    distinct = clustering.distinct_rows(encoded.matrix, request.seed,
                                        limit=max(K_AUTO_RANGE.stop, request.k or 0))
    scores: list[KScore] = []
    if request.k is None:
        ks = range(K_AUTO_RANGE.start, min(K_AUTO_RANGE.stop, distinct + 1, len(features)))
        if len(ks) == 0:
            raise DiscoverError("These contacts are all alike on the chosen dimensions: "
                                "there is nothing to group them by.")
        report(READ, "Choosing k")
        scores = clustering.score_ks(encoded.matrix, request.seed, ks, lambda f: report(
            READ + (CHOOSE - READ) * f, "Choosing k"))
        k = clustering.best_k(scores)
    else:
        k = request.k
        if distinct < k:
            raise DiscoverError(f"These contacts differ in only {distinct} ways on the "
                                f"chosen dimensions: choose k of {distinct} or less, or "
                                "more dimensions.")
    report(CHOOSE, "Clustering")
    labels = clustering.fit(encoded.matrix, k, request.seed)
    report(CLUSTER, "Describing clusters")
    sizes = np.bincount(labels, minlength=k)
    order = [int(i) for i in np.argsort(-sizes, kind="stable") if sizes[i]]
    described = {i: describe.traits(features, encoded, labels, i) for i in order}
    names = describe.unique_names([describe.name_of(described[i]) for i in order],
                                  [[d.short for d in described[i][2:]] for i in order])
    clusters = tuple(describe.profile(i, name, described[i],
                                      describe.figures(features, labels == i), len(features))
                     for i, name in zip(order, names, strict=True))
    report(DESCRIBE, "Fitting rules")
    columns, values = rule_fit.human_columns(features, dims)
    rules: dict[int, Node | None] = {}
    for n, i in enumerate(order):
        rules[i] = rule_fit.fit_rule(columns, values, labels, i, request.seed)
        report(DESCRIBE + (1 - DESCRIBE) * (n + 1) / len(order) * 0.5, "Fitting rules")
    return Clustered(len(order), tuple(scores), labels, clusters, rules)
