"""`segtui segments set-visibility NAME everyone|team|private`, `segments hide NAME --from
USER` and `segments unhide NAME --from USER` (C19.3.2; docs/cli.md): who sees a segment.
Only its owner or an administrator may (the Store refuses anyone else with one line);
the change is audited and shows in the segment's timeline.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from enum import StrEnum
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
from segtui.cli.output import dumps, fail, say
from segtui.cli.segments.records import SegmentName, stored_name

DOING = "change segments"


class VisibilityWord(StrEnum):
    EVERYONE = "everyone"
    TEAM = "team"
    PRIVATE = "private"


FromOption = Annotated[
    list[str],
    typer.Option("--from", metavar="USER", help="A user's name (repeat for several).",
                 show_default=False),
]


def _share(ctx: typer.Context, db: str | None, name: str, as_json: bool, *,
           visibility: VisibilityWord | None = None, hide: list[str] | None = None,
           unhide: list[str] | None = None) -> None:
    from segtui.core.segments import SegmentError
    from segtui.core.sharing import VISIBILITY_WORDS

    store = command_store(ctx, db)
    try:
        segment_id = find_segment(store, name)
        changes = store.segments.share(
            segment_id, acting_user(ctx),
            visibility=None if visibility is None else VISIBILITY_WORDS[visibility.value],
            hide=hide or [], unhide=unhide or [])
        details = store.segments.segment_details(segment_id)
        shown = stored_name(store, segment_id, name)
    except SegmentError as exc:
        fail(str(exc))
    finally:
        store.close()
    # The acting user may no longer see it (an administrator always does; the owner too).
    visibility_now = None if details is None else details.visibility.value
    hidden_now = [] if details is None else list(details.hidden_from)
    if as_json:
        say(dumps({"name": shown, "visibility": visibility_now, "hidden_from": hidden_now,
                   "changed": changes}))
        return
    what = "; ".join(changes) if changes else "nothing changed"
    say(f"“{shown}”: {what}.")


@writes(DOING)
def segments_set_visibility(
    ctx: typer.Context,
    name: SegmentName,
    visibility: Annotated[VisibilityWord, typer.Argument(
        help="everyone, team (users with the owner's team) or private (the owner).")],
    as_json: JsonOption = False,
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Say who sees a segment (its owner or an administrator). Administrators see every
    segment; users it is hidden from never see it."""
    _share(ctx, db, name, as_json, visibility=visibility)


@writes(DOING)
def segments_hide(
    ctx: typer.Context,
    name: SegmentName,
    from_: FromOption,
    as_json: JsonOption = False,
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Hide a segment from users, whatever its visibility (its owner or an administrator;
    administrators still see it)."""
    _share(ctx, db, name, as_json, hide=from_)


@writes(DOING)
def segments_unhide(
    ctx: typer.Context,
    name: SegmentName,
    from_: FromOption,
    as_json: JsonOption = False,
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Stop hiding a segment from users (its owner or an administrator)."""
    _share(ctx, db, name, as_json, unhide=from_)
