"""The `segtui` command. Thin: parse, call core/data, print or launch the app.

Start-up (issue 17 §4): scripts call read commands such as `segtui segments list` over and
over, so a command loads only what it uses. At module level the command modules import
Typer, the option types their commands declare and the helpers every command shares
(printing, the access decorators); everything else is imported inside the function that
needs it: the Store (and with it SQLAlchemy) when a command opens a database, Alembic only
when that database needs migrating (data/schema_version.py), the importer and exporter in
their commands, Textual only on the paths that open the app. So `--help`, `--version`,
`db upgrade` and the scripting commands start fast and work without a terminal.
tests/test_cli_start.py checks what the read commands load.

The process itself (`main`, the real command only; tests call `app`): the cycle collector
is paused while the command starts, until its database is open (`pause_collector`,
`started`), and the process ends without Python's teardown once the command has ended
(`end_process`). Both are work a scripted read would otherwise wait for: about 10 and
60-90 ms of a `segtui segments list` (docs/benchmarks.md, "The process around the
command"). And a command line that names a group first builds that group's commands only
(`build_only_the_named_group`).

The command modules (this one, cli_io, cli_quality, cli_script, cli_users) keep their
annotations as objects, without `from __future__ import annotations`: Typer reads every
command's annotations each time it builds the command line, and as strings each one costs
a compile and an eval (366 for the 23 commands: 16 → 5.5 ms of every run). Names imported
for the type checker only are quoted where they are used.
"""

import gc
import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from segtui import __version__
from segtui.cli_access import acting_user, builds_database, migrates, open_store, reads, writes
from segtui.cli_output import SafeGroup, fail, say, warn
from segtui.core.busy import DatabaseBusy
from segtui.core.formatting import plural
from segtui.core.schema import NewerSchema

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from segtui.app import SegtuiApp
    from segtui.data.store import Store

