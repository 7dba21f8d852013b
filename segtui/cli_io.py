"""`segtui import ...` and `segtui export ...` (issue 6; docs/import-export.md).

No Textual import here: these commands run in scripts and cron jobs without a terminal.
Progress goes to stderr, and only when stderr is a terminal.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from segtui.cli import DbOption, _script_store, app, fail
from segtui.core.csv_safe import atomic_text, neutralise, write_rows
from segtui.core.exporting import (
    MEMBER_HEADER,
    ExportFormat,
    MemberRecord,
    csv_row,
    json_lines,
)
from segtui.core.importing import (
    Encoding,
    Field,
    ImportError_,
    RowProblem,
    RowReader,
    map_columns,
    open_csv,
    parse_map,
)

if TYPE_CHECKING:
    from segtui.data.importer import ImportReport
    from segtui.data.store import Store

import_app = typer.Typer(help="Bring contacts in from CSV files.", no_args_is_help=True)
export_app = typer.Typer(help="Write segments and members to CSV or JSON.",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

SHOWN_PROBLEMS = 20  # rejected rows printed; all of them go to --rejects


class Progress:
    """One self-overwriting line on stderr: share of the file, rows, rows per second."""

    def __init__(self, size: int) -> None:
        self.size = max(size, 1)
        self.started = time.perf_counter()
        self.shown_at = 0.0
        self.live = sys.stderr.isatty()

    def rate(self, rows: int) -> float:
        return rows / max(time.perf_counter() - self.started, 1e-9)

    def update(self, rows: int, consumed: int) -> None:
        now = time.perf_counter()
        if not self.live or now - self.shown_at < 0.2:
            return
        self.shown_at = now
        share = min(consumed / self.size, 1.0)
        bar = "█" * int(share * 30)
        sys.stderr.write(f"\r{bar:<30} {share:4.0%}  {rows:,} rows  "
                         f"{self.rate(rows):,.0f} rows/s ")
        sys.stderr.flush()

    def done(self) -> None:
        if self.live:
            sys.stderr.write("\r" + " " * 79 + "\r")
            sys.stderr.flush()


FileArgument = Annotated[Path, typer.Argument(help="A CSV file with a header row.",
                                               exists=True, dir_okay=False, readable=True)]
MapOption = Annotated[list[str] | None, typer.Option(
    "--map", help="'File Header=Field' for a column the names don't match; repeatable.")]
EncodingOption = Annotated[Encoding, typer.Option(
    help="auto: UTF-8 (with or without BOM), else Latin-1.")]
RejectsOption = Annotated[Path | None, typer.Option(
    help="Also write the rejected rows, with line, column and reason, to this CSV.",
    dir_okay=False)]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Check and count "
                                            "everything, then write nothing.")]
StrictOption = Annotated[bool, typer.Option("--strict", help="Any rejected row cancels "
                                            "the whole import.")]

Callbacks = dict[str, Any]  # on_reject, on_batch for the Store's import methods


@dataclass(frozen=True)
class ImportRun:
    """One import command's file options."""

    file: Path
    encoding: Encoding
    rejects: Path | None
    dry_run: bool
    strict: bool


