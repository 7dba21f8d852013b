"""Which column of a contacts file fills which field: --map options, the plan the import
dialog shows, and what stops an import before a row is read (I6, I16.16).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from segtui.core.contact_keys import MatchKey
from segtui.core.formats.column_plan import (
    ColumnPlan,
    ColumnUse,
    Skip,
    header_key,
    plan_columns,
)
from segtui.core.formats.contact_fields import GIVES_WAY, KNOWN_HEADERS, F, Field


class ImportError_(Exception):
    """The file can't be imported at all (no header, unreadable); nothing was written."""


@dataclass(frozen=True)
class ColumnMap:
    """Which column index fills which field, and what every column does."""

    fields: dict[Field, int]
    columns: tuple[ColumnUse[Field], ...]
    width: int  # number of columns in the header

    @property
    def unknown(self) -> tuple[str, ...]:
        """Header names matching no field (reported, not imported)."""
        return tuple(c.label for c in self.columns if c.target is Skip.UNKNOWN and c.label)


def map_target(target: str, fields: type[F], *, salutation: bool = False
               ) -> F | Skip | None:
    """What a --map entry's right side names: a field, "" (leave the column out), or for
    contacts "Salutation" (a form of address, not imported); None if nothing."""
    key = header_key(target)
    if not key:
        return Skip.LEFT_OUT
    if salutation and key == "salutation":
        return Skip.SALUTATION
    return next((f for f in fields if header_key(f.value) == key), None)


def parse_map(options: Sequence[str], fields: type[F], *, salutation: bool = False
              ) -> dict[str, F | Skip]:
    """`--map "E-mail Addr=Email"` options: file header (or "Last Name#2", a repeated
    header's second column) -> field; "Header=" leaves the column out, and, for contacts
    (`salutation`), "Header=Salutation" marks it as a form of address, not imported."""
    mapping: dict[str, F | Skip] = {}
    for option in options:
        header, sep, target = option.rpartition("=")
        if not sep or not header.strip():
            raise ImportError_(f"--map {option!r}: write it as 'File Header=Field', or "
                               "'File Header=' to leave the column out")
        found = map_target(target, fields, salutation=salutation)
        if found is None:
            raise ImportError_(f"--map {option!r}: {target.strip()!r} is not a field; "
                               f"fields are {field_names(fields, salutation)}")
        mapping[header_key(header)] = found
    return mapping


def field_names(fields: type[F], salutation: bool = False) -> str:
    return ", ".join([*(f.value for f in fields), *(["Salutation"] if salutation else [])])


def match_columns(header: Sequence[str], known: Mapping[str, F | Skip],
                  explicit: Mapping[str, F | Skip], what: str) -> ColumnPlan[F]:
    """Which column fills which field (column_plan.plan_columns), or ImportError_."""
    plan = plan_columns(header, known, explicit, what)
    if plan.problems:
        raise ImportError_(plan.problems[0])
    return plan


CONTACT_FIELD_EXAMPLE = (f"a contact field (for example {Field.NAME.value}, "
                         f"{Field.EMAIL.value}, {Field.COMPANY.value})")


def plan_contact_columns(header: Sequence[str],
                         explicit: Mapping[str, Field | Skip] | None = None,
                         preset: Mapping[str, Field | Skip] | None = None,
                         match: MatchKey = MatchKey.EMAIL) -> ColumnPlan[Field]:
    """Every column of a contacts file and what it fills, with what stops the import (the
    columns `match` reads must be there: how rows find their contacts, I16.16);
    never raises (the import dialog shows the plan it lets the user change)."""
    plan = plan_columns(header, KNOWN_HEADERS, explicit or {}, CONTACT_FIELD_EXAMPLE,
                        preset=preset, gives_way=GIVES_WAY)
    fields = plan.fields
    named = bool({Field.NAME, Field.FIRST_NAME, Field.LAST_NAME} & fields.keys())
    problems = list(plan.problems)
    if fields and not named and Field.EMAIL not in fields and match is MatchKey.EMAIL:
        problems.append("the file needs a Name (or First Name) or an Email column")
    missing = [what for what, there in {
        MatchKey.NAME_COMPANY: [("a Name (or First Name)", named),
                                ("a Company", Field.COMPANY in fields)],
        MatchKey.PHONE: [("a Phone", Field.PHONE in fields)],
        MatchKey.EXTERNAL_ID: [("an External Id", Field.EXTERNAL_ID in fields)],
    }.get(match, []) if not there]
    if missing:
        problems.append(f"--match {match.value} needs {' and '.join(missing)} column; "
                        "the file has none (name it with --map)")
    return ColumnPlan(plan.columns, tuple(problems))


def map_columns(header: Sequence[str], explicit: Mapping[str, Field | Skip] | None = None,
                preset: Mapping[str, Field | Skip] | None = None,
                match: MatchKey = MatchKey.EMAIL) -> ColumnMap:
    """Match a contacts file's header row to contact fields (ImportError_ if it can't)."""
    plan = plan_contact_columns(header, explicit, preset, match)
    if plan.problems:
        raise ImportError_(plan.problems[0])
    return ColumnMap(plan.fields, plan.columns, len(header))


def match_warning(columns: ColumnMap, match: MatchKey) -> str | None:
    """What to say before importing a file whose rows can't find their contacts: without
    an Email column, matching by email makes every row a new contact, each time the file
    is imported (I16.16)."""
    if match is not MatchKey.EMAIL or Field.EMAIL in columns.fields:
        return None
    others = [f"{f.value}" for f in (Field.PHONE, Field.EXTERNAL_ID) if f in columns.fields]
    if Field.COMPANY in columns.fields:
        others.insert(0, "name and company")
    hint = (f"; this file could match by {' or '.join(others)} instead (--match)" if others
            else "; give it an Email, Phone or External Id column to match by (--match)")
    return ("this file has no Email column: every row will be a new contact, and importing "
            f"it again will add them all again{hint}")
