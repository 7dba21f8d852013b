"""Files in and out through the Store (I6; docs/import-export.md).

The steps the command line (`segtui import ...`, `segtui export members`) and the app's
dialogs (screens/modals/import_file.py, screens/modals/export_members.py) share:

- importing: open and sniff a CSV file, match its header (with a preset or mapping file,
  `--map` and `--values`), stream its rows into one Store import (one transaction),
  collect the rejected rows (and write them to a rejects file if asked: rejects.py),
  report progress;
  and, for the import dialog's column view, read a file's header and say what each column
  would fill;
- exporting (exports.py): stream a segment's members into a file that appears only when
  complete.

Imports neither Typer nor Textual: the callers print or draw the results.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from segtui.core import clock
from segtui.core.contact_keys import MatchKey
from segtui.core.formats.cell_text import encoding_label
from segtui.core.formats.column_plan import ColumnPlan, ColumnUse, Skip, plan_columns
from segtui.core.formats.contact_columns import (
    ImportError_,
    map_columns,
    match_warning,
    parse_map,
    plan_contact_columns,
)
from segtui.core.formats.contact_fields import Field
from segtui.core.formats.contact_value_map import ValueMap, parse_values
from segtui.core.formats.contacts_csv import ReadOptions, RowProblem, RowReader
from segtui.core.formats.csv_source import CsvSource, open_csv
from segtui.core.formats.events_csv import (
    EVENT_FIELD_EXAMPLE,
    KNOWN,
    EventField,
    EventReader,
    map_event_columns,
)
from segtui.core.formats.file_formats import Encoding
from segtui.core.formats.presets import ResolvedPreset, parse_preset, preset_named, resolve
from segtui.core.formatting import plural
from segtui.core.imports import ImportReport, OnDuplicate
from segtui.transfer import read_ahead

if TYPE_CHECKING:
    from segtui.data.store import Store
from segtui.transfer.rejects import rejects_file

SHOWN_PROBLEMS = 20  # rejected rows kept for the caller to show; all go to the rejects file
_REJECT_CELLS_KEPT = 50_000  # recent rows' cells, for the rejects file; bounded memory


class ImportKind(StrEnum):
    """What a file holds (the `segtui import` subcommands)."""

    CONTACTS = "contacts"
    EVENTS = "events"  # an event log: one event per row
    CAMPAIGNS = "campaigns"  # campaign results: one recipient per row, one column per outcome


class TransferStopped(Exception):
    """Raised by an `on_progress` callback to stop an import or an export: the import's
    transaction rolls back, the export's file is never created; nothing is written."""


@dataclass(frozen=True)
class ImportRequest:
    """One import: the file and the options of `segtui import KIND FILE`."""

    kind: ImportKind
    file: Path
    dry_run: bool = False
    on_duplicate: OnDuplicate = OnDuplicate.UPDATE  # contacts only
    column_map: tuple[str, ...] = ()  # --map "File Header=Field" options
    value_map: tuple[str, ...] = ()  # contacts: --values "Field:File Value=Value" options
    preset: str | None = None  # contacts: a built-in mapping's name or a mapping file
    link_segment: int | None = None  # events and campaigns: link their campaigns to it
    encoding: Encoding = Encoding.AUTO
    rejects: Path | None = None  # also write every rejected row here (CSV)
    strict: bool = False  # the first rejected row stops the import (ImportError_)
    match: MatchKey = MatchKey.EMAIL  # contacts only: how a row finds its contact


