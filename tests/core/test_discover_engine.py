"""The Discover engine without a database (C22.1-C22.3): planted clusters in generated facts
are found again, the same seed gives the same clusters, every dimension weighs the same,
traits, names and figures, the tree's rule in readable words, the request's checks, and
that the records load no numpy."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score  # type: ignore[import-untyped]

from segtui.core.discover import clustering, describe, engine, rule_fit
from segtui.core.discover.features import OTHER, Categorical, Features, Level, fold_rare
from segtui.core.discover.model import (
    ClusterProfile,
    Dimension,
    DiscoverError,
    DiscoverRequest,
    Discovery,
    segment_name,
)
from segtui.core.rules.language import format_rule
from segtui.core.rules.tree import Group

D = Dimension
SIZES = [Level("Enterprise", "size", "Enterprise"), Level("Mid-Market", "size", "Mid-Market"),
         Level("SMB", "size", "SMB"), Level("no company size", "size", None)]


def planted(per_group: int = 1000, seed: int = 1) -> tuple[Features, np.ndarray]:
    """Three groups apart on size, spend and engagement, spend and days spread out; their
    true labels."""
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(3), per_group)
    n = len(truth)
    size = np.where(truth == 0, 0, np.where(truth == 1, 2, 1)).astype(np.int16)
    spent = np.where(truth == 0, rng.lognormal(13, 0.3, n), np.where(
        truth == 1, 0.0, rng.lognormal(8, 0.3, n)))
    days = np.where(truth == 0, rng.integers(0, 7, n), np.where(
        truth == 1, 30, rng.integers(20, 30, n))).astype(np.float32)
    engaged_now = days < 30
    features = Features(
        contact_ids=np.arange(1, n + 1, dtype=np.int64), spent_cents=spent,
        purchases=(spent > 0).astype(np.float32) * 2, engaged_now=engaged_now,
        engaged_before=truth == 2, window_days=30,
        categorical={D.SIZE: Categorical(SIZES, size)},
        days_ago=days, engagements=np.where(engaged_now, 3, 0).astype(np.float32),
        opens=np.where(engaged_now, 2, 0).astype(np.float32))
    return features, truth


def quiet(fraction: float, what: str) -> None:
    """No progress shown."""


DIMS = (D.SIZE, D.SPENT, D.ENGAGED)


@pytest.mark.parametrize("k", [3, None])
def test_planted_clusters_are_found_again(k: int | None) -> None:
    """C22.1.3, C22.1.4: ARI >= 0.9 with k given, and k = 3 chosen by silhouette."""
    features, truth = planted()
    found = engine.run(features, engine.checked(DiscoverRequest(DIMS, k=k)), quiet)
    assert found.k == 3
    assert adjusted_rand_score(truth, found.labels) >= 0.9
    if k is None:
        assert [s.k for s in found.k_scores] == list(range(2, 9))
        assert clustering.best_k(list(found.k_scores)) == 3


def test_the_same_seed_gives_the_same_clusters() -> None:
    """C22.1.6: labels, profiles, names and rules all equal for one seed."""
    features, _ = planted()
    request = engine.checked(DiscoverRequest(DIMS, k=4, seed=11))
    first, second = (engine.run(features, request, quiet) for _ in range(2))
    assert np.array_equal(first.labels, second.labels)
    assert first.clusters == second.clusters and first.rules == second.rules


def test_every_dimension_weighs_the_same() -> None:
    """C22.1.3: each dimension's block of the matrix has a total variance of 1, whatever
    its levels or columns."""
    features, _ = planted()
    encoded = clustering.encode(features, DIMS)
    for block in encoded.blocks:
        columns = encoded.matrix[:, block.start:block.stop]
        assert columns.var(axis=0, dtype=np.float64).sum() == pytest.approx(1, rel=1e-3)
    assert [b.stop - b.start for b in encoded.blocks] == [4, 1, 2]


def test_traits_names_and_figures() -> None:
    """C22.2.2-C22.2.5: the big spenders' cluster in words, its figures exact."""
    features, truth = planted()
    found = engine.run(features, engine.checked(DiscoverRequest(DIMS, k=3)), quiet)
    by_size = {c.index: c for c in found.clusters}
    big_label = int(np.bincount(found.labels[truth == 0]).argmax())
    big = by_size[big_label]
    texts = [t.text for t in big.traits]
    assert "100% Enterprise (33% overall)" in texts
    assert any(t.startswith("median spent $4") and t.endswith(" overall") for t in texts)
    assert "opened, responded or met in the last 30 days: 100% (67% overall)" in texts
    assert [t.weight for t in big.traits] == sorted((t.weight for t in big.traits),
                                                    reverse=True)
    rows = found.labels == big_label
    assert big.size == int(rows.sum()) and big.share == pytest.approx(rows.mean())
    assert big.engagement_rate == pytest.approx(features.engaged_now[rows].mean())
    assert big.revenue_per_member_cents == round(features.spent_cents[rows].sum()
                                                 / rows.sum())
    assert big.retention_rate is None  # nobody engaged in the 30 days before
    assert len({c.name for c in found.clusters}) == 3
    assert [c.size for c in found.clusters] == sorted((c.size for c in found.clusters),
                                                      reverse=True)


