"""Segments as code: what applying a file would change (C21.4.3-C21.4.6;
docs/segments-as-code.md).

`make_plan` compares the segments a file defines (core/formats/segments_toml.py) with
those the database holds, by name (case and extra spaces ignored): a name only in the
file is created; a name in both is updated, field by field (old → new); a name only in
the database is deleted with `prune`, else kept and listed. So a segment renamed in the
file is a new segment, and its old name is deleted only with `prune` (C21.4.4).
`writes` turns the plan into the Store's writes, in an order that works: the segments a
new rule names are created before it, rules stop naming a segment before it is deleted.

Pure: no database. Its records cross to data/writes/segments_as_code.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from segtui.core.contact_keys import email_key
from segtui.core.formats.segments_toml import SegmentSpec, name_identity, sorted_tags
from segtui.core.formatting import plural
from segtui.core.rules.tree import Node, SegmentRef, referenced_segments, renamed_refs
from segtui.core.segments import SegmentDraft, SegmentError

T = TypeVar("T")


@dataclass(frozen=True)
class Stored:
    """A segment as the database holds it: its definition (members: the emails of its
    current members, when the file gives its members), id, version and stored rule."""

    id: int
    version: int
    spec: SegmentSpec
    member_ids: Mapping[str, int] = field(default_factory=dict)  # email key -> contact id


Shown = str | list[str] | None


@dataclass(frozen=True)
class Change:
    """One field an update changes: its value in the database and in the file (tags
    as a list, a static segment's rule as None)."""

    field: str
    old: Shown
    new: Shown

    def line(self) -> str:
        """`description: “Old” → “New”`, on one line."""
        return f"{self.field}: {_shown(self.field, self.old)} → {_shown(self.field, self.new)}"


def _shown(field: str, value: Shown) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(value) or "(none)"
    if field in ("name", "description"):
        return "“" + value.replace("\\", "\\\\").replace("\n", "\\n") + "”"
    return value


@dataclass(frozen=True)
class Create:
    spec: SegmentSpec


@dataclass(frozen=True)
class Update:
    stored: Stored
    spec: SegmentSpec
    changes: tuple[Change, ...]
    add: tuple[str, ...] = ()  # members' emails to add (a static segment's)
    remove: tuple[str, ...] = ()  # and to remove

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class Delete:
    stored: Stored


@dataclass(frozen=True)
class Plan:
    """What applying the file changes (C21.4.3)."""

    creates: tuple[Create, ...] = ()
    updates: tuple[Update, ...] = ()
    deletes: tuple[Delete, ...] = ()
    kept: tuple[str, ...] = ()  # only in the database, not deleted (no prune)
    prune: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.creates or self.updates or self.deletes)

    def summary(self) -> str:
        if not self.changed:
            return "No changes: the database holds the file's segments."
        return (f"Plan: {plural(len(self.creates), 'segment')} to create, "
                f"{len(self.updates):,} to update, {len(self.deletes):,} to delete.")

    def lines(self) -> list[str]:
        """The plan as `segments plan` prints it: a line per segment, its changes under
        it, then the segments kept and a word on renames (C21.4.4)."""
        out: list[str] = []
        for create in self.creates:
            spec = create.spec
            what = spec.kind.value.lower()
            if spec.members:
                what += f", {plural(len(spec.members), 'member')}"
            out.append(f"+ create {spec.name!r} ({what})")
        for update in self.updates:
            out.append(f"~ update {update.name!r}")
            out += [f"    {c.line()}" for c in update.changes]
            if update.add or update.remove:
                out.append(f"    members: +{len(update.add):,} −{len(update.remove):,}"
                           f"{_sample('+', update.add)}{_sample('−', update.remove)}")
        out += [f"- delete {d.stored.spec.name!r}" for d in self.deletes]
        if self.kept:
            out.append(f"Kept, not in the file (--prune deletes): "
                       f"{', '.join(repr(n) for n in self.kept)}")
        if self.creates and (self.kept or self.deletes):
            out.append("A segment renamed in the file is created under its new name; the "
                       "old one is deleted only with --prune.")
        return out

    def as_json(self) -> dict[str, Any]:
        """`segments plan --json` (docs/cli.md)."""
        return {
            "changes": self.changed,
            "create": [_create_json(c.spec) for c in self.creates],
            "update": [{"name": u.name,
                        "changes": {c.field: {"old": c.old, "new": c.new}
                                    for c in u.changes},
                        "add_members": list(u.add), "remove_members": list(u.remove)}
                       for u in self.updates],
            "delete": [d.stored.spec.name for d in self.deletes],
            "kept": list(self.kept),
            "prune": self.prune,
        }


