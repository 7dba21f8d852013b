"""`segtui campaigns status CAMPAIGN STATUS` (C20.4.4): set a campaign's status. When it
becomes Active, each segment it targets is frozen into a snapshot in the same transaction
(C20.4.5). Only a user allowed to change campaigns may (a Viewer is refused)."""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from typing import Annotated

import typer

from segtui.cli.access import writes
from segtui.cli.common import DbOption, JsonOption, UserOption, acting_user, command_store
from segtui.cli.output import dumps, fail, say
from segtui.core.enums import CampaignStatus
from segtui.core.permissions import Permission

app = typer.Typer(help="Campaign commands.", no_args_is_help=True)


@app.command("status")
@writes("change campaigns", Permission.PAUSE_CAMPAIGNS)
def campaigns_status(
    ctx: typer.Context,
    campaign: Annotated[str, typer.Argument(
        metavar="CAMPAIGN", help="The campaign's name (case and outer spaces are ignored).",
        show_default=False)],
    status: Annotated[CampaignStatus, typer.Argument(
        case_sensitive=False, metavar="active|paused|completed",
        help="The new status.", show_default=False)],
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Set a campaign's status; becoming Active freezes the segments it targets."""
    from segtui.core.segments import SegmentError

    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        try:
            found = store.campaigns.named(campaign)
            changed = store.campaigns.set_status(found.id, status, acting)
        except SegmentError as exc:
            fail(str(exc))
    finally:
        store.close()
    if as_json:
        say(dumps({"campaign": changed.campaign, "before": changed.before.value,
                   "status": changed.after.value, "changed": changed.changed,
                   "snapshots": [{"id": s.segment_id, "name": s.name, "members": s.members,
                                  "frozen_from": s.source} for s in changed.snapshots]},
                  indent=2))
        return
    say(changed.summary())
