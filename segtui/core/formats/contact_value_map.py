"""A file's values mapped to segtui's, field by field (I16.13): `--values` options and the
values a preset or mapping file names, each checked by its field's rule when given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from segtui.core.formats.cell_text import squash
from segtui.core.formats.column_plan import header_key
from segtui.core.formats.contact_cells import converters
from segtui.core.formats.contact_columns import ImportError_
from segtui.core.formats.contact_fields import KNOWN_HEADERS, Field

# field -> value_key(a file's value) -> what it becomes (None: an empty cell)
ValueMap = dict[Field, dict[str, object]]
VOCABULARIES = (Field.STATUS, Field.LIFECYCLE, Field.COMPANY_SIZE, Field.SOURCE)


def value_key(text: str) -> str:
    """How mapped values are compared: case-folded, spaces and underscores dropped, so
    "Open Deal" = "OPEN_DEAL" (HubSpot's internal name); hyphens stay ("1-5" is not 15)."""
    return re.sub(r"[\s_]+", "", text.casefold())


def field_named(text: str) -> Field | None:
    """A contact field by its name or an alias ("lead status" is Status)."""
    found = KNOWN_HEADERS.get(header_key(text))
    return found if isinstance(found, Field) else None


def add_value(values: ValueMap, target_field: Field, source: str, target: str,
              where: str) -> None:
    """Map the file's `source` value of a field to `target` (checked by the field's own
    rule now, so a typo fails before any row is read; "" maps it to an empty cell)."""
    if target_field in (Field.CREATED, Field.LAST_CONTACTED):
        raise ImportError_(f"{where}: dates are not mapped value by value (a mapping "
                           "file's `dates` setting reads other date forms)")
    if not squash(source):
        raise ImportError_(f"{where}: the file's value is empty; write 'Field:Value=New'")
    text = squash(target)
    value: object = None
    if text:
        try:
            value = converters(date.max)[target_field](text)
        except ValueError as exc:
            raise ImportError_(f"{where}: {exc}") from None
    values.setdefault(target_field, {})[value_key(squash(source))] = value


def parse_values(options: Sequence[str]) -> ValueMap:
    """`--values 'status:Marketing Qualified Lead=Qualified'` options."""
    values: ValueMap = {}
    for option in options:
        name, colon, rest = option.partition(":")
        source, equals, target = rest.rpartition("=")
        where = f"--values {option!r}"
        if not colon or not equals:
            raise ImportError_(f"{where}: write it as 'Field:File Value=segtui Value'")
        found = field_named(name)
        if found is None:
            fields = ", ".join(f.value for f in Field)
            raise ImportError_(f"{where}: {name.strip()!r} is not a field; fields are "
                               f"{fields}")
        add_value(values, found, source, target, where)
    return values
