"""Under the rule builder's live count, while an existing dynamic segment's rule is edited:
who would enter and who would leave its current members were the rule saved (C20.6.3).

Two lines, each cut with an ellipsis at the width it has (80 columns included); the names
are user text, never markup. The builder's count worker computes the diff after the count
and hands it here (widgets/rule_builder.py); an invalid rule shows no diff, only its
problem (C20.6.3), and a segment deleted meanwhile says so and keeps the rule (C20.6.4).
"""

from __future__ import annotations

from typing import Protocol

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from segtui.core.rules.diff import RuleDiff
from segtui.core.rules.tree import Node
from segtui.core.segments import SegmentNotFound
from segtui.widgets.text import user_text

COMPARING = "Comparing with its members…"
GONE = "gone"
GONE_TEXT = ("Someone deleted this segment while you were editing it: no members to compare "
        "with. Your rule is kept; saving will offer to create it again.")


class _Diffs(Protocol):
    def rule_diff(self, segment_id: int, rule: Node) -> RuleDiff: ...


def diff_of(rules: _Diffs, segment_id: int, checked: Node) -> RuleDiff | str:
    """In the count's worker: who would enter and leave (C20.6.1), or why not: GONE when
    the segment was deleted meanwhile (C20.6.4), else the database's reason, said where the
    diff goes (not a toast: the count above it is still right)."""
    try:
        return rules.rule_diff(segment_id, checked)
    except SegmentNotFound:
        return GONE
    except Exception as exc:
        return f"Could not compare with its members ({type(exc).__name__}: {exc})"


class RuleDiffLines(Vertical):
    DEFAULT_CSS = """
    RuleDiffLines { height: auto; }
    RuleDiffLines #rule-enter { color: $success; height: 1; }
    RuleDiffLines #rule-leave { color: $warning; height: 1; }
    RuleDiffLines #rule-enter.diff-gone { color: $error; height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Label("", id="rule-enter")
        yield Label("", id="rule-leave")

    def on_mount(self) -> None:
        self.display = False

    def _lines(self, enter: str, leave: str, *, gone: bool = False) -> None:
        first = self.query_one("#rule-enter", Label)
        # The deleted segment's message wraps: it is read whole (C20.6.4).
        first.update(user_text(enter, multiline=gone))
        first.set_class(gone, "diff-gone")
        second = self.query_one("#rule-leave", Label)
        second.update(user_text(leave))
        second.display = bool(leave)
        self.display = True

    def show(self, diff: RuleDiff | str | None) -> None:
        """The diff's lines; None (an invalid rule): none (C20.6.3); GONE: the segment was
        deleted (C20.6.4); any other text (COMPARING, a failure) on its own line."""
        if diff is None:
            self.display = False
        elif isinstance(diff, RuleDiff):
            self._lines(*diff.lines())
        elif diff == GONE:
            self._lines(GONE_TEXT, "", gone=True)
        else:
            self._lines(diff.splitlines()[0], "")
