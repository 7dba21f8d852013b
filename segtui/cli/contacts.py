"""`segtui contacts list|show` (read only, docs/cli.md), `segtui contacts merge`
(docs/quality.md): duplicates merged into one contact, which only a user allowed to merge
contacts may do (`@writes`, segtui/cli/access.py), and the privacy requests an
administrator answers (C19.5): `contacts erase` and `contacts export-data`.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from segtui.cli.access import reads, writes
from segtui.cli.common import (
    DbOption,
    JsonlOption,
    JsonOption,
    UserOption,
    a_file_name,
    acting_user,
    command_store,
    find_segment,
    up_to_date,
)
from segtui.cli.output import (
    Output,
    cell,
    data_output,
    dumps,
    emit_objects,
    fail,
    output_mode,
    say,
    warn,
)
from segtui.core.enums import LeadStatus
from segtui.core.formatting import plural
from segtui.core.permissions import Permission
from segtui.transfer.contact_json import contact_object, contact_summary

if TYPE_CHECKING:
    from segtui.core.contacts import ContactDetails, ContactFilter, ContactRow
    from segtui.data.store import Store

# A contact named on the command line, and --json for a command that prints one result.
ContactKey = Annotated[str, typer.Argument(
    metavar="EMAIL_OR_ID", help="The contact's email (case is ignored) or id.",
    show_default=False)]
ResultJsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]

app = typer.Typer(help="Contacts: list, show, merge duplicates, privacy requests.",
                  no_args_is_help=True, rich_markup_mode=None)


CONTACT_HEADER = f"{'ID':>7}  {'NAME':<24}  {'EMAIL':<32}  {'COMPANY':<20}  " \
                 f"{'STATUS':<10}  SCORE"


def _contact_line(obj: dict[str, Any]) -> list[str]:
    return [f"{obj['id']:>7}  {cell(obj['name'], 24):<24}  {cell(obj['email'], 32):<32}  "
            f"{cell(obj['company'], 20):<20}  {obj['status']:<10}  {obj['quality_score']:>5}"]


def _contact_rows(store: "Store", flt: "ContactFilter", limit: int | None
                  ) -> "Iterator[ContactRow]":
    """Matching contacts in name order, a keyset page at a time, at most `limit`."""
    from segtui.core.contacts import ContactSelection
    from segtui.data.store.database import PAGE_SIZE

    left = limit
    after = None
    while left is None or left > 0:
        size = PAGE_SIZE if left is None else min(PAGE_SIZE, left)
        page = store.contacts.contact_page(flt, ContactSelection(), after=after, limit=size)
        yield from page.rows
        if left is not None:
            left -= len(page.rows)
        if not page.has_after:
            return
        after = page.last


@app.command("list")
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

    output = output_mode(ctx, as_json, jsonl)
    store = command_store(ctx, db)
    try:
        chosen = None
        if segment is not None:
            segment_id = find_segment(store, segment)
            up_to_date(store, [segment_id])
            chosen = Choice(str(segment_id), segment)
        flt = ContactFilter(search=search, status=status, segment=chosen)
        objects = (contact_summary(row) for row in _contact_rows(store, flt, limit))
        emit_objects(output, objects, _contact_line, CONTACT_HEADER, "No contacts.")
    finally:
        store.close()


def _find_contact(store: "Store", key: str) -> "ContactDetails":
    key = key.strip()
    if key.isascii() and key.isdigit():
        found = store.contacts.contact_details(int(key))
        if found is None:
            fail(f"no contact with id {key}")
        return found
    ids = store.contacts.contacts_by_email([key]).get(key, [])
    if not ids:
        fail(f"no contact with email {key!r}")
    if len(ids) > 1:
        fail(f"{key!r} is the email of {plural(len(ids), 'contact')} "
             f"({', '.join(map(str, ids))}): give the id instead")
    contact = store.contacts.contact_details(ids[0])  # None: deleted since
    if contact is None:
        fail(f"no contact with email {key!r}")
    return contact


def _contact_block(obj: dict[str, Any]) -> list[str]:
    skip = {"segments", "tags", "spent_cents"}
    lines = [f"{key + ':':<19}{cell('-' if value in (None, '') else value)}"
             for key, value in obj.items() if key not in skip]
    lines.append(f"{'tags:':<19}{cell(', '.join(obj['tags']) or '-')}")
    cents = obj["spent_cents"]
    lines.append(f"{'spent:':<19}{cents // 100:,}.{cents % 100:02d}")
    lines.append("segments:" if obj["segments"] else f"{'segments:':<19}-")
    lines += [f"  {cell(s['name'])} (id {s['id']}, {s['source']}, since {s['added_at']})"
              for s in obj["segments"]]
    return lines


@app.command("show")
@reads
def contacts_show(
    ctx: typer.Context,
    contact: ContactKey,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show one contact: every field, and the segments it is in."""
    output = output_mode(ctx, as_json)
    store = command_store(ctx, db)
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


