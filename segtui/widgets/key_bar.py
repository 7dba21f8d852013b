"""The key bar at the bottom of every screen (U15.6), in place of Textual's Footer.

Textual's Footer lays its keys out in a row that scrolls sideways, with the palette's key
docked on top of the right end: at 80 columns it hid the dashboard's `i r q ?` and cut
entries inside a word ("a Add co", "^pCom mands"). The key bar shows whole entries only:

- the screen's keys in the order its bindings declare them, the focused widget's first
  (a tab's keys before the detail screen's): the first ones are the most needed, and keys
  are left out from the end when the line is full;
- then the app's keys, always shown (`q` quit, `?` help — `f1` while a text field has the
  focus, as `?` types there); when a key was left out, the help entry reads "More keys":
  the help lists every key of the screen;
- the palette's key (`^p`) last, when there is room.

Bindings with `show=False` are never on the bar (the help and the palette list them).
Clicking an entry presses its key. docs/keys.md has every screen's bar at 80 columns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.events import Click
from textual.widget import Widget

from segtui.widgets.key_names import in_declared_order

GAP = 1  # cells between two entries; the key's colour tells where an entry starts
LEAD = 1  # cells before the first entry
MORE_KEYS = "More keys"
COMMAND_PALETTE = "command_palette"
QUICK_HELP = "help_unless_typing"  # the app's ? binding (f1 is "help")


@dataclass(frozen=True)
class KeyEntry:
    """One entry: the key as shown, then what it does."""

    key: str  # the key it presses when clicked
    display: str  # "n", "esc", "^p"
    description: str
    action: str
    enabled: bool = True

    @property
    def width(self) -> int:
        return cell_len(self.display) + 1 + cell_len(self.description)


def line_width(entries: list[KeyEntry]) -> int:
    return LEAD + sum(e.width for e in entries) + GAP * max(len(entries) - 1, 0)


def fit_keys(screen_keys: list[KeyEntry], app_keys: list[KeyEntry],
             palette: KeyEntry | None, width: int) -> list[KeyEntry]:
    """The entries one line of `width` cells shows: whole entries, never part of one."""
    if line_width(screen_keys + app_keys) <= width:
        shown = screen_keys + app_keys
        if palette is not None and line_width([*shown, palette]) <= width:
            shown.append(palette)
        return shown
    # Something is left out: the help entry says where the rest are.
    pinned = [replace(e, description=MORE_KEYS) if e.action == "help" else e
              for e in app_keys]
    while len(pinned) > 1 and line_width(pinned) > width:  # a very narrow terminal
        pinned.pop(0)  # help is last: it stays longest
    if pinned and line_width(pinned) > width:
        pinned = [e for e in app_keys if e.action == pinned[0].action]  # "? Help", shorter
    if pinned and line_width(pinned) > width:
        return []
    shown = []
    for entry in screen_keys:
        if line_width([*shown, entry, *pinned]) > width:
            break
        shown.append(entry)
    return shown + pinned


class KeyBar(Widget):
    """The current screen's keys on one line (see the module's docstring)."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .key-bar--disabled { text-style: dim; }
    """
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}
    ALLOW_SELECT = False

    def __init__(self) -> None:
        super().__init__()
        self._placed: list[tuple[int, int, KeyEntry]] = []  # the entries and their cells

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh())

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def entries(self) -> tuple[list[KeyEntry], list[KeyEntry], KeyEntry | None]:
        """The shown bindings of the focused widget, its ancestors and the screen; the
        app's; the palette's. One entry per action (escape and backspace both go back:
        the first key declared is shown)."""
        screen_keys: list[KeyEntry] = []
        app_keys: list[KeyEntry] = []
        palette: KeyEntry | None = None
        seen: set[str] = set()
        active = self.screen.active_bindings
        # Help is f1 everywhere, and ? too where no text field has the focus (the app's
        # help_unless_typing): the bar shows the shorter key that works now.
        quick_help = next((key for key, (_, binding, enabled, _) in active.items()
                           if binding.action == QUICK_HELP and enabled), None)
        for key, (node, binding, enabled, _tooltip) in in_declared_order(self.app, active):
            if not binding.show or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            entry = KeyEntry(key, self.app.get_key_display(binding), binding.description,
                             binding.action, enabled)
            if binding.action == "help" and quick_help is not None:
                entry = replace(entry, key=quick_help,
                                display=self.app.get_key_display(binding.with_key(quick_help)))
            if binding.action == COMMAND_PALETTE:
                palette = entry
            elif node is self.app:
                app_keys.append(entry)
            else:
                screen_keys.append(entry)
        return screen_keys, app_keys, palette

    def shown(self) -> list[KeyEntry]:
        """The entries that fit the bar's width."""
        return fit_keys(*self.entries(), width=self.size.width or self.app.size.width)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        text_style = self.get_component_rich_style("key-bar--description")
        dim = self.get_component_rich_style("key-bar--disabled")
        line = Text(" " * LEAD, no_wrap=True, overflow="crop")
        self._placed = []
        for n, entry in enumerate(self.shown()):
            if n:
                line.append(" " * GAP)
            extra = Style() if entry.enabled else dim
            start = line.cell_len
            line.append(entry.display, key_style + extra)
            line.append(" " + entry.description, text_style + extra)
            self._placed.append((start, line.cell_len, entry))
        return line

    def on_click(self, event: Click) -> None:
        """A click on an entry presses its key (not a link: links are underlined)."""
        for start, end, entry in self._placed:
            if start <= event.x < end and entry.enabled:
                self.app.simulate_key(entry.key)
