"""Everything the command line prints goes through here (I16.7; docs/cli.md).

User data reaches the terminal in names, rules, file names, CSV headers and cells,
campaign names and error messages. A line holding ESC, a C1 control (U+009B is a CSI) or a
bidi override could retitle the terminal, hide text or disguise it. So every line is
written by `say` (stdout), `warn` (stderr) or `fail` (stderr, then exit 1), each of which
shows those characters as visible stand-ins (`core.text.visible`: ESC as ␛). Exports
written to standard output go through `data_output`, which does the same when standard
output is a terminal and leaves a pipe or a file exact. Click's own usage errors, which
quote what was typed, pass through `SafeGroup`. The shapes the scripting commands print
(a table, `--json`, `--jsonl`) are made here too (`Output`, `emit_objects`, `dumps`).

No other module of the command line calls `typer.echo`, `print` or writes to
`sys.stdout`/`sys.stderr` (tests/test_cli_output.py checks every module).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, redirect_stdout
from enum import StrEnum
from typing import IO, Any, NoReturn

import typer
from typer.core import TyperGroup

from segtui.core.text import ellipsize, printable, safe_json, visible
from segtui.transfer.segment_json import iso as iso  # the commands print times so

# What may stay as it is in a line: a tab (columns for scripts) and a line break (several
# lines written at once). A carriage return could overwrite what the line showed.
KEEP = "\t\n"


def terminal_text(text: str) -> str:
    """`text` as the command line shows it: control and bidi characters as stand-ins."""
    return visible(text, keep=KEEP)


def say(text: str = "", *, nl: bool = True) -> None:
    """A line (or several) of output on stdout."""
    typer.echo(terminal_text(text), nl=nl)


def warn(text: str) -> None:
    """A line on stderr: progress, warnings, what was not imported."""
    typer.echo(terminal_text(text), err=True)


def fail(message: str, *more: str, code: int = 1) -> NoReturn:
    """Stop with `segtui: message` on stderr, on one line (its line breaks shown as
    spaces), then the lines in `more` (a rule with a caret under its mistake), then exit
    with `code` (1: something the user can fix; docs/cli.md)."""
    first = visible(message.replace("\n", " "))
    # The lines in `more` show even tabs and line breaks as one stand-in each, so a caret
    # line under them still points at the right column.
    typer.echo("\n".join([f"segtui: {first}", *map(visible, more)]), err=True)
    raise typer.Exit(code)


def status(text: str) -> None:
    """Redraw the one self-overwriting status line on stderr (the import's progress)."""
    sys.stderr.write("\r" + visible(text))
    sys.stderr.flush()


def clear_status(width: int = 79) -> None:
    """Blank the status line and go back to its start."""
    sys.stderr.write("\r" + " " * width + "\r")
    sys.stderr.flush()


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


class _TerminalWriter:
    """A text stream that shows control and bidi characters as stand-ins, for data
    written to a terminal (`export members -o -` typed at a prompt)."""

    def __init__(self, target: IO[str]) -> None:
        self.target = target

    def write(self, text: str) -> int:
        # CSV ends its lines with CR LF: on a terminal that is a line end; a CR of its own
        # would move back over the line, so it shows as ␍.
        self.target.write(terminal_text(text.replace("\r\n", "\n")))
        return len(text)

    def flush(self) -> None:
        self.target.flush()

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # Click would write bytes to it, past this filter
            raise AttributeError(name)
        return getattr(self.target, name)


@contextmanager
def data_output() -> Iterator[None]:
    """Around an export to standard output: when it is a terminal, what is written shows
    stand-ins for control and bidi characters (even with --raw: anyone who wants the exact
    bytes redirects it to a file or a pipe, which get them unchanged)."""
    if not stdout_is_terminal():
        yield
        return
    with redirect_stdout(_TerminalWriter(sys.stdout)):
        yield


class _SafeStderr(_TerminalWriter):
    """Click writes its usage errors itself, quoting what was typed ("No such option:
    --x"). Through this, they show stand-ins too (a carriage return is kept: it only
    moves to the start of the line, as the progress bar does)."""

    def write(self, text: str) -> int:
        self.target.write(visible(text, keep=KEEP + "\r"))
        return len(text)


class SafeGroup(TyperGroup):
    """The root command: while it runs, whatever reaches stderr without `warn` or `fail`
    (Click's usage errors) shows control and bidi characters as stand-ins."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        original = sys.stderr
        sys.stderr = _SafeStderr(original)
        try:
            return super().main(*args, **kwargs)
        finally:
            sys.stderr = original


# -- tables and JSON (the scripting commands; docs/cli.md) ---------------------------------


class Output(StrEnum):
    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"


def output_mode(ctx: typer.Context, as_json: bool, jsonl: bool = False) -> Output:
    """What --json and --jsonl asked for (both at once is a usage error)."""
    if as_json and jsonl:
        ctx.fail("give --json or --jsonl, not both")
    return Output.JSON if as_json else Output.JSONL if jsonl else Output.TEXT


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON with control and bidi characters escaped (core/text.py, `safe_json`)."""
    return safe_json(value, indent=indent)


def emit_objects(output: Output, objects: Iterable[dict[str, Any]],
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


def cell(value: object, width: int | None = None) -> str:
    """A value as a table shows it: on one line, cut to `width` with an ellipsis."""
    shown = printable(str(value))
    return shown if width is None else ellipsize(shown, width)
