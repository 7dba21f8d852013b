"""`segtui import ...` and `segtui export ...` (I6; docs/import-export.md).

No Textual import here: these commands run in scripts and cron jobs without a terminal.
Progress goes to stderr, and only when stderr is a terminal. Importing changes data, so
only a user allowed to change segments may (`@writes`, segtui/cli/access.py); anyone may
export, as in the app. Every line goes through segtui/cli/output.py.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from segtui.cli.access import reads, writes
from segtui.cli.common import (
    DbOption,
    UserOption,
    a_file_name,
    command_store,
    up_to_date,
    viewer,
)
from segtui.cli.output import clear_status, data_output, fail, say, status, warn
from segtui.core.audit import Action
from segtui.core.formats.file_formats import Encoding, ExportFormat
from segtui.core.formatting import plural

if TYPE_CHECKING:
    from segtui.data.store import Store
    from segtui.transfer.imports import ImportOutcome, ImportProgress, ImportRequest

import_app = typer.Typer(help="Bring contacts in from CSV files.", no_args_is_help=True)
export_app = typer.Typer(help="Write segments and members to CSV or JSON.",
                         no_args_is_help=True)


class Progress:
    """One self-overwriting line on stderr: share of the file, rows, rows per second."""

    def __init__(self) -> None:
        from segtui.core.throttle import Throttle

        self.drawn = Throttle(0.2)
        self.live = sys.stderr.isatty()

    def update(self, progress: "ImportProgress") -> None:
        if not self.live or not self.drawn.due():
            return
        bar = "█" * int(progress.share * 30)
        status(f"{bar:<30} {progress.share:4.0%}  {plural(progress.rows, 'row')}  "
               f"{progress.rate:,.0f} rows/s ")

    def done(self) -> None:
        if self.live:
            clear_status()


FileArgument = Annotated[Path, typer.Argument(help="A CSV file with a header row.",
                                               exists=True, dir_okay=False, readable=True)]
MapOption = Annotated[list[str] | None, typer.Option(
    "--map", help="'File Header=Field' for a column the names don't match, 'File Header=' "
                  "to leave one out ('Last Name#2': a repeated header's second column); "
                  "repeatable.")]
EncodingOption = Annotated[Encoding, typer.Option(
    help="auto: UTF-16 with a byte order mark, UTF-8 (with or without BOM), Windows-1252 "
         "when the file has its smart quotes, else Latin-1.")]
ValuesOption = Annotated[list[str] | None, typer.Option(
    "--values", help="'Field:File Value=segtui Value', e.g. 'status:Open Deal=Hot Lead' "
                     "('Field:Value=' empties it); repeatable.")]
PresetOption = Annotated[str | None, typer.Option(
    "--preset", help="Another CRM's export: hubspot, mautic, salesforce, or a mapping "
                     "file (.toml) of columns and values.")]
RejectsOption = Annotated[Path | None, typer.Option(
    help="Also write the rejected rows, with line, column and reason, to this CSV.",
    dir_okay=False)]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Check and count "
                                            "everything, then write nothing.")]
StrictOption = Annotated[bool, typer.Option("--strict", help="Any rejected row cancels "
                                            "the whole import.")]


def _run_import(store: "Store", request: "ImportRequest") -> None:
    """Run the import (segtui.transfer.imports.import_file) with a progress line on
    stderr, then print the unknown columns, the first rejects and the summary."""
    from segtui.core.formats.contact_columns import ImportError_
    from segtui.transfer.imports import import_file

    file = request.file
    progress = Progress()
    def warned(warning: str) -> None:  # before the rows are read: the user may stop it
        progress.done()
        warn(f"Warning: {warning}.")

    try:
        outcome = import_file(store, request, progress.update, warned)
    except ImportError_ as exc:
        progress.done()
        fail(f"{file}: {exc}; nothing was imported")
    except KeyboardInterrupt:
        progress.done()
        warn("Stopped: nothing was imported (the import is one transaction).")
        raise typer.Exit(130) from None
    finally:
        store.close()
    progress.done()
    _print_outcome(outcome, request.rejects)


def _print_outcome(outcome: "ImportOutcome", rejects: Path | None) -> None:
    from segtui.core.formats.column_plan import column_notes

    report = outcome.report
    for note in column_notes(outcome.columns):
        warn(note)
    for problem in outcome.problems:
        warn(f"  {problem}")
    if outcome.more_rejected:
        warn(f"  … and {outcome.more_rejected:,} more rejected rows"
             + (f" (all in {rejects})" if rejects else " (--rejects FILE lists all)"))
    say(outcome.summary())
    if report.created:
        say(f"New campaigns: {', '.join(report.created)}")
    if outcome.dry_run:
        say("Dry run: nothing was written.")
    for result in report.refreshed:
        if result.changed:
            say(result.summary())
    if report.left_owed:
        warn(f"segtui: {report.left_owed.out_of_date()}")


@import_app.command("contacts")
@writes("import contacts")
def import_contacts(
    ctx: typer.Context,
    file: FileArgument,
    on_duplicate: Annotated[str, typer.Option(
        help="A row whose email a contact already has: update (fill in its non-empty "
             "cells, add its tags), skip, or error (reject the row).")] = "update",
    match: Annotated[str, typer.Option(
        "--match", help="How a row finds its contact: email (default), name+company, "
                        "phone or external-id (an External Id column, kept on the "
                        "contact).")] = "email",
    column_map: MapOption = None,
    values: ValuesOption = None,
    preset: PresetOption = None,
    encoding: EncodingOption = Encoding.AUTO,
    rejects: RejectsOption = None,
    dry_run: DryRunOption = False,
    strict: StrictOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Import contacts from a CSV file, in one transaction: merged with existing contacts
    by email (or --match); invalid rows listed with line, column and reason."""
    from segtui.core.contact_keys import MatchKey
    from segtui.core.formats.contact_columns import ImportError_
    from segtui.core.imports import OnDuplicate
    from segtui.transfer.imports import ImportKind, ImportRequest, check_options

    try:
        duplicates = OnDuplicate(on_duplicate)
    except ValueError:
        fail(f"--on-duplicate must be update, skip or error, not {on_duplicate!r}")
    try:
        key = MatchKey(match.strip().lower())
    except ValueError:
        fail(f"--match must be email, name+company, phone or external-id, not {match!r}")
    try:
        check_options(ImportKind.CONTACTS, column_map or [], values or [], preset)
    except ImportError_ as exc:
        fail(str(exc))
    store = command_store(ctx, db)
    _run_import(store, ImportRequest(
        ImportKind.CONTACTS, file, dry_run=dry_run, on_duplicate=duplicates,
        column_map=tuple(column_map or ()), value_map=tuple(values or ()), preset=preset,
        encoding=encoding, rejects=rejects, strict=strict, match=key))


