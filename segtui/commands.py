"""Command palette (ctrl+p): the current screen's actions, plus "open segment" by name."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from segtui.core.records import SegmentFilter, SegmentSort
from segtui.widgets.text import escaped_markup, highlighted, user_text


class ScreenActions(Provider):
    """Every visible binding of the screen underneath, runnable by name."""

    def _actions(self) -> list[tuple[str, str]]:
        screen = self.screen
        found: list[tuple[str, str]] = []
        seen: set[str] = set()
        for binding in [*screen.BINDINGS, *self.app.BINDINGS]:
            if isinstance(binding, tuple) or not binding.description:
                continue
            if binding.action in seen or binding.action in ("command_palette", "quit"):
                continue
            seen.add(binding.action)
            found.append((binding.description, binding.action))
        return found

    async def discover(self) -> Hits:
        for description, action in self._actions():
            yield DiscoveryHit(user_text(description), partial(self.screen.run_action, action),
                               text=description)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, action in self._actions():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, highlighted(matcher, description),
                          partial(self.screen.run_action, action), text=description)


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
            store.segment_page, SegmentFilter(search=query), SegmentSort(), limit=20
        )
        matcher = self.matcher(query)
        for row in page.rows:
            text = f"Open segment: {row.name}"
            yield Hit(max(matcher.match(text), 0.1), highlighted(matcher, text),
                      partial(opener, row.id, row.name), text=text,
                      help=escaped_markup(row.description) or None)
