"""Which column of an import file fills which field (I6; I16.13-I16.14).

Every column of the header gets one `ColumnUse`: the field it fills, or why it is left out.
The command's summary and the import dialog's column view both show that plan, and the
dialog's changes come back as `--map` entries, so the two can't disagree.

A column is matched, first to last, by a `--map` entry (or the dialog's choice), by the
preset (`--preset hubspot`, a mapping file), then by the field's name or one of its
aliases. A header the file repeats (CiviCRM's two "Last Name" columns) is matched once:
its later columns are labelled "Last Name#2", "Last Name#3"... and left out unless a
`--map` entry names them. Generic over the kind of file (contact fields, event fields).
Pure Python: the callers raise the problems as ImportError_.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

F = TypeVar("F", bound=StrEnum)


def header_key(text: str) -> str:
    """How headers are compared: case-folded, BOM and outer spaces dropped, runs of spaces
    and underscores as one space ("E_Mail" = "e mail"; "E-mail" stays an alias)."""
    text = text.replace("\ufeff", "").strip().casefold()
    return re.sub(r"[\s_]+", " ", text)


class Skip(StrEnum):
    """Why a column is not imported (the summary groups the columns by it)."""

    UNKNOWN = "unknown columns"
    LEFT_OUT = "left out by the mapping"  # --map 'Header=', the preset, the dialog
    SALUTATION = "salutation; segtui keeps none"  # Mr./Mrs.: see docs/import-export.md
    REPEAT = "repeated header"  # the second "Last Name": --map 'Last Name#2=...' uses it
    COMPUTED = "computed by segtui"  # the export's Id, Total Spent...: not listed


class Source(StrEnum):
    """What decided a column's use."""

    NAME = "name"  # its header is the field's name or an alias (or matches nothing)
    PRESET = "preset"
    MAP = "map"  # a --map entry or the dialog


@dataclass(frozen=True)
class ColumnUse(Generic[F]):
    index: int  # 0-based position in the header
    header: str  # as in the file, outer spaces and a BOM dropped
    label: str  # how --map names it: the header, or "Last Name#2" for its second column
    target: F | Skip
    source: Source = Source.NAME

    @property
    def field(self) -> F | None:
        return None if isinstance(self.target, Skip) else self.target


@dataclass(frozen=True)
class ColumnPlan(Generic[F]):
    columns: tuple[ColumnUse[F], ...]
    problems: tuple[str, ...]  # what stops the import (the first is raised)

    @property
    def fields(self) -> dict[F, int]:
        """Each field filled, and the index of the column filling it."""
        return {c.target: c.index for c in self.columns if not isinstance(c.target, Skip)}


def repeat_label(header: str, occurrence: int) -> str:
    return header if occurrence == 1 else f"{header}#{occurrence}"


