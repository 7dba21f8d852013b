"""The one clock of the program.

Every "today", "now", "last 30 days" and relative date in segtui comes from here, so that
demos and tests are reproducible: `SEGTUI_TODAY=YYYY-MM-DD` fixes the date for the whole
program. When the date is fixed, "now" is that date at 12:00 so timestamps written during a
test or demo are reproducible too (ties are broken by row id, never by wall time).
"""

from __future__ import annotations

import os
from datetime import date, datetime, time

ENV_VAR = "SEGTUI_TODAY"
FIXED_NOON = time(12, 0)


class ClockError(ValueError):
    """SEGTUI_TODAY holds something that is not a YYYY-MM-DD date."""


def parse_day(text: str) -> date:
    """Parse a YYYY-MM-DD date, with a message that names the variable on failure."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ClockError(f"{ENV_VAR} must be a date as YYYY-MM-DD, got {text!r}") from None


def fixed_day() -> date | None:
    """The date fixed by SEGTUI_TODAY, or None when the clock follows the wall clock."""
    raw = os.environ.get(ENV_VAR, "").strip()
    return parse_day(raw) if raw else None


def today() -> date:
    return fixed_day() or date.today()


def now() -> datetime:
    """Current local time, naive (segtui stores local business time throughout)."""
    day = fixed_day()
    if day is not None:
        return datetime.combine(day, FIXED_NOON)
    return datetime.now().replace(microsecond=0)


def fix(day: date) -> None:
    """Fix the clock for the rest of this process (the demo does this; see docs/demo-data.md)."""
    os.environ[ENV_VAR] = day.isoformat()
