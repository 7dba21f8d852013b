"""Reading an import file's rows: here, or in a second process for a large file (issue 6).

An import does two kinds of work per row: reading (CSV parsing and validation, pure
Python) and writing (matching and inserting, Python plus SQLite). On one core they add
up; a large file's rows are therefore read and validated in a child process while this
process writes the previous batch, so the two overlap on two cores
(docs/benchmarks.md, "Ninth run", has the figures).

Both ways yield the same `Read` triples, from the same `read_records`, so the caller can't
tell them apart; tests run the same files through both (tests/test_read_ahead.py).

The child is started with "spawn", not "fork": the app imports from a worker thread, and
forking a process with threads can copy a lock some other thread holds. It ignores
Ctrl+C (the parent's KeyboardInterrupt stops the import and the child with it), and it
dies with the parent: its sends to a parent that is gone fail (a broken pipe), and a
parent that stops reading terminates it.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from segtui.core.importing import Encoding, ImportError_, open_csv

# Files from this size up are read ahead in a child process; below it, starting the
# child (a new interpreter importing segtui.core, about 0.15 s) costs more than it saves.
READ_AHEAD_BYTES = 4 << 20
ROWS_PER_MESSAGE = 2_000
COLLECT_EVERY = 10  # messages between collections of the young generations

# (line where the record starts, what the reader made of it, the record's cells or None).
# The cells come along only when asked for (keep_cells): the rejects file copies them.
Read = tuple[int, Any, list[str] | None]


class RowReading(Protocol):
    """What turns one record into a validated row or its problems (core.importing's
    RowReader, core.event_import's EventReader)."""

    def read(self, cells: list[str], line: int) -> Any: ...


def read_records(records: Iterable[tuple[int, list[str]]], reader: RowReading,
                 keep_cells: bool) -> Iterator[Read]:
    """Each record read: the one loop both ways run."""
    read = reader.read
    if keep_cells:
        for line, cells in records:
            yield line, read(cells, line), cells
    else:
        for line, cells in records:
            yield line, read(cells, line), None


@dataclass(frozen=True)
class ReadJob:
    """What the child needs to read a file as the parent would (it is pickled to it)."""

    path: Path
    encoding: Encoding  # as asked for: the child detects the same codec and delimiter
    make_reader: Callable[[], RowReading]  # picklable, e.g. functools.partial(RowReader, ...)
    keep_cells: bool


class ReadAhead:
    """The rows of `job.path` after its header, read and validated in a child process.

    Use as a context manager: leaving it (normally, by an exception, or by Ctrl+C)
    stops the child. Iterating raises ImportError_ for a file the child could not read
    (a broken quote), with the same message as reading it here."""

    def __init__(self, job: ReadJob) -> None:
        context = multiprocessing.get_context("spawn")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(job, send), daemon=True,
                                        name="segtui-import-reader")
        self._process.start()
        send.close()  # the child holds the only sending end: its exit is our EOF
        self.consumed = 0  # bytes of the file the child has read, for the progress bar

    def __iter__(self) -> Iterator[Read]:
        while True:
            try:
                kind, payload, consumed = self._receive.recv()
            except EOFError:
                raise ImportError_("the process reading the file stopped unexpectedly "
                                   f"(exit code {self._process.exitcode})") from None
            self.consumed = consumed
            if kind == "rows":
                yield from payload
            elif kind == "done":
                return
            elif kind == "error":
                raise ImportError_(payload)
            else:  # "crash": a bug, reported with the child's traceback
                raise RuntimeError(f"reading the file failed:\n{payload}")

    def close(self) -> None:
        self._receive.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _child(job: ReadJob, send: Connection) -> None:
    """The child process: read, validate and send the rows in messages of
    ROWS_PER_MESSAGE. The pipe holds about one message, so the child is never more than
    a message or two ahead of the writer: memory stays bounded for any file size."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()  # as data/file_transfer.collector_paused does in the parent, and why
    consumed = sent = 0
    try:
        with job.path.open("rb") as raw:
            source = open_csv(raw, os.fstat(raw.fileno()).st_size, job.encoding)
            records = source.records()
            next(records, None)  # the header: the parent has matched it already
            batch: list[Read] = []
            for read in read_records(records, job.make_reader(), job.keep_cells):
                batch.append(read)
                if len(batch) == ROWS_PER_MESSAGE:
                    send.send(("rows", batch, source.counter.consumed))
                    batch = []
                    sent += 1
                    if sent % COLLECT_EVERY == 0:
                        gc.collect(1)
            consumed = source.counter.consumed
        send.send(("rows", batch, consumed))
        send.send(("done", None, consumed))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the parent has gone (finished early, stopped, or killed)
    except ImportError_ as exc:
        _last_word(send, ("error", str(exc), consumed))
    except OSError as exc:  # e.g. the file was removed since the parent opened it
        _last_word(send, ("error", f"cannot read it: {exc.strerror or exc}", consumed))
    except Exception:  # a bug: handed to the parent, which raises it
        _last_word(send, ("crash", traceback.format_exc(), consumed))
    finally:
        send.close()


def _last_word(send: Connection, message: tuple[str, str, int]) -> None:
    """Tell the parent why reading stopped, unless it has gone meanwhile."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        send.send(message)
