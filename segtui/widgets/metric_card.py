"""A metric card: a big number over its label (dashboard and detail screens)."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class MetricCard(Widget):
    """Shows `value` over `label`; uses `short_label` when the card is too narrow.

    `value` is None while loading (shown as an ellipsis, never as a stale or fake number).
    """

    DEFAULT_CSS = """
    MetricCard {
        width: 1fr;
        height: 4;
        border: round $primary 60%;
        padding: 0 1;
    }
    MetricCard.-with-note { height: 5; }
    MetricCard > .metric-card--value { text-style: bold; color: $text; }
    MetricCard > .metric-card--label { color: $text-muted; }
    MetricCard > .metric-card--up { color: $success; }
    MetricCard > .metric-card--down { color: $error; }
    MetricCard > .metric-card--flat { color: $text-muted; }
    """
    COMPONENT_CLASSES = {
        "metric-card--value", "metric-card--label", "metric-card--up", "metric-card--down",
        "metric-card--flat",
    }

    value: reactive[str | None] = reactive(None)
    # A third line (trend or comparison): (text, short text, "up" | "down" | "flat").
    note: reactive[tuple[str, str, str] | None] = reactive(None)

    def __init__(
        self, label: str, short_label: str | None = None, *, id: str | None = None,
        with_note: bool = False, help: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-with-note" if with_note else None)
        self.label = label
        self.short_label = short_label or label
        if help:
            self.tooltip = Text(help)  # the formula, for mouse users; `?` lists them too

    def render(self) -> RenderableType:
        width = self.content_size.width
        label = self.label if len(self.label) <= width else self.short_label
        value_style = self.get_component_rich_style("metric-card--value")
        label_style = self.get_component_rich_style("metric-card--label")
        value = Text("…" if self.value is None else self.value, style=value_style)
        text = Text.assemble(value, "\n", Text(label, style=label_style))
        if self.note is not None:
            long, short, direction = self.note
            style = self.get_component_rich_style(f"metric-card--{direction}")
            text.append("\n")
            text.append(long if len(long) <= width else short, style=style)
        text.no_wrap = True
        text.overflow = "ellipsis"
        return text
