"""`segtui segments limit` and `segtui segments set-limit N` (C19.3): how many segments
one person may own; anyone may look, only an administrator may change it."""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from typing import Annotated

import typer

from segtui.cli.access import reads, writes
from segtui.cli.common import DbOption, JsonOption, UserOption, acting_user, command_store, viewer
from segtui.cli.output import dumps, fail, say
from segtui.core.permissions import Permission


@reads
def segments_limit(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None
                   ) -> None:
    """How many segments one person may own, and how many more you may create."""
    store = command_store(ctx, db)
    try:
        user = viewer(ctx, store)
        left, limit = store.segments.segments_left(user)
    finally:
        store.close()
    if as_json:
        say(dumps({"limit": limit, "user": user.name, "left": left}))
        return
    say(f"Segments one person may own: {limit:,}; {user.name} may create {left:,} more.")


@writes("change the segment limit", Permission.MANAGE_USERS)
def segments_set_limit(
    ctx: typer.Context,
    limit: Annotated[int, typer.Argument(metavar="N", help="Segments one person may own.")],
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Set how many segments one person may own (administrators; default 50). Segments
    already owned stay; past the limit, their owners can't create more."""
    from segtui.core.segments import SegmentError

    store = command_store(ctx, db)
    try:
        store.segments.set_segment_limit(limit, acting_user(ctx))
    except SegmentError as exc:
        fail(str(exc))
    finally:
        store.close()
    say(f"Segments one person may own: now {limit:,}.")