@dataclass(frozen=True)
class ImportProgress:
    """How far an import is, after each batch written."""

    rows: int  # records read so far
    consumed: int  # bytes of the file read so far
    size: int  # bytes in the file
    elapsed: float  # seconds since the rows started

    @property
    def share(self) -> float:
        return min(self.consumed / max(self.size, 1), 1.0)

    @property
    def rate(self) -> float:
        """Rows per second."""
        return self.rows / max(self.elapsed, 1e-9)


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did (or, for a dry run, would do)."""

    file: Path
    dry_run: bool
    report: ImportReport
    columns: tuple[ColumnUse[Any], ...]  # what each column filled, or why not
    problems: tuple[RowProblem, ...]  # the first SHOWN_PROBLEMS of the rejected rows
    encoding: str
    delimiter: str
    elapsed: float
    # Said before anything else: e.g. a file without an Email column whose every row will
    # be a new contact again on each import (I16.16).
    warnings: tuple[str, ...] = ()

    @property
    def rate(self) -> float:
        return self.report.rows / max(self.elapsed, 1e-9)

    @property
    def unknown(self) -> tuple[str, ...]:
        """Header names matching no field: not imported."""
        return tuple(c.label for c in self.columns if c.target is Skip.UNKNOWN and c.label)

    @property
    def more_rejected(self) -> int:
        """Rejected rows beyond the ones in `problems`."""
        return max(self.report.rejected - len({p.line for p in self.problems}), 0)

    @property
    def encoding_name(self) -> str:
        return encoding_label(self.encoding)

    def headline(self) -> str:
        """'Imported leads.csv: 2 added, 1 updated, 0 skipped, 3 rejected'."""
        r = self.report
        verb = "Would import" if self.dry_run else "Imported"
        return (f"{verb} {self.file.name}: {r.added:,} added, {r.updated:,} updated, "
                f"{r.skipped:,} skipped, {r.rejected:,} rejected")

    def summary(self) -> str:
        """The headline, then '(3 rows, 900 rows/s, utf-8, delimiter ',').'."""
        return (f"{self.headline()} ({plural(self.report.rows, 'row')}, {self.rate:,.0f} rows/s, "
                f"{self.encoding_name}, delimiter {self.delimiter!r}).")


def import_path(text: str) -> Path:
    """The file a user typed (`~` expanded), checked before anything is opened: it exists,
    is a file and can be read. ImportError_ says what is wrong."""
    if not text.strip():
        raise ImportError_("enter the path of a CSV file")
    path = Path(text.strip()).expanduser()
    try:
        if not path.exists():
            raise ImportError_(f"{path}: no such file")
        if path.is_dir():
            raise ImportError_(f"{path} is a folder, not a file")
        if not os.access(path, os.R_OK):
            raise ImportError_(f"{path}: not readable (permission denied)")
    except OSError as exc:  # e.g. a name too long for the file system
        raise ImportError_(f"{path}: {exc.strerror or exc}") from None
    return path


def check_options(kind: ImportKind, column_map: Sequence[str],
                  value_map: Sequence[str] = (), preset: str | None = None) -> None:
    """ImportError_ if a --map or --values option is malformed or names no field of this
    kind, or the preset is neither a built-in mapping nor a readable mapping file."""
    contacts = kind is ImportKind.CONTACTS
    parse_map(column_map, Field if contacts else EventField, salutation=contacts)
    if not contacts and (value_map or preset):
        raise ImportError_("--values and --preset are for contacts files")
    parse_values(value_map)
    if preset is not None:
        load_preset(preset)


def load_preset(name: str) -> ResolvedPreset:
    """A built-in mapping (hubspot, mautic, salesforce) or a mapping file (TOML)."""
    built_in = preset_named(name)
    if built_in is not None:
        return resolve(built_in)
    path = Path(name).expanduser()
    if path.suffix.casefold() != ".toml" and not path.exists():
        raise ImportError_(f"--preset {name!r}: not a preset (hubspot, mautic, salesforce) "
                           "or a mapping file (.toml)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise ImportError_(f"--preset {name!r}: cannot read it: {reason or exc}") from None
    return resolve(parse_preset(text, path.name))


def _value_map(preset: ResolvedPreset | None, options: Sequence[str]) -> ValueMap:
    """The preset's values with the --values options over them, value by value."""
    values: ValueMap = {f: dict(table) for f, table in (preset.values if preset else {})
                        .items()}
    for f, table in parse_values(options).items():
        values.setdefault(f, {}).update(table)
    return values


