"""`segtui segments create|update|delete` (docs/cli.md): they change segments, so only a
user allowed to change segments may run them (`@writes`, segtui/cli/access.py). Every change
goes through the Store's write methods, checked by the same rules as the app
(core/validation.py, core/rules/check.py) and logged as segment activity by the acting user.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

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
from segtui.cli.output import Output, dumps, fail, output_mode, say, warn
from segtui.cli.segments.records import (
    SegmentName,
    parse_rule,
    print_segment,
    segment_object,
)
from segtui.core.enums import SegmentStatus
from segtui.core.formatting import plural

if TYPE_CHECKING:
    from segtui.core.segments import DeletePreview


@writes("change segments")
def segments_create(
    ctx: typer.Context,
    name: SegmentName,
    description: Annotated[str, typer.Option(metavar="TEXT",
                                             help="At most 500 characters.")] = "",
    status: Annotated[SegmentStatus, typer.Option(case_sensitive=False)]
    = SegmentStatus.DRAFT,
    tag: Annotated[list[str] | None, typer.Option(
        "--tag", metavar="TAG", help="A tag (repeat for more; at most 10).",
        show_default=False)] = None,
    rule: Annotated[str | None, typer.Option(
        metavar="RULE", help="Make it a dynamic segment kept to this rule (docs/rules.md), e.g. "
             "'score > 70'. Without it the segment is static.", show_default=False)] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Create a segment (static, or dynamic with --rule); it starts as Draft."""
    from segtui.core.contacts import ContactSelection
    from segtui.core.segments import SegmentDraft, SegmentError

    output = output_mode(ctx, as_json)
    tree = None if rule is None else parse_rule(rule)
    draft = SegmentDraft(name, description, tuple(tag or ()), status, tree)
    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        try:
            segment_id = store.segments.create_segment(draft, ContactSelection(), acting)
        except SegmentError as exc:
            fail(str(exc))
        obj = segment_object(store, segment_id)
    finally:
        store.close()
    print_segment(output, obj, f"Created segment {obj['name']!r}.")


@writes("change segments")
def segments_update(
    ctx: typer.Context,
    name: SegmentName,
    new_name: Annotated[str | None, typer.Option("--name", metavar="NEW_NAME",
                                                 help="Rename the segment.",
                                                 show_default=False)] = None,
    description: Annotated[str | None, typer.Option(metavar="TEXT",
                                                    help="Replace the description.",
                                                    show_default=False)] = None,
    status: Annotated[SegmentStatus | None, typer.Option(case_sensitive=False,
                                                         show_default=False)] = None,
    tag: Annotated[list[str] | None, typer.Option(
        "--tag", metavar="TAG", help="Replace the tags with these (repeat for more).",
        show_default=False)] = None,
    clear_tags: Annotated[bool, typer.Option("--clear-tags", help="Remove every tag.")]
    = False,
    rule: Annotated[str | None, typer.Option(
        metavar="RULE", help="Replace the rule; a static segment becomes dynamic (its "
                             "members so far stay, as added by hand).",
        show_default=False)] = None,
    static: Annotated[bool, typer.Option(
        "--static", help="Make a dynamic segment static: its members stay, the rule goes.")]
    = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Change a segment's name, description, status, tags or rule."""
    from segtui.core.contacts import ContactSelection
    from segtui.core.segments import SegmentConflict, SegmentError

    output = output_mode(ctx, as_json)
    if (new_name, description, status, tag, rule) == (None,) * 5 and not (clear_tags or static):
        ctx.fail("nothing to change: give --name, --description, --status, --tag, "
                 "--clear-tags, --rule or --static")
    if rule is not None and static:
        ctx.fail("give --rule or --static, not both")
    if tag and clear_tags:
        ctx.fail("give --tag or --clear-tags, not both")
    tree = None if rule is None else parse_rule(rule)
    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        segment_id = find_segment(store, name)
        # Every option replaces a value whole (nothing typed depends on the version read),
        # so when someone saves between our read and our write, applying the same options
        # to their version loses nothing: tried once more, and said (I16.12).
        for attempt in (1, 2):
            details = store.segments.segment_details(segment_id)
            if details is None:
                fail(f"no segment named {name!r}")
            draft = details.as_draft()
            draft = replace(
                draft,
                name=draft.name if new_name is None else new_name,
                description=draft.description if description is None else description,
                status=draft.status if status is None else status,
                tags=tuple(tag) if tag else () if clear_tags else draft.tags,
                rule=None if static else tree if tree is not None else draft.rule,
            )
            try:
                store.segments.update_segment(segment_id, details.version, draft,
                                              ContactSelection(), acting)
                break
            except SegmentConflict:
                if attempt == 2:
                    fail(f"{details.name!r} was changed by someone else twice while this "
                         "command ran; nothing was changed, run it again")
                warn(f"segtui: {details.name!r} was changed by someone else meanwhile; "
                     "applying your changes to their version")
            except SegmentError as exc:
                fail(str(exc))
        obj = segment_object(store, segment_id)
    finally:
        store.close()
    print_segment(output, obj, f"Updated segment {obj['name']!r}.")


@writes("change segments")
def segments_delete(
    ctx: typer.Context,
    name: SegmentName,
    yes: Annotated[bool, typer.Option("--yes", help="Really delete (scripts can't confirm).")]
    = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Delete a segment with its memberships, notes and activities (contacts stay).

    Refused while active campaigns or other segments' rules use it."""
    from segtui.core.segments import SegmentError, SegmentInUse, SegmentUsedByRules

    output = output_mode(ctx, as_json)
    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        segment_id = find_segment(store, name)
        preview = store.segments.delete_preview(segment_id)
        if preview is None:
            fail(f"no segment named {name!r}")
        shown = preview.segment.name
        if preview.active_campaigns:
            fail(f"{shown!r}: {SegmentInUse(preview.active_campaigns).naming_them()}")
        if preview.used_by:
            fail(f"{shown!r}: {SegmentUsedByRules(preview.used_by)}")
        if not yes:
            fail(f"deleting {shown!r} removes {_removes(preview)}; pass --yes to delete it")
        try:
            store.segments.delete_segment(segment_id, acting)
        except SegmentError as exc:
            fail(str(exc))
    finally:
        store.close()
    result = {"id": segment_id, "name": shown, "members": preview.segment.members,
              "notes": preview.notes, "activities": preview.activities}
    if output is Output.TEXT:
        say(f"Deleted segment {shown!r}: removed {_removes(preview)}; contacts kept.")
    else:
        say(dumps(result, indent=2))


def _removes(preview: "DeletePreview") -> str:
    return (f"{plural(preview.segment.members, 'membership')}, "
            f"{plural(preview.notes, 'note')} and "
            f"{plural(preview.activities, 'activity', 'activities')}")
