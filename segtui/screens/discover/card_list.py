"""The list of cluster cards (C22.4.8): an OptionList whose options are many lines tall.

At 80x24 the list has about 9 rows and a card 9 to 12, so OptionList's keys, which only
move between options, would leave a long card's last lines (its rule, its precision and
recall) out of reach. Here a highlighted card is shown whole when it fits, else from its
top; and pagedown/pageup first scroll through the rest of a card taller than the list,
then move to the next (previous) card.
"""

from __future__ import annotations

from textual.widgets import OptionList


class CardList(OptionList):
    def _card_lines(self) -> tuple[int, int] | None:
        """The highlighted card's first line and its height, in the list's lines."""
        highlighted = self.highlighted
        if highlighted is None or not self.is_mounted:
            return None
        self._update_lines()
        try:
            return self._index_to_line[highlighted], self._heights[highlighted]
        except (KeyError, IndexError):
            return None

    def scroll_to_highlight(self, top: bool = False) -> None:
        # A card taller than the list shows from its top (its name), not from wherever
        # scrolling to its region would leave it; pagedown then reads on.
        lines = self._card_lines()
        if lines is not None and lines[1] > self.scrollable_content_region.height:
            self.scroll_to(y=lines[0], animate=False, immediate=True)
            return
        super().scroll_to_highlight(top)

    def action_page_down(self) -> None:
        lines, view = self._card_lines(), self.scrollable_content_region.height
        if lines is not None and lines[0] + lines[1] > self.scroll_y + view:
            # The rest of the card first, a page at a time, stopping at its last line.
            end = lines[0] + lines[1] - view
            self.scroll_to(y=min(self.scroll_y + max(view - 1, 1), end), animate=False,
                           immediate=True)
            return
        if self.highlighted is not None and self.highlighted < self.option_count - 1:
            self.action_cursor_down()  # the next card, without wrapping round to the first

    def action_page_up(self) -> None:
        lines, view = self._card_lines(), self.scrollable_content_region.height
        if lines is not None and lines[0] < self.scroll_y:
            self.scroll_to(y=max(self.scroll_y - max(view - 1, 1), lines[0]),
                           animate=False, immediate=True)
            return
        if self.highlighted:
            self.action_cursor_up()
