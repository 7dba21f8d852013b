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
the command has ended (process.py). And a command line that names a group first imports
and builds that group alone, and of its commands only the one it names next, if it names
one (`build_app`); `app`, every command, is built when first asked for.

The command modules keep their annotations as objects, without `from __future__ import
annotations`: Typer reads every command's annotations each time it builds the command
line, and as strings each one costs a compile and an eval (366 for the 23 commands: 16 →
5.5 ms of every run). Names imported for the type checker only are quoted where they are
used.
"""

import copy
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any

import typer

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


# In the order `segtui --help` lists them: the commands, then the groups. Each is
# (name, module of segtui/cli/, attribute): a module is imported when its command or
# group is built, so a command line naming one group loads that group's module only.
COMMANDS = (("demo", "app_commands", "demo"), ("quality", "quality", "quality"),
            ("audit", "audit", "audit"), ("worker", "worker", "worker"),
            ("discover", "discover", "discover"),
            ("discover-keep", "discover", "discover_keep"),
            ("industry-trends", "industry_trends", "industry_trends"))
GROUPS = (("db", "app_commands", "db_app"), ("segments", "segments", "group_of"),
          ("import", "transfer", "import_app"), ("export", "transfer", "export_app"),
          ("contacts", "contacts", "app"), ("users", "users", "app"),
          ("campaigns", "campaigns", "app"), ("api", "api", "app"),
          ("webhooks", "webhooks", "app"))


def _attribute(module: str, name: str) -> Any:
    return getattr(import_module(f"segtui.cli.{module}"), name)


def _group(name: str, module: str, attribute: str, args: Sequence[str]) -> typer.Typer:
    """Group `name` for a command line whose words after its name are `args`."""
    found = _attribute(module, attribute)
    if name == "segments":  # its commands live in modules of their own (segments/)
        group: typer.Typer = found(args)
        return group
    if name == "db" and not any(c.name == "grant" for c in found.registered_commands):
        found.command("grant")(_attribute("logins", "db_grant"))
        found.command("revoke")(_attribute("logins", "db_revoke"))
    return only_the_named_command(found, args)


def build_app(args: Sequence[str] = ()) -> typer.Typer:
    """The `segtui` command line. With no `args`, every command and group (`app`, what
    the tests call). With the words of a command line (`main`): when the first names a
    group, as scripts write it (`segtui segments list --db ...`), that group alone, and
    of it the command the next word names, if it names one (`only_the_named_command`).
    A name in that place can only mean that group: the top level takes no arguments, and
    its other commands can't be reached past it. Typer turns every command it is given
    into a Click command before it parses anything (6 ms for the 23 of the top level;
    `segments` alone has 26), and a group's modules are imported only when it is built.
    Anything else (options first, a command of the top level, a misspelt name, no
    arguments) builds them all, so help and errors show every command."""
    root = typer.Typer(
        name="segtui",
        cls=SegtuiGroup,
        help="Keyboard-first terminal app for managing CRM customer segments.",
        add_completion=False,
        no_args_is_help=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    root.callback(invoke_without_command=True)(_attribute("app_commands", "main_callback"))
    named = [group for group in GROUPS if args and group[0] == args[0]]
    if named:
        [(name, module, attribute)] = named
        root.add_typer(_group(name, module, attribute, args[1:]), name=name)
        return root
    for name, module, attribute in COMMANDS:
        root.command(name)(_attribute(module, attribute))
    for name, module, attribute in GROUPS:
        root.add_typer(_group(name, module, attribute, ()), name=name)
    return root


def only_the_named_command(group: typer.Typer, args: Sequence[str]) -> typer.Typer:
    """`group`, or when the next word of the command line is one of its commands' names
    (`segtui contacts list ...`), a copy of it with that command only. A name there can
    only mean that command (a group's own options would come before it); its help, usage
    line and errors are the command's own, which name no other. Anything else (an
    option, a misspelt name, `--help`) keeps them all, so the group's help and "No such
    command" list every one. `group` itself is left as it was."""
    if not args:
        return group
    named = [command for command in group.registered_commands if command.name == args[0]]
    if len(named) != 1:
        return group
    narrowed = copy.copy(group)
    narrowed.registered_commands = named
    narrowed.registered_groups = []
    return narrowed


def __getattr__(name: str) -> Any:
    """`app`: the whole command line (every command and group), built when first asked
    for. `main` builds its own for the command line it runs."""
    if name == "app":
        built = build_app()
        globals()["app"] = built
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """The `segtui` command (its console script, and `python -m segtui`): runs the command
    line, then ends the process at once (process.end_process). Tests call `app` instead."""
    pause_collector()
    command_line = build_app(sys.argv[1:])
    try:
        command_line(prog_name="segtui")
    except SystemExit as leaving:  # every command ends so, Click's usage errors too
        end_process(leaving.code)
