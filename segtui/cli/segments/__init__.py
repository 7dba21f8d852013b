"""`segtui segments ...`: the scriptable segment commands (docs/cli.md).

Output is a plain table for people, or with `--json` (and `--jsonl` for lists) the shapes
documented in docs/cli.md. Exit codes: 0 done, 1 the user can fix something (one line on
stderr, nothing changed), 2 the command line itself is wrong (Typer's usage errors).

The commands live in the modules below, by what they do; this module makes the group and
lists its commands, in the order `segtui segments --help` shows them. The modules import
nothing from here.
"""

import typer

from segtui.cli.segments import (
    archive,
    as_code,
    changes,
    compare,
    freeze,
    history,
    limit,
    listing,
    members,
    rules,
    sharing,
)

app = typer.Typer(help="Scriptable segment commands.", no_args_is_help=True)

app.command("refresh")(rules.segments_refresh)
app.command("count")(rules.segments_count)
app.command("list")(listing.segments_list)
app.command("show")(listing.segments_show)
app.command("compare")(compare.segments_compare)
app.command("history")(history.segments_history)
app.command("migration")(history.segments_migration)
app.command("create")(changes.segments_create)
app.command("update")(changes.segments_update)
app.command("delete")(changes.segments_delete)
app.command("freeze")(freeze.segments_freeze)
app.command("archive")(archive.segments_archive)
app.command("restore")(archive.segments_restore)
app.command("add-members")(members.segments_add_members)
app.command("remove-members")(members.segments_remove_members)
app.command("limit")(limit.segments_limit)
app.command("set-limit")(limit.segments_set_limit)
app.command("history-retention")(history.segments_history_retention)
app.command("set-history-retention")(history.segments_set_history_retention)
app.command("prune-history")(history.segments_prune_history)
app.command("dump")(as_code.segments_dump)
app.command("plan")(as_code.segments_plan)
app.command("apply")(as_code.segments_apply)
app.command("set-visibility")(sharing.segments_set_visibility)
app.command("hide")(sharing.segments_hide)
app.command("unhide")(sharing.segments_unhide)