Execute = Callable[[Iterator[Any], Callable[[list[RowProblem]], None],
                    Callable[[ImportReport], None]], ImportReport]


def column_plan(request: ImportRequest, header: Sequence[str]
                ) -> tuple[ColumnPlan[Any], str | None]:
    """What each column of `header` would fill, and the first thing that stops the
    import (None if nothing): the import dialog's column view. Never raises for the
    header itself; a bad --map option or preset does."""
    if request.kind is ImportKind.CONTACTS:
        preset = load_preset(request.preset) if request.preset else None
        plan = plan_contact_columns(header, parse_map(request.column_map, Field,
                                                      salutation=True),
                                    preset.columns if preset else None, request.match)
        return plan, (plan.problems[0] if plan.problems else None)
    explicit = parse_map(request.column_map, EventField)
    event_plan = plan_columns(header, KNOWN, explicit, EVENT_FIELD_EXAMPLE)
    try:
        map_event_columns(header, explicit, request.kind is ImportKind.CAMPAIGNS)
    except ImportError_ as exc:
        return event_plan, str(exc)
    return event_plan, None


@dataclass(frozen=True)
class _Plan:
    """How a file's rows are read and imported, from its header."""

    columns: tuple[ColumnUse[Any], ...]  # what each column of the header fills, or why not
    make_reader: Callable[[], read_ahead.RowReading]  # picklable, for a ReadAhead child
    execute: Execute  # the Store import that takes the rows
    warnings: tuple[str, ...] = ()  # said before the rows are read


def _plan(store: Store, request: ImportRequest, header: list[str], encoding: str) -> _Plan:
    """Match the header to the kind's fields (ImportError_ when the header does not
    fit)."""
    today = clock.today()
    if request.kind is ImportKind.CONTACTS:
        preset = load_preset(request.preset) if request.preset else None
        columns = map_columns(header, parse_map(request.column_map, Field, salutation=True),
                              preset.columns if preset else None, request.match)
        headers = {f: header[i].strip() for f, i in columns.fields.items()}
        warning = match_warning(columns, request.match)
        options = ReadOptions(_value_map(preset, request.value_map),
                              preset.dates if preset else ReadOptions.dates, encoding)

        def contacts(rows: Iterator[Any], on_reject: Callable[[list[RowProblem]], None],
                     on_batch: Callable[[ImportReport], None]) -> ImportReport:
            return store.transfer.import_contacts(rows, request.on_duplicate, match=request.match,
                                                  headers=headers, dry_run=request.dry_run,
                                                  on_reject=on_reject, on_batch=on_batch)

        return _Plan(columns.columns, partial(RowReader, columns, header, today, options),
                     contacts, (warning,) if warning else ())
    results = request.kind is ImportKind.CAMPAIGNS
    event_columns = map_event_columns(header, parse_map(request.column_map, EventField),
                                      results)
    email_column = header[event_columns.fields[EventField.EMAIL]].strip()  # for messages
    # A results file saying "yes" without a time: the start of today.
    midnight = datetime.combine(today, datetime.min.time())

    def events(rows: Iterator[Any], on_reject: Callable[[list[RowProblem]], None],
               on_batch: Callable[[ImportReport], None]) -> ImportReport:
        return store.transfer.import_events(rows, link_segment=request.link_segment,
                                            email_column=email_column, dry_run=request.dry_run,
                                            on_reject=on_reject, on_batch=on_batch)

    return _Plan(event_columns.columns,
                 partial(EventReader, event_columns, header, today, midnight, encoding),
                 events)


@contextlib.contextmanager
def _opened(file: Path, encoding: Encoding) -> Iterator[tuple[CsvSource, int]]:
    """The file opened for reading (ImportError_ if it can't be), and its size."""
    with contextlib.ExitStack() as stack:
        try:
            raw: IO[bytes] = stack.enter_context(file.open("rb"))
            size = os.fstat(raw.fileno()).st_size
        except OSError as exc:
            raise ImportError_(f"cannot read it: {exc.strerror or exc}") from None
        yield open_csv(raw, size, encoding), size


