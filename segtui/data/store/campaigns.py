"""`store.campaigns`: a campaign found by name, and its status set (C20.4.4), which
freezes the segments it targets when it becomes Active (C20.4.5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segtui.data.store.database import Database

if TYPE_CHECKING:
    from segtui.core.enums import CampaignStatus
    from segtui.core.permissions import CurrentUser
    from segtui.core.snapshots import CampaignFound, StatusChanged


class Campaigns:
    """Campaigns, found and given a status."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def named(self, name: str) -> CampaignFound:
        """The campaign called `name`; CampaignNotFound when none is, or several are."""
        from segtui.data.writes import snapshots

        with self._db.reading() as conn:
            return snapshots.find_campaign(conn, name)

    def set_status(self, campaign_id: int, status: CampaignStatus,
                   user: CurrentUser) -> StatusChanged:
        """Set the campaign's status, with its segments' snapshots when it becomes Active,
        in one transaction; the SegmentError family when refused (nothing written)."""
        from segtui.data.writes import snapshots

        with self._db.writing() as conn:
            return snapshots.set_campaign_status(conn, campaign_id, status, user)
