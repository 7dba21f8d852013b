"""The records of a discovery (C22.1, C22.2): what is asked, and what comes back.

Pure records, no numpy at import: the Discover screen and the CLI import them to ask and
to show. Only `Assignment` holds arrays (the contact ids and their cluster), kept for the
keep and rule-fit calls and never printed; numpy is named for the type checker only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class Dimension(StrEnum):
    """What contacts may be grouped by (C22.1.1)."""

    STATUS = "status"  # lead status (categorical, one-hot)
    STAGE = "stage"  # lifecycle stage (categorical)
    SIZE = "size"  # company size (categorical, missing = its own level)
    INDUSTRY = "industry"  # company industry (categorical; rare levels folded into "Other")
    REGION = "region"  # region (categorical)
    SPENT = "spent"  # total spent (log1p-scaled)
    PURCHASES = "purchases"  # purchase count (log1p-scaled)
    # Engagement: days since the last open/response/meeting (capped at the window) and how
    # many of them in the window (ENGAGEMENT_EVENTS: the Engagement Rate card's; no clicks).
    ENGAGED = "engaged"
    TAGS = "tags"  # the most common tags as 0/1 columns


class Kind(StrEnum):
    CATEGORICAL = "categorical"
    NUMERIC = "numeric"


@dataclass(frozen=True)
class DimensionInfo:
    """How a dimension is named and shown (the screen's checklist, the CLI's help)."""

    label: str
    help: str
    kind: Kind


DIMENSIONS: Mapping[Dimension, DimensionInfo] = {
    Dimension.STATUS: DimensionInfo("Lead status", "New, Nurturing, Qualified, Hot Lead, "
                                    "Customer, Cold", Kind.CATEGORICAL),
    Dimension.STAGE: DimensionInfo("Lifecycle stage", "New, Engaged, Customer, Advocate, "
                                   "Inactive", Kind.CATEGORICAL),
    Dimension.SIZE: DimensionInfo("Company size", "Enterprise, Mid-Market, SMB, or no "
                                  "company size", Kind.CATEGORICAL),
    Dimension.INDUSTRY: DimensionInfo("Industry", "the company's industry; rare ones "
                                      "together as Other", Kind.CATEGORICAL),
    Dimension.REGION: DimensionInfo("Region", "the contact's region", Kind.CATEGORICAL),
    Dimension.SPENT: DimensionInfo("Total spent", "money spent, ever (log-scaled)",
                                   Kind.NUMERIC),
    Dimension.PURCHASES: DimensionInfo("Purchases", "number of purchases, ever "
                                       "(log-scaled)", Kind.NUMERIC),
    Dimension.ENGAGED: DimensionInfo("Engagement", "days since the last open, response or "
                                     "meeting, and how many in the window", Kind.NUMERIC),
    Dimension.TAGS: DimensionInfo("Tags", "the most common tags, each had or not",
                                  Kind.CATEGORICAL),
}

K_AUTO_RANGE = range(2, 9)  # k chosen among 2..8 by silhouette on a sample (C22.1.4)
MAX_K = 20  # a k given by hand: more clusters than anyone reads
MIN_WINDOW_DAYS, MAX_WINDOW_DAYS = 1, 365


class DiscoverError(ValueError):
    """A discovery that can't be made as asked; the message says why, for the user (no
    dimensions, an empty population, fewer contacts than k, k out of range, the starting
    segment gone or hidden, a cluster that is not there)."""


class RuleError(DiscoverError):
    """A rule text that can't be used to keep or measure a cluster (C22.3.3): its syntax
    (`column`, 1-based, where the mistake is) or what checking it found (an unknown field,
    a segment that does not exist...). The message is for the user."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class DiscoverRequest:
    """What to group, and how (C22.1.1)."""

    dimensions: tuple[Dimension, ...]
    k: int | None = None  # None: chosen by silhouette among K_AUTO_RANGE
    segment_id: int | None = None  # cluster this segment's members; None: every contact
    seed: int = 0  # the same seed, the same clusters (C22.1.6)
    window_days: int = 30  # the engagement window (ENGAGED)


@dataclass(frozen=True)
class KScore:
    """The silhouette of one k tried (C22.1.4): higher is better separated, -1..1."""

    k: int
    silhouette: float