def _run_import(
    store: Store,
    run: ImportRun,
    prepare: Callable[[list[str]], tuple[tuple[str, ...], Callable[[list[str], int], Any]]],
    execute: Callable[[Iterator[Any], Callbacks], ImportReport],
) -> None:
    """The steps every import shares: open and sniff the file, match the header
    (`prepare` returns the unknown columns and the row reader), stream the rows into
    `execute` (a Store import in one transaction), list rejects, print the summary."""
    file = run.file
    with contextlib.ExitStack() as stack:
        stack.callback(store.close)
        raw = stack.enter_context(file.open("rb"))
        try:
            source = open_csv(raw, file.stat().st_size, run.encoding)
            records = source.records()
            first = next(records, None)
            if first is None:
                raise ImportError_("the file is empty")
            header = first[1]
            unknown, read = prepare(header)
        except ImportError_ as exc:
            fail(f"{file}: {exc}; nothing was imported")
        reject_writer = (stack.enter_context(_rejects_file(run.rejects, header))
                         if run.rejects else None)
        shown: list[RowProblem] = []
        cells_by_line: dict[int, list[str]] = {}  # recent rows, for --rejects

        def rejected(problems: list[RowProblem]) -> None:
            if run.strict:
                raise ImportError_(f"{problems[0]} (--strict)")
            if len(shown) < SHOWN_PROBLEMS:
                shown.extend(problems[: SHOWN_PROBLEMS - len(shown)])
            if reject_writer is not None:
                line = problems[0].line
                reject_writer.writerow([*map(neutralise, cells_by_line.pop(line, [])),
                                        str(line),
                                        "; ".join(p.column for p in problems if p.column),
                                        "; ".join(p.reason for p in problems)])

        def rows() -> Iterator[Any]:
            for line, cells in records:
                if reject_writer is not None:
                    if len(cells_by_line) > 50_000:
                        cells_by_line.clear()  # rows long written; bounded memory
                    cells_by_line[line] = cells
                yield read(cells, line)

        progress = Progress(source.size)
        try:
            report = execute(rows(), {
                "on_reject": rejected,
                "on_batch": lambda r: progress.update(r.rows, source.counter.consumed)})
        except ImportError_ as exc:
            progress.done()
            fail(f"{file}: {exc}; nothing was imported")
        except KeyboardInterrupt:
            progress.done()
            typer.echo("Stopped: nothing was imported (the import is one transaction).",
                       err=True)
            raise typer.Exit(130) from None
        progress.done()
    rate = progress.rate(report.rows)
    if unknown:
        typer.echo(f"Not imported (unknown columns): {', '.join(unknown)}", err=True)
    for problem in shown:
        typer.echo(f"  {problem}", err=True)
    if report.rejected > len({p.line for p in shown}):
        more = report.rejected - len({p.line for p in shown})
        typer.echo(f"  … and {more:,} more rejected rows"
                   + (f" (all in {run.rejects})" if run.rejects
                      else " (--rejects FILE lists all)"), err=True)
    verb = "Would import" if run.dry_run else "Imported"
    typer.echo(f"{verb} {file.name}: {report.added:,} added, {report.updated:,} updated, "
               f"{report.skipped:,} skipped, {report.rejected:,} rejected "
               f"({report.rows:,} rows, {rate:,.0f} rows/s, "
               f"{source.encoding.removesuffix('-sig')}, delimiter {source.delimiter!r}).")
    if report.created:
        typer.echo(f"New campaigns: {', '.join(report.created)}")
    if run.dry_run:
        typer.echo("Dry run: nothing was written.")
    for result in report.refreshed:
        if result.changed:
            typer.echo(result.summary())


@import_app.command("contacts")
def import_contacts(
    ctx: typer.Context,
    file: FileArgument,
    on_duplicate: Annotated[str, typer.Option(
        help="A row whose email a contact already has: update (fill in its non-empty "
             "cells, add its tags), skip, or error (reject the row).")] = "update",
    column_map: MapOption = None,
    encoding: EncodingOption = Encoding.AUTO,
    rejects: RejectsOption = None,
    dry_run: DryRunOption = False,
    strict: StrictOption = False,
    db: DbOption = None,
) -> None:
    """Import contacts from a CSV file, in one transaction: merged with existing contacts
    by email; invalid rows listed with line, column and reason."""
    from segtui.core import clock
    from segtui.data.importer import OnDuplicate

    try:
        duplicates = OnDuplicate(on_duplicate)
    except ValueError:
        fail(f"--on-duplicate must be update, skip or error, not {on_duplicate!r}")
    try:
        explicit = parse_map(column_map or [], Field)
    except ImportError_ as exc:
        fail(str(exc))
    store = _script_store(ctx, db)

    def prepare(header: list[str]) -> tuple[tuple[str, ...], Callable[[list[str], int], Any]]:
        columns = map_columns(header, explicit)
        return columns.unknown, RowReader(columns, header, clock.today()).read

    _run_import(store, ImportRun(file, encoding, rejects, dry_run, strict), prepare,
                lambda rows, callbacks: store.import_contacts(
                    rows, duplicates, dry_run=dry_run, **callbacks))


