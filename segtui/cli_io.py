"""`segtui import ...` and `segtui export ...` (issue 6; docs/import-export.md).

No Textual import here: these commands run in scripts and cron jobs without a terminal.
Progress goes to stderr, and only when stderr is a terminal.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from segtui.cli import DbOption, _script_store, app, fail
from segtui.core.csv_safe import neutralise
from segtui.core.exporting import (
    MEMBER_HEADER,
    ExportFormat,
    MemberRecord,
    csv_row,
    json_lines,
)
from segtui.core.importing import (
    ContactIn,
    Encoding,
    ImportError_,
    RowProblem,
    RowReader,
    map_columns,
    open_csv,
    parse_map,
)

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


@import_app.command("contacts")
def import_contacts(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A CSV file with a header row.",
                                         exists=True, dir_okay=False, readable=True)],
    on_duplicate: Annotated[str, typer.Option(
        help="A row whose email a contact already has: update (fill in its non-empty "
             "cells, add its tags), skip, or error (reject the row).")] = "update",
    column_map: Annotated[list[str] | None, typer.Option(
        "--map", help="'File Header=Field' for a column the names don't match; "
                      "repeatable.")] = None,
    encoding: Annotated[Encoding, typer.Option(help="auto: UTF-8 (with or without BOM), "
                                               "else Latin-1.")] = Encoding.AUTO,
    rejects: Annotated[Path | None, typer.Option(
        help="Also write the rejected rows, with line, column and reason, to this CSV.",
        dir_okay=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count everything, "
                                          "then write nothing.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Any rejected row cancels the "
                                         "whole import.")] = False,
    db: DbOption = None,
) -> None:
    """Import contacts from a CSV file, in one transaction: merged with existing contacts
    by email; invalid rows listed with line, column and reason."""
    from segtui.data.importer import OnDuplicate

    try:
        duplicates = OnDuplicate(on_duplicate)
    except ValueError:
        fail(f"--on-duplicate must be update, skip or error, not {on_duplicate!r}")
    try:
        explicit = parse_map(column_map or [])
    except ImportError_ as exc:
        fail(str(exc))
    store = _script_store(ctx, db)
    from segtui.core import clock

    today = clock.today()
    with contextlib.ExitStack() as stack:
        raw = stack.enter_context(file.open("rb"))
        try:
            source = open_csv(raw, file.stat().st_size, encoding)
            records = source.records()
            first = next(records, None)
            if first is None:
                raise ImportError_("the file is empty")
            header = first[1]
            columns = map_columns(header, explicit)
        except ImportError_ as exc:
            store.close()
            fail(f"{file}: {exc}; nothing was imported")
        reject_writer = stack.enter_context(_rejects_file(rejects, header)) if rejects \
            else None
        shown: list[RowProblem] = []

        def rejected(problems: list[RowProblem]) -> None:
            if strict:
                raise ImportError_(f"{problems[0]} (--strict)")
            if len(shown) < SHOWN_PROBLEMS:
                shown.extend(problems[: SHOWN_PROBLEMS - len(shown)])
            if reject_writer is not None:
                line = problems[0].line
                reject_writer.writerow([*map(neutralise, cells_by_line.pop(line, [])),
                                        str(line),
                                        "; ".join(p.column for p in problems if p.column),
                                        "; ".join(p.reason for p in problems)])

        reader = RowReader(columns, header, today)
        cells_by_line: dict[int, list[str]] = {}  # the current batch's rows, for --rejects
        progress = Progress(source.size)

        def rows() -> Iterator[ContactIn | list[RowProblem]]:
            for line, cells in records:
                if reject_writer is not None:
                    if len(cells_by_line) > 50_000:
                        cells_by_line.clear()  # rows long written; bounded memory
                    cells_by_line[line] = cells
                yield reader.read(cells, line)

        try:
            report = store.import_contacts(
                rows(), duplicates, dry_run=dry_run, on_reject=rejected,
                on_batch=lambda r: progress.update(r.rows, source.counter.consumed))
        except ImportError_ as exc:
            progress.done()
            store.close()
            fail(f"{file}: {exc}; nothing was imported")
        except KeyboardInterrupt:
            progress.done()
            store.close()
            typer.echo("Stopped: nothing was imported (the import is one transaction).",
                       err=True)
            raise typer.Exit(130) from None
        finally:
            progress.done()
        store.close()
    rate = progress.rate(report.rows)
    if columns.unknown:
        typer.echo(f"Not imported (unknown columns): {', '.join(columns.unknown)}", err=True)
    for problem in shown:
        typer.echo(f"  {problem}", err=True)
    if report.rejected > len({p.line for p in shown}):
        more = report.rejected - len({p.line for p in shown})
        typer.echo(f"  … and {more:,} more rejected rows"
                   + (f" (all in {rejects})" if rejects else " (--rejects FILE lists all)"),
                   err=True)
    verb = "Would import" if dry_run else "Imported"
    typer.echo(f"{verb} {file.name}: {report.added:,} added, {report.updated:,} updated, "
               f"{report.skipped:,} skipped, {report.rejected:,} rejected "
               f"({report.rows:,} rows, {rate:,.0f} rows/s, {source.encoding.removesuffix('-sig')}"
               f", delimiter {source.delimiter!r}).")
    if dry_run:
        typer.echo("Dry run: nothing was written.")
    for result in report.refreshed:
        if result.changed:
            typer.echo(result.summary())


@contextlib.contextmanager
def _rejects_file(path: Path, header: list[str]) -> Iterator[Any]:
    import csv

    with _atomic(path) as handle:
        writer = csv.writer(handle)
        writer.writerow([*header, "Line", "Column", "Reason"])
        yield writer


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[IO[str]]:
    """A text file that appears at `path` only when complete ("-": standard output)."""
    if str(path) == "-":
        yield sys.stdout
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        with store.member_export(segment_id) as records, _atomic(output) as handle:
            if fmt is ExportFormat.CSV:
                import csv

                writer = csv.writer(handle)
                writer.writerow(MEMBER_HEADER)
                for record in records:
                    cells = csv_row(record)
                    writer.writerow(["" if c is None else str(c) for c in cells] if raw
                                    else [neutralise(c) for c in cells])
                    count += 1
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
    import csv

    from segtui.core.export import SEGMENT_EXPORT_HEADER, segment_export_rows
    from segtui.core.records import SegmentFilter, SegmentSort

    store = _script_store(ctx, db)
    count = 0
    try:
        with _atomic(output) as handle:
            writer = csv.writer(handle)
            writer.writerow(SEGMENT_EXPORT_HEADER)
            for cells in segment_export_rows(
                    store.iter_segments(SegmentFilter(search=search), SegmentSort())):
                writer.writerow(["" if c is None else str(c) for c in cells] if raw
                                else [neutralise(c) for c in cells])
                count += 1
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    finally:
        store.close()
    if str(output) != "-":
        typer.echo(f"Exported {count:,} segments to {output}", err=True)
