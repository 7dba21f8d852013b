"""Encoding the facts and clustering them (C22.1.3 - C22.1.6): scikit-learn's
MiniBatchKMeans on one float32 matrix.

Encoding (C22.1.3): a categorical dimension is one-hot, a numeric one standardised (spent
and purchases after log1p: a few big spenders would otherwise be a cluster each, and the
rest one), and every dimension's block is scaled to a total variance of 1, so each
dimension weighs the same in the distance however many levels or columns it has (a
one-hot of L levels has a total variance of 1 - sum(p²), two engagement columns 2).

k (C22.1.4): given, or the best silhouette among K_AUTO_RANGE, each k fitted on a sample
and scored on a smaller one (silhouette is quadratic in the rows), all with the seed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from segtui.core.discover.features import Features
from segtui.core.discover.model import Dimension, DiscoverError, KScore

FIT_SAMPLE = 50_000  # rows each candidate k is fitted on (and distinct rows counted on)
# Rows the final clustering is fitted on; every row is then assigned its nearest centre.
# MiniBatchKMeans re-seeds a starved centre by drawing from all the rows it was given, a
# pass over them each time (11 s at a million rows, 0.8 s at 200,000, the same clusters).
FINAL_SAMPLE = 200_000
# Rows each k's silhouette is computed on: their distances to each other are computed
# once for every k (5,000² float32: 100 MB; 10,000 rows would hold 400 MB, and took 2.5 s
# a k computed afresh, 0.4 s from the shared distances).
SILHOUETTE_SAMPLE = 5_000
BATCH_SIZE = 4096
N_INIT = 3

Matrix = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Block:
    """A dimension's columns in the matrix: [start, stop)."""

    dimension: Dimension
    start: int
    stop: int


@dataclass
class Encoded:
    matrix: Matrix
    blocks: list[Block]


def _unit_variance(columns: Matrix) -> Matrix:
    """The columns centred and scaled together so their variances sum to 1 (a block of
    constant columns stays 0: it separates nobody)."""
    centred = columns - columns.mean(axis=0, dtype=np.float64).astype(np.float32)
    total = float(centred.var(axis=0, dtype=np.float64).sum())
    if total > 0:
        centred /= np.float32(np.sqrt(total))
    scaled: Matrix = centred
    return scaled


def _one_hot(codes: npt.NDArray[np.int16], levels: int) -> Matrix:
    out = np.zeros((len(codes), levels), dtype=np.float32)
    out[np.arange(len(codes)), codes] = 1.0
    return out


def dimension_columns(features: Features, dimension: Dimension) -> Matrix:
    """A dimension's columns before scaling (C22.1.3)."""
    if dimension in features.categorical:
        cat = features.categorical[dimension]
        return _one_hot(cat.codes, len(cat.levels))
    if dimension is Dimension.SPENT:
        return np.log1p(features.spent_cents / 100).astype(np.float32)[:, None]
    if dimension is Dimension.PURCHASES:
        return np.log1p(features.purchases)[:, None]
    if dimension is Dimension.ENGAGED:
        assert features.days_ago is not None and features.engagements is not None
        # Each standardised first: days (0..window) and counts are on other scales.
        days = features.days_ago / max(float(features.days_ago.std()), 1e-9)
        count = np.log1p(features.engagements)
        count = count / max(float(count.std()), 1e-9)
        return np.stack([days, count], axis=1).astype(np.float32)
    if dimension is Dimension.TAGS:
        assert features.tags is not None
        return features.tags.astype(np.float32)
    raise DiscoverError(f"Discover cannot group by {dimension.value!r}.")


def encode(features: Features, dimensions: tuple[Dimension, ...]) -> Encoded:
    """The matrix the clustering sees: one block per dimension, each of total variance 1."""
    blocks: list[Block] = []
    parts: list[Matrix] = []
    start = 0
    for dimension in dimensions:
        part = _unit_variance(dimension_columns(features, dimension))
        parts.append(part)
        blocks.append(Block(dimension, start, start + part.shape[1]))
        start += part.shape[1]
    matrix = np.ascontiguousarray(np.concatenate(parts, axis=1), dtype=np.float32)
    return Encoded(matrix, blocks)


def _sample(rows: int, size: int, seed: int) -> npt.NDArray[np.int64]:
    """`size` row numbers (all when fewer), sorted, the same for the same seed."""
    if rows <= size:
        return np.arange(rows, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(rows, size, replace=False))


def _kmeans(k: int, seed: int):  # type: ignore[no-untyped-def]  # sklearn is untyped
    from sklearn.cluster import MiniBatchKMeans  # type: ignore[import-untyped]

    return MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=N_INIT,
                           batch_size=BATCH_SIZE, max_no_improvement=10)


def distinct_rows(matrix: Matrix, seed: int, limit: int) -> int:
    """How many different rows `matrix` has (on a sample), `limit` at most: more
    clusters than that would be empty. Each row compared as its bytes (np.unique over
    rows sorts them column by column: 0.5 s for 100,000 rows)."""
    sample = np.ascontiguousarray(matrix[_sample(len(matrix), FIT_SAMPLE, seed)])
    if not len(sample):
        return 0
    as_bytes = sample.view(np.dtype((np.void, sample.dtype.itemsize * sample.shape[1])))
    return min(len(np.unique(as_bytes)), limit)


def score_ks(matrix: Matrix, seed: int, ks: range,
             stop: Callable[[float], None]) -> list[KScore]:
    """C22.1.4: each k's silhouette (fitted on FIT_SAMPLE rows, scored on
    SILHOUETTE_SAMPLE of them). `stop(fraction)` is called after each k: it reports
    progress and raises Cancelled when the run was cancelled."""
    from sklearn.metrics import (  # type: ignore[import-untyped]
        pairwise_distances,
        silhouette_score,
    )

    fit_rows = matrix[_sample(len(matrix), FIT_SAMPLE, seed)]
    scored = _sample(len(fit_rows), SILHOUETTE_SAMPLE, seed + 1)
    distances = pairwise_distances(fit_rows[scored])
    scores = []
    for i, k in enumerate(ks):
        labels = fit(fit_rows, k, seed)
        chosen = labels[scored]
        value = (float(silhouette_score(distances, chosen, metric="precomputed"))
                 if 1 < len(np.unique(chosen)) < len(chosen) else -1.0)
        scores.append(KScore(k, round(value, 4)))
        stop((i + 1) / len(ks))
    return scores


def best_k(scores: list[KScore]) -> int:
    """The highest silhouette; on a tie, the fewer clusters (easier to read)."""
    return max(scores, key=lambda s: (s.silhouette, -s.k)).k


def fit(matrix: Matrix, k: int, seed: int, sample: int = FINAL_SAMPLE) -> Labels:
    """Each row's cluster, 0..k-1, the same for the same seed (C22.1.6): the centres
    fitted on `sample` rows of the seed's drawing (all, when fewer), every row then
    given its nearest."""
    rows = _sample(len(matrix), sample, seed)
    with warnings.catch_warnings():
        # Fewer distinct rows than k is reported to the user before this (distinct_rows);
        # what remains is sklearn noting a cluster it had to re-seed.
        warnings.simplefilter("ignore")
        model = _kmeans(k, seed).fit(matrix[rows] if len(rows) < len(matrix) else matrix)
        found = model.labels_ if len(rows) == len(matrix) else model.predict(matrix)
    labels: Labels = found.astype(np.int32)
    return labels