def _import_events(ctx: typer.Context, run: ImportRun, column_map: list[str] | None,
                   segment: str | None, db: str | None, *, results: bool) -> None:
    from segtui.core import clock
    from segtui.core.event_import import EventField, EventReader, map_event_columns

    try:
        explicit = parse_map(column_map or [], EventField)
    except ImportError_ as exc:
        fail(str(exc))
    store = _script_store(ctx, db)
    link: int | None = None
    if segment is not None:
        link = store.segment_id_named(segment)
        if link is None:
            store.close()
            fail(f"no segment named {segment!r}")

    email_column = [EventField.EMAIL.value]  # the file's own name for it, for messages

    def prepare(header: list[str]) -> tuple[tuple[str, ...], Callable[[list[str], int], Any]]:
        columns = map_event_columns(header, explicit, results)
        email_column[0] = header[columns.fields[EventField.EMAIL]].strip()
        # A results file saying "yes" without a time: the start of today.
        midnight = datetime.combine(clock.today(), datetime.min.time())
        return columns.unknown, EventReader(columns, header, clock.today(), midnight).read

    _run_import(store, run, prepare, lambda rows, callbacks: store.import_events(
        rows, link_segment=link, email_column=email_column[0], dry_run=run.dry_run,
        **callbacks))


SegmentOption = Annotated[str | None, typer.Option(
    "--segment", help="Link every campaign named in the file to this segment, so its "
                      "Performance tab shows them.")]


@import_app.command("events")
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
) -> None:
    """Import an event log (Email, Type, Occurred At, [Campaign], [Revenue]): one event
    per row, for contacts found by email; events already stored are skipped."""
    _import_events(ctx, ImportRun(file, encoding, rejects, dry_run, strict), column_map,
                   segment, db, results=False)


@import_app.command("campaigns")
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
) -> None:
    """Import campaign results as campaign tools export them: Campaign, Email and a time
    (or yes) per outcome (Sent, Opened, Clicked, Responded, Converted with Revenue,
    Unsubscribed); each filled outcome becomes an event."""
    _import_events(ctx, ImportRun(file, encoding, rejects, dry_run, strict), column_map,
                   segment, db, results=True)


@contextlib.contextmanager
def _rejects_file(path: Path, header: list[str]) -> Iterator[Any]:
    import csv

    with atomic_text(path) as handle:
        writer = csv.writer(handle)
        writer.writerow([*header, "Line", "Column", "Reason"])
        yield writer


@export_app.command("members")
def export_members(
    ctx: typer.Context,
    segment: Annotated[str, typer.Argument(help="The segment's name.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write; - for "
                                         "standard output.", dir_okay=False)],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv, json (an array) or "
                                              "jsonl (one object per line).")]
    = ExportFormat.CSV,
    raw: Annotated[bool, typer.Option("--raw", help="CSV cells exactly as stored, without "
                                      "the apostrophe that stops spreadsheets running "
                                      "formulas.")] = False,
    db: DbOption = None,
) -> None:
    """Write every member of a segment with all contact fields, streamed."""
    store = _script_store(ctx, db)
    try:
        segment_id = store.segment_id_named(segment)
        if segment_id is None:
            fail(f"no segment named {segment!r}")
        count = 0
        with store.member_export(segment_id) as records, atomic_text(output) as handle:
            if fmt is ExportFormat.CSV:
                count = write_rows(handle, MEMBER_HEADER, map(csv_row, records), raw=raw)
            else:
                def counted() -> Iterator[MemberRecord]:
                    nonlocal count
                    for record in records:
                        count += 1
                        yield record

                for chunk in json_lines(counted(), array=fmt is ExportFormat.JSON):
                    handle.write(chunk)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    finally:
        store.close()
    if str(output) != "-":
        noun = "member" if count == 1 else "members"
        typer.echo(f"Exported {count:,} {noun} of {segment} to {output}", err=True)


@export_app.command("segments")
def export_segments(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write; - for "
                                         "standard output.", dir_okay=False)],
    search: Annotated[str, typer.Option(help="Only segments matching this, as the "
                                        "dashboard's search (name, tags, member "
                                        "companies).")] = "",
    raw: Annotated[bool, typer.Option("--raw", help="Cells exactly as stored.")] = False,
    db: DbOption = None,
) -> None:
    """The dashboard's CSV export (spec 7.1): name, description, status, counts, date."""
    from segtui.core.export import SEGMENT_EXPORT_HEADER, segment_export_rows
    from segtui.core.records import SegmentFilter, SegmentSort

    store = _script_store(ctx, db)
    count = 0
    try:
        with atomic_text(output) as handle:
            count = write_rows(handle, SEGMENT_EXPORT_HEADER, segment_export_rows(
                store.iter_segments(SegmentFilter(search=search), SegmentSort())), raw=raw)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    finally:
        store.close()
    if str(output) != "-":
        typer.echo(f"Exported {count:,} segments to {output}", err=True)
