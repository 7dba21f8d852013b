"""Buttons whose label changes while they are shown (U15.13).

Textual sizes an auto-width Button from the label it has when laid out, and a new label
only repaints it: "Create Segment (0 contacts)" became "Create Segment (78 contacts)" in
the width of the first, and showed "Create Segment (78". A LiveButton is laid out again
whenever its label changes, so a count, "Stop"/"Close" or a picked city always shows whole.
"""

from __future__ import annotations

from textual.widgets import Button


class LiveButton(Button):
    def watch_label(self) -> None:
        self.refresh(layout=True)