def _create_json(spec: SegmentSpec) -> dict[str, Any]:
    return {"name": spec.name, "type": spec.kind.value.lower(), "status": spec.status.value,
            "description": spec.description, "tags": list(sorted_tags(spec.tags)),
            "rule": spec.rule_text, "members": None if spec.members is None
            else list(spec.members)}


def _sample(sign: str, emails: Sequence[str], shown: int = 3) -> str:
    if not emails:
        return ""
    more = ", …" if len(emails) > shown else ""
    return f"; {sign} {', '.join(emails[:shown])}{more}"


def _rule_text(node: Node | None, names: Mapping[str, str]) -> str | None:
    """The rule's canonical text, each segment it names spelled as that segment is
    (`names`: name key -> name), so a reference typed in another case is no change."""
    from segtui.core.rules.language import format_rule

    if node is None:
        return None
    return format_rule(renamed_refs(node, lambda ref: SegmentRef(
        names.get(name_identity(ref.name), ref.name))))


def _changes(stored: SegmentSpec, wanted: SegmentSpec, names: Mapping[str, str]
             ) -> list[Change]:
    """The fields that differ, as SegmentDetails.changes_to compares them (tags by
    their names, case ignored)."""
    changes = []
    if stored.name != wanted.name:
        changes.append(Change("name", stored.name, wanted.name))
    if stored.kind is not wanted.kind:
        changes.append(Change("type", stored.kind.value.lower(), wanted.kind.value.lower()))
    if stored.status is not wanted.status:
        changes.append(Change("status", stored.status.value, wanted.status.value))
    if stored.description != wanted.description:
        changes.append(Change("description", stored.description, wanted.description))
    if [t.casefold() for t in sorted_tags(stored.tags)] != \
            [t.casefold() for t in sorted_tags(wanted.tags)]:
        changes.append(Change("tags", list(sorted_tags(stored.tags)),
                              list(sorted_tags(wanted.tags))))
    old_rule, new_rule = _rule_text(stored.rule, names), _rule_text(wanted.rule, names)
    if old_rule != new_rule:
        changes.append(Change("rule", old_rule, new_rule))
    return changes


def _member_changes(stored: Stored, wanted: SegmentSpec) -> tuple[tuple[str, ...],
                                                                  tuple[str, ...]]:
    """Emails to add and to remove, when the file gives a static segment's members.
    Members without an email can't be named in the file and stay."""
    if wanted.members is None or wanted.rule is not None:
        return (), ()
    have = {email_key(e) for e in stored.spec.members or ()}
    want = {email_key(e) for e in wanted.members}
    return (tuple(e for e in wanted.members if email_key(e) not in have),
            tuple(e for e in stored.spec.members or () if email_key(e) not in want))


def make_plan(wanted: Sequence[SegmentSpec], stored: Sequence[Stored], *,
              prune: bool = False) -> Plan:
    """What applying `wanted` to the database holding `stored` changes (C21.4.3)."""
    have = {s.spec.key: s for s in stored}
    names = {s.spec.key: s.spec.name for s in stored} | {w.key: w.name for w in wanted}
    creates, updates = [], []
    for spec in sorted(wanted, key=lambda s: s.key):
        current = have.get(spec.key)
        if current is None:
            creates.append(Create(spec))
            continue
        changes = _changes(current.spec, spec, names)
        add, remove = _member_changes(current, spec)
        if changes or add or remove:
            updates.append(Update(current, spec, tuple(changes), add, remove))
    keys = {w.key for w in wanted}
    gone = sorted((s for s in stored if s.spec.key not in keys), key=lambda s: s.spec.key)
    return Plan(tuple(creates), tuple(updates),
                tuple(Delete(s) for s in gone) if prune else (),
                () if prune else tuple(s.spec.name for s in gone), prune)


