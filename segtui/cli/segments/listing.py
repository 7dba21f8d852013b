"""`segtui segments list` and `segtui segments show` (docs/cli.md): anyone may run them."""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from segtui.cli.access import reads
from segtui.cli.common import (
    DbOption,
    JsonlOption,
    JsonOption,
    command_store,
    find_segment,
    up_to_date,
)
from segtui.cli.output import emit_objects, output_mode
from segtui.cli.segments.records import (
    SEGMENT_HEADER,
    SegmentName,
    print_segment,
    segment_line,
    segment_object,
)
from segtui.core.enums import SegmentStatus
from segtui.transfer.segment_json import segment_summary

if TYPE_CHECKING:
    from segtui.core.records import SegmentFilter, SegmentRow
    from segtui.core.rules.tree import Node
    from segtui.data.store import Store


def _segment_rows(store: "Store", flt: "SegmentFilter"
                  ) -> "Iterator[tuple[SegmentRow, Node | None]]":
    """Every matching segment in name order, a keyset page at a time, with its rule."""
    from segtui.core.records import SegmentSort

    sort = SegmentSort()
    page = store.segments.segment_page(flt, sort)
    while True:
        rules = store.segments.segment_rules([r.id for r in page.rows])
        for row in page.rows:
            yield row, rules.get(row.id)
        if not page.has_after:
            return
        page = store.segments.segment_page(flt, sort, after=page.last)


@reads
def segments_list(
    ctx: typer.Context,
    status: Annotated[SegmentStatus | None, typer.Option(
        case_sensitive=False, help="Only segments with this status.", show_default=False)]
    = None,
    search: Annotated[str, typer.Option(
        metavar="TEXT", help="Only segments whose name or tags contain this text, or with "
                             "a member whose company does (as the dashboard's search).")] = "",
    archived: Annotated[bool, typer.Option(
        "--archived", help="The archived segments instead of the others.")] = False,
    as_json: JsonOption = False,
    jsonl: JsonlOption = False,
    db: DbOption = None,
) -> None:
    """List segments in name order (not the archived ones, unless --archived)."""
    from segtui.core.records import SegmentFilter

    output = output_mode(ctx, as_json, jsonl)
    store = command_store(ctx, db)
    try:
        up_to_date(store)
        objects = (segment_summary(row, rule)
                   for row, rule in _segment_rows(store, SegmentFilter(
                       search=search, status=status, archived=archived)))
        emit_objects(output, objects, segment_line, SEGMENT_HEADER, "No segments.")
    finally:
        store.close()


@reads
def segments_show(
    ctx: typer.Context, name: SegmentName, as_json: JsonOption = False, db: DbOption = None,
) -> None:
    """Show one segment."""
    output = output_mode(ctx, as_json)
    store = command_store(ctx, db)
    try:
        segment_id = find_segment(store, name)
        up_to_date(store, [segment_id])
        obj = segment_object(store, segment_id)
    finally:
        store.close()
    print_segment(output, obj)
