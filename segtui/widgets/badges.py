"""Colour-coded status badges (spec 7.1, acceptance criterion 7; spec 7.4 for campaigns).

Badges carry their word as well as their colour, so they read on 16-colour terminals and
for colour-blind users.
"""

from __future__ import annotations

from rich.text import Text

from segtui.core.enums import CampaignStatus, LeadStatus, SegmentStatus

SEGMENT_STATUS_STYLES = {
    SegmentStatus.ACTIVE: "bold black on green",
    SegmentStatus.INACTIVE: "bold white on red",
    SegmentStatus.DRAFT: "bold black on yellow",
}

CAMPAIGN_STATUS_STYLES = {
    CampaignStatus.ACTIVE: "bold black on green",
    CampaignStatus.PAUSED: "bold black on yellow",
    CampaignStatus.COMPLETED: "bold white on grey37",
}


def segment_status_badge(status: SegmentStatus) -> Text:
    return Text(f" {status.value} ", style=SEGMENT_STATUS_STYLES[status], no_wrap=True)


def campaign_status_badge(status: CampaignStatus) -> Text:
    return Text(f" {status.value} ", style=CAMPAIGN_STATUS_STYLES[status], no_wrap=True)


# Lead qualification (spec 7.6 "Status badge shows lead qualification level").
LEAD_STATUS_STYLES = {
    LeadStatus.HOT_LEAD: "bold white on red",
    LeadStatus.QUALIFIED: "bold black on green",
    LeadStatus.CUSTOMER: "bold white on blue",
    LeadStatus.NURTURING: "bold black on yellow",
    LeadStatus.NEW: "bold black on cyan",
    LeadStatus.COLD: "bold white on grey37",
}


def lead_status_badge(status: LeadStatus) -> Text:
    return Text(f" {status.value} ", style=LEAD_STATUS_STYLES[status], no_wrap=True)
