"""A readable rule that approximates a cluster (C22.3.2): a shallow decision tree fitted to
"in the cluster or not" on the facts as people read them (a level had or not, spent in
dollars, purchases, days since the last engagement, opens in the window, a tag had or
not), its paths to the leaves that say "in the cluster" written in the rule language,
OR'd, each path an AND of its conditions with their thresholds rounded to readable values
(dollars to two significant figures, counts and days to whole numbers).

The tree only proposes: its rule's precision and recall are counted exactly over the
database afterwards (store.discover, C22.3.3), with the thresholds as rounded.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

import numpy as np
import numpy.typing as npt

from segtui.core.discover.clustering import Labels
from segtui.core.discover.features import Features, Level
from segtui.core.discover.model import Dimension
from segtui.core.rules.check import MAX_TEXT
from segtui.core.rules.tree import Condition, EventCount, Group, Joiner, Node, Op, negate

MAX_DEPTH = 3
TREE_SAMPLE = 50_000  # rows each cluster's tree is fitted on
ENGAGEMENT_FIELDS = ("opened", "responded", "meeting")  # core/enums.ENGAGEMENT_EVENTS


class Kind(Enum):
    BINARY = "binary"  # a level or a tag: 0 or 1
    MONEY = "money"  # spent, in dollars
    COUNT = "count"  # purchases
    DAYS = "days"  # whole days since the last engagement, capped at the window
    OPENS = "opens"  # opens in the window


@dataclass(frozen=True)
class Column:
    """One column the tree sees, and how a rule says where a contact falls on it."""

    kind: Kind
    yes: Node | None = None  # BINARY: the condition for 1 (its negation for 0)
    group: Dimension | None = None  # BINARY levels of one categorical dimension
    window: int = 0  # DAYS and OPENS


def writable(text: str) -> bool:
    """Whether a rule can name this value (check.py refuses control characters and
    values over MAX_TEXT): a tag or industry holding an escape code gets no column."""
    text = text.strip()
    return bool(text) and len(text) <= MAX_TEXT and not any(
        unicodedata.category(ch) == "Cc" for ch in text)


def _level_condition(level: Level) -> Node | None:
    if level.field is None:  # "Other": no condition selects it
        return None
    if level.value is not None and not writable(level.value):
        return None
    if level.value is None:
        return Condition(level.field, Op.EMPTY)
    return Condition(level.field, Op.EQ, level.value)


def human_columns(features: Features, dimensions: tuple[Dimension, ...]
                  ) -> tuple[list[Column], list[npt.NDArray[np.float32]]]:
    """The columns the tree is fitted on, and their values."""
    columns: list[Column] = []
    values: list[npt.NDArray[np.float32]] = []
    for d in dimensions:
        if d in features.categorical:
            cat = features.categorical[d]
            for code, level in enumerate(cat.levels):
                node = _level_condition(level)
                if node is not None:
                    columns.append(Column(Kind.BINARY, node, d))
                    values.append((cat.codes == code).astype(np.float32))
        elif d is Dimension.SPENT:
            columns.append(Column(Kind.MONEY))
            values.append((features.spent_cents / 100).astype(np.float32))
        elif d is Dimension.PURCHASES:
            columns.append(Column(Kind.COUNT))
            values.append(features.purchases)
        elif d is Dimension.ENGAGED:
            assert features.days_ago is not None and features.opens is not None
            columns.append(Column(Kind.DAYS, window=features.window_days))
            values.append(features.days_ago)
            columns.append(Column(Kind.OPENS, window=features.window_days))
            values.append(features.opens)
        elif d is Dimension.TAGS:
            assert features.tags is not None
            for i, name in enumerate(features.tag_names):
                if not writable(name):
                    continue
                columns.append(Column(Kind.BINARY, Condition("tag", Op.EQ, name)))
                values.append(features.tags[:, i].astype(np.float32))
    return columns, values


def readable_dollars(x: float) -> Decimal:
    """Two significant figures, whole dollars from 10 up: 1234.5 -> 1200, 2.35 -> 2.4;
    below a dollar, 0 (spent more than 0: spent anything)."""
    if x < 1:
        return Decimal(0)
    step = 10 ** (math.floor(math.log10(x)) - 1)
    rounded = round(x / step) * step
    return Decimal(int(rounded)) if step >= 1 else Decimal(str(round(rounded, 1)))


@dataclass
class _Bounds:
    """What a path says of one column: above `low` and at most `high`."""

    low: float | None = None
    high: float | None = None


@dataclass
class _Path:
    bounds: dict[int, _Bounds] = field(default_factory=dict)

    def add(self, column: int, threshold: float, above: bool) -> None:
        b = self.bounds.setdefault(column, _Bounds())
        if above:
            b.low = threshold if b.low is None else max(b.low, threshold)
        else:
            b.high = threshold if b.high is None else min(b.high, threshold)


def _engaged_within(days: int) -> Node:
    return Group(Joiner.OR, tuple(Condition(f, Op.GE, EventCount(1, days))
                                  for f in ENGAGEMENT_FIELDS))


def _conditions(column: Column, b: _Bounds) -> list[Node]:
    """The rule's conditions for a path's bounds on one column (None: contradicted once
    rounded, the path selects nobody)."""
    out: list[Node] = []
    if column.kind is Kind.BINARY:
        assert column.yes is not None
        is_one = b.low is not None  # thresholds sit between 0 and 1
        return [column.yes if is_one else _negated(column.yes)]
    if column.kind is Kind.MONEY:
        low = None if b.low is None else readable_dollars(b.low)
        high = None if b.high is None else readable_dollars(b.high)
        if low is not None and high is not None and low >= high:
            raise _Empty
        if low is not None:
            out.append(Condition("spent", Op.GT, low))
        if high is not None:
            out.append(Condition("spent", Op.LE, high))
    elif column.kind is Kind.COUNT:
        if b.low is not None:
            out.append(Condition("purchases", Op.GE, Decimal(math.floor(b.low) + 1)))
        if b.high is not None:
            out.append(Condition("purchases", Op.LE, Decimal(math.floor(b.high))))
    elif column.kind is Kind.DAYS:
        # days_ago <= t: an engagement within floor(t) + 1 days ("within 1d" is today).
        if b.high is not None:
            out.append(_engaged_within(math.floor(b.high) + 1))
        if b.low is not None and math.floor(b.low) + 1 < column.window:
            out.append(_negated(_engaged_within(math.floor(b.low) + 1)))
        elif b.low is not None:
            out.append(_negated(_engaged_within(column.window)))
    elif column.kind is Kind.OPENS:
        if b.low is not None:
            out.append(Condition("opened", Op.GE, EventCount(math.floor(b.low) + 1,
                                                             column.window)))
        if b.high is not None:
            out.append(Condition("opened", Op.LE, EventCount(math.floor(b.high),
                                                             column.window)))
    return out


class _Empty(Exception):
    """A path whose rounded bounds select nobody."""


def _negated(node: Node) -> Node:
    """`!=` and `is not empty` read better than `not (... = ...)`."""
    if isinstance(node, Condition) and node.op is Op.EQ:
        return Condition(node.field, Op.NE, node.value)
    if isinstance(node, Condition) and node.op is Op.EMPTY:
        return Condition(node.field, Op.NOT_EMPTY)
    return negate(node)


def _joined(a: _Path, b: _Path) -> _Path | None:
    """One path for two that differ on one column only, where one's range ends where the
    other's begins (`days <= 17` and `17 < days <= 29`: `days <= 29`); a column the two
    ranges cover whole goes (a level had, and not had). None when they don't join."""
    if a.bounds.keys() != b.bounds.keys():
        return None
    differ = [c for c in a.bounds if a.bounds[c] != b.bounds[c]]
    if len(differ) != 1:
        return None
    c = differ[0]
    x, y = sorted((a.bounds[c], b.bounds[c]),
                  key=lambda r: -math.inf if r.low is None else r.low)
    if x.high is None or y.low is None or x.high != y.low:
        return None
    joined = {k: _Bounds(v.low, v.high) for k, v in a.bounds.items()}
    if x.low is None and y.high is None:
        del joined[c]
    else:
        joined[c] = _Bounds(x.low, y.high)
    return _Path(joined)


