"""Reading an import file's rows: here, or in a second process for a large file (I6).

An import does two kinds of work per row: reading (CSV parsing and validation, pure
Python) and writing (matching and inserting, Python plus SQLite). On one core they add
up; a large file's rows are therefore read and validated in a child process while this
process writes the previous batch, so the two overlap on two cores
(docs/benchmarks.md, "Ninth run", has the figures).

Both ways yield the same `Read` triples, from the same `read_records`, so the caller can't
tell them apart; tests run the same files through both (the `reading` fixture).

The child is a plain `subprocess` running `child()`, with the job and the rows pickled
over its stdin and stdout. Not multiprocessing: its "spawn" start also starts a resource
tracker that wants stderr's file descriptor, which a running Textual app has replaced
(the import dialog failed with "bad value(s) in fds_to_keep"); and "fork" in a process
with threads (the app imports from a worker thread) can copy a lock another thread holds.
The child runs in its own session, so a Ctrl+C at the terminal reaches the importing
process only, which stops the import and kills the child; if the importing process is
killed, the child's next write finds no reader and it ends.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

from segtui.core.formats.contact_columns import ImportError_
from segtui.core.formats.csv_source import open_csv
from segtui.core.formats.file_formats import Encoding

# Files from this size up are read ahead in a child process; below it, starting the
# child (a new interpreter importing segtui.core, about 0.15 s) costs more than it saves.
READ_AHEAD_BYTES = 4 << 20
ROWS_PER_MESSAGE = 2_000

# (line where the record starts, what the reader made of it, the record's cells or None).
# The cells come along only when asked for (keep_cells): the rejects file copies them.
Read = tuple[int, Any, list[str] | None]


class RowReading(Protocol):
    """What turns one record into a validated row or its problems (core.importing's
    RowReader, core.event_import's EventReader)."""

    def read(self, cells: list[str], line: int) -> Any: ...


# Batches between two collections of the young generations during an import. A
# collection walks every object still alive (the batch being written): once a batch, it
# took 0.8 us a row of the writing process's time.
COLLECT_EVERY = 10


@contextlib.contextmanager
def collector_paused() -> Iterator[Callable[[], None]]:
    """Python's cyclic garbage collector off while an import streams, in both processes.
    Every row allocates a few short-lived lists and dicts (reference counting frees them),
    yet each 700 allocations start a collector pass, and the older passes walk everything
    alive: with it off, reading 200,000 rows took 4.4 instead of 8.0 us a row and
    validating them 16 instead of 24 (docs/benchmarks.md).

    Yields the function to call after each batch: every COLLECT_EVERY calls it collects
    the young generations, so garbage with cycles can't pile up over a long file."""
    was_on = gc.isenabled()
    gc.disable()
    batches = 0

    def batch_done() -> None:
        nonlocal batches
        batches += 1
        if batches % COLLECT_EVERY == 0:
            gc.collect(1)

    try:
        yield batch_done
    finally:
        if was_on:
            gc.enable()


def read_records(records: Iterable[tuple[int, list[str]]], reader: RowReading,
                 keep_cells: bool) -> Iterator[Read]:
    """Each record read: the one loop both ways run."""
    read = reader.read
    for line, cells in records:
        yield line, read(cells, line), cells if keep_cells else None


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
        # The child imports the same segtui as this process, wherever that is.
        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ,
               "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self._process = subprocess.Popen(
            [sys.executable, "-c", "from segtui.transfer.read_ahead import child; child()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            # Its own session: a Ctrl+C at the terminal reaches this process only, which
            # stops the import and, leaving the `with`, the child.
            start_new_session=True)
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        self._receive: IO[bytes] = stdout
        try:
            with stdin:
                pickle.dump(job, stdin, protocol=pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:
            pass  # the child has ended already: iterating says why
        except BaseException:
            self.close()  # e.g. a job that can't be pickled: no child left behind
            raise
        self.consumed = 0  # bytes of the file the child has read, for the progress bar

    def __iter__(self) -> Iterator[Read]:
        while True:
            try:
                kind, payload, consumed = pickle.load(self._receive)  # our own child's
            except (EOFError, pickle.UnpicklingError):  # ended, perhaps mid-message
                raise ImportError_(f"the process reading the file stopped: {self._died()}"
                                   ) from None
            self.consumed = consumed
            if kind == "rows":
                yield from payload
            elif kind == "done":
                return
            elif kind == "error":
                raise ImportError_(payload)
            else:  # "crash": a bug, reported with the child's traceback
                raise RuntimeError(f"reading the file failed:\n{payload}")

    def _died(self) -> str:
        """Why the child ended without a word: its exit code and last line of stderr."""
        code = self._process.wait()
        stderr = self._process.stderr.read() if self._process.stderr else b""
        last = stderr.decode(errors="replace").strip().splitlines()[-1:]
        return f"exit code {code}" + (f" ({last[0]})" if last else "")

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()  # it holds nothing worth a clean exit: it only reads
        self._process.wait()
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def child() -> None:
    """The child process: read the job from stdin, then read, validate and send the rows
    on stdout in messages of ROWS_PER_MESSAGE. The pipe holds less than one message, so
    the child is never more than a message or two ahead of the writer: memory stays
    bounded for any file size. Writing to a parent that has gone (finished early,
    stopped, killed) fails with a broken pipe, which ends the child."""
    job: ReadJob = pickle.load(sys.stdin.buffer)  # from our parent
    out = sys.stdout.buffer

    def send(message: tuple[str, Any, int]) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    consumed = 0
    try:
        with collector_paused() as collect, job.path.open("rb") as raw:
            source = open_csv(raw, os.fstat(raw.fileno()).st_size, job.encoding)
            records = source.records()
            next(records, None)  # the header: the parent has matched it already
            batch: list[Read] = []
            for read in read_records(records, job.make_reader(), job.keep_cells):
                batch.append(read)
                if len(batch) == ROWS_PER_MESSAGE:
                    send(("rows", batch, source.counter.consumed))
                    batch = []
                    collect()
            consumed = source.counter.consumed
        send(("rows", batch, consumed))
        send(("done", None, consumed))
    except (BrokenPipeError, ConnectionResetError):
        return  # the parent has gone
    except ImportError_ as exc:
        message = ("error", str(exc), consumed)
    except OSError as exc:  # e.g. the file was removed since the parent opened it
        message = ("error", f"cannot read it: {exc.strerror or exc}", consumed)
    except Exception:  # a bug: handed to the parent, which raises it
        message = ("crash", traceback.format_exc(), consumed)
    else:
        return
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        send(message)
