"""Static or dynamic: the segment type's switch in the Create and Edit forms."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, Select

from segtui.core.enums import SegmentKind


class KindSwitch(Horizontal):
    """Static (hand-picked) or Dynamic (kept to a rule): D1.1.1 "Segment Types"."""

    DEFAULT_CSS = """
    KindSwitch { height: 1; margin-top: 1; }
    KindSwitch .rule-label { width: 14; color: $text-muted; }
    KindSwitch Select { width: 40; }
    """

    class Changed(Message):
        """The user switched the type to `kind`."""

        def __init__(self, switch: KindSwitch, kind: SegmentKind) -> None:
            super().__init__()
            self.switch = switch
            self.kind = kind

        @property
        def control(self) -> KindSwitch:
            return self.switch

    def __init__(self, kind: SegmentKind = SegmentKind.STATIC) -> None:
        super().__init__()
        self.initial = kind

    def compose(self) -> ComposeResult:
        yield Label("Segment Type", classes="rule-label")
        yield Select([("Static: contacts picked by hand", SegmentKind.STATIC.value),
                      ("Dynamic: contacts matching a rule", SegmentKind.DYNAMIC.value)],
                     value=self.initial.value, allow_blank=False, compact=True,
                     id="segment-kind")

    @property
    def kind(self) -> SegmentKind:
        return SegmentKind(str(self.query_one("#segment-kind", Select).value))

    @on(Select.Changed, "#segment-kind")
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self, SegmentKind(str(event.value))))