def plan_columns(header: Sequence[str], known: Mapping[str, F | Skip],
                 explicit: Mapping[str, F | Skip], what: str, *,
                 preset: Mapping[str, F | Skip] | None = None,
                 gives_way: Mapping[str, Skip] | None = None) -> ColumnPlan[F]:
    """Match every column (keys of `known`, `explicit` and `preset` are header_keys).

    `gives_way`: headers that mean something else when another column fills their field
    (a "Title" next to a "Job Title" or "Position" is a salutation, as in Mautic's and
    Outlook's files). Two columns of the preset filling one field: the preset's earlier
    entry wins. Any other two columns filling one field are a problem, as is a --map entry
    naming no column, or a header of which nothing fills a field ("not a header")."""
    preset = preset or {}
    gives_way = gives_way or {}
    order = {key: n for n, key in enumerate(preset)}
    uses: list[ColumnUse[F]] = []
    matched_key: list[str] = []  # the key each column was matched by
    seen: dict[str, int] = {}
    used: set[str] = set()
    for index, raw in enumerate(header):
        name = raw.replace("\ufeff", "").strip()
        key = header_key(name)
        occurrence = seen[key] = seen.get(key, 0) + 1
        label = repeat_label(name, occurrence) if name else ""
        keys = [header_key(label)] + ([f"{key}#1"] if occurrence == 1 else [])
        hit = next((k for k in keys if k in explicit), None)
        if hit is not None:
            used.add(hit)
            uses.append(ColumnUse(index, name, label, explicit[hit], Source.MAP))
            matched_key.append(hit)
            continue
        hit = next((k for k in keys if k in preset), None)
        if hit is not None:
            uses.append(ColumnUse(index, name, label, preset[hit], Source.PRESET))
        elif occurrence > 1 and key:
            uses.append(ColumnUse(index, name, label, Skip.REPEAT))
        else:
            uses.append(ColumnUse(index, name, label, known.get(key, Skip.UNKNOWN)))
        matched_key.append(hit or key)
    problems: list[str] = []
    missing = [k for k in explicit if k not in used]
    if missing:
        problems.append(f"--map names columns the file doesn't have: {', '.join(missing)}")
    claims: dict[F, list[int]] = {}
    for position, use in enumerate(uses):
        if use.field is not None:
            claims.setdefault(use.field, []).append(position)
    for target, positions in claims.items():
        if len(positions) < 2:
            continue
        yielding = [p for p in positions if uses[p].source is Source.NAME
                    and header_key(uses[p].header) in gives_way]
        if len(yielding) < len(positions):
            for p in yielding:
                uses[p] = _skipped(uses[p], gives_way[header_key(uses[p].header)])
            positions = [p for p in positions if p not in yielding]
        if len(positions) > 1 and all(uses[p].source is Source.PRESET for p in positions):
            first = min(positions, key=lambda p: order[matched_key[p]])
            for p in positions:
                if p != first:
                    uses[p] = _skipped(uses[p], Skip.LEFT_OUT)
            positions = [first]
        if len(positions) > 1:
            a, b = (uses[p].label for p in positions[:2])
            problems.append(f"two columns fill {target}: {a!r} and {b!r}; leave one out "
                            f"(--map '{b}=') or map it to another field")
    if not claims:
        problems.append(f"the first line is not a header: none of its columns is {what}; "
                        "add a header row or name the columns with --map")
    return ColumnPlan(tuple(uses), tuple(problems))


def _skipped(use: ColumnUse[F], why: Skip) -> ColumnUse[F]:
    return ColumnUse(use.index, use.header, use.label, why, use.source)


def not_imported(columns: Sequence[ColumnUse[F]]) -> list[tuple[Skip, list[str]]]:
    """The columns left out, grouped by why, in the order of Skip (computed columns, the
    export's own, are not listed: a re-import of an export has nothing to say)."""
    groups: dict[Skip, list[str]] = {}
    for use in columns:
        if isinstance(use.target, Skip) and use.target is not Skip.COMPUTED and use.label:
            groups.setdefault(use.target, []).append(use.label)
    return [(why, groups[why]) for why in Skip if why in groups]


def column_notes(columns: Sequence[ColumnUse[F]]) -> list[str]:
    """One line per reason a column is not imported, for the summary:
    "Not imported (unknown columns): Notes, Fax"."""
    notes = []
    for why, labels in not_imported(columns):
        hint = ""
        if why is Skip.REPEAT:
            hint = f"; --map '{labels[0]}=Field' imports one"
        notes.append(f"Not imported ({why}{hint}): {', '.join(labels)}")
    return notes


def mapping_line(columns: Sequence[ColumnUse[F]]) -> str:
    """The columns imported and what each fills: "Columns: Full Name → Name, E-mail →
    Email" (a column filling the field of its own name shows once)."""
    parts = [use.label if header_key(use.label) == header_key(str(use.target))
             else f"{use.label} → {use.target}"
             for use in columns if use.field is not None]
    return "Columns: " + ", ".join(parts)
