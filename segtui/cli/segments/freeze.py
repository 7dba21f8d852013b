"""`segtui segments freeze NAME [--as NEW_NAME]` (C20.4.3): the segment's current members
kept as a new static segment, created as any segment is (only a user allowed to change
segments; the creator's limit; the name's rules)."""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from typing import Annotated

import typer

from segtui.cli.access import writes
from segtui.cli.common import (
    DbOption,
    JsonOption,
    UserOption,
    acting_user,
    command_store,
    find_segment,
)
from segtui.cli.output import fail, output_mode
from segtui.cli.segments.records import SegmentName, print_segment
from segtui.core.formatting import plural


@writes("change segments")
def segments_freeze(
    ctx: typer.Context,
    name: SegmentName,
    new_name: Annotated[str | None, typer.Option(
        "--as", metavar="NEW_NAME", help="The snapshot's name (default: \"NAME snapshot "
        "YYYY MM DD\", today's date).", show_default=False)] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Freeze a segment: a new static segment with its current members, its tags, and a
    description saying what it was frozen from and when."""
    from segtui.core import clock
    from segtui.core.segments import SegmentError
    from segtui.core.snapshots import snapshot_name

    output = output_mode(ctx, as_json)
    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        segment_id = find_segment(store, name)
        source = store.segments.segment_details(segment_id)
        if source is None:
            fail(f"no segment named {name!r}")
        chosen = new_name if new_name is not None else snapshot_name(source.name,
                                                                      clock.today())
        try:
            snap = store.segments.freeze(segment_id, chosen, acting)
        except SegmentError as exc:
            fail(str(exc) if new_name is not None
                 else str(exc).removesuffix(".") + "; --as NEW_NAME names it otherwise")
        from segtui.cli.segments.records import segment_object

        obj = segment_object(store, snap.segment_id)
    finally:
        store.close()
    print_segment(output, {**obj, "frozen_from": snap.source},
                  f"Froze {plural(snap.members, 'member')} of {snap.source!r} into {snap.name!r}.")
