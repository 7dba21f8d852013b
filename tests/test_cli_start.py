"""P12: scripted read commands start fast, because they import only what they use
(segtui/cli/__init__.py, segtui/data/store/) and open an up-to-date database without Alembic
(segtui/data/db/schema_version.py).

Nothing here is timed: the figures are in docs/benchmarks.md (`benchmarks/bench.py --only
cli`). These tests check what makes them fast, in a fresh interpreter per command: which
modules the command had loaded when it ended.
"""

from __future__ import annotations
import __future__

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import typer
from alembic import command

import segtui.cli
import segtui.cli.process
from segtui.data.db import migrate, schema_version
from segtui.data.db.engine import sqlite_url
from segtui.data.store import Store
from tests.cli_process import run_fresh

if TYPE_CHECKING:
    from typer.models import CommandInfo, TyperInfo

# Modules no read command needs: Alembic (only for a database that needs migrating), the
# app's (Textual, Rich), the import and export code (the command line declares its options
# with core/formats/file_formats.py), and the query modules of imports, exports, quality, analytics
# and the dashboard, imported by the Store methods that call them.
NOT_FOR_READING = (
    # The app queries the Core tables of data/db/tables/: the ORM and its mapped classes
    # are for the tests' fixtures (data/db/models.py).
    "sqlalchemy.orm",
    "segtui.data.db.models",
    "alembic",
    "mako",
    "pydantic",  # Typer 0.29 loads it for every command; pyproject.toml pins 0.28
    # The demo database is SQLite: PostgreSQL's dialect and drivers are for PostgreSQL's
    # engines only (models.postgresql_partial_indexes).
    "sqlalchemy.dialects.postgresql",
    "psycopg",
    "textual",
    "rich",
    "segtui.core.formats.csv_source",
    "segtui.core.formats.contacts_csv",
    "segtui.core.formats.contact_fields",
    "segtui.core.formats.contact_columns",
    "segtui.core.formats.contact_cells",
    "segtui.core.formats.contact_value_map",
    "segtui.core.formats.cell_text",
    "segtui.core.formats.members_export",
    "segtui.data.db.migrate",
    "segtui.data.demo",
    "segtui.data.io.importer",
    "segtui.data.io.import_lookups",
    "segtui.data.io.import_rows",
    "segtui.data.io.import_writer",
    "segtui.data.io.event_importer",
    "segtui.transfer.imports",
    "segtui.data.io.exporter",
    "segtui.data.queries.quality",
    "segtui.data.queries.insights",
    "segtui.data.queries.member_groups",
    "segtui.data.queries.segment_analytics",
    "segtui.data.queries.segment_performance",
    "segtui.data.queries.dashboard",
    "segtui.data.queries.timeline",
    # Re-evaluating dynamic segments whole (its batches and temporary lists): a read only
    # does it when a change left the segments owed one (Store.rules.finish_pending).
    "segtui.data.rules.whole_refresh",
    # Discover (C22): numpy and scikit-learn load when a discovery runs, never before.
    "numpy",
    "sklearn",
    "segtui.core.discover.engine",
    "segtui.data.queries.discover_features",
)

# What evaluates or checks a rule: a read that shows rules without evaluating them
# (`segments list` formats them) or shows no rules loads none of it.
RULE_EVALUATION = ("segtui.data.rules.refresh", "segtui.data.rules.compiler",
                   "segtui.data.rules.compile_state", "segtui.data.rules.compile_text",
                   "segtui.data.rules.compile_facts", "segtui.core.rules.check")

# What lists segments and contacts page by page: a rule count lists nothing.
LISTING = ("segtui.data.queries.segment_list", "segtui.data.db.keyset", "segtui.core.records",
           "segtui.data.queries.scripting")

# The segments' own rules and errors (core/segments.py, with the rule tree and sharing):
# a read that lists segments or counts a rule raises none of them.
SEGMENT_RULES = ("segtui.core.segments",)

READ_COMMANDS = [
    pytest.param(["segments", "list"], "ID  NAME", RULE_EVALUATION + SEGMENT_RULES,
                 id="segments list"),
    pytest.param(["segments", "list", "--json"], "[", RULE_EVALUATION + SEGMENT_RULES,
                 id="segments list --json"),
    pytest.param(["segments", "count", "score > 70 and opened within 30d >= 1"],
                 "66 contacts match", LISTING + SEGMENT_RULES, id="segments count"),
    pytest.param(["segments", "show", "Enterprise Prospects"], "Name:", (),
                 id="segments show"),
    pytest.param(["contacts", "list", "--limit", "2"], "ID  NAME", RULE_EVALUATION,
                 id="contacts list"),
    pytest.param(["users", "list"], "ID  NAME", RULE_EVALUATION, id="users list"),
]


