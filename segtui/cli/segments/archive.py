"""`segtui segments archive NAME` and `segtui segments restore NAME` (C19.4.6): set an
unused segment aside, and bring it back. Only a user allowed to change segments may run
them; `segtui segments list --archived` lists the archived ones."""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

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
from segtui.cli.output import dumps, fail, say
from segtui.cli.segments.records import SegmentName


def _archive(ctx: typer.Context, name: str, db: str | None, as_json: bool, *,
             restore: bool) -> None:
    from segtui.core.segments import SegmentError

    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        segment_id = find_segment(store, name)
        try:
            done = (store.segments.restore if restore else store.segments.archive)(
                segment_id, acting)
        except SegmentError as exc:
            fail(str(exc))
    finally:
        store.close()
    if as_json:
        say(dumps({"id": segment_id, "name": done, "archived": not restore}))
    elif restore:
        say(f"Restored segment {done!r}.")
    else:
        say(f"Archived segment {done!r}: `segtui segments restore {done!r}` brings it back.")


@writes("change segments")
def segments_archive(ctx: typer.Context, name: SegmentName, as_json: JsonOption = False,
                     user: UserOption = None, db: DbOption = None) -> None:
    """Archive a segment: it leaves the dashboard and the re-evaluations; members, notes
    and timeline stay, and `restore` brings it back."""
    _archive(ctx, name, db, as_json, restore=False)


@writes("change segments")
def segments_restore(ctx: typer.Context, name: SegmentName, as_json: JsonOption = False,
                     user: UserOption = None, db: DbOption = None) -> None:
    """Bring an archived segment back (a dynamic one is re-evaluated by the next pass)."""
    _archive(ctx, name, db, as_json, restore=True)