@app.command("merge")
@writes("merge contacts")
def contacts_merge(
    ctx: typer.Context,
    keep: Annotated[int, typer.Argument(help="The contact to keep (its id).")],
    others: Annotated[list[int], typer.Argument(help="The duplicates merged into it.")],
    yes: Annotated[bool, typer.Option("--yes", help="Merge without asking (scripts).")]
    = False,
    user: UserOption = None,
    as_json: ResultJsonOption = False,
    db: DbOption = None,
) -> None:
    """Merge duplicate contacts into one, keeping every membership, event and tag; the
    merged contacts are deleted."""
    from segtui.core.quality import MergeError

    if not yes:
        fail("merging deletes the other contacts; run again with --yes to merge")
    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        result = store.quality.merge_contacts(keep, others, acting)
    except MergeError as exc:
        fail(str(exc))
    finally:
        store.close()
    if as_json:
        say(dumps(asdict(result), indent=2))
        return
    say(f"Merged {len(result.merged)} into contact {result.kept}: "
        f"{plural(result.memberships_moved, 'membership')} and "
        f"{plural(result.events_moved, 'event')} moved, "
        f"{plural(len(result.segments), 'segment')} logged.")


# -- privacy requests (C19.5): administrators only ------------------------------------------


@app.command("erase")
@writes("handle privacy requests", Permission.PRIVACY_REQUESTS)
def contacts_erase(
    ctx: typer.Context,
    contact: ContactKey,
    yes: Annotated[bool, typer.Option("--yes", help="Erase without asking (scripts).")]
    = False,
    user: UserOption = None,
    as_json: ResultJsonOption = False,
    db: DbOption = None,
) -> None:
    """Erase a contact at their request: the contact, its events, tags and stays in
    segments, in one transaction; the audit keeps that it happened, not who it was."""
    from segtui.core.contacts import ErasureError

    store = command_store(ctx, db)
    try:
        contact_id = _find_contact(store, contact).id
        if not yes and not (sys.stdin.isatty() and typer.confirm(
                f"Erase contact {contact_id} and everything segtui holds about it? This "
                "cannot be undone.", err=True)):
            fail("nothing erased; run again with --yes to erase")
        result = store.contacts.erase_contact(contact_id, acting_user(ctx))
    except ErasureError as exc:
        fail(str(exc))
    finally:
        store.close()
    if as_json:
        say(dumps(asdict(result), indent=2))
        return
    say(f"Erased contact {result.contact_id}: {plural(result.events, 'event')}, "
        f"{plural(result.segment_stays, 'segment stay')} in "
        f"{plural(len(result.segments), 'segment')}, {plural(result.tags, 'tag')}.")
    if result.notes_mentioning:
        say(f"Notes on segments that still name the contact: {result.notes_mentioning} "
            "(your colleagues' words: edit them by hand).")


@app.command("export-data")
@writes("handle privacy requests", Permission.PRIVACY_REQUESTS)
def contacts_export_data(
    ctx: typer.Context,
    contact: ContactKey,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write; - (the "
                                         "default) for standard output.", dir_okay=False,
                                         callback=a_file_name)]
    = Path("-"),
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Everything segtui stores about one contact, as JSON (a subject access request):
    its fields, company, tags, events, stays in segments and exclusions."""
    from segtui.transfer.exports import export_contact_data

    store = command_store(ctx, db)
    try:
        contact_id = _find_contact(store, contact).id
        with data_output():
            written = export_contact_data(store, acting_user(ctx), contact_id, output)
        if not written:
            fail(f"no contact with id {contact_id}")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    finally:
        store.close()
    if str(output) != "-":
        warn(f"Wrote everything stored about contact {contact_id} to {output}")
