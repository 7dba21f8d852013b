"""Each cluster in words a marketer reads (C22.2): its size, what sets it apart on each
dimension against everyone (traits), a name from its top traits, and its figures.
Formulas: docs/metrics.md, "Discover".

A trait's weight is how far the cluster's centre sits from the population's on that
dimension's block of the encoded matrix (every block has a total variance of 1:
clustering.encode), so a dimension's traits are ranked on one scale whatever its kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from segtui.core.analytics import money
from segtui.core.discover.clustering import Encoded, Labels
from segtui.core.discover.features import Categorical, Features, Flags
from segtui.core.discover.model import ClusterProfile, Dimension, Trait
from segtui.core.formatting import plural, round_half_up
from segtui.core.metrics import ENGAGEMENT_WINDOW_DAYS

MAX_TRAITS = 4
NAME_TRAITS = 2  # a name is made of the top two traits' short words


@dataclass(frozen=True)
class Described:
    """A trait and the short words a name is made of ("Enterprise", "high spend")."""

    trait: Trait
    short: str


def _pct(share: float) -> str:
    return f"{round(share * 100)}%"


def _categorical(dimension: Dimension, cat: Categorical, rows: Flags, weight: float
                 ) -> Described:
    """The level whose share rose most over the population's: "78% Enterprise (21%
    overall)". One always rose (the shares of both sum to 1)."""
    inside, overall = cat.shares(rows), cat.shares()
    top = int(np.argmax(inside - overall))
    label = cat.levels[top].label
    # Status and stage share words (Customer, New): each says which it is.
    named = f"{label} {_NOUN[dimension]}" if dimension in _NOUN else label
    text = f"{_pct(inside[top])} {named} ({_pct(overall[top])} overall)"
    return Described(Trait(dimension, text, weight), _name_word(label, inside[top]))


MOSTLY = 0.5  # a level names a cluster outright when at least half its members have it


def _name_word(label: str, share: float) -> str:
    """A name says "Enterprise" only of a cluster mostly Enterprise: one with 12% Consumer
    Goods (6% overall) is "more Consumer Goods", not read as all of it (C22.2.3)."""
    return label if share >= MOSTLY else f"more {label}"


_NOUN = {Dimension.STATUS: "status", Dimension.STAGE: "stage"}


def _median_cents(values: npt.NDArray[np.float64]) -> int:
    """The median, in whole dollars from $10 up ("$1,240", not "$1,239.50"): a trait is
    read at a glance."""
    cents = round(float(np.median(values))) if len(values) else 0
    return cents if cents < 1_000 else round_half_up(cents, 100) * 100


def _spent(features: Features, rows: Flags, weight: float) -> Described:
    return _amount(Dimension.SPENT, features.spent_cents, rows, weight, _median_cents,
                   money, ("median spent", "spent anything"), ("high spend", "low spend"))


def _purchases(features: Features, rows: Flags, weight: float) -> Described:
    return _amount(Dimension.PURCHASES, features.purchases, rows, weight,
                   lambda v: float(np.median(v)), lambda m: f"{m:g}",
                   ("median purchases", "bought at least once"),
                   ("frequent buyers", "few purchases"))


def _amount(dimension: Dimension, values: npt.NDArray[Any], rows: Flags, weight: float,
            median: Callable[[npt.NDArray[Any]], Any], show: Callable[[Any], str],
            words: tuple[str, str], shorts: tuple[str, str]) -> Described:
    """Spent and purchases alike: the medians, or when they are equal (most spent or
    bought nothing) the share with any at all, which tells them apart."""
    inside, overall = median(values[rows]), median(values)
    higher = float(values[rows].mean()) >= float(values.mean())
    short = shorts[0] if higher else shorts[1]
    if inside != overall:
        return Described(Trait(dimension, f"{words[0]} {show(inside)} vs "
                               f"{show(overall)} overall", weight), short)
    some, some_all = float((values[rows] > 0).mean()), float((values > 0).mean())
    return Described(Trait(dimension, f"{words[1]}: {_pct(some)} "
                           f"({_pct(some_all)} overall)", weight), short)


def _engaged(features: Features, rows: Flags, weight: float) -> Described:
    assert features.days_ago is not None
    window = features.window_days
    recent = features.days_ago < window  # an engagement in the window
    inside, overall = float(recent[rows].mean()), float(recent.mean())
    short = "engaged" if inside >= overall else "quiet"
    last = "day" if window == 1 else plural(window, "day")  # "the last 30 days"
    text = (f"opened, responded or met in the last {last}: {_pct(inside)} "
            f"({_pct(overall)} overall)")
    return Described(Trait(Dimension.ENGAGED, text, weight), short)


