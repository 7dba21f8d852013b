"""Segments as code: the `segments.toml` file (C21.4.1, C21.4.2; docs/segments-as-code.md).

One `[[segment]]` table per segment, sorted by name, its keys always in the order of
`KEYS`; the rule in segtui's query language (core/rules/language.py). Writing is
canonical: the same segments always give the same bytes, so a file dumped, applied and
dumped again is unchanged, and a diff shows only what someone changed. Reading checks
the whole file and reports every problem with its line and segment, before anything is
compared with a database.

Pure: no database. tomllib reads, tomli-w writes (imported when a file is written, P12).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from segtui.core.contact_keys import email_key
from segtui.core.enums import SegmentKind, SegmentStatus
from segtui.core.rules.tree import Node
from segtui.core.validation import (
    describe_char,
    description_error,
    normalise_name,
    segment_name_error,
    tags_error,
)

FORMAT = 1
HEADER = (
    "# segtui segment definitions (docs/segments-as-code.md).\n"
    "# Made by `segtui segments dump`; `segtui segments plan FILE` shows what applying it\n"
    "# would change, `segtui segments apply FILE` changes it. A segment is known by its\n"
    "# name (case ignored): renaming one here creates a new segment.\n"
)
# The keys of a [[segment]] table, in the order they are written (C21.4.1).
KEYS = ("name", "type", "status", "description", "tags", "rule", "members")
TYPES = {"static": SegmentKind.STATIC, "dynamic": SegmentKind.DYNAMIC}
_TABLE = re.compile(r"^\s*\[\[\s*segment\s*\]\]")


@dataclass(frozen=True)
class SegmentSpec:
    """A segment's definition as the file holds it, normalised as the Store saves it
    (name and tags with single spaces, the description trimmed)."""

    name: str
    status: SegmentStatus = SegmentStatus.DRAFT
    description: str = ""
    tags: tuple[str, ...] = ()
    rule: Node | None = None  # a dynamic segment's rule; None: static
    # A static segment's members by email; None: not in the file (left as they are).
    members: tuple[str, ...] | None = None
    line: int = field(default=0, compare=False)  # its [[segment]] line (0: not read)

    @property
    def kind(self) -> SegmentKind:
        return SegmentKind.STATIC if self.rule is None else SegmentKind.DYNAMIC

    @property
    def key(self) -> str:
        """Its identity: the name with spaces normalised, case folded (the Store's
        name_key)."""
        return name_identity(self.name)

    @property
    def rule_text(self) -> str | None:
        from segtui.core.rules.language import format_rule

        return None if self.rule is None else format_rule(self.rule)


def name_identity(name: str) -> str:
    return normalise_name(name).casefold()


def sorted_tags(tags: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(tags, key=lambda t: (t.casefold(), t)))


def sorted_emails(emails: Sequence[str]) -> tuple[str, ...]:
    """Distinct by email key, in key order (C21.4.1)."""
    unique = {email_key(e) or "": e.strip() for e in reversed(emails)}
    return tuple(unique[k] for k in sorted(unique) if k)


class SegmentsFileError(ValueError):
    """What is wrong with a file: every problem, each naming its line and segment."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(problems[0] if problems else "")
        self.problems = tuple(problems)


# -- writing --------------------------------------------------------------------------------


def dump(specs: Sequence[SegmentSpec]) -> str:
    """The canonical file for these segments (C21.4.1): header comment, `format = 1`, the
    segments by name, every key in `KEYS` order (`rule` for dynamic segments only,
    `members` for static ones whose members are given)."""
    import tomli_w

    tables = [_table(s) for s in sorted(specs, key=lambda s: (s.key, s.name))]
    # Each table on its own: tomli-w would write short ones inline, in one array.
    body = f"format = {FORMAT}\n" + "".join(
        "\n[[segment]]\n" + tomli_w.dumps(t, multiline_strings=True) for t in tables)
    return HEADER + "\n" + "".join(map(_escaped, body))


# Characters that could hide or disguise text in a terminal or in a reviewer's diff:
# C1 controls (U+009B starts a terminal command), format characters (bidi controls, zero
# width spaces), line and paragraph separators, private and unassigned code points.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn"})


def _escaped(ch: str) -> str:
    """`ch` as a TOML escape when it is one of _HIDDEN past ASCII (tomli-w escapes the
    C0 controls and DEL itself): the file shows it, and reads it back the same. Only
    strings hold characters past ASCII, and every string segtui writes is a basic one,
    where escapes are read."""
    code = ord(ch)
    if code < 0x80 or unicodedata.category(ch) not in _HIDDEN:
        return ch
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def _table(spec: SegmentSpec) -> dict[str, Any]:
    table: dict[str, Any] = {
        "name": spec.name,
        "type": spec.kind.value.lower(),
        "status": spec.status.value,
        "description": spec.description,
        "tags": list(sorted_tags(spec.tags)),
    }
    if spec.rule_text is not None:
        table["rule"] = spec.rule_text
    elif spec.members is not None:
        table["members"] = list(sorted_emails(spec.members))
    return table


# -- reading --------------------------------------------------------------------------------