@dataclass(frozen=True)
class Trait:
    """What sets a cluster apart on one dimension, in words (C22.2.2)."""

    dimension: Dimension
    # "78% Enterprise (21% overall)", "median spent $1,240 vs $310 overall",
    # "opened, responded or met in the last 30 days: 91%"
    text: str
    weight: float  # how distinctive (traits are sorted by it, the largest first)


@dataclass(frozen=True)
class SuggestedRule:
    """A readable rule that approximates a cluster (C22.3.2), and how well, counted
    exactly over the database (C22.3.3)."""

    rule: str  # canonical query-language text (segtui.core.rules.language)
    precision: float  # in_cluster / matches (0 when it matches nobody)
    recall: float  # in_cluster / the cluster's size
    matches: int  # population contacts the rule matches
    in_cluster: int  # of them, in the cluster


@dataclass(frozen=True)
class ClusterProfile:
    """One cluster, as a marketer reads it (C22.2)."""

    index: int  # the cluster's label in the Assignment (stable; not its rank)
    name: str  # from its top traits, unique within the discovery; renameable
    size: int
    share: float  # size / population, 0..1
    traits: tuple[Trait, ...]  # the top 3-4, most distinctive first
    engagement_rate: float  # 0..1, engaged in the last 30 days (as the dashboard's card)
    conversion_rate: float  # 0..1, converted ever
    revenue_per_member_cents: int  # mean total spent
    # 0..1: of the members engaged in the window before, those engaged in this window;
    # None when none was engaged before.
    retention_rate: float | None
    suggested: SuggestedRule | None  # None when no rule was found (C22.3.2)


class Assignment:
    """Which cluster each contact of the population is in, held for keeping a cluster and
    fitting a rule; never printed. contact_ids ascending (int64), labels (int32) beside."""

    __slots__ = ("contact_ids", "labels")

    def __init__(self, contact_ids: npt.NDArray[np.int64],
                 labels: npt.NDArray[np.int32]) -> None:
        self.contact_ids = contact_ids
        self.labels = labels

    def members(self, index: int) -> npt.NDArray[np.int64]:
        """The contact ids of cluster `index`, ascending."""
        found: npt.NDArray[np.int64] = self.contact_ids[self.labels == index]
        return found

    def __len__(self) -> int:
        return len(self.contact_ids)


@dataclass(frozen=True)
class Discovery:
    """A discovery's result (C22.2): the clusters, largest first."""

    request: DiscoverRequest
    population: int
    k: int
    k_scores: tuple[KScore, ...]  # every k tried; empty when k was given
    clusters: tuple[ClusterProfile, ...]  # largest first
    seconds: float  # how long the run took
    assignment: Assignment = field(compare=False, repr=False)

    def cluster(self, index: int) -> ClusterProfile:
        """The cluster with that index; DiscoverError when there is none."""
        for c in self.clusters:
            if c.index == index:
                return c
        raise DiscoverError(f"There is no cluster {index} in this discovery.")

    def renamed(self, index: int, name: str) -> Discovery:
        """This discovery with cluster `index` called `name` (C22.2.4); DiscoverError for
        an empty name or one another cluster has."""
        name = " ".join(name.split())
        if not name:
            raise DiscoverError("A cluster needs a name.")
        self.cluster(index)
        if any(c.name.casefold() == name.casefold() for c in self.clusters if c.index != index):
            raise DiscoverError(f"Another cluster is already called {name!r}.")
        clusters = tuple(replace(c, name=name) if c.index == index else c
                         for c in self.clusters)
        return replace(self, clusters=clusters)


def segment_name(cluster_name: str) -> str:
    """A segment name from a cluster's (C22.3.1): a segment name holds only letters,
    digits and spaces (core/validation.py), so "Enterprise · high spend" offers
    "Enterprise high spend" and "Mid-Market" "Mid Market"; at most NAME_MAX characters."""
    import unicodedata

    from segtui.core.validation import NAME_MAX, normalise_name

    kept = "".join(ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " "
                   for ch in cluster_name)
    return normalise_name(normalise_name(kept)[:NAME_MAX])


# A discovery reports how far it got (C22.1.8): the fraction done (0..1) and what it is
# doing ("Reading contacts 300,000 of 1,000,000", "Encoding", "Choosing k", "Clustering",
# "Describing clusters", "Fitting rules"), from the thread that runs it.
Progress = Callable[[float, str], None]