# -- applying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentWrite:
    """One change `segments apply` makes through the Store (C21.4.5): a create
    (`segment_id` None), an update of `segment_id` as it was at `version`, or a delete
    (`draft` None). Members to add and remove are contact ids."""

    action: Literal["create", "update", "delete"]
    name: str
    draft: SegmentDraft | None = None
    segment_id: int | None = None
    version: int | None = None
    add: tuple[int, ...] = ()
    remove: tuple[int, ...] = ()


@dataclass
class WriteRefused(SegmentError):
    """The Store refused one of apply's writes: all of them are undone (C21.4.5)."""

    name: str
    reason: SegmentError

    def __str__(self) -> str:
        return f"{self.name!r}: {self.reason}"


def _draft(spec: SegmentSpec, stored_rule: Node | None = None,
           same_rule: bool = False) -> SegmentDraft:
    rule = stored_rule if same_rule else spec.rule
    return SegmentDraft(spec.name, spec.description, spec.tags, spec.status, rule)


def writes(plan: Plan, contact_of: Mapping[str, int]) -> tuple[SegmentWrite, ...]:
    """The plan as the Store's writes, in order (C21.4.5): creates, each after the new
    segments its rule names; updates; deletes, each after the deleted segments whose
    rules name it. `contact_of`: the contact id of each email key to add."""
    out: list[SegmentWrite] = []
    creates = _ordered(list(plan.creates), lambda c: c.spec.key,
                       lambda c: {name_identity(r.name) for r in _refs(c.spec.rule)})
    for create in creates:
        spec = create.spec
        ids = tuple(contact_of[k] for k in map(email_key, spec.members or ()) if k)
        out.append(SegmentWrite("create", spec.name, _draft(spec), add=ids))
    for update in plan.updates:
        same_rule = not any(c.field in ("rule", "type") for c in update.changes)
        stored = update.stored
        out.append(SegmentWrite(
            "update", update.name, _draft(update.spec, stored.spec.rule, same_rule),
            stored.id, stored.version,
            add=tuple(contact_of[k] for k in map(email_key, update.add) if k),
            remove=tuple(stored.member_ids[k] for k in map(email_key, update.remove)
                         if k and k in stored.member_ids)))
    deleted = {d.stored.spec.key for d in plan.deletes}
    referrers = {d.stored.spec.key: {name_identity(r.name) for r in _refs(d.stored.spec.rule)}
                 for d in plan.deletes}
    deletes = _ordered(list(plan.deletes), lambda d: d.stored.spec.key,
                       lambda d: {k for k, refs in referrers.items()
                                  if d.stored.spec.key in refs and k in deleted})
    out += [SegmentWrite("delete", d.stored.spec.name, segment_id=d.stored.id)
            for d in deletes]
    return tuple(out)


def _refs(rule: Node | None) -> list[SegmentRef]:
    return [] if rule is None else referenced_segments(rule)


def _ordered(items: list[T], key: Callable[[T], str],
             waits_for: Callable[[T], set[str]]) -> list[T]:
    """`items` with each after those among them it waits for (by key); a cycle keeps
    the file's order (the Store then refuses it and says why)."""
    keys = {key(i) for i in items}
    done: set[str] = set()
    out: list[T] = []
    left = list(items)
    while left:
        ready = [i for i in left if not (waits_for(i) & keys) - done - {key(i)}]
        for item in ready or left:
            out.append(item)
            done.add(key(item))
        left = [i for i in left if key(i) not in done]
    return out