def _tags(features: Features, rows: Flags, weight: float) -> Described:
    """The tag whose share moved most, up or down: "64% tagged VIP (10% overall)"."""
    assert features.tags is not None
    inside = features.tags[rows].mean(axis=0, dtype=np.float64)
    overall = features.tags.mean(axis=0, dtype=np.float64)
    top = int(np.argmax(np.abs(inside - overall)))
    name = features.tag_names[top]
    short = _name_word(name, inside[top]) if inside[top] >= overall[top] else f"no {name}"
    text = f"{_pct(inside[top])} tagged {name} ({_pct(overall[top])} overall)"
    return Described(Trait(Dimension.TAGS, text, weight), short)


def traits(features: Features, encoded: Encoded, labels: Labels, index: int
           ) -> list[Described]:
    """Cluster `index`'s traits, one per dimension, the most distinctive first (C22.2.2)."""
    rows = labels == index
    centre = encoded.matrix[rows].mean(axis=0, dtype=np.float64)
    everyone = encoded.matrix.mean(axis=0, dtype=np.float64)
    found = []
    for block in encoded.blocks:
        weight = round(float(np.linalg.norm(centre[block.start:block.stop]
                                             - everyone[block.start:block.stop])), 4)
        d = block.dimension
        if d in features.categorical:
            found.append(_categorical(d, features.categorical[d], rows, weight))
        elif d is Dimension.SPENT:
            found.append(_spent(features, rows, weight))
        elif d is Dimension.PURCHASES:
            found.append(_purchases(features, rows, weight))
        elif d is Dimension.ENGAGED:
            found.append(_engaged(features, rows, weight))
        elif d is Dimension.TAGS:
            found.append(_tags(features, rows, weight))
    # A dimension on which the cluster is the population ("100% Enterprise (100%
    # overall)", all of a segment's members being Enterprise) sets nothing apart.
    return sorted((t for t in found if t.trait.weight >= SAME), key=lambda t: -t.trait.weight)


SAME = 1e-3  # a weight below this: the cluster's centre is the population's on that block


def name_of(described: list[Described]) -> str:
    """"Enterprise · high spend": the top traits' short words (C22.2.3)."""
    words: list[str] = []
    for d in described:
        if d.short not in words:
            words.append(d.short)
        if len(words) == NAME_TRAITS:
            break
    return " · ".join(words) or "Everyone"


def unique_names(names: list[str], spare: list[list[str]]) -> list[str]:
    """`names` made unique (C22.2.3): a name two clusters share takes each cluster's next
    trait word from `spare` that tells it apart, and a number when none does."""
    folded = [n.casefold() for n in names]
    out: list[str] = []
    taken: set[str] = set()
    for i, name in enumerate(names):
        candidate = name
        if folded.count(folded[i]) > 1:
            for word in spare[i]:
                longer = f"{name} · {word}"
                if word not in name.split(" · ") and longer.casefold() not in taken:
                    candidate = longer
                    break
        base, n = candidate, 2
        while candidate.casefold() in taken:
            candidate, n = f"{base} ({n})", n + 1
        out.append(candidate)
        taken.add(candidate.casefold())
    return out


@dataclass(frozen=True)
class Figures:
    """A cluster's figures (C22.2.5)."""

    size: int
    engagement_rate: float
    conversion_rate: float
    revenue_per_member_cents: int
    retention_rate: float | None


def figures(features: Features, rows: Flags) -> Figures:
    """Engagement rate (engaged in the last 30 days, as the Engagement Rate card),
    conversion rate (a purchase ever), revenue per member (total spent over members,
    rounded half up) and retention (of those engaged in the 30 days before, the share
    engaged in the last 30; None when none was)."""
    size = int(rows.sum())
    before = features.engaged_before[rows]
    kept = int((before & features.engaged_now[rows]).sum())
    spent = int(features.spent_cents[rows].sum())
    return Figures(
        size=size,
        engagement_rate=float(features.engaged_now[rows].sum()) / size if size else 0.0,
        conversion_rate=float((features.purchases[rows] > 0).sum()) / size if size else 0.0,
        revenue_per_member_cents=round_half_up(spent, size),
        retention_rate=kept / int(before.sum()) if before.any() else None)


assert ENGAGEMENT_WINDOW_DAYS == 30  # the figures' windows are the cards' (docs/metrics.md)


def profile(index: int, name: str, described: list[Described], f: Figures,
            population: int) -> ClusterProfile:
    return ClusterProfile(
        index=index, name=name, size=f.size, share=f.size / population if population else 0,
        traits=tuple(d.trait for d in described[:MAX_TRAITS]),
        engagement_rate=f.engagement_rate, conversion_rate=f.conversion_rate,
        revenue_per_member_cents=f.revenue_per_member_cents,
        retention_rate=f.retention_rate, suggested=None)
