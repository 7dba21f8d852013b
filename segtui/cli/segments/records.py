"""What the `segments` commands share: a segment as `--json` shows it and as a table or a
block of lines shows it (docs/cli.md), and reading a rule typed on the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from segtui.cli.output import Output, cell, dumps, fail, say

if TYPE_CHECKING:
    from segtui.core.rules.tree import Node
    from segtui.data.store import Store

SegmentName = Annotated[str, typer.Argument(
    metavar="NAME", help="The segment's name (case and extra spaces are ignored).",
    show_default=False)]


def segment_object(store: Store, segment_id: int) -> dict[str, Any]:
    """The `segments show` object (segtui/transfer/segment_json.py)."""
    from segtui.transfer.segment_json import segment_json

    obj = segment_json(store, segment_id)
    if obj is None:
        fail("the segment was deleted meanwhile")
    return obj


SEGMENT_HEADER = f"{'ID':>5}  {'NAME':<32}  {'STATUS':<8}  {'KIND':<7}  {'MEMBERS':>8}  " \
                 f"{'CAMPAIGNS':>9}  UPDATED"


def segment_line(obj: dict[str, Any]) -> list[str]:
    """A `segments list` row under SEGMENT_HEADER."""
    return [f"{obj['id']:>5}  {cell(obj['name'], 32):<32}  {obj['status']:<8}  "
            f"{obj['kind']:<7}  {obj['members']:>8,}  {obj['campaigns']:>9,}  "
            f"{obj['updated_at']}"]


def _evaluated(obj: dict[str, Any]) -> str:
    """"2024-02-26T12:00:00 in 35 ms", then "; failed 2024-02-26T13:00:00: why" (C20.7.7)."""
    shown = "-"
    if obj["evaluated_at"]:
        shown = f"{obj['evaluated_at']} in {obj['evaluation_ms'] or 0:,} ms"
    elif obj["kind"] == "dynamic":
        shown = "not evaluated yet"
    if obj["evaluation_error"]:
        shown += f"; failed {obj['evaluation_failed_at'] or ''}: {obj['evaluation_error']}"
    return shown


def _segment_block(obj: dict[str, Any]) -> list[str]:
    rows = [
        ("Name", obj["name"]), ("ID", obj["id"]), ("Status", obj["status"]),
        ("Kind", obj["kind"]), ("Rule", obj["rule"] or "-"),
        ("Description", obj["description"] or "-"), ("Tags", ", ".join(obj["tags"]) or "-"),
        ("Owner", obj["owner"] or "-"), ("Members", f"{obj['members']:,}"),
        ("Campaigns", f"{obj['campaigns']:,} ({obj['active_campaigns']:,} active)"),
        ("Created", obj["created_at"]), ("Updated", obj["updated_at"]),
        ("Evaluated", _evaluated(obj)), ("Visibility", obj["visibility"]),
        ("Hidden from", ", ".join(obj["hidden_from"]) or "-"),
    ]
    return [f"{label + ':':<13}{cell(value)}" for label, value in rows]


def print_segment(output: Output, obj: dict[str, Any], headline: str | None = None) -> None:
    """One segment (`segments show`, and what create and update made): JSON, or a line
    saying what was done and the segment's fields one per line."""
    if output is not Output.TEXT:
        say(dumps(obj, indent=2))
        return
    if headline:
        say(headline)
    for line in _segment_block(obj):
        say(line)


def stored_name(store: Store, segment_id: int, given: str) -> str:
    """The segment's name as stored (the name typed, if it is gone meanwhile)."""
    row = store.segments.segment_row(segment_id)
    return given if row is None else row.name


def parse_rule(text: str) -> Node:
    """The rule given with --rule, or exit 1 saying where it is wrong."""
    from segtui.core.rules.language import RuleSyntaxError, parse

    try:
        return parse(text)
    except RuleSyntaxError as exc:
        fail(f"rule: {exc}")
