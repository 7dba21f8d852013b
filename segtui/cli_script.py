"""Scriptable commands for third-party tools: `segtui segments list|show|create|update|delete|
add-members|remove-members` and `segtui contacts list|show` (docs/cli.md).

Every change goes through the Store's write methods, so it is checked by the same rules as
the app (core/validation.py, core/rule_check.py, core/permissions.py) and logged as segment
activity by the acting user (`--user`, as for the app). Output is a plain table for people,
or with `--json` (and `--jsonl` for lists) the shapes documented in docs/cli.md. Exit
codes: 0 done, 1 the user can fix something (one line on stderr, nothing changed), 2 the
command line itself is wrong (Typer's usage errors).

Like the rest of the command line, nothing here imports Textual; the heavy imports (the
Store, SQLAlchemy) happen inside the commands.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli.py's docstring).

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from segtui.cli import DbOption, UserOption, _script_store, app, segments_app, up_to_date
from segtui.cli_access import acting_user, reads, writes
from segtui.cli_output import fail, say, warn
from segtui.core.enums import LeadStatus, SegmentStatus
from segtui.core.formatting import plural
from segtui.core.text import ellipsize, printable, safe_json

if TYPE_CHECKING:
    from segtui.core.contacts import ContactFilter, ContactRow
    from segtui.core.permissions import CurrentUser
    from segtui.core.records import SegmentFilter, SegmentRow
    from segtui.core.rules import Node
    from segtui.core.segments import DeletePreview
    from segtui.data.scripting import ContactDetails
    from segtui.data.store import Store

contacts_app = typer.Typer(help="Scriptable contact commands (read only).",
                           no_args_is_help=True, rich_markup_mode=None)
app.add_typer(contacts_app, name="contacts")

# Members are added this many contacts per Store call (one transaction and one "Contacts
# Added" activity each): keeps each statement under SQLite's limit on bound parameters.
ADD_BATCH = 5000

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (docs/cli.md).")]
JsonlOption = Annotated[bool, typer.Option("--jsonl", help="Print one JSON object per line.")]
SegmentName = Annotated[str, typer.Argument(
    metavar="NAME", help="The segment's name (case and extra spaces are ignored).",
    show_default=False)]


class Output(StrEnum):
    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"


def _output(ctx: typer.Context, as_json: bool, jsonl: bool = False) -> Output:
    if as_json and jsonl:
        ctx.fail("give --json or --jsonl, not both")
    return Output.JSON if as_json else Output.JSONL if jsonl else Output.TEXT


def _fail(message: str) -> NoReturn:
    """Exit 1 with the message on one line of stderr, control characters made visible."""
    fail(message)


# -- JSON ----------------------------------------------------------------------------------


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON with control and bidi characters escaped (core/text.py, `safe_json`)."""
    return safe_json(value, indent=indent)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 local time without an offset (segtui stores local business time)."""
    return None if value is None else value.isoformat(timespec="seconds")


def _emit_objects(output: Output, objects: Iterable[dict[str, Any]],
                  text_lines: Callable[[dict[str, Any]], Iterable[str]],
                  header: str, empty: str) -> None:
    """Stream a list: a JSON array (one element per line), JSON lines, or a table."""
    count = 0
    for obj in objects:
        if output is Output.JSON:
            say(("[\n" if count == 0 else ",\n") + dumps(obj), nl=False)
        elif output is Output.JSONL:
            say(dumps(obj))
        else:
            if count == 0:
                say(header)
            for line in text_lines(obj):
                say(line)
        count += 1
    if output is Output.JSON:
        say("[]" if count == 0 else "\n]")
    elif output is Output.TEXT and count == 0:
        say(empty)


def _text(value: object, width: int | None = None) -> str:
    shown = printable(str(value))
    return shown if width is None else ellipsize(shown, width)


# -- segments: records ------------------------------------------------------------------------


def _rule_text(rule: "Node | None") -> str | None:
    if rule is None:  # a static segment: the rule language isn't needed (issue 17 §4)
        return None
    from segtui.core.rule_language import format_rule

    return format_rule(rule)


def segment_summary(row: "SegmentRow", rule: "Node | None") -> dict[str, Any]:
    """The `segments list` object (docs/cli.md)."""
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "status": row.status.value,
        "kind": "static" if rule is None else "dynamic",
        "rule": _rule_text(rule),
        "members": row.contact_count,
        "campaigns": row.campaign_count,
        "updated_at": iso(row.last_modified),
    }


def segment_object(store: "Store", segment_id: int) -> dict[str, Any]:
    """The `segments show` object: the summary plus owner, tags, active campaigns and dates."""
    details = store.segment_details(segment_id)
    row = store.segment_row(segment_id)
    if details is None or row is None:
        _fail("the segment was deleted meanwhile")
    obj = segment_summary(row, details.rule)
    obj.update(
        members=details.members,
        active_campaigns=details.active_campaigns,
        owner=details.owner,
        tags=list(details.tags),
        created_at=iso(details.created_at),
        evaluated_at=iso(details.evaluated_at),
    )
    return obj


SEGMENT_HEADER = f"{'ID':>5}  {'NAME':<32}  {'STATUS':<8}  {'KIND':<7}  {'MEMBERS':>8}  " \
                 f"{'CAMPAIGNS':>9}  UPDATED"


def _segment_line(obj: dict[str, Any]) -> list[str]:
    return [f"{obj['id']:>5}  {_text(obj['name'], 32):<32}  {obj['status']:<8}  "
            f"{obj['kind']:<7}  {obj['members']:>8,}  {obj['campaigns']:>9,}  "
            f"{obj['updated_at']}"]


def _segment_block(obj: dict[str, Any]) -> list[str]:
    rows = [
        ("Name", obj["name"]), ("ID", obj["id"]), ("Status", obj["status"]),
        ("Kind", obj["kind"]), ("Rule", obj["rule"] or "-"),
        ("Description", obj["description"] or "-"), ("Tags", ", ".join(obj["tags"]) or "-"),
        ("Owner", obj["owner"] or "-"), ("Members", f"{obj['members']:,}"),
        ("Campaigns", f"{obj['campaigns']:,} ({obj['active_campaigns']:,} active)"),
        ("Created", obj["created_at"]), ("Updated", obj["updated_at"]),
        ("Evaluated", obj["evaluated_at"] or "-"),
    ]
    return [f"{label + ':':<13}{_text(value)}" for label, value in rows]


def _print_segment(output: Output, obj: dict[str, Any], headline: str | None = None) -> None:
    if output is not Output.TEXT:
        say(dumps(obj, indent=2))
        return
    if headline:
        say(headline)
    for line in _segment_block(obj):
        say(line)


# -- segments: helpers ------------------------------------------------------------------------


def _segment_id(store: "Store", name: str) -> int:
    from segtui.core.validation import normalise_name

    segment_id = store.segment_id_named(normalise_name(name))
    if segment_id is None:
        _fail(f"no segment named {name!r}")
    return segment_id


def _parse_rule(text: str) -> "Node":
    from segtui.core.rule_language import RuleSyntaxError, parse

    try:
        return parse(text)
    except RuleSyntaxError as exc:
        _fail(f"rule: {exc}")


def _segment_rows(store: "Store", flt: "SegmentFilter"
                  ) -> "Iterator[tuple[SegmentRow, Node | None]]":
    """Every matching segment in name order, a keyset page at a time, with its rule."""
    from segtui.core.records import SegmentSort
    from segtui.data.segment_list import segment_rules

    sort = SegmentSort()
    page = store.segment_page(flt, sort)
    while True:
        with store.reading() as conn:
            rules = segment_rules(conn, [r.id for r in page.rows])
        for row in page.rows:
            yield row, rules.get(row.id)
        if not page.has_after:
            return
        page = store.segment_page(flt, sort, after=page.last)


# -- segments list / show ---------------------------------------------------------------------


@segments_app.command("list")
@reads
def segments_list(
    ctx: typer.Context,
    status: Annotated[SegmentStatus | None, typer.Option(
        case_sensitive=False, help="Only segments with this status.", show_default=False)]
    = None,
    search: Annotated[str, typer.Option(
        metavar="TEXT", help="Only segments whose name or tags contain this text, or with "
                             "a member whose company does (as the dashboard's search).")] = "",
    as_json: JsonOption = False,
    jsonl: JsonlOption = False,
    db: DbOption = None,
) -> None:
    """List segments in name order."""
    from segtui.core.records import SegmentFilter

    output = _output(ctx, as_json, jsonl)
    store = _script_store(ctx, db)
    try:
        up_to_date(store)
        objects = (segment_summary(row, rule)
                   for row, rule in _segment_rows(store, SegmentFilter(search=search,
                                                                       status=status)))
        _emit_objects(output, objects, _segment_line, SEGMENT_HEADER, "No segments.")
    finally:
        store.close()


@segments_app.command("show")
@reads
def segments_show(
    ctx: typer.Context, name: SegmentName, as_json: JsonOption = False, db: DbOption = None,
) -> None:
    """Show one segment."""
    output = _output(ctx, as_json)
    store = _script_store(ctx, db)
    try:
        segment_id = _segment_id(store, name)
        up_to_date(store, [segment_id])
        obj = segment_object(store, segment_id)
    finally:
        store.close()
    _print_segment(output, obj)


# -- segments create / update -----------------------------------------------------------------


@segments_app.command("create")
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

    output = _output(ctx, as_json)
    tree = None if rule is None else _parse_rule(rule)
    draft = SegmentDraft(name, description, tuple(tag or ()), status, tree)
    store = _script_store(ctx, db)
    try:
        acting = acting_user(ctx)
        try:
            segment_id = store.create_segment(draft, ContactSelection(), acting)
        except SegmentError as exc:
            _fail(str(exc))
        obj = segment_object(store, segment_id)
    finally:
        store.close()
    _print_segment(output, obj, f"Created segment {obj['name']!r}.")


@segments_app.command("update")
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

    output = _output(ctx, as_json)
    if (new_name, description, status, tag, rule) == (None,) * 5 and not (clear_tags or static):
        ctx.fail("nothing to change: give --name, --description, --status, --tag, "
                 "--clear-tags, --rule or --static")
    if rule is not None and static:
        ctx.fail("give --rule or --static, not both")
    if tag and clear_tags:
        ctx.fail("give --tag or --clear-tags, not both")
    tree = None if rule is None else _parse_rule(rule)
    store = _script_store(ctx, db)
    try:
        acting = acting_user(ctx)
        segment_id = _segment_id(store, name)
        # Every option replaces a value whole (nothing typed depends on the version read),
        # so when someone saves between our read and our write, applying the same options
        # to their version loses nothing: tried once more, and said (issue 16 §12).
        for attempt in (1, 2):
            details = store.segment_details(segment_id)
            if details is None:
                _fail(f"no segment named {name!r}")
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
                store.update_segment(segment_id, details.version, draft, ContactSelection(),
                                     acting)
                break
            except SegmentConflict:
                if attempt == 2:
                    _fail(f"{details.name!r} was changed by someone else twice while this "
                          "command ran; nothing was changed, run it again")
                warn(f"segtui: {details.name!r} was changed by someone else meanwhile; "
                     "applying your changes to their version")
            except SegmentError as exc:
                _fail(str(exc))
        obj = segment_object(store, segment_id)
    finally:
        store.close()
    _print_segment(output, obj, f"Updated segment {obj['name']!r}.")


# -- segments delete --------------------------------------------------------------------------


@segments_app.command("delete")
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

    output = _output(ctx, as_json)
    store = _script_store(ctx, db)
    try:
        acting = acting_user(ctx)
        segment_id = _segment_id(store, name)
        preview = store.delete_preview(segment_id)
        if preview is None:
            _fail(f"no segment named {name!r}")
        shown = preview.segment.name
        if preview.active_campaigns:
            names = ", ".join(c.name for c in preview.active_campaigns)
            _fail(f"{shown!r}: {SegmentInUse(preview.active_campaigns)} Active: {names}.")
        if preview.used_by:
            _fail(f"{shown!r}: {SegmentUsedByRules(preview.used_by)}")
        if not yes:
            _fail(f"deleting {shown!r} removes {_removes(preview)}; pass --yes to delete it")
        try:
            store.delete_segment(segment_id, acting)
        except SegmentError as exc:
            _fail(str(exc))
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


# -- segments add-members / remove-members ----------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """The contacts a command names, resolved."""

    contact_ids: tuple[int, ...]  # distinct, in the order given
    unknown_emails: tuple[str, ...]
    unknown_ids: tuple[int, ...]


def _stdin_lines() -> Iterator[str]:
    """Standard input's lines, each decoded as UTF-8 (with or without a BOM). A line that
    is not UTF-8 stops the command, naming the line and the byte (issue 16 §10)."""
    source = getattr(sys.stdin, "buffer", None)
    if source is None:  # a text stream with no bytes under it (tests, embedding)
        yield from sys.stdin
        return
    for number, raw in enumerate(source, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            _fail(f"standard input, line {number}: byte 0x{raw[exc.start]:02X} is not UTF-8 "
                  "text; nothing changed")


def _read_stdin() -> tuple[list[str], list[int]]:
    """Emails and contact ids from stdin, one per line; blank lines and #comments skipped."""
    emails: list[str] = []
    ids: list[int] = []
    for raw in _stdin_lines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.isascii() and line.isdigit():
            ids.append(int(line))
        else:
            emails.append(line)
    return emails, ids