def _import_events(ctx: typer.Context, file: Path, column_map: list[str] | None,
                   segment: str | None, encoding: Encoding, rejects: Path | None,
                   dry_run: bool, strict: bool, db: str | None, *, results: bool) -> None:
    from segtui.core.formats.contact_columns import ImportError_
    from segtui.transfer.imports import ImportKind, ImportRequest, check_options

    kind = ImportKind.CAMPAIGNS if results else ImportKind.EVENTS
    try:
        check_options(kind, column_map or [])
    except ImportError_ as exc:
        fail(str(exc))
    store = command_store(ctx, db)
    link: int | None = None
    if segment is not None:
        link = store.segments.segment_id_named(segment)
        if link is None:
            store.close()
            fail(f"no segment named {segment!r}")
    _run_import(store, ImportRequest(
        kind, file, dry_run=dry_run, column_map=tuple(column_map or ()),
        link_segment=link, encoding=encoding, rejects=rejects, strict=strict))


SegmentOption = Annotated[str | None, typer.Option(
    "--segment", help="Link every campaign named in the file to this segment, so its "
                      "Performance tab shows them.")]


@import_app.command("events")
@writes("import events")
def import_events(
    ctx: typer.Context,
    file: FileArgument,
    column_map: MapOption = None,
    segment: SegmentOption = None,
    encoding: EncodingOption = Encoding.AUTO,
    rejects: RejectsOption = None,
    dry_run: DryRunOption = False,
    strict: StrictOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Import an event log (Email, Type, Occurred At, [Campaign], [Revenue]): one event
    per row, for contacts found by email; events already stored are skipped."""
    _import_events(ctx, file, column_map, segment, encoding, rejects, dry_run, strict, db,
                   results=False)


@import_app.command("campaigns")
@writes("import campaign results")
def import_campaigns(
    ctx: typer.Context,
    file: FileArgument,
    column_map: MapOption = None,
    segment: SegmentOption = None,
    encoding: EncodingOption = Encoding.AUTO,
    rejects: RejectsOption = None,
    dry_run: DryRunOption = False,
    strict: StrictOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Import campaign results as campaign tools export them: Campaign, Email and a time
    (or yes) per outcome (Sent, Opened, Clicked, Responded, Converted with Revenue,
    Unsubscribed); each filled outcome becomes an event."""
    _import_events(ctx, file, column_map, segment, encoding, rejects, dry_run, strict, db,
                   results=True)


@export_app.command("members")
@reads
def export_members(
    ctx: typer.Context,
    segment: Annotated[str, typer.Argument(help="The segment's name.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write; - for "
                                         "standard output.", dir_okay=False,
                                         callback=a_file_name)],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv, json (an array) or "
                                              "jsonl (one object per line).")]
    = ExportFormat.CSV,
    raw: Annotated[bool, typer.Option("--raw", help="CSV cells exactly as stored, without "
                                      "the apostrophe that stops spreadsheets running "
                                      "formulas.")] = False,
    db: DbOption = None,
) -> None:
    """Write every member of a segment with all contact fields, streamed."""
    from segtui.transfer.exports import export_members as write_members_file

    store = command_store(ctx, db)
    try:
        segment_id = store.segments.segment_id_named(segment)
        if segment_id is None:
            fail(f"no segment named {segment!r}")
        up_to_date(store, [segment_id])
        with data_output():
            count = write_members_file(store, viewer(ctx, store), segment_id, output, fmt,
                                       raw=raw)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    finally:
        store.close()
    if str(output) != "-":
        warn(f"Exported {plural(count, 'member')} of {segment} to {output}")


