"""`segtui segments ...`: the scriptable segment commands (docs/cli.md).

Output is a plain table for people, or with `--json` (and `--jsonl` for lists) the shapes
documented in docs/cli.md. Exit codes: 0 done, 1 the user can fix something (one line on
stderr, nothing changed), 2 the command line itself is wrong (Typer's usage errors).

The commands live in the modules below, by what they do; this module makes the group and
lists its commands, in the order `segtui segments --help` shows them. The modules import
nothing from here.
"""

from collections.abc import Sequence
from importlib import import_module

import typer

# (name, module of segtui/cli/segments/, function), in the order `segtui segments --help`
# lists them. A module is imported when one of its commands is built: `segtui segments
# list` builds `list` alone (segtui/cli/__init__.py, `build_app`).
COMMANDS = (
    ("refresh", "rules", "segments_refresh"),
    ("count", "rules", "segments_count"),
    ("list", "listing", "segments_list"),
    ("show", "listing", "segments_show"),
    ("compare", "compare", "segments_compare"),
    ("history", "history", "segments_history"),
    ("migration", "history", "segments_migration"),
    ("create", "changes", "segments_create"),
    ("update", "changes", "segments_update"),
    ("delete", "changes", "segments_delete"),
    ("freeze", "freeze", "segments_freeze"),
    ("archive", "archive", "segments_archive"),
    ("restore", "archive", "segments_restore"),
    ("add-members", "members", "segments_add_members"),
    ("remove-members", "members", "segments_remove_members"),
    ("limit", "limit", "segments_limit"),
    ("set-limit", "limit", "segments_set_limit"),
    ("history-retention", "history", "segments_history_retention"),
    ("set-history-retention", "history", "segments_set_history_retention"),
    ("prune-history", "history", "segments_prune_history"),
    ("dump", "as_code", "segments_dump"),
    ("plan", "as_code", "segments_plan"),
    ("apply", "as_code", "segments_apply"),
    ("set-visibility", "sharing", "segments_set_visibility"),
    ("hide", "sharing", "segments_hide"),
    ("unhide", "sharing", "segments_unhide"),
)


def group_of(args: Sequence[str]) -> typer.Typer:
    """The `segments` group for a command line whose words after `segments` are `args`:
    the command the first names alone, if it names one, else every command."""
    named = [command for command in COMMANDS if args and command[0] == args[0]]
    group = typer.Typer(help="Scriptable segment commands.", no_args_is_help=True)
    for name, module, function in named or COMMANDS:
        group.command(name)(getattr(import_module(f"segtui.cli.segments.{module}"),
                                    function))
    return group