def _resolve_targets(store: "Store", emails: Sequence[str], ids: Sequence[int]) -> Targets:
    from segtui.data import scripting

    emails = list(dict.fromkeys(e.strip() for e in emails if e.strip()))
    with store.reading() as conn:
        by_email = scripting.contacts_by_email(conn, emails)
        known = scripting.existing_contacts(conn, ids)
    shared = {e: found for e, found in by_email.items() if len(found) > 1}
    if shared:
        email, found = next(iter(shared.items()))
        _fail(f"{email!r} is the email of {plural(len(found), 'contact')} "
              f"({', '.join(map(str, found))}): name them with --contact-id; nothing changed")
    chosen = [by_email[e][0] for e in emails if e in by_email]
    chosen += [i for i in ids if i in known]
    return Targets(
        contact_ids=tuple(dict.fromkeys(chosen)),
        unknown_emails=tuple(e for e in emails if e not in by_email),
        unknown_ids=tuple(dict.fromkeys(i for i in ids if i not in known)),
    )


def _targets(store: "Store", emails: list[str] | None,
             ids: list[int] | None, use_stdin: bool, ignore_unknown: bool) -> Targets:
    emails, ids = list(emails or ()), list(ids or ())
    if use_stdin:
        more_emails, more_ids = _read_stdin()
        emails += more_emails
        ids += more_ids
    targets = _resolve_targets(store, emails, ids)
    unknown = [*targets.unknown_emails, *map(str, targets.unknown_ids)]
    if unknown and not ignore_unknown:
        listed = ", ".join(repr(u) for u in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        _fail(f"{plural(len(unknown), 'unknown contact')}: {listed}; "
              "nothing changed (pass --ignore-unknown to go on without them)")
    return targets


def _need_targets(ctx: typer.Context, emails: list[str] | None, ids: list[int] | None,
                  use_stdin: bool) -> None:
    if not (emails or ids or use_stdin):
        ctx.fail("name the contacts with --email, --contact-id or --stdin")


EmailOption = Annotated[list[str] | None, typer.Option(
    "--email", metavar="EMAIL", help="A contact's email (repeat for more; case is ignored).",
    show_default=False)]
ContactIdOption = Annotated[list[int] | None, typer.Option(
    "--contact-id", metavar="ID", help="A contact's id (repeat for more).", show_default=False)]
StdinOption = Annotated[bool, typer.Option(
    "--stdin", help="Also read emails or contact ids from stdin, one per line.")]
IgnoreUnknownOption = Annotated[bool, typer.Option(
    "--ignore-unknown", help="Go on when some emails or ids match no contact.")]


def _print_counts(output: Output, result: dict[str, Any], done: str, kept: str) -> None:
    if output is not Output.TEXT:
        say(dumps(result, indent=2))
        return
    unknown = len(result["unknown_emails"]) + len(result["unknown_contact_ids"])
    say(f"{_text(result['segment'])}: {done} {result[done.replace(' ', '_')]:,}, "
        f"{kept} {result[kept.replace(' ', '_')]:,}, unknown {unknown:,}.")


def _change_members(ctx: typer.Context, name: str, emails: list[str] | None,
                    ids: list[int] | None, use_stdin: bool, ignore_unknown: bool,
                    as_json: bool, db: str | None,
                    change: "Callable[[Store, int, tuple[int, ...], CurrentUser], int]",
                    done: str, kept: str) -> None:
    """What add-members and remove-members share: resolve the segment and the contacts,
    apply `change` as the checked acting user (returns how many changed), print the
    counts."""
    from segtui.core.segments import SegmentError

    output = _output(ctx, as_json)
    _need_targets(ctx, emails, ids, use_stdin)
    store = _script_store(ctx, db)
    try:
        acting = acting_user(ctx)
        segment_id = _segment_id(store, name)
        targets = _targets(store, emails, ids, use_stdin, ignore_unknown)
        try:
            changed = change(store, segment_id, targets.contact_ids, acting)
        except SegmentError as exc:
            _fail(str(exc))
        segment = _segment_name(store, segment_id, name)
    finally:
        store.close()
    _print_counts(output, {
        "segment_id": segment_id, "segment": segment, done.replace(" ", "_"): changed,
        kept.replace(" ", "_"): len(targets.contact_ids) - changed,
        "unknown_emails": list(targets.unknown_emails),
        "unknown_contact_ids": list(targets.unknown_ids),
    }, done, kept)


def _add(store: "Store", segment_id: int, ids: tuple[int, ...], acting: "CurrentUser") -> int:
    from segtui.core.contacts import ContactSelection, Toggles

    added = 0
    for start in range(0, len(ids), ADD_BATCH):
        chosen = Toggles(tuple((i, True) for i in ids[start:start + ADD_BATCH]))
        added += store.add_members(segment_id, ContactSelection((chosen,)), acting)
    return added


def _remove(store: "Store", segment_id: int, ids: tuple[int, ...], acting: "CurrentUser"
            ) -> int:
    from segtui.data import scripting

    with store.reading() as conn:
        members = scripting.current_members(conn, segment_id, ids)
    return sum(1 for contact in ids
               if contact in members and store.remove_member(segment_id, contact, acting))


@segments_app.command("add-members")
@writes("change segments")
def segments_add_members(
    ctx: typer.Context,
    name: SegmentName,
    email: EmailOption = None,
    contact_id: ContactIdOption = None,
    stdin: StdinOption = False,
    ignore_unknown: IgnoreUnknownOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Add contacts to a segment by hand (in a dynamic segment they stay whatever the rule
    says)."""
    _change_members(ctx, name, email, contact_id, stdin, ignore_unknown, as_json, db,
                    _add, "added", "already members")


@segments_app.command("remove-members")
@writes("change segments")
def segments_remove_members(
    ctx: typer.Context,
    name: SegmentName,
    email: EmailOption = None,
    contact_id: ContactIdOption = None,
    stdin: StdinOption = False,
    ignore_unknown: IgnoreUnknownOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Remove contacts from a segment (history keeps their stay; a dynamic segment keeps
    them out from then on, as in the app)."""
    _change_members(ctx, name, email, contact_id, stdin, ignore_unknown, as_json, db,
                    _remove, "removed", "not members")


def _segment_name(store: "Store", segment_id: int, given: str) -> str:
    row = store.segment_row(segment_id)
    return given if row is None else row.name


# -- contacts list / show ---------------------------------------------------------------------


def contact_summary(row: "ContactRow") -> dict[str, Any]:
    """The `contacts list` object (docs/cli.md)."""
    return {
        "id": row.id,
        "name": row.name,
        "email": row.email,
        "title": row.title,
        "company": row.company,
        "phone": row.phone,
        "status": row.status.value,
        "city": row.city,
        "state": row.state,
        "tags": list(row.tags),
        "quality_score": row.quality_score,
        "last_contacted_at": iso(row.last_contacted_at),
    }


def contact_object(c: "ContactDetails") -> dict[str, Any]:
    """The `contacts show` object: every field, and the segments the contact is in now."""
    return {
        "id": c.id,
        "name": c.name,
        "email": c.email,
        "title": c.title,
        "company": c.company,
        "phone": c.phone,
        "status": c.status.value,
        "city": c.city,
        "state": c.state,
        "tags": list(c.tags),
        "quality_score": c.quality_score,
        "last_contacted_at": iso(c.last_contacted_at),
        "company_size": None if c.company_size is None else c.company_size.value,
        "industry": c.industry,
        "lifecycle_stage": None if c.lifecycle_stage is None else c.lifecycle_stage.value,
        "source": None if c.source is None else c.source.value,
        "country": c.country,
        "region": c.region,
        "created_at": iso(c.created_at),
        "last_activity_at": iso(c.last_activity_at),
        "spent_cents": c.spent_cents,
        "purchases": c.purchases,
        "segments": [{"id": m.segment_id, "name": m.segment, "source": m.source.value,
                      "added_at": iso(m.added_at)} for m in c.segments],
        "external_id": c.external_id,
    }


CONTACT_HEADER = f"{'ID':>7}  {'NAME':<24}  {'EMAIL':<32}  {'COMPANY':<20}  " \
                 f"{'STATUS':<10}  SCORE"


def _contact_line(obj: dict[str, Any]) -> list[str]:
    return [f"{obj['id']:>7}  {_text(obj['name'], 24):<24}  {_text(obj['email'], 32):<32}  "
            f"{_text(obj['company'], 20):<20}  {obj['status']:<10}  {obj['quality_score']:>5}"]


def _contact_rows(store: "Store", flt: "ContactFilter", limit: int | None
                  ) -> "Iterator[ContactRow]":
    """Matching contacts in name order, a keyset page at a time, at most `limit`."""
    from segtui.core.contacts import ContactSelection
    from segtui.data.store import PAGE_SIZE

    left = limit
    after = None
    while left is None or left > 0:
        size = PAGE_SIZE if left is None else min(PAGE_SIZE, left)
        page = store.contact_page(flt, ContactSelection(), after=after, limit=size)
        yield from page.rows
        if left is not None:
            left -= len(page.rows)
        if not page.has_after:
            return
        after = page.last


@contacts_app.command("list")
@reads
def contacts_list(
    ctx: typer.Context,
    segment: Annotated[str | None, typer.Option(metavar="NAME",
                                                help="Only current members of this segment.",
                                                show_default=False)] = None,
    search: Annotated[str, typer.Option(metavar="TEXT",
                                        help="Only contacts whose name, email or company "
                                             "contains this text.")] = "",
    status: Annotated[LeadStatus | None, typer.Option(
        case_sensitive=False, help="Only contacts with this lead status.",
        show_default=False)] = None,
    limit: Annotated[int | None, typer.Option(min=1, metavar="N",
                                              help="At most this many contacts.",
                                              show_default=False)] = None,
    as_json: JsonOption = False,
    jsonl: JsonlOption = False,
    db: DbOption = None,
) -> None:
    """List contacts in name order."""
    from segtui.core.contacts import ContactFilter
    from segtui.core.records import Choice

    output = _output(ctx, as_json, jsonl)
    store = _script_store(ctx, db)
    try:
        chosen = None
        if segment is not None:
            segment_id = _segment_id(store, segment)
            up_to_date(store, [segment_id])
            chosen = Choice(str(segment_id), segment)
        flt = ContactFilter(search=search, status=status, segment=chosen)
        objects = (contact_summary(row) for row in _contact_rows(store, flt, limit))
        _emit_objects(output, objects, _contact_line, CONTACT_HEADER, "No contacts.")
    finally:
        store.close()


def _find_contact(store: "Store", key: str) -> "ContactDetails":
    from segtui.data import scripting

    key = key.strip()
    with store.reading() as conn:
        if key.isascii() and key.isdigit():
            found = scripting.contact_details(conn, int(key))
            if found is None:
                _fail(f"no contact with id {key}")
            return found
        ids = scripting.contacts_by_email(conn, [key]).get(key, [])
        if not ids:
            _fail(f"no contact with email {key!r}")
        if len(ids) > 1:
            _fail(f"{key!r} is the email of {plural(len(ids), 'contact')} "
                  f"({', '.join(map(str, ids))}): give the id instead")
        contact = scripting.contact_details(conn, ids[0])
    if contact is None:
        _fail(f"no contact with email {key!r}")
    return contact


def _contact_block(obj: dict[str, Any]) -> list[str]:
    skip = {"segments", "tags", "spent_cents"}
    lines = [f"{key + ':':<19}{_text('-' if value in (None, '') else value)}"
             for key, value in obj.items() if key not in skip]
    lines.append(f"{'tags:':<19}{_text(', '.join(obj['tags']) or '-')}")
    cents = obj["spent_cents"]
    lines.append(f"{'spent:':<19}{cents // 100:,}.{cents % 100:02d}")
    lines.append("segments:" if obj["segments"] else f"{'segments:':<19}-")
    lines += [f"  {_text(s['name'])} (id {s['id']}, {s['source']}, since {s['added_at']})"
              for s in obj["segments"]]
    return lines


@contacts_app.command("show")
@reads
def contacts_show(
    ctx: typer.Context,
    contact: Annotated[str, typer.Argument(metavar="EMAIL_OR_ID",
                                           help="The contact's email (case is ignored) or id.",
                                           show_default=False)],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show one contact: every field, and the segments it is in."""
    output = _output(ctx, as_json)
    store = _script_store(ctx, db)
    try:
        up_to_date(store)  # the segments it is in
        obj = contact_object(_find_contact(store, contact))
    finally:
        store.close()
    if output is Output.TEXT:
        for line in _contact_block(obj):
            say(line)
    else:
        say(dumps(obj, indent=2))
