"""Colour-coded status badges (R7.1, AC7; R7.4 for campaigns).

Badges carry their word as well as their colour, so they read on 16-colour terminals and
for colour-blind users. Their colours (text and background) come from the palette
(widgets/palette.py), the same in every theme and on the highlighted row.
"""

from __future__ import annotations

from rich.text import Text

from segtui.core.enums import CampaignStatus, LeadStatus, SegmentStatus, Visibility
from segtui.widgets.palette import Hue, badge_style

SEGMENT_STATUS_HUES = {
    SegmentStatus.ACTIVE: Hue.GREEN,
    SegmentStatus.INACTIVE: Hue.RED,
    SegmentStatus.DRAFT: Hue.YELLOW,
}

CAMPAIGN_STATUS_HUES = {
    CampaignStatus.ACTIVE: Hue.GREEN,
    CampaignStatus.PAUSED: Hue.YELLOW,
    CampaignStatus.COMPLETED: Hue.GREY,
}

# Lead qualification (R7.6 "Status badge shows lead qualification level").
LEAD_STATUS_HUES = {
    LeadStatus.HOT_LEAD: Hue.RED,
    LeadStatus.QUALIFIED: Hue.GREEN,
    LeadStatus.CUSTOMER: Hue.BLUE,
    LeadStatus.NURTURING: Hue.YELLOW,
    LeadStatus.NEW: Hue.CYAN,
    LeadStatus.COLD: Hue.GREY,
}


def badge(word: str, hue: Hue) -> Text:
    return Text(f" {word} ", style=badge_style(hue), no_wrap=True)


def segment_status_badge(status: SegmentStatus) -> Text:
    return badge(status.value, SEGMENT_STATUS_HUES[status])


def visibility_badges(visibility: Visibility, hidden_from: int) -> Text:
    """Who sees a segment, when not everyone (C19.3.2): "Private" or "Owner's team", and
    "Hidden from N" (each followed by a space); empty when everyone sees it."""
    shown = Text()
    if visibility is not Visibility.EVERYONE:
        shown.append_text(badge(visibility.value, Hue.BLUE)).append(" ")
    if hidden_from:
        shown.append_text(badge(f"Hidden from {hidden_from:,}", Hue.GREY)).append(" ")
    return shown


def campaign_status_badge(status: CampaignStatus) -> Text:
    return badge(status.value, CAMPAIGN_STATUS_HUES[status])


def lead_status_badge(status: LeadStatus) -> Text:
    return badge(status.value, LEAD_STATUS_HUES[status])
