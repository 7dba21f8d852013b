"""Tags shown as removable chips, operable from the keyboard (R7.2 "Tags display as
removable elements once added").

Focus the list, move between chips with left/right, remove the highlighted one with
delete or backspace. Chips wrap onto more lines when there are many. An empty list is no
Tab stop: there is nothing to do in it (U15.13).
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from segtui.core.text import printable


class TagList(Widget, can_focus=True):
    DEFAULT_CSS = """
    TagList { height: auto; min-height: 1; width: 1fr; }
    TagList > .tag-list--chip { background: $primary 30%; }
    TagList > .tag-list--cursor { background: $accent; color: $text; text-style: bold; }
    TagList > .tag-list--empty { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"tag-list--chip", "tag-list--cursor", "tag-list--empty"}
    KEYS_TITLE = "Tag list"  # its section of a dialog's help
    BINDINGS = [
        Binding("left", "move(-1)", "Previous tag", show=False, id="tags.previous"),
        Binding("right", "move(1)", "Next tag", show=False, id="tags.next"),
        Binding("delete,backspace", "remove", "Remove tag", id="tags.remove"),
    ]

    tags: reactive[tuple[str, ...]] = reactive((), layout=True)
    cursor: reactive[int] = reactive(0)

    class Removed(Message):
        def __init__(self, tag_list: TagList, tag: str) -> None:
            super().__init__()
            self.tag_list = tag_list
            self.tag = tag

        @property
        def control(self) -> TagList:
            return self.tag_list

    def __init__(self, tags: tuple[str, ...] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(TagList.tags, tags)
        self.can_focus = bool(tags)  # watch_tags keeps it so; set_reactive doesn't call it

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.tags) - 1))

    def watch_tags(self) -> None:
        self.cursor = self.cursor  # re-clamp after a change
        self.can_focus = bool(self.tags)

    def render(self) -> RenderableType:
        if not self.tags:
            return Text("No tags yet", style=self.get_component_rich_style("tag-list--empty"))
        chip = self.get_component_rich_style("tag-list--chip")
        cursor = self.get_component_rich_style("tag-list--cursor")
        text = Text()
        for index, tag in enumerate(self.tags):
            style = cursor if self.has_focus and index == self.cursor else chip
            # Non-breaking spaces keep a chip on one line when the list wraps.
            text.append(f"\u00a0{printable(tag)}\u00a0✕\u00a0", style=style)
            text.append(" ")
        return text

    def action_move(self, step: int) -> None:
        self.cursor += step

    def action_remove(self) -> None:
        if self.tags:
            tag = self.tags[self.cursor]
            self.post_message(self.Removed(self, tag))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
