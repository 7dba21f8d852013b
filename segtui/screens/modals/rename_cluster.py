"""Rename a cluster (C22.4.9): `e` on the Discover screen's highlighted card.

A cluster's name is the discovery's, not yet a segment's: it must not be empty or another
cluster's (Discovery.renamed says so, and the dialog shows it under the name), nor longer
than a segment's name may be (NAME_MAX): a longer one would be cut when the cluster is
kept, so it is refused here, where it is typed. The other rules of a segment's name apply
when the cluster is kept (the Keep dialog offers a name without what they refuse).
"""

from __future__ import annotations

from collections.abc import Hashable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from segtui.core.discover.model import DiscoverError, Discovery
from segtui.core.validation import NAME_MAX, normalise_name
from segtui.screens.modals.dialog import Dialog
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import FieldText, user_text


class RenameClusterModal(Dialog[Discovery | None]):
    """Returns the discovery with the cluster renamed, or None when cancelled."""

    HELP = ("A new name for the cluster, as its card and the Keep dialog show it (a kept "
            "segment starts with this name). enter renames; escape closes without "
            "renaming.")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rename-cluster.cancel")]
    AUTO_FOCUS = "#rename-cluster-name"

    def __init__(self, discovery: Discovery, index: int) -> None:
        super().__init__()
        self.discovery = discovery
        self.index = index
        name = discovery.cluster(index).name
        self.title_text = f"Rename “{name}”"
        self.name_field = FieldText(name)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box rename-cluster-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield Input(self.name_field.shown, id="rename-cluster-name")
            yield Label("", id="save-error", classes="save-error")
            yield KeyLine(("enter", "rename"), classes="modal-keys")

    def on_mount(self) -> None:  # Dialog's own on_mount runs too (Textual calls each)
        self.show_error("")

    def draft(self) -> Hashable | None:
        return self.query_one("#rename-cluster-name", Input).value

    @on(Input.Submitted, "#rename-cluster-name")
    def _submitted(self, event: Input.Submitted) -> None:
        name = self.name_field.read(event.value)
        length = len(normalise_name(name))
        if length > NAME_MAX:
            self.show_error(f"A cluster's name must be at most {NAME_MAX} characters, as a "
                            f"segment's (this one has {length}).")
            return
        try:
            renamed = self.discovery.renamed(self.index, name)
        except DiscoverError as refused:  # empty, or another cluster's name
            self.show_error(str(refused))
            return
        self.dismiss(renamed)