def merged(paths: list[_Path]) -> list[_Path]:
    """The tree's paths with those that join (`_joined`) made one, until none do: a
    tree splits a range it then gives the same answer on both sides of, deeper down."""
    paths = list(paths)
    joined = True
    while joined:
        joined = False
        for i in range(len(paths)):
            for j in range(i + 1, len(paths)):
                one = _joined(paths[i], paths[j])
                if one is not None:
                    paths[i] = one
                    del paths[j]
                    joined = True
                    break
            if joined:
                break
    return paths


def path_rule(columns: list[Column], path: _Path) -> Group | None:
    """One path as an AND of conditions; a level a path requires makes the other levels
    of its dimension it rules out go without saying."""
    required = {columns[c].group for c, b in path.bounds.items()
                if columns[c].kind is Kind.BINARY and b.low is not None and columns[c].group}
    conditions: list[Node] = []
    try:
        for c in sorted(path.bounds):
            column = columns[c]
            if column.kind is Kind.BINARY and column.group in required and \
                    path.bounds[c].low is None:
                continue
            conditions += _conditions(column, path.bounds[c])
    except _Empty:
        return None
    if not conditions:
        return None
    if len(conditions) == 1 and isinstance(conditions[0], Group):
        return conditions[0]  # an AND of one group is that group
    return Group(Joiner.AND, tuple(conditions))


