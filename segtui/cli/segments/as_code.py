"""`segtui segments dump|plan|apply` (C21.4; docs/segments-as-code.md, docs/cli.md):
segments as code. `dump` writes every segment the user sees to a TOML file (anyone may);
`plan` says what applying a file would change (anyone may); `apply` makes those changes
(`@writes`: a user allowed to change segments), each through the Store's segment writes,
all in one transaction: a refusal of any changes nothing.

The file's format is core/formats/segments_toml.py's, the plan core/segment_plan.py's.
Exit codes as the other commands (0 done, 1 something to fix, nothing changed), and
`plan --exit-code` exits 2 when the file would change something (C21.4.3).
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from segtui.cli.access import reads, writes
from segtui.cli.common import (
    DbOption,
    JsonOption,
    UserOption,
    a_file_name,
    acting_user,
    command_store,
    viewer,
)
from segtui.cli.output import Output, dumps, fail, output_mode, say, warn
from segtui.core.formatting import plural

if TYPE_CHECKING:
    from segtui.core.formats.segments_toml import SegmentSpec
    from segtui.core.segment_plan import Plan, Stored
    from segtui.data.store import Store

FileArgument = Annotated[Path, typer.Argument(
    metavar="FILE", help="A segments file, as `segments dump` writes it.", dir_okay=False,
    show_default=False)]
PruneOption = Annotated[bool, typer.Option(
    "--prune", help="Delete the segments the file does not name (plan: show them deleted); "
                    "without it they stay.")]


def _with_members(store: "Store", stored: "list[Stored]", keys: "set[str] | None"
                  ) -> "list[Stored]":
    """`stored` with the members (by email) of those whose name key is in `keys` (None:
    of every static segment)."""
    from dataclasses import replace

    from segtui.core.contact_keys import email_key

    out = []
    for segment in stored:
        spec = segment.spec
        if (spec.rule is None) if keys is None else spec.key in keys:
            pairs = store.members.member_emails(segment.id)
            segment = replace(segment, spec=replace(spec, members=tuple(e for _, e in pairs)),
                              member_ids={email_key(e) or "": cid for cid, e in pairs})
        out.append(segment)
    return out


def _read_file(path: Path, applying: bool, stored: "list[Stored]"
               ) -> "tuple[SegmentSpec, ...]":
    """The file's segments, or exit 1 with every problem, each on a line (C21.4.2)."""
    from segtui.core.formats.segments_toml import SegmentsFileError, read

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        fail(f"{path}: byte {exc.start:,} is not UTF-8 text")
    try:
        return read(text, str(path), {t for s in stored for t in s.spec.tags})
    except SegmentsFileError as exc:
        problems = list(exc.problems)
        first = problems[0] + (f" (and {plural(len(problems) - 1, 'more problem')})"
                               if len(problems) > 1 else "")
        fail(first, *problems[1:], *(["nothing changed"] if applying else []))


def _plan(store: "Store", path: Path, prune: bool, applying: bool
          ) -> "tuple[Plan, dict[str, int]]":
    """The plan for the file, and the contact id of each email it adds; or exit 1 when a
    segment is archived or a member's email is no contact's."""
    from segtui.core.contact_keys import email_key
    from segtui.core.formats.segments_toml import name_identity
    from segtui.core.records import SegmentFilter, SegmentSort
    from segtui.core.segment_plan import make_plan

    stored = store.segments.definitions()
    specs = _read_file(path, applying, stored)
    nothing = "; nothing changed" if applying else ""
    archived = {name_identity(r.name) for r in store.segments.iter_segments(
        SegmentFilter(archived=True), SegmentSort())}
    for spec in specs:
        if spec.key in archived:
            fail(f"{path}, line {spec.line}: segment {spec.name!r} is archived: restore it "
                 f"(segtui segments restore) or leave it out of the file{nothing}")
    stored = _with_members(store, stored, {s.key for s in specs if s.members is not None})
    plan = make_plan(specs, stored, prune=prune)
    # A delete the apply would refuse is said by the plan too (it listed it as fine).
    for delete in plan.deletes:
        preview = store.segments.delete_preview(delete.stored.id)
        if preview is not None and preview.active_campaigns:
            from segtui.core.segments import SegmentInUse

            fail(f"--prune would delete {delete.stored.spec.name!r}: "
                 f"{SegmentInUse(preview.active_campaigns).naming_them()} Keep it in "
                 f"the file, or pause the campaigns{nothing or '; nothing changes'}")
    adding = [(c.spec.name, e) for c in plan.creates for e in c.spec.members or ()]
    adding += [(u.name, e) for u in plan.updates for e in u.add]
    found = store.contacts.contacts_by_email([e for _, e in adding])
    for name, email in adding:
        if email not in found:
            fail(f"segment {name!r}: no contact has the member email {email!r}{nothing}")
        if len(found[email]) > 1:
            fail(f"segment {name!r}: {email!r} is the email of "
                 f"{plural(len(found[email]), 'contact')}; add that member by hand "
                 f"(segtui segments add-members --contact-id){nothing}")
    return plan, {email_key(e) or "": found[e][0] for _, e in adding}


