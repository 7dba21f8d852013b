"""AI Insights tab: deterministic, explainable findings (segtui.core.insights).

"AI" here means analysis a person would otherwise do by hand, done by SQL: every finding
states its numbers and, under it, how it was computed. No network, no model, no sampling.
An insight may carry one action: add the lookalike contacts it found (after confirmation)
or open the segment it talks about (`SegmentWanted`: the detail screen opens it).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Label, Static

from segtui.core.contacts import ContactSelection, SelectAll
from segtui.core.formatting import plural
from segtui.core.insights import Insight, InsightAction, InsightActionKind
from segtui.screens.allowed import allowed
from segtui.screens.detail.base import DetailTab
from segtui.screens.modals.confirm import Confirm
from segtui.widgets.palette import ThemeColours, theme_colours
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

# Severity -> its mark and the palette's text role for it.
SEVERITY_MARK = {"good": ("▲", "good"), "warning": ("!", "warning"), "info": ("•", "info")}


def insight_text(insight: Insight, colours: ThemeColours) -> Text:
    mark, role = SEVERITY_MARK[insight.severity]
    text = Text.assemble((f"{mark} ", colours.style(role, bold=True)),
                         user_text(insight.title, "bold"))
    text.append("\n")
    text.append_text(user_text(insight.finding))
    text.append("\n")
    text.append_text(user_text("How: " + insight.method, "dim italic"))
    return text


class InsightCard(Vertical):
    """One insight, its border coloured by severity (app.tcss), with its action's button."""

    def __init__(self, insight: Insight, index: int) -> None:
        super().__init__(classes=f"-{insight.severity}", id=f"insight-{insight.kind.value}")
        self.insight = insight
        self.index = index

    def compose(self) -> ComposeResult:
        yield Static(insight_text(self.insight, theme_colours(self)))
        if self.insight.action is not None:
            yield Button(user_text(self.insight.action.label), compact=True,
                         variant="primary", classes="insight-action")


class InsightsTab(DetailTab):
    HELP = ("AI Insights: findings computed from this segment's data at today's date: "
            "engagement change and its drivers, members gone quiet, lookalike contacts "
            "outside the segment (with an action to add them), overlap with other segments, "
            "member data quality, best and worst campaign. Each says how it was computed. "
            "tab moves between the actions; enter runs one.")
    REDRAW_ON_THEME = True

    @dataclass
    class SegmentWanted(Message):
        """Open the detail screen of the segment an insight talks about."""

        segment_id: int
        name: str

    def compose(self) -> ComposeResult:
        yield Label("AI Insights (computing…)", id="insights-title")
        yield VerticalScroll(id="insights")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._load()

    @in_thread("insights")
    def _load(self) -> None:
        found = self.store.metrics.insights(self.segment_id)
        deliver(self, self._show, found)

    def _show(self, found: list[Insight]) -> None:
        self.run_worker(self._replace(found), group="insights-show", exclusive=True)

    async def _replace(self, found: list[Insight]) -> None:
        box = self.query_one("#insights", VerticalScroll)
        await box.remove_children()
        await box.mount_all(InsightCard(insight, n) for n, insight in enumerate(found))
        self.query_one("#insights-title", Label).update(Text(
            f"AI Insights ({len(found)} findings, computed from this segment's data)")
        )

    @on(Button.Pressed, ".insight-action")
    def _act(self, event: Button.Pressed) -> None:
        card = next(a for a in event.button.ancestors if isinstance(a, InsightCard))
        action = card.insight.action
        if action is None:
            return
        if action.kind is InsightActionKind.OPEN_SEGMENT:
            assert action.segment_id is not None
            self.post_message(self.SegmentWanted(action.segment_id, action.segment_name))
        else:
            self._confirm_add(action)

    def _confirm_add(self, action: InsightAction) -> None:
        if not allowed(self, self.user, "change segments"):
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._add(action)

        self.app.push_screen(
            Confirm("Add lookalike contacts",
                    f"{action.label} to {self.segment_name}? They match the profile stated "
                    "in the insight.", "Add"),
            confirmed,
        )

    @in_thread("insights-write", notify_failed=True)
    def _add(self, action: InsightAction) -> None:
        assert action.contact_filter is not None
        selection = ContactSelection((SelectAll(action.contact_filter, True),))
        added = self.store.members.add_members(self.segment_id, selection, self.user)
        deliver(self.app, self.app.notify, f"Added {plural(added, 'contact')} to "
                                  f"{self.segment_name}", markup=False)
        deliver(self, self.post_message, self.Changed())