def test_a_name_says_a_level_only_of_a_cluster_mostly_of_it() -> None:
    """C22.2.3: "Enterprise" names a cluster at least half Enterprise; one with 12% of a
    level (6% overall) is "more" of it, not named as if all of it were."""
    assert describe._name_word("Enterprise", 0.5) == "Enterprise"
    assert describe._name_word("Consumer Goods", 0.12) == "more Consumer Goods"


def test_a_dimension_the_cluster_shares_with_everyone_is_no_trait() -> None:
    """C22.2.2: every contact Enterprise (a segment of Enterprise contacts): no cluster is
    "100% Enterprise (100% overall)"; the other dimensions describe them."""
    features, _truth = planted()
    size = features.categorical[D.SIZE]
    features.categorical[D.SIZE] = Categorical(size.levels, np.zeros_like(size.codes))
    found = engine.run(features, engine.checked(DiscoverRequest(DIMS, k=3)), quiet)
    for cluster in found.clusters:
        assert cluster.traits and all(t.dimension is not D.SIZE for t in cluster.traits)
        assert "Enterprise" not in cluster.name


def test_names_are_made_unique() -> None:
    """C22.2.3: a shared name takes the next trait word, then a number."""
    assert describe.unique_names(["A · b", "A · b", "C"], [["x"], ["y"], []]) == \
        ["A · b · x", "A · b · y", "C"]
    assert describe.unique_names(["A", "a"], [[], []]) == ["A", "a (2)"]


def test_the_suggested_rule_reads_as_the_cluster() -> None:
    """C22.3.2: the engaged big spenders' rule names their size, spend or engagement,
    thresholds rounded, and parses back."""
    features, truth = planted()
    found = engine.run(features, engine.checked(DiscoverRequest(DIMS, k=3)), quiet)
    big_label = int(np.bincount(found.labels[truth == 0]).argmax())
    rule = found.rules[big_label]
    assert rule is not None
    text = format_rule(rule)
    assert any(word in text for word in ("size = Enterprise", "spent >", "opened within"))


def test_readable_thresholds() -> None:
    assert rule_fit.readable_dollars(1234.5) == Decimal(1200)
    assert rule_fit.readable_dollars(2.35) == Decimal("2.4")
    assert rule_fit.readable_dollars(0.4) == Decimal(0)
    assert rule_fit.readable_dollars(96_000) == Decimal(96_000)


