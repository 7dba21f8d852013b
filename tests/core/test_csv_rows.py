"""A row made spreadsheet-safe at once (csv_safe.safe_row, C21.1.7) is exactly every cell
made safe on its own (S2, I16.7): the fast path for rows with nothing unsafe in them
changes no byte of an export."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from segtui.core.formats.csv_safe import safe_row, spreadsheet_cell

cells = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False),
                  st.text(alphabet=st.characters(codec="utf-8")),
                  st.sampled_from(["=1+1", "-3", "+x", "@a", "\tt", "\u202eevil", "a\x1bb",
                                   "\ud800", "plain", ""]))


@given(st.lists(cells, max_size=8))
def test_a_safe_row_is_each_cell_made_safe(row: list[str | int | float | None]) -> None:
    assert safe_row(row) == [spreadsheet_cell(c) for c in row]
