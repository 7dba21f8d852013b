"""`segtui segments history NAME`, `segtui segments migration NAME` (C20.1-C20.3): who
entered and left a segment, its size day by day, and a period's stability and migration;
anyone who sees the segment may look. `history-retention` and `prune-history`: how long
ended stays are kept, and removing the older ones (administrators; C20.1.4)."""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from segtui.cli.access import reads, writes
from segtui.cli.common import (
    DbOption,
    JsonOption,
    UserOption,
    acting_user,
    command_store,
    find_segment,
    up_to_date,
)
from segtui.cli.output import cell, dumps, fail, say
from segtui.core.formatting import iso, plural
from segtui.core.permissions import Permission

if TYPE_CHECKING:
    from segtui.core.history import Move, Stability

DayOption = Annotated[Optional[str], typer.Option(  # noqa: UP045 (Typer reads it)
    metavar="YYYY-MM-DD", show_default=False)]


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(f"{option} must be a date written YYYY-MM-DD, not {value!r}")


@reads
def segments_history(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The segment's name.", show_default=False)],
    since: DayOption = None,
    until: DayOption = None,
    direction: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--only", metavar="entered|left", help="Only entries or only exits.",
        show_default=False)] = None,
    why: Annotated[Optional[str], typer.Option(  # noqa: UP045
        metavar="rule|manual|copy|merge", help="Only the changes for this reason.",
        show_default=False)] = None,
    contact_id: Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--contact-id", help="One contact's entries and exits.", show_default=False)] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000,
                                       help="At most this many, newest first.")] = 100,
    sizes: Annotated[bool, typer.Option(
        "--sizes", help="The size at the end of each day instead (from --since, default "
                        "30 days ago, to --until, default yesterday).")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Who entered and left the segment, when, why and by whom, newest first; or with
    --sizes its members, entries and exits day by day."""
    from segtui.core import clock
    from segtui.core.history import Direction, HistoryFilter, Why
    from segtui.core.segments import SegmentNotFound

    start, end = _day(since, "--since"), _day(until, "--until")
    try:
        only = Direction(direction) if direction else None
        reason = Why(why) if why else None
    except ValueError:
        fail("--only is entered or left; --why is rule, manual, copy or merge")
    store = command_store(ctx, db)
    try:
        segment_id = find_segment(store, name)
        up_to_date(store, [segment_id])
        try:
            if sizes:
                days = store.history.daily_sizes(
                    segment_id, start or clock.today() - timedelta(days=30), end)
            else:
                page = store.history.changes(segment_id, HistoryFilter(
                    only, reason, start, end, contact_id), limit=limit)
        except SegmentNotFound:
            fail(f"no segment named {name!r}")
    finally:
        store.close()
    if sizes:
        if as_json:
            say(dumps({"segment": name, "days": [
                {"day": d.day.isoformat(), "members": d.members, "entered": d.entered,
                 "left": d.left} for d in days]}, indent=2))
            return
        say(f"{'Day':<10}  {'Members':>9}  {'Entered':>8}  {'Left':>8}")
        for d in days:
            say(f"{d.day.isoformat():<10}  {d.members:>9,}  {d.entered:>8,}  {d.left:>8,}")
        return
    if as_json:
        say(dumps({"segment": name, "more": page.more, "changes": [
            {"at": iso(c.at), "change": c.direction.value,
             "contact_id": c.contact_id, "contact": c.contact_name, "email": c.email,
             "why": c.why.value, "by": c.by} for c in page.changes]}, indent=2))
        return
    if not page.changes:
        say("No membership changes.")
        return
    say(f"{'When':<16}  {'Change':<7}  {'Why':<6}  {'By':<16}  Contact")
    for c in page.changes:
        say(f"{c.at:%Y-%m-%d %H:%M}  {c.direction.value:<7}  {c.why.value:<6}  "
            f"{cell(c.by or '(rule)', 16):<16}  {cell(c.contact_name, 30)} <{cell(c.email)}>")
    if page.more:
        say(f"(the newest {limit:,}; older ones with --until or --limit)")


@reads
def segments_migration(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The segment's name.", show_default=False)],
    days: Annotated[int, typer.Option(min=1, max=36_500,
                                      help="The last N days (7, 30, 90, ...).")] = 30,
    start: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--from", metavar="YYYY-MM-DD", help="The period's first day (with --to, instead "
        "of --days).", show_default=False)] = None,
    end: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--to", metavar="YYYY-MM-DD", help="The period's last day.",
        show_default=False)] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Stability over a period: of the members at its start, how many are still members
    at its end; who left and where they went; who entered and where they came from."""
    from segtui.core import clock
    from segtui.core.history import period
    from segtui.core.segments import SegmentNotFound

    first, last = _day(start, "--from"), _day(end, "--to")
    if (first is None) != (last is None):
        fail("give both --from and --to, or neither (then --days)")
    if first is not None and last is not None:
        begin = datetime.combine(first, datetime.min.time())
        finish = datetime.combine(last + timedelta(days=1), datetime.min.time())
    else:
        begin, finish = period(days, clock.now())
    store = command_store(ctx, db)
    try:
        segment_id = find_segment(store, name)
        up_to_date(store, [segment_id])
        try:
            found = store.history.stability(segment_id, begin, finish)
        except SegmentNotFound:
            fail(f"no segment named {name!r}")
        except ValueError as exc:
            fail(str(exc))
    finally:
        store.close()
    if as_json:
        say(dumps(_stability_object(name, found), indent=2))
        return
    for line in _stability_text(found):
        say(line)


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _moves(moves: "tuple[Move, ...]") -> list[dict[str, Any]]:
    return [{"segment": m.name, "contacts": m.contacts} for m in moves]


def _stability_object(name: str, s: "Stability") -> dict[str, Any]:
    return {"segment": name, "from": iso(s.start),
            "to": iso(s.end),
            "members_at_start": s.members_at_start, "members_at_end": s.members_at_end,
            "stayed": s.stayed, "left": s.left, "entered": s.entered,
            "stability": s.stability, "churn_out": s.churn_out, "churn_in": s.churn_in,
            "went_to": _moves(s.went_to), "came_from": _moves(s.came_from)}


def _stability_text(s: "Stability") -> list[str]:
    lines = [f"From {s.start:%Y-%m-%d %H:%M} to {s.end:%Y-%m-%d %H:%M}",
             f"Members at the start {s.members_at_start:,}, at the end {s.members_at_end:,}",
             f"Stability {_share(s.stability)} ({s.stayed:,} stayed)",
             f"Left {s.left:,} ({_share(s.churn_out)} of the start), "
             f"entered {s.entered:,} ({_share(s.churn_in)} of the end)"]
    for title, moves in (("Those who left entered", s.went_to),
                         ("Those who entered had left", s.came_from)):
        lines += ["", f"{title}:"]
        lines += [f"{m.contacts:>9,}  {cell(m.name)}" for m in moves] or ["  (none)"]
    return lines


@reads
def segments_history_retention(ctx: typer.Context, as_json: JsonOption = False,
                               db: DbOption = None) -> None:
    """How many days ended memberships are kept (`prune-history` removes older ones)."""
    store = command_store(ctx, db)
    try:
        days = store.history.retention_days()
    finally:
        store.close()
    if as_json:
        say(dumps({"retention_days": days}))
        return
    say(f"Ended memberships are kept {plural(days, 'day')}.")


@writes("change the history's retention", Permission.MANAGE_USERS)
def segments_set_history_retention(
    ctx: typer.Context,
    days: Annotated[int, typer.Argument(metavar="DAYS", help="Days to keep.")],
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Set how many days ended memberships are kept (administrators; default 400)."""
    store = command_store(ctx, db)
    try:
        store.history.set_retention_days(days, acting_user(ctx))
    except ValueError as exc:
        fail(str(exc))
    finally:
        store.close()
    say(f"Ended memberships are now kept {plural(days, 'day')}.")


@writes("prune the membership history", Permission.MANAGE_USERS)
def segments_prune_history(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say how many.")] = False,
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Remove the memberships that ended before the retention, after keeping every
    segment's size day by day up to then (administrators). Current members stay."""
    store = command_store(ctx, db)
    try:
        cutoff, count = store.history.prune(acting_user(ctx), dry_run=dry_run)
    finally:
        store.close()
    verb = "would be removed" if dry_run else "removed"
    say(f"{plural(count, 'membership')} that ended before {cutoff:%Y-%m-%d} {verb}.")