class SegtuiGroup(SafeGroup):
    """The `segtui` command: an error any command can meet is said here, once, as one
    `segtui:` line and exit 1, never a traceback (docs/cli.md, "Exit codes"); what
    reaches stderr otherwise shows control characters as stand-ins (SafeGroup)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except DatabaseBusy as exc:  # SQLite's write lock, held by another process
            fail(str(exc))
        except NewerSchema as exc:  # a database a newer segtui upgraded
            fail(str(exc))


app = typer.Typer(
    name="segtui",
    cls=SegtuiGroup,
    help="Keyboard-first terminal app for managing CRM customer segments.",
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
segments_app = typer.Typer(help="Scriptable segment commands.", no_args_is_help=True)
app.add_typer(segments_app, name="segments")


class ColorMode(StrEnum):
    AUTO = "auto"
    TRUECOLOR = "truecolor"
    C256 = "256"
    C16 = "16"


# Textual's names for the colour systems (read from TEXTUAL_COLOR_SYSTEM at import time).
TEXTUAL_COLOR_SYSTEMS = {ColorMode.TRUECOLOR: "truecolor", ColorMode.C256: "256",
                         ColorMode.C16: "standard"}

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database file path or URL (sqlite:///PATH, postgresql+psycopg://USER@HOST/DB). "
        "Default: $SEGTUI_DATABASE_URL, else segtui.db in the user data directory.",
        show_default=False,
    ),
]


class UserError(Exception):
    """Something the user can fix; printed as one line on stderr, exit code 1."""


def _version(value: bool) -> None:
    if value:
        say(f"segtui {__version__}")
        raise typer.Exit()


def _check_clock() -> None:
    from segtui.core import clock

    try:
        clock.fixed_day()
    except clock.ClockError as exc:
        fail(str(exc))


def _resolve(db: str | None) -> "URL":
    from segtui.data.engine import DatabaseUrlError, busy_timeout_ms, resolve_url

    try:
        busy_timeout_ms()  # a bad SEGTUI_BUSY_TIMEOUT is said here, before anything runs
        return resolve_url(db)
    except DatabaseUrlError as exc:
        fail(str(exc))


def _open_store(url: "URL") -> "Store":
    """Open (creating and migrating) the database, or exit with a readable reason."""
    from sqlalchemy.exc import SQLAlchemyError

    from segtui.data.store import Store

    try:
        store = Store.open(url)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        fail(f"cannot open database {url.render_as_string(hide_password=True)}: {reason}")
    started()
    return store


def _anchor_clock(store: "Store") -> None:
    """A database anchored to a date (the demo) keeps that date unless SEGTUI_TODAY is set."""
    from segtui.core import clock

    anchored = store.fixed_today()
    if anchored is not None and clock.fixed_day() is None:
        clock.fix(anchored)


def _run_app(store: "Store", options: dict[str, Any]) -> None:
    color: ColorMode = options.get("color", ColorMode.AUTO)
    if color is not ColorMode.AUTO:
        os.environ["TEXTUAL_COLOR_SYSTEM"] = TEXTUAL_COLOR_SYSTEMS[color]
    from segtui.core.permissions import InvalidUserName

    try:
        user = store.current_user(options.get("user"))
    except InvalidUserName as exc:
        fail(str(exc))
    from segtui.app import SegtuiApp, tune_runtime  # imports Textual: only now

    tune_runtime()
    segtui_app = SegtuiApp(store, user)
    segtui_app.run(mouse=options.get("mouse", True))
    exit_after_run(segtui_app)


def exit_after_run(segtui_app: "SegtuiApp") -> None:
    """A crashed app ends the command with status 1 and a line naming its crash log, so
    scripts and wrappers notice (issue 15 §1); a normal quit returns normally."""
    from segtui.core.crash_log import crash_message

    if segtui_app.crash is not None:
        warn(crash_message(segtui_app.crash, segtui_app.crash_log))
        raise typer.Exit(1)
    if segtui_app.return_code:
        raise typer.Exit(segtui_app.return_code)


ColorOption = Annotated[
    ColorMode,
    typer.Option("--color", help="Colours to use; 256 or 16 for basic terminals and SSH."),
]
UserOption = Annotated[
    str | None,
    typer.Option("--user", help="Act as this user (default: $SEGTUI_USER, the database's "
                 "default user, or your login name).", show_default=False),
]
MouseOption = Annotated[
    bool, typer.Option("--mouse/--no-mouse", help="Capture the mouse (off lets you select text).")
]


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: DbOption = None,
    color: ColorOption = ColorMode.AUTO,
    mouse: MouseOption = True,
    user: UserOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Open the segments dashboard on the database (created and migrated on first run)."""
    ctx.obj = {"db": db, "color": color, "mouse": mouse, "user": user}
    if ctx.invoked_subcommand is not None:
        return
    _check_clock()
    store = _open_store(_resolve(db))
    try:
        _anchor_clock(store)
        _run_app(store, ctx.obj)
    finally:
        store.close()


@app.command()
@builds_database
def demo(
    ctx: typer.Context,
    db: DbOption = None,
    contacts: Annotated[
        int | None,
        typer.Option(min=255, help="Also generate a large dataset with this many contacts."),
    ] = None,
    segments: Annotated[
        int | None,
        typer.Option(min=4, help="With --contacts: this many segments in all (default 1000)."),
    ] = None,
    build_only: Annotated[
        bool, typer.Option("--build-only", help="Create the database, print where, and exit.")
    ] = False,
) -> None:
    """Open the app on a fresh database filled with the specification's sample data.

    Without --db the database is a temporary file, removed when the app exits. The demo's
    clock is fixed to 2024-02-26, the day the sample describes, unless SEGTUI_TODAY is set.
    """
    import shutil
    import tempfile

    from segtui.core import clock
    from segtui.data.demo.plan import DEMO_TODAY

    _check_clock()
    options = ctx.obj or {}
    db = db or options.get("db")
    if clock.fixed_day() is None:
        clock.fix(DEMO_TODAY)
    temp_dir: Path | None = None
    if db is None:
        temp_dir = Path(tempfile.mkdtemp(prefix="segtui-demo-"))
        db = str(temp_dir / "demo.db")
    try:
        url = _resolve(db)
        store = _open_store(url)
        try:
            _fill_demo(store, contacts, segments)
            if build_only:
                say(f"Demo database ready: {url.render_as_string(hide_password=True)}")
                temp_dir = None  # the caller asked for the file; keep it
                return
            _run_app(store, options)
        finally:
            store.close()
    finally:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)