def test_paths_that_join_become_one() -> None:
    """Two ranges of days that meet join; a level had and not had goes."""
    columns = [rule_fit.Column(rule_fit.Kind.DAYS, window=30),
               rule_fit.Column(rule_fit.Kind.BINARY, SIZES_RULE, D.SIZE)]
    a = rule_fit._Path({0: rule_fit._Bounds(None, 16.5), 1: rule_fit._Bounds(0.5, None)})
    b = rule_fit._Path({0: rule_fit._Bounds(16.5, 28.5), 1: rule_fit._Bounds(0.5, None)})
    c = rule_fit._Path({0: rule_fit._Bounds(None, 28.5), 1: rule_fit._Bounds(None, 0.5)})
    paths = rule_fit.merged([a, b, c])
    assert len(paths) == 1 and paths[0].bounds == {0: rule_fit._Bounds(None, 28.5)}
    rule = rule_fit.path_rule(columns, paths[0])
    assert isinstance(rule, Group)
    assert format_rule(rule) == ("opened within 29d >= 1 or responded within 29d >= 1 or "
                                 "meeting within 29d >= 1")


SIZES_RULE = rule_fit._level_condition(SIZES[0])


def test_unwritable_values_get_no_rule_column() -> None:
    """A level or tag a rule can't name (an escape code) is left to the other columns."""
    assert not rule_fit.writable("VIP \x1b[31m") and rule_fit.writable("[bold]VIP[/]")
    assert rule_fit._level_condition(Level("x\x07", "industry", "x\x07")) is None


def test_rare_levels_fold_into_other() -> None:
    levels = [Level(f"I{i}", "industry", f"I{i}") for i in range(4)]
    levels.append(Level("no industry", "industry", None))
    codes = np.array([0] * 500 + [1] * 480 + [2] * 5 + [3] * 5 + [4] * 3, dtype=np.int16)
    folded = fold_rare(Categorical(levels, codes))
    assert [lv.label for lv in folded.levels] == ["I0", "I1", "no industry", OTHER]
    assert np.bincount(folded.codes).tolist() == [500, 480, 3, 10]


def test_the_request_is_checked() -> None:
    """C22.1.7: each mistake said in words."""
    for request, said in (
            (DiscoverRequest(()), "at least one dimension"),
            (DiscoverRequest(DIMS, k=1), "k must be from 2 to 20"),
            (DiscoverRequest(DIMS, k=21), "k must be from 2 to 20"),
            (DiscoverRequest(DIMS, window_days=0), "window must be from 1 to 365"),
            (DiscoverRequest(DIMS, seed=-1), "seed must be from 0")):
        with pytest.raises(DiscoverError, match=said):
            engine.checked(request)
    assert engine.checked(DiscoverRequest((D.SIZE, D.SIZE))).dimensions == (D.SIZE,)
    with pytest.raises(DiscoverError, match="There are no contacts to group here"):
        engine.check_population(0, None)
    with pytest.raises(DiscoverError, match="Only 4 contacts to group: k = 5 needs at "
                                            "least 5"):
        engine.check_population(4, 5)


def test_renaming_and_segment_names() -> None:
    """C22.2.4: a cluster renamed; an empty name or another cluster's is refused."""
    def cluster(i: int, name: str) -> ClusterProfile:
        return ClusterProfile(i, name, 1, 0.5, (), 0, 0, 0, None, None)

    found = Discovery(DiscoverRequest(DIMS), 2, 2, (), (cluster(0, "A"), cluster(1, "B")),
                      0.1, assignment=None)  # type: ignore[arg-type]
    assert [c.name for c in found.renamed(1, "  Big   spenders ").clusters] == \
        ["A", "Big spenders"]
    with pytest.raises(DiscoverError, match="already called"):
        found.renamed(1, "a")
    with pytest.raises(DiscoverError, match="needs a name"):
        found.renamed(1, "  ")
    with pytest.raises(DiscoverError, match="no cluster 7"):
        found.renamed(7, "C")
    assert segment_name("Enterprise · high spend") == "Enterprise high spend"
    assert segment_name("Mid-Market · [bold]VIP[/]") == "Mid Market bold VIP"


def test_the_records_load_no_numpy() -> None:
    """The screen imports the records; numpy and scikit-learn wait for a discovery."""
    code = ("import sys, segtui.core.discover.model, segtui.data.store\n"
            "print([m for m in ('numpy', 'sklearn') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
