"""The `segtui` command: the root of the command line, its groups, and `main`.

The commands live in one module (or, for `segments`, one package) per noun:

    app_commands.py   no command (open the app), `demo`, `db upgrade`
    logins.py         `db grant` and `db revoke`: PostgreSQL logins' roles (C19.2)
    segments/         `segments ...` (list, show, count, refresh, create, update, delete,
                      add-members, remove-members, limit, set-limit, compare, freeze)
    campaigns.py      `campaigns status`: a campaign's status (C20.4.4)
    contacts.py       `contacts list|show|merge`
    transfer.py       `import ...` and `export ...`
    quality.py        `quality`
    industry_trends.py  `industry-trends`: average transaction value by industry (C22.5)
    users.py          `users list|add|set-role`
    audit.py          `audit`: the audit log, for administrators (C19.4)
    worker.py         `worker`: keeps every dynamic segment current (C19.6), and sends
                      the webhook outbox (C21.3.4)
    webhooks.py       `webhooks ...`: subscriptions, their delivery log, the sender (C21.3)
    discover.py       `discover` and `discover-keep`: clusters, kept as segments (C22.6)
and what they share: common.py (the options most commands declare, opening the database,
the acting user), access.py (what each command does to the database and who may run it),
output.py (everything printed), process.py (the process around the command). This module
imports them and puts them together; none of them imports it. Commands reach the database
only through the Store (segtui/data/store/).

Start-up (P12): scripts call read commands such as `segtui segments list` over and
over, so a command loads only what it uses. At module level the command modules import
Typer, the option types their commands declare and the helpers every command shares
(printing, the access decorators); everything else is imported inside the function that
needs it: the Store (and with it SQLAlchemy) when a command opens a database, Alembic only
when that database needs migrating (data/db/schema_version.py), the importer and exporter in
their commands, Textual only on the paths that open the app. So `--help`, `--version`,
`db upgrade` and the scripting commands start fast and work without a terminal.
tests/test_cli_start.py checks what the read commands load.

The process itself (`main`, the real command only; tests call `app`): the cycle collector
is paused while the command starts, and the process ends without Python's teardown once
the command has ended (process.py). And a command line that names a group first builds
that group's commands only (`build_only_the_named_group`), and of them only the command
it names next, if it names one (`build_only_the_named_command`).

The command modules keep their annotations as objects, without `from __future__ import
annotations`: Typer reads every command's annotations each time it builds the command
line, and as strings each one costs a compile and an eval (366 for the 23 commands: 16 →
5.5 ms of every run). Names imported for the type checker only are quoted where they are
used.
"""

import sys
from collections.abc import Sequence
from typing import Any

import typer

from segtui.cli import (
    api,
    app_commands,
    audit,
    campaigns,
    contacts,
    discover,
    industry_trends,
    logins,
    quality,
    segments,
    transfer,
    users,
    webhooks,
    worker,
)
from segtui.cli.output import SafeGroup, fail
from segtui.cli.process import end_process, pause_collector
from segtui.core.busy import DatabaseBusy
from segtui.core.schema import NewerSchema


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
# In the order `segtui --help` lists them: the commands, then the groups.
app.callback(invoke_without_command=True)(app_commands.main_callback)
app.command("demo")(app_commands.demo)
app.command("quality")(quality.quality)
app.command("audit")(audit.audit)
app.command("worker")(worker.worker)
app.command("discover")(discover.discover)
app.command("discover-keep")(discover.discover_keep)
app.command("industry-trends")(industry_trends.industry_trends)
app_commands.db_app.command("grant")(logins.db_grant)
app_commands.db_app.command("revoke")(logins.db_revoke)
app.add_typer(app_commands.db_app, name="db")
app.add_typer(segments.app, name="segments")
app.add_typer(transfer.import_app, name="import")
app.add_typer(transfer.export_app, name="export")
app.add_typer(contacts.app, name="contacts")
app.add_typer(users.app, name="users")
app.add_typer(campaigns.app, name="campaigns")
app.add_typer(api.app, name="api")
app.add_typer(webhooks.app, name="webhooks")


def main() -> None:
    """The `segtui` command (its console script, and `python -m segtui`): runs the command
    line, then ends the process at once (process.end_process). Tests call `app` instead."""
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
        build_only_the_named_command(named[0].typer_instance, args[1:])


def build_only_the_named_command(group: typer.Typer | None, args: Sequence[str]) -> None:
    """Within the named group, a command line whose next word is one of its commands'
    names (`segtui segments list ...`) has Typer build that command only: `segments` has
    26, and building them all was about a tenth of a read command's time. A name there
    can only mean that command (a group's own options would come before it); its help,
    usage line and errors are the command's own, which name no other. Anything else (an
    option, a misspelt name, `--help`) builds them all, so the group's help and "No such
    command" list every one. For `main` only, as `build_only_the_named_group`."""
    if group is None or not args:
        return
    named = [command for command in group.registered_commands if command.name == args[0]]
    if len(named) == 1:
        group.registered_commands = named
        group.registered_groups = []
