"""The commands around the app: the top level (no command: open the dashboard), `demo`
and `db upgrade`. Textual is imported only on the paths that open the app.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from segtui import __version__
from segtui.cli.access import builds_database, migrates
from segtui.cli.common import (
    DbOption,
    UserOption,
    anchor_clock,
    check_clock,
    open_database,
    resolve,
)
from segtui.cli.output import fail, say, warn
from segtui.cli.process import started

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from segtui.app import SegtuiApp
    from segtui.data.store import Store

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


class ColorMode(StrEnum):
    AUTO = "auto"
    TRUECOLOR = "truecolor"
    C256 = "256"
    C16 = "16"


# Textual's names for the colour systems (read from TEXTUAL_COLOR_SYSTEM at import time).
TEXTUAL_COLOR_SYSTEMS = {ColorMode.TRUECOLOR: "truecolor", ColorMode.C256: "256",
                         ColorMode.C16: "standard"}


def _version(value: bool) -> None:
    if value:
        say(f"segtui {__version__}")
        raise typer.Exit()


def _run_app(store: "Store", options: dict[str, Any]) -> None:
    color: ColorMode = options.get("color", ColorMode.AUTO)
    if color is not ColorMode.AUTO:
        os.environ["TEXTUAL_COLOR_SYSTEM"] = TEXTUAL_COLOR_SYSTEMS[color]
    from segtui.core.permissions import InvalidUserName

    try:
        user = store.users.current_user(options.get("user"))
    except InvalidUserName as exc:
        fail(str(exc))
    from segtui.app import SegtuiApp, tune_runtime  # imports Textual: only now

    tune_runtime()
    segtui_app = SegtuiApp(store, user)
    segtui_app.run(mouse=options.get("mouse", True))
    exit_after_run(segtui_app)


def exit_after_run(segtui_app: "SegtuiApp") -> None:
    """A crashed app ends the command with status 1 and a line naming its crash log, so
    scripts and wrappers notice (U15.1); a normal quit returns normally."""
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
MouseOption = Annotated[
    bool, typer.Option("--mouse/--no-mouse", help="Capture the mouse (off lets you select text).")
]


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
    check_clock()
    store = open_database(resolve(db))
    try:
        anchor_clock(store)
        _run_app(store, ctx.obj)
    finally:
        store.close()


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

    check_clock()
    options = ctx.obj or {}
    db = db or options.get("db")
    if clock.fixed_day() is None:
        clock.fix(DEMO_TODAY)
    temp_dir: Path | None = None
    if db is None:
        temp_dir = Path(tempfile.mkdtemp(prefix="segtui-demo-"))
        db = str(temp_dir / "demo.db")
    try:
        url = resolve(db)
        store = open_database(url)
        try:
            _fill_demo(store, db, contacts, segments)
            if build_only:
                say(f"Demo database ready: {url.render_as_string(hide_password=True)}\n"
                    f"Open it with: {_open_command(db, url)}")
                temp_dir = None  # the caller asked for the file; keep it
                return
            _run_app(store, options)
        finally:
            store.close()
    finally:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)


def _open_command(db: str, url: "URL") -> str:
    """The command that opens the database in the app: a file as the user named it, a
    server's URL without its password (never echoed)."""
    import shlex

    shown = db if url.get_backend_name() == "sqlite" else url.render_as_string(
        hide_password=True)
    return f"segtui --db {shlex.quote(shown)}"


def _fill_demo(store: "Store", db: str, contacts: int | None, segments: int | None) -> None:
    from segtui.core import clock
    from segtui.data.demo.build import build_demo

    if not store.is_empty():
        fail(
            f"{store.url.render_as_string(hide_password=True)} already holds data; "
            "segtui demo never overwrites a database. Give a new --db path, or open "
            f"this one with: {_open_command(db, store.url)}"
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

    from segtui.data.db import migrate
    from segtui.data.db.engine import make_engine

    url = resolve(db or (ctx.obj or {}).get("db"))
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
