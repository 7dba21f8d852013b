"""A SelectionList whose ticked items are told apart by their mark, not only by colour.

Textual's SelectionList draws the same "X" in every box and tells a ticked one by the
box's colour alone: in 16 colours, a monochrome terminal or a copy of the screen as text,
every box looked ticked (a new user's trial of Discover, C22.4.2). Here a ticked box holds
✓ and an unticked one a blank.
"""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets.option_list import OptionDoesNotExist

T = TypeVar("T")

TICKED, UNTICKED = "✓", " "


class TickList(SelectionList[T]):
    """A SelectionList with ✓ in a ticked box and a blank in an unticked one."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        segments = list(line)
        if len(segments) < 2:  # not a box line (nothing to mark)
            return line
        mark = TICKED if selection.value in self.selected else UNTICKED
        box = segments[1]  # the box's inside, between its two sides (SelectionList)
        segments[1] = Segment(mark, box.style, box.control)
        return Strip(segments, line.cell_length)
