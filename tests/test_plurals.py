"""Counts are written with `core.formatting.plural` (U15.13: the dashboard said "1
segments"), checked over every module's source, not a sample.

A count written by hand is one of:
- a number formatted right before a plural noun: f"{count} segments";
- a suffix picked by hand: f"contact{'s' if n != 1 else ''}";
- a noun picked by hand: "segment" if n == 1 else "segments".
Numbers that are the code's own constants (UPPER_CASE names such as STALE_DAYS, never 1),
rates ("rows/s") and measures ("+1.5 pts", core.formatting.point_change) are not counts of
things.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from segtui.core.formatting import plural

ROOT = Path(__file__).resolve().parents[1] / "segtui"
MODULES = sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts)

NOUNS = ("segment", "contact", "member", "membership", "group", "row", "event", "campaign",
         "activit", "note", "tag", "condition", "day", "file", "value", "error", "page")
# " segments", " active campaigns", " duplicate contacts": an optional word, then the noun
# in the plural; not "rows/s", nor "% of members".
PLURAL_AFTER = re.compile(
    r"^ (?:(?!of |in |per )[a-z]+ )?(?:" + "|".join(NOUNS) + r")(?:s|es|ies)\b(?!/)")


def _not_a_count(node: ast.expr) -> bool:
    """An UPPER_CASE constant (maybe formatted: whole(STALE_DAYS)), or a word picked by a
    condition ('Its' if one else 'Their')."""
    if isinstance(node, ast.IfExp):
        return all(isinstance(b, ast.Constant) and isinstance(b.value, str)
                   for b in (node.body, node.orelse))
    inner = node.args[0] if isinstance(node, ast.Call) and node.args else node
    name = inner.id if isinstance(inner, ast.Name) else \
        inner.attr if isinstance(inner, ast.Attribute) else ""
    return bool(name) and name.isupper()


def _hand_made(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for value, following in zip(node.values, node.values[1:], strict=False):
                if (isinstance(value, ast.FormattedValue) and not _not_a_count(value.value)
                        and isinstance(following, ast.Constant)
                        and isinstance(following.value, str)
                        and PLURAL_AFTER.match(following.value)):
                    yield node.lineno, f"a number before{following.value[:20]!r}"
        elif isinstance(node, ast.IfExp):
            words = {branch.value for branch in (node.body, node.orelse)
                     if isinstance(branch, ast.Constant) and isinstance(branch.value, str)}
            if len(words) == 2:
                short, long = sorted(words, key=len)
                suffixed = long in (short + "s", short + "es") or \
                    (short.endswith("y") and long == short[:-1] + "ies")
                if suffixed and (short == "" or short.lower().startswith(NOUNS)):
                    yield node.lineno, f"{short!r} or {long!r} picked by hand"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_counts_use_plural(path: Path) -> None:
    found = list(_hand_made(ast.parse(path.read_text(), str(path))))
    assert not found, "\n".join(f"{path.name}:{line}: {what}" for line, what in found)


def test_the_rule_finds_hand_made_counts() -> None:
    """The checker itself: each way of counting by hand is found, plural() is not."""
    for source in ('f"{n} segments"', 'f"{whole(n)} active campaigns"',
                   """f"contact{'s' if n != 1 else ''}\"""",
                   '"segment" if n == 1 else "segments"', '"activity" if one else "activities"'):
        assert list(_hand_made(ast.parse(source))), source
    for source in ('plural(n, "segment")', 'f"{STALE_DAYS} days"', 'f"{rate:,.0f} rows/s"',
                   'f"{plural(n, \'segment\')} shown"', 'f"{share} of members"',
                   '"pt" if abs(points) == 1 else "pts"'):
        assert not list(_hand_made(ast.parse(source))), source


def test_plural() -> None:
    assert plural(1, "segment") == "1 segment"
    assert plural(0, "segment") == "0 segments"
    assert plural(1234, "activity", "activities") == "1,234 activities"
