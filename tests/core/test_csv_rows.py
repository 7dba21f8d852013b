"""A row made spreadsheet-safe at once (csv_safe.safe_row, C21.1.7) is written exactly as
every cell made safe on its own (S2, I16.7): the fast paths for rows with nothing unsafe
or no formula in them change no byte of an export."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from segtui.core.formats.csv_safe import safe_row, spreadsheet_cell

cells = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False),
                  st.text(alphabet=st.characters(codec="utf-8")),
                  st.sampled_from(["=1+1", "-3", "+x", "@a", "\tt", "\u202eevil", "a\x1bb",
                                   "\ud800", "plain", "", "\ue000=x", "a\ue000"]))


@given(st.lists(cells, max_size=8))
def test_a_safe_row_is_each_cell_made_safe(row: list[str | int | float | None]) -> None:
    assert written(safe_row(row)) == written([spreadsheet_cell(c) for c in row])


def written(row: object) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(row)  # type: ignore[arg-type]
    return out.getvalue()
