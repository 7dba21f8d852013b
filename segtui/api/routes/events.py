"""/v1/events/batch (C21.1.10): a campaign tool pushes opens, clicks, conversions and the
rest, checked as `segtui import events` checks a file's rows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from segtui.api.deps import Writer
from segtui.api.routes._batches import Rejected, batch_rows, may_import
from segtui.api.routes._errors import answered

router = APIRouter(tags=["events"])
MAX_BATCH = 50_000
Cell = str | int | float | bool | None


class EventsIn(BaseModel):
    """Each event: Email, Type (sent, opened, clicked, responded, meeting attended,
    converted, unsubscribed, or the campaign tools' words for them), Occurred At (ISO
    8601), and optionally Campaign and Revenue (docs/import-export.md)."""

    model_config = ConfigDict(extra="forbid")
    events: Annotated[list[dict[Annotated[str, Field(max_length=100)], Cell]],
                      Field(min_length=1, max_length=MAX_BATCH)]
    dry_run: bool = False


@router.post("/events/batch", summary="Ingest engagement events")
def ingest_events(caller: Writer, body: EventsIn) -> dict[str, Any]:
    """Rows whose contact is unknown or whose cells fail the checks are listed with their
    problems (`row`: index in `events`) and skipped; the rest are written in one
    transaction, after which the dynamic segments follow."""
    from segtui.transfer.json_rows import event_rows

    may_import(caller, "import events")
    rows, email = batch_rows(event_rows, body.events)
    rejected = Rejected()
    with answered():
        report = caller.store.transfer.import_events(rows, email_column=email,
                                                     dry_run=body.dry_run, on_reject=rejected)
    return {"rows": report.rows, "added": report.added, "rejected": report.rejected,
            "skipped": report.skipped, "dry_run": body.dry_run, "problems": rejected.problems,
            "campaigns_created": list(report.created)}
