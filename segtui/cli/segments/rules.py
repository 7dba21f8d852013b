"""`segtui segments count` (what a rule matches today, in the query language of
docs/rules.md) and `segtui segments refresh` (re-evaluate the dynamic segments now).
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from typing import Annotated

import typer

from segtui.cli.access import reads, writes
from segtui.cli.common import DbOption, UserOption, acting_user, command_store, up_to_date
from segtui.cli.output import fail, say
from segtui.core.formatting import plural


@writes("re-evaluate segments")
def segments_refresh(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="The segment to re-evaluate.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Re-evaluate every dynamic segment.")]
    = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Re-evaluate dynamic segments now: each after the segments its rule uses, then the
    segments that use it. Each segment whose members changed logs "Members Refreshed" by
    the acting user, as `r` in the app does."""
    if (name is None) == (not every):
        fail("name one segment, or give --all")
    store = command_store(ctx, db)
    try:
        ids: list[int] | None = None
        if name is not None:
            segment_id = store.segments.segment_id_named(name)
            if segment_id is None:
                fail(f"no segment named {name!r}")
            details = store.segments.segment_details(segment_id)
            if details is None or details.rule is None:
                fail(f"{name!r} is a static segment: its members are picked by hand")
            ids = [segment_id]
        results = store.rules.refresh_segments(ids, acting_user(ctx))
        # C20.7.4: a segment whose rule failed was passed over, the others evaluated.
        failed = store.rules.failures(ids)
        # Segments hidden from the user are re-evaluated too, and not named (C19.3.2).
        seen = store.segments.seen([r.segment_id for r in results]
                                   + [f[0] for f in failed])
    finally:
        store.close()
    for result in results:
        if result.segment_id in seen:
            say(result.summary())
    failed = [f for f in failed if f[0] in seen]
    if failed:
        fail(*(f"{name}: evaluation failed: {error}" for _, name, error in failed))
    if not results:
        say("No dynamic segments.")


@reads
def segments_count(
    ctx: typer.Context,
    rule: Annotated[str, typer.Argument(help='A rule, e.g. \'score > 70 and opened within '
                                             '30d >= 1\'.')],
    sample: Annotated[int, typer.Option(min=0, max=100, help="Also list this many matching "
                                        "contacts.")] = 0,
    db: DbOption = None,
) -> None:
    """Count the contacts a rule matches today, in the query language of docs/rules.md."""
    from segtui.core.rules.language import RuleSyntaxError, format_rule, parse
    from segtui.core.rules.tree import referenced_segments

    try:
        tree = parse(rule)
    except RuleSyntaxError as exc:
        fail(str(exc), f"  {rule}", f"  {' ' * (exc.column - 1)}^")
    store = command_store(ctx, db)
    try:
        checked, issues = store.rules.check_rule(tree)
        if issues:
            fail("; ".join(i.message for i in issues))
        up_to_date(store, [ref.id for ref in referenced_segments(checked)
                           if ref.id is not None])
        count = store.rules.rule_count(checked)
        examples = store.rules.rule_sample(checked, sample) if sample else []
    finally:
        store.close()
    verb = "matches" if count == 1 else "match"
    say(f"{plural(count, 'contact')} {verb}: {format_rule(checked)}")
    for contact_id, contact_name in examples:
        say(f"  {contact_id}\t{contact_name}")
