"""Dynamic-segment rules: a tree of AND/OR groups of `field operator value` conditions.

Requirements D1.1 (docs/requirements.md): conditions, nested segments, time windows,
segments from attributes, events, tags and lists. Unlike the web
tools' OR-of-ANDs, groups nest to any depth and any group or condition can be negated.

The tree is plain data: `core/rules/fields.py` says which fields and operators exist,
`core/rules/check.py` validates a tree, `core/rules/language.py` reads and writes the one-line
query language, `data/rules/compiler.py` compiles a tree to one SQL condition.
Stored as versioned JSON (`to_json` / `from_json`); see docs/rules.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class Op(StrEnum):
    """Every operator. Which ones a field accepts depends on its type (rules/fields.py)."""

    EQ = "="
    NE = "!="
    CONTAINS = "contains"
    NOT_CONTAINS = "not contains"
    STARTS_WITH = "starts with"
    ONE_OF = "in"
    EMPTY = "is empty"
    NOT_EMPTY = "is not empty"
    GT = ">"
    LT = "<"
    GE = ">="
    LE = "<="
    BETWEEN = "between"
    BEFORE = "before"
    AFTER = "after"
    WITHIN = "within"  # within the last N days
    OLDER = "older than"  # more than N days ago
    # "not in segment X" is a negated IN_SEGMENT: one spelling for one meaning.
    IN_SEGMENT = "in segment"


class Joiner(StrEnum):
    AND = "and"
    OR = "or"


@dataclass(frozen=True)
class SegmentRef:
    """Another segment, by id (what is stored) and name (what people read and type).
    `id` is None until the name is resolved against the database."""

    name: str
    id: int | None = None


@dataclass(frozen=True)
class EventCount:
    """The value of an engagement condition: did it `count` times within the last `days`
    days (None: ever). `opened within 30d >= 1`."""

    count: int
    days: int | None = None


Scalar = str | Decimal | date
Value = Scalar | tuple[Scalar, ...] | SegmentRef | EventCount | None


@dataclass(frozen=True)
class Condition:
    field: str
    op: Op
    value: Value = None
    negated: bool = False


@dataclass(frozen=True)
class Group:
    joiner: Joiner = Joiner.AND
    children: tuple[Node, ...] = ()
    negated: bool = False


Node = Condition | Group

RULE_FORMAT_VERSION = 1


class RuleFormatError(ValueError):
    """Stored rule JSON that segtui cannot read (corrupt, or from a newer segtui)."""


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    yield node
    if isinstance(node, Group):
        for child in node.children:
            yield from walk(child)


def conditions(node: Node) -> Iterator[Condition]:
    return (n for n in walk(node) if isinstance(n, Condition))


def depth(node: Node) -> int:
    if isinstance(node, Condition):
        return 0
    return 1 + max((depth(c) for c in node.children), default=0)


def referenced_segments(node: Node) -> list[SegmentRef]:
    return [c.value for c in conditions(node) if isinstance(c.value, SegmentRef)]


def renamed_refs(node: Node, rename: Callable[[SegmentRef], SegmentRef]) -> Node:
    """The tree with each segment reference replaced by `rename(reference)`."""
    if isinstance(node, Group):
        return replace(node, children=tuple(renamed_refs(c, rename) for c in node.children))
    value = node.value
    return replace(node, value=rename(value)) if isinstance(value, SegmentRef) else node


def spelled(rule: Node, name_of: Mapping[int, str]) -> Node:
    """The stored rule with each segment it names (by id) under its current name
    (`name_of`: id -> name): a reference keeps the name the segment had when the rule was
    saved, and the segment may have been renamed since (the id is what the rule means)."""
    return renamed_refs(rule, lambda ref: replace(
        ref, name=name_of.get(ref.id, ref.name) if ref.id is not None else ref.name))


def negate(node: Node) -> Node:
    return replace(node, negated=not node.negated)


# -- editing by path (the builder addresses a node by its child indexes from the root) -----

Path = tuple[int, ...]


def node_at(root: Node, path: Path) -> Node:
    node = root
    for index in path:
        assert isinstance(node, Group)
        node = node.children[index]
    return node


def replace_at(root: Node, path: Path, new: Node | None) -> Node:
    """The tree with the node at `path` replaced by `new` (removed when None)."""
    if not path:
        return new if new is not None else Group()
    assert isinstance(root, Group)
    index, rest = path[0], path[1:]
    children = list(root.children)
    if rest:
        children[index] = replace_at(children[index], rest, new)
    elif new is None:
        del children[index]
    else:
        children[index] = new
    return replace(root, children=tuple(children))


def insert_at(root: Node, parent: Path, index: int, new: Node) -> Node:
    group = node_at(root, parent)
    assert isinstance(group, Group)
    children = list(group.children)
    children.insert(index, new)
    return replace_at(root, parent, replace(group, children=tuple(children)))


# -- JSON ------------------------------------------------------------------------------------


def to_json(root: Node) -> str:
    return json.dumps({"version": RULE_FORMAT_VERSION, "rule": _encode(root)},
                      ensure_ascii=False, separators=(",", ":"))


def from_json(text: str) -> Node:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RuleFormatError(f"the stored rule is not valid JSON ({exc.msg})") from None
    if not isinstance(document, dict) or "rule" not in document:
        raise RuleFormatError("the stored rule has no 'rule' entry")
    version = document.get("version")
    if version != RULE_FORMAT_VERSION:
        raise RuleFormatError(
            f"the stored rule has format version {version!r}; this segtui reads version "
            f"{RULE_FORMAT_VERSION} (upgrade segtui)"
        )
    try:
        return _decode(document["rule"])
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise RuleFormatError(f"the stored rule is malformed ({exc})") from None


def _encode(node: Node) -> dict[str, Any]:
    out: dict[str, Any]
    if isinstance(node, Group):
        out = {"group": node.joiner.value, "children": [_encode(c) for c in node.children]}
    else:
        out = {"field": node.field, "op": node.op.value}
        if node.value is not None:
            out["value"] = _encode_value(node.value)
    if node.negated:
        out["not"] = True
    return out


def _encode_value(value: Value) -> Any:
    if isinstance(value, tuple):
        return {"list": [_encode_value(v) for v in value]}
    if isinstance(value, SegmentRef):
        return {"segment": value.id, "name": value.name}
    if isinstance(value, EventCount):
        return {"count": value.count, "days": value.days}
    if isinstance(value, Decimal):
        return {"number": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _decode(data: dict[str, Any]) -> Node:
    negated = bool(data.get("not", False))
    if "group" in data:
        return Group(Joiner(data["group"]), tuple(_decode(c) for c in data["children"]),
                     negated)
    return Condition(str(data["field"]), Op(data["op"]), _decode_value(data.get("value")),
                     negated)


def _decode_value(data: Any) -> Value:
    if data is None or isinstance(data, str):
        return data
    if isinstance(data, dict):
        if "list" in data:
            items = tuple(_decode_value(v) for v in data["list"])
            return tuple(v for v in items if isinstance(v, (str, Decimal, date)))
        if "segment" in data:
            sid = data["segment"]
            return SegmentRef(str(data["name"]), None if sid is None else int(sid))
        if "count" in data:
            days = data.get("days")
            return EventCount(int(data["count"]), None if days is None else int(days))
        if "number" in data:
            return Decimal(str(data["number"]))
        if "date" in data:
            return date.fromisoformat(str(data["date"]))
    raise ValueError(f"unknown value {data!r}")


@dataclass(frozen=True)
class RuleIssue:
    """A problem with a rule: where (the path of the node from the root) and what."""

    path: Path
    message: str
