"""How numbers and dates are written for users (R7.1: whole numbers, DD/MM/YYYY)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from segtui.core import clock


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to a whole number, halves away from zero.

    Python's round() rounds halves to even (round(0.5) == 0), which surprises users reading
    a percentage; business figures round half up.
    """
    if denominator == 0:
        return 0
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), ROUND_HALF_UP))


def whole(n: int) -> str:
    """A whole number with thousands separators: 1234567 -> '1,234,567'."""
    return f"{n:,}"


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """'1 member', '2 members', '1,234 members'."""
    word = singular if n == 1 else (plural_form or singular + "s")
    return f"{whole(n)} {word}"


def point_change(points: Decimal) -> str:
    """A rate's change in percentage points: '+4 pts', '-1 pt', '0 pts'. A rate that went
    from 71% to 76% rose 5 points, not 5% (that would be a relative change, 7%): every
    rate trend is written this way, on cards, tabs and insights (U15.13)."""
    sign = "+" if points > 0 else ""
    unit = "pt" if abs(points) == 1 else "pts"
    return f"{sign}{points} {unit}"


def percent_change(change: Decimal) -> str:
    """An amount's change relative to before, in percent: '+12%', '-3.4%'."""
    sign = "+" if change > 0 else ""
    return f"{sign}{change}%"


def iso(value: datetime | None) -> str | None:
    """ISO 8601 local time without an offset, to the second, as every JSON segtui writes
    (docs/cli.md; segtui stores local business time)."""
    return None if value is None else value.isoformat(timespec="seconds")


def dmy(value: date | datetime) -> str:
    """DD/MM/YYYY, the date format of R7.1 and R7.3."""
    return value.strftime("%d/%m/%Y")


def relative_days(when: datetime | date | None, today: date | None = None) -> str:
    """R7.6 "Last contact date in relative format (X days ago)"."""
    if when is None:
        return "never"
    day = when.date() if isinstance(when, datetime) else when
    days = ((today or clock.today()) - day).days
    if days == 0:
        return "today"
    if days < 0:
        return f"in {plural(-days, 'day')}"
    return f"{plural(days, 'day')} ago"


def stars(score: int, out_of: int = 100) -> str:
    """A 0-100 quality score as five stars (R7.6 "Quality score displayed with star
    rating"), rounded half up to whole stars."""
    filled = min(5, max(0, round_half_up(score * 5, out_of)))
    return "★" * filled + "☆" * (5 - filled)


def time_ago(when: datetime, now: datetime | None = None) -> str:
    """How long ago, as a person says it: "just now", "3 min ago", "5 h ago", then
    relative_days ("2 days ago"); a time after `now` (another machine's clock) is "just
    now" (C20.7.5)."""
    seconds = ((now or clock.now()) - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 24 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return relative_days(when, (now or clock.now()).date())