def fit_rule(columns: list[Column], values: list[npt.NDArray[np.float32]],
             labels: Labels, index: int, seed: int) -> Node | None:
    """Cluster `index`'s rule from a depth-3 tree (class_weight balanced, the seed's
    sample); None when no leaf says "in the cluster" or the tree needs no condition."""
    from sklearn.tree import DecisionTreeClassifier  # type: ignore[import-untyped]

    if not columns:
        return None
    rows = len(labels)
    sample = (np.arange(rows) if rows <= TREE_SAMPLE else
              np.sort(np.random.default_rng(seed).choice(rows, TREE_SAMPLE, replace=False)))
    x = np.stack([v[sample] for v in values], axis=1)
    y = labels[sample] == index
    if y.all() or not y.any():
        return None
    tree = DecisionTreeClassifier(max_depth=MAX_DEPTH, random_state=seed,
                                  class_weight="balanced",
                                  min_samples_leaf=max(1, len(sample) // 1000)).fit(x, y)
    t = tree.tree_
    positive = list(tree.classes_).index(True)
    found: list[_Path] = []

    def verdict(node: int) -> bool | None:
        """Whether every leaf under `node` says "in the cluster" (True), none does
        (False), or some do (None): a split whose two sides say the same is no split."""
        left, right = int(t.children_left[node]), int(t.children_right[node])
        if left == -1:
            return int(np.argmax(t.value[node][0])) == positive
        a, b = verdict(left), verdict(right)
        return a if a is not None and a == b else None

    def walk(node: int, path: _Path) -> None:
        said = verdict(node)
        if said is not None:
            if said:
                found.append(path)
            return
        left, right = int(t.children_left[node]), int(t.children_right[node])
        feature, threshold = int(t.feature[node]), float(t.threshold[node])
        for child, above in ((left, False), (right, True)):
            branch = _Path({k: _Bounds(v.low, v.high) for k, v in path.bounds.items()})
            branch.add(feature, threshold, above)
            walk(child, branch)

    walk(0, _Path())
    paths: list[Group] = []
    for path in merged(found):
        rule = path_rule(columns, path)
        if rule is not None and rule not in paths:
            paths.append(rule)
    if not paths:
        return None
    if len(paths) == 1:
        return paths[0]
    return Group(Joiner.OR, tuple(paths))
