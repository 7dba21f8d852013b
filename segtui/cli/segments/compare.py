"""`segtui segments compare A B [C ...]` (C20.5.8): 2 to 6 segments side by side, the
compare screen's figures, overlaps and regions; anyone may run it (it only reads)."""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from typing import TYPE_CHECKING, Annotated

import typer

from segtui.cli.access import reads
from segtui.cli.common import DbOption, JsonOption, command_store, find_segment, up_to_date
from segtui.cli.output import cell, dumps, fail, say

if TYPE_CHECKING:
    from segtui.core.compare import Comparison

WIDTH = 18  # a column of the text table: a segment's name cut to this


@reads
def segments_compare(
    ctx: typer.Context,
    names: Annotated[list[str], typer.Argument(
        metavar="NAME...", help="2 to 6 segments' names (case and extra spaces are "
                                "ignored).", show_default=False)],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Compare 2 to 6 segments: members, engagement, conversion, revenue, retention,
    unsubscribed, quality, campaigns; which is best on each; overlaps; regions (2 or 3)."""
    from segtui.core.compare import CompareError, check_count

    try:
        check_count(len(set(names)), "given")
    except CompareError as exc:
        fail(str(exc))
    store = command_store(ctx, db)
    try:
        ids = [find_segment(store, name) for name in names]
        up_to_date(store, ids)
        try:
            comparison = store.compare.compare(ids)
        except CompareError as exc:
            fail(str(exc))
    finally:
        store.close()
    if as_json:
        from segtui.core.formats.comparison_export import comparison_object

        say(dumps(comparison_object(comparison), indent=2))
        return
    for line in _text(comparison):
        say(line)


def _text(comparison: "Comparison") -> list[str]:
    """The CSV's rows as a table: a figure's label, then a column per segment."""
    from segtui.core.formats.comparison_export import comparison_header, comparison_rows

    def line(cells: list[object]) -> str:
        first, *rest = ["" if c is None else c for c in cells] or [""]
        return "  ".join([cell(first, 24).ljust(24),
                          *(cell(c, WIDTH).rjust(WIDTH) for c in rest)]).rstrip()

    lines = [line(list(comparison_header(comparison))),
             *(line(list(row)) for row in comparison_rows(comparison, regions=False))]
    regions = comparison.regions()
    if regions is not None:  # names whole: a region is named by all its segments
        lines += ["", f"{'Members':>9}  Region"]
        lines += [f"{r.members:>9,}  {cell(comparison.region_name(r))}" for r in regions]
    return [*lines, "", "* best of the segments compared (none when all are equal)"]
