"""`segtui quality` (Q6.4; docs/quality.md); `contacts merge` is in contacts.py.

No Textual import: an administrator can run the report from cron and mail it.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from segtui.cli.access import reads
from segtui.cli.common import DbOption, command_store, viewer
from segtui.cli.output import dumps, say
from segtui.core.formatting import plural

if TYPE_CHECKING:
    from segtui.core.quality import QualityReport


def report_object(report: "QualityReport") -> dict[str, Any]:
    """The --json shape (docs/quality.md): the counts, then groups and segments."""
    data = asdict(report)
    for group in data["groups"]:
        for member in group["contacts"]:
            member["created_at"] = member["created_at"].isoformat(timespec="seconds")
    for segment in data["segments"]:
        segment["share"] = round(segment["flagged"] / segment["members"], 4) \
            if segment["members"] else 0.0
    return data


def report_lines(report: "QualityReport") -> list[str]:
    from segtui.core.quality import STALE_DAYS

    def share(n: int) -> str:
        return f"{n / report.contacts:.1%}" if report.contacts else "0%"

    lines = [
        f"Data quality of {plural(report.contacts, 'contact')}",
        f"  Missing email        {report.missing_email:>9,}  {share(report.missing_email)}",
        f"  Invalid email        {report.invalid_email:>9,}  {share(report.invalid_email)}",
        f"  Missing phone        {report.missing_phone:>9,}  {share(report.missing_phone)}",
        f"  Stale (>{STALE_DAYS} days)     {report.stale:>9,}  {share(report.stale)}",
        f"  Same email           {report.duplicate_email_contacts:>9,}  in "
        f"{plural(report.duplicate_email_groups, 'group')}",
        f"  Same name + company  {report.duplicate_name_contacts:>9,}  in "
        f"{plural(report.duplicate_name_groups, 'group')}",
    ]
    if report.groups:
        lines.append("Likely duplicates (merge with: segtui contacts merge KEEP_ID OTHER_ID):")
        for group in report.groups:
            lines.append(f"  {group.reason}: {group.key}")
            for m in group.contacts:
                lines.append(f"    {m.id:>8}  {m.name}  <{m.email or 'no email'}>  "
                             f"{m.company or 'no company'}  created {m.created_at:%Y-%m-%d}"
                             f"  {plural(m.segments, 'segment')}")
    if report.segments:
        lines.append("Segments with the most flagged members:")
        for s in report.segments:
            lines.append(f"  {s.name}: {s.flagged:,} of {s.members:,} ({s.share:.0%})")
    return lines


@reads
def quality(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
    = False,
    db: DbOption = None,
) -> None:
    """The data quality report: missing or invalid emails, missing phones, likely
    duplicates, stale contacts, and the segments with most such members."""
    from segtui.core.audit import Action

    store = command_store(ctx, db)
    try:
        report = store.quality.quality_report()
        store.audit.record(Action.VALIDATION_RULES_APPLIED, viewer(ctx, store))
    finally:
        store.close()
    if as_json:
        say(dumps(report_object(report), indent=2))
        return
    for line in report_lines(report):
        say(line)