@dataclass(frozen=True)
class ColumnPreview:
    """A file's header and what each column would fill (the import dialog's view)."""

    columns: tuple[ColumnUse[Any], ...]
    problem: str | None  # what stops the import, if the header does


def preview_columns(request: ImportRequest) -> ColumnPreview:
    """Read `request.file`'s header only and plan its columns as the import would
    (ImportError_ for a file with no header at all)."""
    with _opened(request.file, request.encoding) as (source, _):
        first = next(source.records(), None)
    if first is None:
        raise ImportError_("the file is empty")
    plan, problem = column_plan(request, first[1])
    return ColumnPreview(plan.columns, problem)


def import_file(store: Store, request: ImportRequest,
                on_progress: Callable[[ImportProgress], None] | None = None,
                on_warning: Callable[[str], None] | None = None) -> ImportOutcome:
    """Import `request.file` in one Store transaction (see Store.transfer.import_contacts).

    Raises ImportError_ when the file can't be imported at all (unreadable, empty, no
    header, a broken quote, --strict with a rejected row); whatever `on_progress` raises
    (TransferStopped, KeyboardInterrupt) propagates. In every such case nothing was written.
    `on_warning` hears what should be said before the rows are read (ImportOutcome.warnings
    keeps them too).
    """
    file = request.file
    with contextlib.ExitStack() as stack:
        source, size = stack.enter_context(_opened(file, request.encoding))
        records = source.records()
        first = next(records, None)
        if first is None:
            raise ImportError_("the file is empty")
        header = first[1]
        plan = _plan(store, request, header, source.encoding)
        columns, make_reader, execute = plan.columns, plan.make_reader, plan.execute
        if on_warning is not None:
            for warning in plan.warnings:
                on_warning(warning)
        reject_row = (stack.enter_context(rejects_file(request.rejects, header,
                                                        source.delimiter))
                      if request.rejects else None)
        keep_cells = reject_row is not None
        reads: Iterator[read_ahead.Read]
        consumed: Callable[[], int]  # bytes of the file read so far, for the progress bar
        if size >= read_ahead.READ_AHEAD_BYTES:
            ahead = stack.enter_context(read_ahead.ReadAhead(read_ahead.ReadJob(
                file, request.encoding, make_reader, keep_cells)))
            reads, consumed = iter(ahead), lambda: ahead.consumed
        else:
            reads = read_ahead.read_records(records, make_reader(), keep_cells)
            consumed = lambda: source.counter.consumed  # noqa: E731
        shown: list[RowProblem] = []
        cells_by_line: dict[int, list[str]] = {}  # recent rows, for the rejects file

        def rejected(problems: list[RowProblem]) -> None:
            if request.strict:
                raise ImportError_(f"{problems[0]} (--strict)")
            if len(shown) < SHOWN_PROBLEMS:
                shown.extend(problems[: SHOWN_PROBLEMS - len(shown)])
            if reject_row is not None:
                line = problems[0].line
                reject_row(cells_by_line.pop(line, []), line, problems)

        def rows() -> Iterator[Any]:
            for line, row, cells in reads:
                if cells is not None:
                    if len(cells_by_line) > _REJECT_CELLS_KEPT:
                        cells_by_line.clear()  # rows long written
                    cells_by_line[line] = cells
                yield row

        started = time.perf_counter()
        collect = stack.enter_context(read_ahead.collector_paused())

        def batch_done(report: ImportReport) -> None:
            collect()
            if on_progress is not None:
                on_progress(ImportProgress(report.rows, consumed(), source.size,
                                           time.perf_counter() - started))

        report = execute(rows(), rejected, batch_done)
        elapsed = time.perf_counter() - started
    return ImportOutcome(file, request.dry_run, report, columns, tuple(shown),
                         source.encoding, source.delimiter, elapsed, plan.warnings)
