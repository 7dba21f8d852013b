"""`segtui segments add-members|remove-members` (docs/cli.md): contacts named by email or
id, on the command line or one per line on standard input. Only a user allowed to change
segments may (`@writes`, segtui/cli/access.py); each change is logged as segment activity
by the acting user, as in the app.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

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
from segtui.cli.output import Output, cell, dumps, fail, output_mode, say
from segtui.cli.segments.records import SegmentName, stored_name
from segtui.core.formatting import plural

if TYPE_CHECKING:
    from segtui.core.permissions import CurrentUser
    from segtui.data.store import Store

# Members are added this many contacts per Store call (one transaction and one "Contacts
# Added" activity each): keeps each statement under SQLite's limit on bound parameters.
ADD_BATCH = 5000


@dataclass(frozen=True)
class Targets:
    """The contacts a command names, resolved."""

    contact_ids: tuple[int, ...]  # distinct, in the order given
    unknown_emails: tuple[str, ...]
    unknown_ids: tuple[int, ...]


def _stdin_lines() -> Iterator[str]:
    """Standard input's lines, each decoded as UTF-8 (with or without a BOM). A line that
    is not UTF-8 stops the command, naming the line and the byte (I16.10)."""
    source = getattr(sys.stdin, "buffer", None)
    if source is None:  # a text stream with no bytes under it (tests, embedding)
        yield from sys.stdin
        return
    for number, raw in enumerate(source, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            fail(f"standard input, line {number}: byte 0x{raw[exc.start]:02X} is not UTF-8 "
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
    emails = list(dict.fromkeys(e.strip() for e in emails if e.strip()))
    by_email = store.contacts.contacts_by_email(emails)
    known = store.contacts.existing_contacts(ids)
    shared = {e: found for e, found in by_email.items() if len(found) > 1}
    if shared:
        email, found = next(iter(shared.items()))
        fail(f"{email!r} is the email of {plural(len(found), 'contact')} "
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
        fail(f"{plural(len(unknown), 'unknown contact')}: {listed}; "
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
    say(f"{cell(result['segment'])}: {done} {result[done.replace(' ', '_')]:,}, "
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

    output = output_mode(ctx, as_json)
    _need_targets(ctx, emails, ids, use_stdin)
    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        segment_id = find_segment(store, name)
        targets = _targets(store, emails, ids, use_stdin, ignore_unknown)
        try:
            changed = change(store, segment_id, targets.contact_ids, acting)
        except SegmentError as exc:
            fail(str(exc))
        segment = stored_name(store, segment_id, name)
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
        added += store.members.add_members(segment_id, ContactSelection((chosen,)), acting)
    return added


def _remove(store: "Store", segment_id: int, ids: tuple[int, ...], acting: "CurrentUser"
            ) -> int:
    members = store.members.current_members(segment_id, ids)
    return sum(1 for contact in ids
               if contact in members and store.members.remove_member(segment_id, contact, acting))


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