@pytest.mark.parametrize(("args", "first_line", "not_either"), READ_COMMANDS)
def test_read_commands_load_only_what_they_use(demo_db_path: Path, args: list[str],
                                               first_line: str, not_either: tuple[str]
                                               ) -> None:
    ran = run_fresh([*args, "--db", str(demo_db_path)])
    assert ran.exit_line == "exit 0", ran.output
    assert ran.printed[0].startswith(first_line), ran.output  # the command did its work
    assert "sqlalchemy" in ran.modules  # the stack it reads with
    loaded = [name for name in (*NOT_FOR_READING, *not_either)
              if name in ran.modules or any(m.startswith(name + ".") for m in ran.modules)]
    assert loaded == [], f"{' '.join(args)} loaded {loaded}"


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["segments", "--help"]])
def test_help_and_version_do_not_load_the_database_stack(args: list[str]) -> None:
    ran = run_fresh(args)
    assert ran.exit_line == "exit 0", ran.output
    assert "sqlalchemy" not in ran.modules
    assert "alembic" not in ran.modules


def test_a_read_command_still_upgrades_an_older_database(tmp_path: Path) -> None:
    """Only a database whose revision differs from HEAD brings Alembic in, and it is then
    upgraded as before: the check saves the work, not the upgrade."""
    url = sqlite_url(tmp_path / "old.db")
    store = Store.open(url, upgrade=False)
    try:
        command.upgrade(migrate.alembic_config(store.engine), "0008")
        assert not schema_version.is_current(store.engine)
    finally:
        store.close()
    ran = run_fresh(["segments", "list", "--db", str(tmp_path / "old.db")])
    assert ran.exit_line == "exit 0", ran.output
    assert ran.printed == ["No segments."]
    assert "alembic" in ran.modules
    store = Store.open(url, upgrade=False)
    try:
        assert schema_version.stored_revisions(store.engine) == {schema_version.HEAD}
    finally:
        store.close()