def _fill_demo(store: "Store", contacts: int | None, segments: int | None) -> None:
    from segtui.core import clock
    from segtui.data.demo.build import build_demo

    if not store.is_empty():
        fail(
            f"{store.url.render_as_string(hide_password=True)} already holds data; "
            "segtui demo never overwrites a database. Give a new --db path."
        )
    if segments is not None and contacts is None:
        fail("--segments needs --contacts")
    build_demo(store, clock.today())
    if contacts is not None:
        from segtui.data.demo.scale import grow

        grow(store, contacts=contacts, segments=segments or 1000, today=clock.today(),
             progress=warn)


@db_app.command("upgrade")
@migrates
def db_upgrade(ctx: typer.Context, db: DbOption = None) -> None:
    """Apply pending schema migrations (the app also does this when it opens)."""
    from sqlalchemy.exc import SQLAlchemyError

    from segtui.data import migrate
    from segtui.data.engine import make_engine

    url = _resolve(db or (ctx.obj or {}).get("db"))
    engine = make_engine(url)
    started()
    shown = url.render_as_string(hide_password=True)
    try:
        applied = migrate.upgrade(engine)
        revision = migrate.current_revision(engine)
    except SQLAlchemyError as exc:
        fail(f"cannot upgrade {shown}: {str(getattr(exc, 'orig', None) or exc).splitlines()[0]}")
    finally:
        engine.dispose()
    state = "upgraded to" if applied else "already at"
    say(f"{shown}: {state} revision {revision}")


def _script_store(ctx: typer.Context, db: str | None) -> "Store":
    """The store for a scripting command: --db here, else the one given before the command.
    A `@writes` command gets the one its permission check opened (segtui/cli_access.py)."""
    opened = open_store(ctx)
    if opened is not None:
        return opened
    _check_clock()
    store = _open_store(_resolve(db or (ctx.obj or {}).get("db")))
    _anchor_clock(store)
    return store


def up_to_date(store: "Store", segment_ids: Sequence[int] | None = None) -> None:
    """Before a command shows segments' members: finish what the dynamic segments are owed
    (an import or merge whose process ended before re-evaluating them, issue 16 §4), or
    say on stderr that they may be out of date (another process is writing). Costs one
    read when nothing is owed."""
    owed = store.owed()
    if not owed:
        return
    if owed.segments:  # whole re-evaluations may take a while: say why we wait
        warn(f"segtui: re-evaluating {plural(len(owed.segments), 'dynamic segment')} an "
             "earlier import or merge left out of date…")
    left = store.bring_up_to_date(segment_ids)
    if left:
        warn(f"segtui: {left.out_of_date()}")