def _print_plan(output: Output, plan: "Plan", applied: bool | None = None) -> None:
    if output is not Output.TEXT:
        obj = plan.as_json()
        if applied is not None:
            obj["applied"] = applied
        say(dumps(obj, indent=2))
        return
    say(plan.summary())
    for line in plan.lines():
        say(line)


@reads
def segments_dump(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="File to write; - for standard output.", dir_okay=False,
        callback=a_file_name)]
    = Path("-"),
    members: Annotated[bool, typer.Option(
        "--members", help="Also write each static segment's members (their emails).")]
    = False,
    db: DbOption = None,
) -> None:
    """Write every segment's definition to a TOML file (docs/segments-as-code.md)."""
    from segtui.cli.output import data_output
    from segtui.core.audit import Action
    from segtui.core.formats.csv_safe import atomic_text
    from segtui.core.formats.segments_toml import dump

    store = command_store(ctx, db)
    try:
        specs = [s.spec for s in _with_members(store, store.segments.definitions(),
                                               None if members else set())]
        with data_output(), atomic_text(output) as handle:
            handle.write(dump(specs))
        store.audit.record(Action.SEGMENTS_EXPORTED, viewer(ctx, store), subject=output.name,
                           details=plural(len(specs), "segment")
                           + (" with members" if members else "") + " as TOML")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    finally:
        store.close()
    if str(output) != "-":
        warn(f"Wrote {plural(len(specs), 'segment')} to {output}")


@reads
def segments_plan(
    ctx: typer.Context,
    file: FileArgument,
    prune: PruneOption = False,
    exit_code: Annotated[bool, typer.Option(
        "--exit-code", help="Exit 2 when there are changes (0: none, 1: an error).")]
    = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show what applying a segments file would change: create, update (old → new),
    delete (with --prune)."""
    output = output_mode(ctx, as_json)
    store = command_store(ctx, db)
    try:
        plan, _ = _plan(store, file, prune, applying=False)
    finally:
        store.close()
    _print_plan(output, plan)
    if exit_code and plan.changed:
        raise typer.Exit(2)


@writes("change segments")
def segments_apply(
    ctx: typer.Context,
    file: FileArgument,
    prune: PruneOption = False,
    yes: Annotated[bool, typer.Option(
        "--yes", help="Really delete what --prune deletes (scripts can't confirm).")]
    = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Make the database's segments what a segments file says, all or nothing."""
    from segtui.core.segment_plan import writes as plan_writes
    from segtui.core.segments import SegmentError

    output = output_mode(ctx, as_json)
    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        plan, contact_of = _plan(store, file, prune, applying=True)
        if plan.deletes and not yes:
            names = ", ".join(repr(d.stored.spec.name) for d in plan.deletes)
            fail(f"applying deletes {plural(len(plan.deletes), 'segment')} ({names}) with "
                 "the memberships, notes and activities; pass --yes to apply; nothing "
                 "changed")
        if plan.changed:
            try:
                store.segments.apply_writes(plan_writes(plan, contact_of), acting)
            except SegmentError as exc:
                fail(f"{str(exc).rstrip('.')}; nothing changed")
    finally:
        store.close()
    _print_plan(output, plan, applied=plan.changed)
    if output is Output.TEXT and plan.changed:
        say(f"Applied: {plural(len(plan.creates), 'segment')} created, "
            f"{len(plan.updates):,} updated, {len(plan.deletes):,} deleted.")
