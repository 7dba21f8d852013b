"""What a discovery knows of each contact of its population (C22.1.2): one numpy column per
fact, filled batch by batch from SQL (data/queries/discover_features.py) into arrays
allocated once. Only the columns the chosen dimensions need are filled; the facts every
cluster's figures need (spent, purchases, engaged now and before) always are.

A categorical dimension is a column of small integer codes and the levels they stand for,
each level with the rule condition that selects it (C22.3.2), so the suggested rule is
written from the same levels the clustering saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from segtui.core.discover.model import Dimension

# A level of `industry` or `region` held by fewer than this share of the population is
# folded into "Other" (C22.1.2): a cluster of the 0.1% in a rare industry is noise.
RARE_SHARE = 0.01
MAX_LEVELS = 12  # and at most this many named levels, the largest
TOP_TAGS = 8  # the tags most common in the population, each a 0/1 column
OTHER = "Other"

Floats = npt.NDArray[np.float32]
Codes = npt.NDArray[np.int16]
Ids = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Level:
    """One value of a categorical dimension: its label, and how a rule selects it: the
    rule field and the value (None: the field is empty). "Other" has no condition."""

    label: str
    field: str | None
    value: str | None = None


@dataclass
class Categorical:
    """A categorical dimension: per contact the code of its level (an index into
    `levels`)."""

    levels: list[Level]
    codes: Codes

    def shares(self, rows: Flags | None = None) -> npt.NDArray[np.float64]:
        """Each level's share of the contacts (of `rows` where given), 0..1."""
        codes = self.codes if rows is None else self.codes[rows]
        counts = np.bincount(codes, minlength=len(self.levels)).astype(np.float64)
        return counts / max(len(codes), 1)


@dataclass
class Features:
    """The population's facts, one row per contact, ids ascending."""

    contact_ids: Ids
    spent_cents: npt.NDArray[np.float64]
    purchases: Floats
    engaged_now: Flags  # an engagement in the last 30 days (the Engagement Rate card's)
    engaged_before: Flags  # one in the 30 days before those
    window_days: int
    categorical: dict[Dimension, Categorical] = field(default_factory=dict)
    # ENGAGED: whole days since the last engagement, capped at the window (no
    # engagement in it: window_days), and engagements and opens in the window.
    days_ago: Floats | None = None
    engagements: Floats | None = None
    opens: Floats | None = None
    # TAGS: one 0/1 column per tag, named in `tag_names`.
    tags: npt.NDArray[np.uint8] | None = None
    tag_names: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.contact_ids)


def fold_rare(cat: Categorical, *, fold: bool = True) -> Categorical:
    """`cat` without its unused levels and, when `fold`, with its rare ones (under
    RARE_SHARE, or beyond the MAX_LEVELS largest) folded into one "Other" level. The
    empty level ("no industry") is kept apart whatever its share: it reads as a trait of
    its own, and a rule can say it (`industry is empty`)."""
    counts = np.bincount(cat.codes, minlength=len(cat.levels))
    total = max(int(counts.sum()), 1)
    kept: list[int] = []
    folded = False
    for code in np.argsort(-counts, kind="stable"):
        level = cat.levels[code]
        if counts[code] == 0:
            continue
        named = len([k for k in kept if cat.levels[k].value is not None])
        if not fold or level.value is None or (
                counts[code] / total >= RARE_SHARE and named < MAX_LEVELS):
            kept.append(int(code))
        else:
            folded = True
    kept.sort()  # the order levels were met in: stable from run to run
    if not folded and len(kept) == len(cat.levels):
        return cat
    remap = np.full(len(cat.levels), len(kept), dtype=np.int16)
    for new, old in enumerate(kept):
        remap[old] = new
    levels = [cat.levels[i] for i in kept] + ([Level(OTHER, None)] if folded else [])
    return Categorical(levels, remap[cat.codes])


class LevelTable:
    """The levels of one categorical dimension as they are met, batch after batch: each
    new value gets the next code. Text (`fold`) is matched as the rules match it, case
    folded and trimmed, a blank being empty (docs/rules.md); a level is shown as first
    met."""

    def __init__(self, *, fold: bool = False) -> None:
        self.fold = fold
        self.codes: dict[str | None, int] = {}
        self.values: list[str | None] = []

    def _key(self, value: str | None) -> str | None:
        if value is None or not self.fold:
            return value
        return value.strip().casefold() or None

    def encode(self, values: list[str | None]) -> Codes:
        codes = np.empty(len(values), dtype=np.int16)
        for i, value in enumerate(values):
            key = self._key(value)
            code = self.codes.get(key)
            if code is None:
                code = self.codes[key] = len(self.values)
                self.values.append(None if key is None else
                                   value.strip() if value is not None and self.fold else value)
            codes[i] = code
        return codes

    def categorical(self, codes: Codes, rule_field: str, empty_label: str) -> Categorical:
        """The dimension: each value a level (None: `empty_label`, the rule's `field is
        empty`)."""
        levels = [Level(empty_label if value is None else value, rule_field, value)
                  for value in self.values]
        return Categorical(levels, codes)
