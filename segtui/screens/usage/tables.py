"""The Usage & audit screen's three tables (screens/usage/): their columns, what an empty
one says, the line under each and the screen's help."""

from __future__ import annotations

from rich.text import Text

from segtui.core import clock
from segtui.core.audit import AuditEntry, AuditFilter
from segtui.core.formatting import dmy, plural, whole
from segtui.core.usage import UNUSED_DAYS, SegmentUsage, UnusedSegment
from segtui.widgets.badges import segment_status_badge
from segtui.widgets.paged_table import Column, RowWindow
from segtui.widgets.text import user_text

WIDE = 100  # from this many columns the tables show their extra columns

HELP = (
    "Usage & audit (administrators): 1 the audit log, newest first, filtered by user, "
    "action, segment and days (f moves to the filters, enter on one picks a value, "
    "c clears them; x exports what the filters show to CSV or JSON Lines); 2 each "
    "segment's adoption: views, exports and campaigns in the last 30 or 90 days (p), "
    "most used first; 3 the segments nobody viewed, exported, edited or used in a "
    f"campaign in {UNUSED_DAYS} days, longest unused first: A archives the highlighted "
    "one at once (no confirmation: the dashboard's status filter shows the archived, and "
    "R there restores one). enter or o opens a segment. Reading the log is itself in the log."
)


def _when(entry: AuditEntry) -> Text:
    return Text(entry.at.strftime("%d/%m/%Y %H:%M"))


def _segment(entry: AuditEntry) -> Text:
    if entry.segment is not None:
        return user_text(entry.segment)
    return Text("" if entry.segment_id is None else f"#{entry.segment_id} (deleted)",
                style="dim")


def _what(entry: AuditEntry) -> Text:
    return user_text(" · ".join(p for p in (entry.subject, entry.details) if p))


LOG_COLUMNS: list[Column[AuditEntry]] = [
    Column("at", "When", _when, width=16),
    Column("actor", "Who", lambda e: user_text(e.actor or "segtui"), width=14),
    Column("action", "Action", lambda e: Text(e.action.value.replace("_", " ")), width=20),
    Column("segment", "Segment", _segment),
    Column("what", "What", _what, min_table_width=WIDE, detail="always"),
]
ADOPTION_COLUMNS: list[Column[SegmentUsage]] = [
    Column("name", "Segment", lambda r: user_text(r.name, "bold")),
    Column("status", "Status", lambda r: segment_status_badge(r.status), width=10),
    Column("views", "Views", lambda r: Text(whole(r.views)), width=6, justify="right"),
    Column("exports", "Exports", lambda r: Text(whole(r.exports)), width=7, justify="right"),
    Column("campaigns", "Campaigns", lambda r: Text(whole(r.campaigns)), width=9,
           justify="right"),
    Column("uses", "Uses", lambda r: Text(whole(r.uses), style="bold"), width=6,
           justify="right"),
]


def _last_used(row: UnusedSegment) -> Text:
    days = (clock.today() - row.last_used.date()).days
    return Text(f"{dmy(row.last_used)} · {plural(days, 'day')} ago")


UNUSED_COLUMNS: list[Column[UnusedSegment]] = [
    Column("name", "Segment", lambda r: user_text(r.name, "bold")),
    Column("status", "Status", lambda r: segment_status_badge(r.status), width=10),
    Column("kind", "Type", lambda r: Text(r.kind.value), width=8, min_table_width=WIDE),
    Column("owner", "Owner", lambda r: user_text(r.owner or "—"), width=16,
           min_table_width=WIDE),
    Column("last_used", "Last used", _last_used, width=26),
]

EMPTY_LOG = "No entries match the filters — c: clear them"
EMPTY_ADOPTION = "No segments yet"
EMPTY_UNUSED = f"Every segment was used in the last {UNUSED_DAYS} days"


def counted(window: RowWindow, noun: str, plural_noun: str | None = None) -> str:
    """'1–20 of 45 entries', '3 segments', 'counting…'."""
    shown, total = window.shown, window.total
    if total is None:
        return "counting…"
    if shown == total:
        return plural(total, noun, plural_noun)
    first = window.first_index + 1 if shown else 0
    return f"{whole(first)}–{whole(window.first_index + shown)} of {whole(total)}"


def filter_words(flt: AuditFilter, segment: str | None) -> str:
    """'user Priya, action metrics viewed, since 2024-02-01' or 'no filters' (user text)."""
    parts = [f"user {flt.actor}" if flt.actor else "",
             f"action {flt.action.value.replace('_', ' ')}" if flt.action else "",
             f"segment {segment}" if segment else "",
             f"since {flt.since.isoformat()}" if flt.since else "",
             f"until {flt.until.isoformat()}" if flt.until else ""]
    found = [p for p in parts if p]
    return "filtered by " + ", ".join(found) if found else "no filters"


def log_status(window: RowWindow, flt: AuditFilter, segment: str | None) -> Text:
    return Text.assemble(counted(window, "entry", "entries"), " · newest first · ",
                         user_text(filter_words(flt, segment)))


def adoption_status(window: RowWindow, days: int) -> Text:
    other = 90 if days == 30 else 30
    return Text(f"{counted(window, 'segment')} · the last {plural(days, 'day')}, most used "
                f"first · p: {plural(other, 'day')}")


def unused_status(window: RowWindow) -> Text:
    return Text(f"{counted(window, 'segment')} not used in {UNUSED_DAYS} days · longest "
                "unused first · A: archive")