def read(text: str, source: str = "segments.toml", kept_tags: Collection[str] = ()
         ) -> tuple[SegmentSpec, ...]:
    """The segments of a file, checked by the rules the Store saves by (C21.4.2):
    SegmentsFileError with every problem found otherwise. `kept_tags`: tags segments have
    already, not judged again (as the Store does: a tag from an older segtui or an
    import, like the demo's "Re-engagement")."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SegmentsFileError([f"{source}: not valid TOML: {exc}"]) from None
    problems: list[str] = []
    unknown = sorted(set(data) - {"format", "segment"})
    if unknown:
        problems.append(f"{source}: unknown key {_listed(unknown)} (a file holds `format` "
                        "and [[segment]] tables)")
    version = data.get("format")
    if version is None:
        problems.append(f"{source}: `format = {FORMAT}` is missing")
    elif type(version) is not int or version != FORMAT:
        problems.append(f"{source}: format {version!r} is not one this segtui reads "
                        f"(it reads format = {FORMAT})")
    tables = data.get("segment", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        problems.append(f"{source}: `segment` must be [[segment]] tables")
        raise SegmentsFileError(problems)
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if _TABLE.match(line)]
    specs: list[SegmentSpec] = []
    seen: dict[str, SegmentSpec] = {}
    for index, table in enumerate(tables):
        line = lines[index] if len(lines) == len(tables) else 0
        where = f"{source}, line {line}" if line else f"{source}, segment {index + 1}"
        name = table.get("name")
        if isinstance(name, str) and name.strip():
            where += f" (segment {normalise_name(name)!r})"
        found: list[str] = []
        spec = _spec(table, line, found, kept_tags)
        problems += [f"{where}: {p}" for p in found]
        if spec is None:
            continue
        if spec.key in seen:
            other = seen[spec.key].line
            problems.append(f"{where}: the name is used twice in the file (also on line "
                            f"{other}; names ignore case)")
            continue
        seen[spec.key] = spec
        specs.append(spec)
    if problems:
        raise SegmentsFileError(problems)
    return tuple(specs)


def _listed(keys: Sequence[str]) -> str:
    return ", ".join(repr(k) for k in keys)


def _text(table: dict[str, Any], key: str, found: list[str], *, required: bool = True
          ) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            found.append(f"`{key}` is missing")
        return None
    if not isinstance(value, str):
        found.append(f"`{key}` must be text in quotes")
        return None
    return value


def _strings(table: dict[str, Any], key: str, found: list[str]) -> list[str] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        found.append(f"`{key}` must be a list of texts in quotes")
        return None
    return value


def _spec(table: dict[str, Any], line: int, found: list[str], kept_tags: Collection[str]
          ) -> SegmentSpec | None:
    """The table as a SegmentSpec, or None with what is wrong added to `found`."""
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        found.append(f"unknown key {_listed(unknown)} (known: {', '.join(KEYS)})")
    name = _text(table, "name", found)
    if name is not None and (problem := segment_name_error(name)):
        found.append(problem)
    kind = _kind(table, found)
    status = _status(table, found)
    description = (_text(table, "description", found, required=False) or "").strip()
    if problem := description_error(description):
        found.append(problem)
    tags = tuple(normalise_name(t) for t in _strings(table, "tags", found) or ())
    if problem := tags_error(tags, kept=list(kept_tags)):
        found.append(problem)
    rule = _rule(table, kind, found)
    members = _members(table, kind, found)
    if found or name is None or status is None:
        return None
    return SegmentSpec(normalise_name(name), status, description, tags, rule, members, line)


def _kind(table: dict[str, Any], found: list[str]) -> SegmentKind | None:
    text = _text(table, "type", found)
    if text is None:
        return None
    kind = TYPES.get(text.strip().lower())
    if kind is None:
        found.append(f"`type` must be \"static\" or \"dynamic\", not {text!r}")
    return kind


def _status(table: dict[str, Any], found: list[str]) -> SegmentStatus | None:
    text = _text(table, "status", found)
    if text is None:
        return None
    for status in SegmentStatus:
        if status.value.casefold() == text.strip().casefold():
            return status
    found.append(f"`status` must be one of {', '.join(s.value for s in SegmentStatus)}, "
                 f"not {text!r}")
    return None


def _rule(table: dict[str, Any], kind: SegmentKind | None, found: list[str]) -> Node | None:
    """A dynamic segment's rule, parsed and checked as the rule builder checks it
    (segment references are resolved when it is saved)."""
    from segtui.core.rules.check import check
    from segtui.core.rules.language import RuleSyntaxError, parse

    text = _text(table, "rule", found, required=kind is SegmentKind.DYNAMIC)
    if text is None:
        return None
    if kind is SegmentKind.STATIC:
        found.append("a static segment has no `rule` (make it `type = \"dynamic\"`)")
        return None
    try:
        tree, issues = check(parse(text))
    except RuleSyntaxError as exc:
        found.append(f"rule: {exc}")
        return None
    found += [f"rule: {issue.message}" for issue in issues]
    return tree


def _members(table: dict[str, Any], kind: SegmentKind | None, found: list[str]
             ) -> tuple[str, ...] | None:
    emails = _strings(table, "members", found)
    if emails is None:
        return None
    if kind is SegmentKind.DYNAMIC:
        found.append("a dynamic segment has no `members` (its rule makes them)")
        return None
    for email in emails:
        bad = next((ch for ch in email if unicodedata.category(ch).startswith("C")), None)
        if not email.strip() or bad is not None:
            why = "is empty" if bad is None else f"holds {describe_char(bad)}"
            found.append(f"members: {email!r} {why}")
            return None
    return sorted_emails(emails)