@segments_app.command("refresh")
@writes("re-evaluate segments")
def segments_refresh(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="The segment to re-evaluate.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Re-evaluate every dynamic segment.")]
    = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Re-evaluate dynamic segments now: each after the segments its rule uses, then the
    segments that use it. Each segment whose members changed logs "Members Refreshed" by
    the acting user, as `r` in the app does."""
    if (name is None) == (not every):
        fail("name one segment, or give --all")
    store = _script_store(ctx, db)
    try:
        ids: list[int] | None = None
        if name is not None:
            segment_id = store.segment_id_named(name)
            if segment_id is None:
                fail(f"no segment named {name!r}")
            details = store.segment_details(segment_id)
            if details is None or details.rule is None:
                fail(f"{name!r} is a static segment: its members are picked by hand")
            ids = [segment_id]
        results = store.refresh_segments(ids, acting_user(ctx))
    finally:
        store.close()
    for result in results:
        say(result.summary())
    if not results:
        say("No dynamic segments.")


@segments_app.command("count")
@reads
def segments_count(
    ctx: typer.Context,
    rule: Annotated[str, typer.Argument(help='A rule, e.g. \'score > 70 and opened within '
                                             '30d >= 1\'.')],
    sample: Annotated[int, typer.Option(min=0, max=100, help="Also list this many matching "
                                        "contacts.")] = 0,
    db: DbOption = None,
) -> None:
    """Count the contacts a rule matches today, in the query language of docs/rules.md."""
    from segtui.core.rule_language import RuleSyntaxError, format_rule, parse
    from segtui.core.rules import referenced_segments

    try:
        tree = parse(rule)
    except RuleSyntaxError as exc:
        fail(str(exc), f"  {rule}", f"  {' ' * (exc.column - 1)}^")
    store = _script_store(ctx, db)
    try:
        checked, issues = store.check_rule(tree)
        if issues:
            fail("; ".join(i.message for i in issues))
        up_to_date(store, [ref.id for ref in referenced_segments(checked)
                           if ref.id is not None])
        count = store.rule_count(checked)
        examples = store.rule_sample(checked, sample) if sample else []
    finally:
        store.close()
    verb = "matches" if count == 1 else "match"
    say(f"{plural(count, 'contact')} {verb}: {format_rule(checked)}")
    for contact_id, contact_name in examples:
        say(f"  {contact_id}\t{contact_name}")


# The command modules register themselves on `app` when imported.
import segtui.cli_io  # noqa: E402  (import and export)
import segtui.cli_quality  # noqa: E402  (quality, contacts merge)
import segtui.cli_script  # noqa: E402  (segments and contacts scripting)
import segtui.cli_users  # noqa: E402, F401  (users and their roles)


def main() -> None:
    """The `segtui` command (its console script, and `python -m segtui`): runs the command
    line, then ends the process at once (end_process). Tests call `app` instead."""
    pause_collector()
    build_only_the_named_group(sys.argv[1:])
    try:
        app(prog_name="segtui")
    except SystemExit as leaving:  # every command ends so, Click's usage errors too
        end_process(leaving.code)


def build_only_the_named_group(args: Sequence[str]) -> None:
    """A command line that starts with a group's name, as scripts write it (`segtui
    segments list --db ...`), builds that group's commands only. Typer turns every
    command into a Click command before it parses anything (6 ms for the 23, where
    `segments` has 9), and a name in that place can only mean that group: the top level
    takes no arguments, and its other commands can't be reached past it. Anything else
    (options first, a command of the top level, a misspelt name, no arguments) builds
    them all, so help and errors show every command. For `main` only: it changes `app`
    for the rest of the process."""
    if not args:
        return
    named = [group for group in app.registered_groups if group.name == args[0]]
    if named:
        app.registered_groups = named
        app.registered_commands = []


_collector_paused = False


def pause_collector() -> None:
    """Pause Python's cycle collector while the command starts (`main`, and
    segtui/__main__.py before it imports this module), until `started`.

    What a command makes while it starts is modules, classes, Typer's commands and the
    schema: all of it lives as long as the process, so the collector's passes while it is
    imported only walk it again and again (115 passes in a `segtui segments list`, about
    10 ms of its 250 ms budget; docs/benchmarks.md, "The process around the command")."""
    global _collector_paused
    gc.disable()
    _collector_paused = True


def started() -> None:
    """The command has opened its database: the collector runs again, for what the command
    does from here (an import of a million rows, the app), and what start-up made is
    frozen out of its passes (gc.freeze, as the app's tune_runtime does with Textual's)."""
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()
        gc.enable()


def end_process(code: object) -> NoReturn:
    """End the process once the command has ended, without Python's teardown of every
    module and object: nothing is left to do by then (each command closes its Store
    before it returns, its files in `with` blocks, its helper threads ended), and the
    teardown was most of what a scripted read waited for after its output (60-90 ms of
    a `segtui segments list`; docs/benchmarks.md, "The process around the command"), and
    0.5-2 s after the app had shown the detail tabs (the heap of Textual, SQLAlchemy and
    the screens' data; "Responsive quitting"). Only the real command does this (`main`);
    tests call the Typer app. Output is flushed first; a reader that stopped reading
    (`segtui segments list | head -1`) makes it exit 1, as Click does for it."""
    if code is not None and not isinstance(code, int):  # sys.exit("why"): Python says it
        warn(str(code))
        code = 1
    status = code or 0
    try:
        sys.stdout.flush()
    except OSError:
        status = status or 1
    try:
        sys.stderr.flush()
    except OSError:
        status = status or 1
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    main()
