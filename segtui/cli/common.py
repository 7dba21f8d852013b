"""What the commands share: the options most of them declare, opening the database a
command works on, what a `@writes` check (access.py) hands its command (the open Store,
the acting user), and finding a segment by the name typed.

Imports stay light (P12): the Store, SQLAlchemy and the clock are imported inside
the functions that need them, so `--help` and `--version` never load them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from segtui.cli.output import fail, warn
from segtui.cli.process import started
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser, InvalidUserName

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from segtui.data.store import Store

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database file path or URL (sqlite:///PATH, postgresql+psycopg://USER@HOST/DB). "
        "Default: $SEGTUI_DATABASE_URL, else segtui.db in the user data directory.",
        show_default=False,
    ),
]
UserOption = Annotated[
    str | None,
    typer.Option("--user", help="Act as this user (default: $SEGTUI_USER, the database's "
                 "default user, or your login name).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (docs/cli.md).")]
JsonlOption = Annotated[bool, typer.Option("--jsonl", help="Print one JSON object per line.")]

# What a `@writes` check (access.py) leaves in ctx.meta for the command's body.
CHECKED_STORE = "segtui.store"  # the database the check opened
ACTING = "segtui.acting"  # the checked acting user


def check_clock() -> None:
    """A bad SEGTUI_TODAY is said before anything runs."""
    from segtui.core import clock

    try:
        clock.fixed_day()
    except clock.ClockError as exc:
        fail(str(exc))


def resolve(db: str | None) -> URL:
    """The database `--db` names (or the default one), or exit with why it can't be."""
    from segtui.data.db.engine import DatabaseUrlError, busy_timeout_ms, resolve_url

    try:
        busy_timeout_ms()  # a bad SEGTUI_BUSY_TIMEOUT is said here, before anything runs
        return resolve_url(db)
    except DatabaseUrlError as exc:
        fail(str(exc))


def open_database(url: URL) -> Store:
    """Open (creating and migrating) the database, or exit with a readable reason."""
    from sqlalchemy.exc import SQLAlchemyError

    from segtui.data.store import Store

    try:
        store = Store.open(url)
    except InvalidUserName as exc:  # a login with no role here (C19.2.2)
        fail(str(exc))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        fail(f"cannot open database {url.render_as_string(hide_password=True)}: {reason}")
    started()
    return store


def anchor_clock(store: Store) -> None:
    """A database anchored to a date (the demo) keeps that date unless SEGTUI_TODAY is set."""
    from segtui.core import clock

    anchored = store.fixed_today()
    if anchored is not None and clock.fixed_day() is None:
        clock.fix(anchored)


def command_store(ctx: typer.Context, db: str | None) -> Store:
    """The store for a scripting command: --db here, else the one given before the command,
    reading as the user (`--user`, $SEGTUI_USER, ...) what they see (C19.3.2). A `@writes`
    command gets the one its permission check opened (access.py), acting for its user."""
    checked: Store | None = ctx.meta.pop(CHECKED_STORE, None)  # handed over once
    if checked is not None:
        return checked
    check_clock()
    store = open_database(resolve(db or (ctx.obj or {}).get("db")))
    anchor_clock(store)
    try:  # it reads what the user sees (C19.3.2): their segments, not those hidden
        store.users.look_as((ctx.obj or {}).get("user"))
    except InvalidUserName as exc:
        store.close()
        fail(str(exc))
    return store


def find_segment(store: Store, name: str) -> int:
    """The segment called `name` as typed (case and extra spaces ignored), or exit 1."""
    from segtui.core.validation import normalise_name

    found = store.segments.segment_id_named(normalise_name(name))
    if found is None:
        fail(f"no segment named {name!r}")
    return found


def acting_user(ctx: typer.Context) -> CurrentUser:
    """The user a `@writes` command acts as, already checked."""
    user = ctx.meta.get(ACTING)
    if not isinstance(user, CurrentUser):
        raise RuntimeError("acting_user() is for commands declared @writes "
                           "(segtui/cli/access.py)")
    return user


def up_to_date(store: Store, segment_ids: Sequence[int] | None = None) -> None:
    """Before a command shows segments' members: finish what the dynamic segments are owed
    (an import or merge whose process ended before re-evaluating them, I16.4), or
    say on stderr that they may be out of date (another process is writing). Costs one
    read when nothing is owed."""
    owed = store.rules.owed()
    if not owed:
        return
    if not store.may_maintain():  # a Viewer's login on PostgreSQL (C19.2.6)
        from dataclasses import replace

        warn(f"segtui: {replace(owed, not_mine=True).out_of_date()}")
        return
    if owed.segments:  # whole re-evaluations may take a while: say why we wait
        warn(f"segtui: re-evaluating {plural(len(owed.segments), 'dynamic segment')} an "
             "earlier import or merge left out of date…")
    left = store.rules.bring_up_to_date(segment_ids)
    if left:
        warn(f"segtui: {left.out_of_date()}")


def viewer(ctx: typer.Context, store: Store) -> CurrentUser:
    """Who runs a read command that is audited (an export, C19.4): `--user`, else the
    default user, as a writing command's user is found (no permission is needed). A name
    segtui can't act for (invisible characters, deactivated: C19.3.4) exits 1."""
    from segtui.core.permissions import InvalidUserName

    try:
        return store.users.current_user((ctx.obj or {}).get("user"))
    except InvalidUserName as exc:
        fail(str(exc))


def a_file_name(value: Path | None) -> Path | None:
    """-o's check: a name is needed. An empty one (-o "") is the current directory to
    Python, and the write failed with "cannot write .: Device or resource busy"."""
    if value is not None and str(value) in ("", "."):
        raise typer.BadParameter("give a file name, or - for standard output")
    return value