@export_app.command("segments")
@reads
def export_segments(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write; - for "
                                         "standard output.", dir_okay=False,
                                         callback=a_file_name)],
    search: Annotated[str, typer.Option(help="Only segments matching this, as the "
                                        "dashboard's search (name, tags, member "
                                        "companies).")] = "",
    raw: Annotated[bool, typer.Option("--raw", help="Cells exactly as stored.")] = False,
    db: DbOption = None,
) -> None:
    """The dashboard's CSV export (R7.1): name, description, status, counts, date."""
    from segtui.core.formats.csv_safe import atomic_text, write_rows
    from segtui.core.formats.segments_export import SEGMENT_EXPORT_HEADER, segment_export_rows
    from segtui.core.records import SegmentFilter, SegmentSort

    store = command_store(ctx, db)
    count = 0
    try:
        up_to_date(store)  # every segment's member count
        with data_output(), atomic_text(output) as handle:
            count = write_rows(handle, SEGMENT_EXPORT_HEADER, segment_export_rows(
                store.segments.iter_segments(SegmentFilter(search=search), SegmentSort())), raw=raw)
        store.audit.record(Action.SEGMENTS_EXPORTED, viewer(ctx, store), subject=output.name,
                           details=plural(count, "segment"))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    finally:
        store.close()
    if str(output) != "-":
        warn(f"Exported {plural(count, 'segment')} to {output}")