def _segtui(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """The real command, as a script runs it: `main` builds only the group it names
    (cli.build_app) and ends the process (cli.process.end_process)."""
    return subprocess.run([sys.executable, "-m", "segtui", *args], text=True,
                          capture_output="stdout" not in kwargs, **kwargs)


def _whole_app(args: list[str]) -> subprocess.CompletedProcess[str]:
    """The Typer app with every command, in a process that ends as Python ends."""
    return subprocess.run([sys.executable, "-c", "from segtui.cli import app\n"
                           "app(prog_name='segtui')", *args], text=True, capture_output=True)


def test_the_command_ends_with_its_output_and_exit_status(demo_db_path: Path) -> None:
    """The real command prints and exits as the whole Typer app does: its process ends
    without Python's teardown after flushing everything, and builds only the group its
    command line names."""
    db = ["--db", str(demo_db_path)]
    for args, status in [(["contacts", "list", "--limit", "1000", "--json", *db], 0),
                         (["segments", "list", *db], 0),
                         (["segments", "show", "No Such Segment", *db], 1),  # segtui: ...
                         (["segments", "list", "--no-such-option", *db], 2),  # Click's usage
                         (["segments", "lst", *db], 2),  # "Did you mean", in the group
                         (["segments", "--help"], 0),
                         (["segments", "list", "--help"], 0),  # the named command alone
                         (["segments", "count", *db], 2),  # its missing argument
                         (["segments", "--bogus", "list", *db], 2),  # not a command's name
                         (["--help"], 0),  # every command listed
                         (["segmnts", "list", *db], 2)]:  # no group: all of them built
        ran, expected = _segtui(args), _whole_app(args)
        assert (ran.returncode, ran.stdout, ran.stderr) == \
            (status, expected.stdout, expected.stderr), args
    assert len(_segtui(["contacts", "list", "--limit", "1000", *db]).stdout) > 20_000


def test_only_the_named_group_and_command_are_built() -> None:
    """`segtui segments list ...` has Typer build the `segments` group with its `list`
    command only; a word that names no command of the group leaves them all, and `app`
    (what the tests call) has every command."""
    def built(args: list[str]) -> list[str | None]:
        [group] = segtui.cli.build_app(args).registered_groups
        assert group.typer_instance is not None
        return [command.name for command in group.typer_instance.registered_commands]

    every = [info.name for info in segtui.cli.app.registered_groups
             if info.name == "segments"]
    assert every == ["segments"]
    assert built(["segments", "list", "--db", "x"]) == ["list"]
    assert built(["contacts", "list"]) == ["list"]
    assert len(built(["segments", "lst"])) == 26
    assert len(built(["segments", "--help"])) == 26
    assert len(built(["contacts"])) > 1
    assert len(segtui.cli.build_app(["segmnts"]).registered_groups) == 9
    assert [c.name for c in segtui.cli.app.registered_groups[0].typer_instance
            .registered_commands][-2:] == ["grant", "revoke"]  # db's, once


def test_a_reader_that_stopped_reading_ends_it_quietly(demo_db_path: Path) -> None:
    """Output to a pipe nobody reads any more (`| head -1` after its line): exit 1, as
    Click has it, with no traceback or "Exception ignored" from Python's own exit."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # no reader at all: the first write fails, whenever it happens
    try:
        ran = _segtui(["segments", "list", "--db", str(demo_db_path)], stdout=write_end,
                      stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert (ran.returncode, ran.stderr) == (1, "")


COLLECTOR = (
    "import gc, sys\n"
    "from segtui import cli\n"
    "cli.process.pause_collector()\n"  # as main() does, before the command line runs
    "try:\n    cli.app(prog_name='segtui')\nexcept SystemExit:\n    pass\n"
    "print(gc.isenabled(), gc.get_freeze_count() > 0)"
)


@pytest.mark.parametrize(("args", "after"), [
    (["segments", "list", "--db"], "True True"),  # resumed once the database was open
    (["db", "upgrade", "--db"], "True True"),  # the one command that opens no Store
    (["--version"], "False False"),  # no database: the process ends paused
])
def test_the_collector_is_paused_until_the_database_is_open(
        demo_db_path: Path, args: list[str], after: str) -> None:
    """cli.process.pause_collector: no collector passes while the command line starts; from the
    open database on, the collector runs (a long import, the app) and what start-up made
    is frozen out of its passes."""
    db = [str(demo_db_path)] if args[-1] == "--db" else []
    out = subprocess.run([sys.executable, "-c", COLLECTOR, *args, *db],
                         capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == after, out.stdout + out.stderr


def test_started_leaves_a_collector_it_did_not_pause_alone() -> None:
    """In-process callers of the Typer app (the tests) keep the collector as it is."""
    import gc

    frozen = gc.get_freeze_count()
    segtui.cli.process.started()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


# Modules whose annotations are read on every run: Typer reads each command's when it builds
# the command line, SQLAlchemy's declarative mapping each `Mapped[...]` when the models are
# made. Postponed (`from __future__ import annotations`), each would be compiled and
# evaluated from a string every time (segtui/cli/__init__.py's docstring).
READ_AT_START = ["segtui.cli", "segtui.cli.app_commands", "segtui.cli.contacts",
                 "segtui.cli.quality", "segtui.cli.segments", "segtui.cli.segments.changes",
                 "segtui.cli.segments.listing", "segtui.cli.segments.members",
                 "segtui.cli.segments.rules", "segtui.cli.transfer", "segtui.cli.users",
                 "segtui.data.db.models"]


@pytest.mark.parametrize("name", READ_AT_START)
def test_annotations_read_at_start_up_are_objects(name: str) -> None:
    module = importlib.import_module(name)
    assert getattr(module, "annotations", None) is not __future__.annotations


def _commands(app: typer.Typer) -> Iterator[CommandInfo | TyperInfo]:
    if app.registered_callback is not None:
        yield app.registered_callback
    yield from app.registered_commands
    for group in app.registered_groups:
        assert group.typer_instance is not None
        yield from _commands(group.typer_instance)


def test_no_command_has_string_annotations() -> None:
    functions: list[Any] = [info.callback for info in _commands(segtui.cli.app)
                            if info.callback is not None]
    assert len(functions) > 20  # every command, in every group
    strings = [f"{f.__module__}.{f.__name__}: {name}"
               for f in functions for name, hint in f.__annotations__.items()
               if isinstance(hint, str)]
    assert strings == []
