"""Command palette (ctrl+p): the current screen's actions with their keys, plus "open
segment" by name."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import partial

from rich.cells import cell_len
from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from segtui.core.records import SegmentFilter, SegmentSort
from segtui.widgets.key_names import remapped
from segtui.widgets.text import escaped_markup, highlighted, user_text

# Bindings that are keys, not commands. escape on the dashboard and in the note box leaves
# a text field for the list, which closing the palette has already done (U15.12: the
# palette offered "Back to the list"); the palette's own key; quit, which Textual's own
# "Quit the application" entry already offers.
NOT_COMMANDS = frozenset({"dashboard.back", "notes.back", "app.commands", "app.quit"})
KEY_GAP = 3  # cells between the longest command and the key column


@dataclass
class ScreenCommand:
    """A binding as a palette command: what it does, the keys that do it too."""

    description: str
    action: str
    namespace: DOMNode
    keys: list[str] = field(default_factory=list)


class ScreenActions(Provider):
    """The commands of the screen underneath: the bindings of the focused widget, its
    ancestors (a detail tab's keys), the screen and the app, each with its keys in a column
    on the right, as the key bar and the help show them. Only segtui's own bindings (they
    have an id): a table's cursor keys are not commands."""

    def _commands(self) -> list[ScreenCommand]:
        screen = self.screen
        # Each node's bindings, not Screen.active_bindings: there a key bound lower down
        # hides the screen's binding (the table's enter hid the dashboard's "Open"), and
        # the palette lists commands, whichever key runs them now. `_bindings` holds them
        # as declared (Textual has no public name for it, 8.2.8 pinned); `remapped` gives
        # them the keys of the user's keymap.
        nodes = list(screen.focused.ancestors_with_self) if screen.focused else \
            [screen, self.app]
        found: dict[tuple[int, str], ScreenCommand] = {}  # (node, description) -> command
        for node in nodes:
            for binding in remapped(self.app, [b for _, b in node._bindings]):
                if binding.id is None or binding.id in NOT_COMMANDS or not binding.description:
                    continue
                # One command per description: f1 and ? are both "Help" (two actions, as
                # ? gives way to a text field); the palette lists it once, with both keys.
                command = found.setdefault((id(node), binding.description), ScreenCommand(
                    binding.description, binding.action, node))
                shown = self.app.get_key_display(binding.with_key(binding.key))
                if shown not in command.keys:
                    command.keys.append(shown)
        return list(found.values())

    async def _run(self, command: ScreenCommand) -> None:
        await self.app.run_action(command.action, command.namespace)

    @staticmethod
    def _keys(command: ScreenCommand, width: int) -> Text:
        """What follows the command: its keys, from column `width` + KEY_GAP on."""
        gap = " " * (width - cell_len(command.description) + KEY_GAP)
        return Text.assemble(gap, (" ".join(command.keys), "bold"))

    async def discover(self) -> Hits:
        commands = self._commands()
        width = max((cell_len(c.description) for c in commands), default=0)
        for command in commands:
            yield DiscoveryHit(Text.assemble(user_text(command.description),
                                             self._keys(command, width)),
                               partial(self._run, command), text=command.description)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        commands = self._commands()
        width = max((cell_len(c.description) for c in commands), default=0)
        for command in commands:
            score = matcher.match(command.description)
            if score > 0:
                yield Hit(score, Text.assemble(highlighted(matcher, command.description),
                                               self._keys(command, width)),
                          partial(self._run, command), text=command.description)


class OpenSegment(Provider):
    """"Open segment: <name>" for segments whose name matches what was typed."""

    async def search(self, query: str) -> Hits:
        store = getattr(self.app, "store", None)
        opener = getattr(self.screen, "open_segment_by_id", None)
        if store is None or opener is None or not query.strip():
            return
        # The palette runs this search as a task and drops it when the query changes or
        # the palette closes; hits are only yielded to it, never to a widget.
        page = await asyncio.to_thread(
            store.segments.segment_page, SegmentFilter(search=query), SegmentSort(), limit=20
        )
        matcher = self.matcher(query)
        for row in page.rows:
            text = f"Open segment: {row.name}"
            yield Hit(max(matcher.match(text), 0.1), highlighted(matcher, text),
                      partial(opener, row.id, row.name), text=text,
                      help=escaped_markup(row.description) or None)
