"""segtui's colours, defined once (U15.4; docs/colours.md).

Every colour is explicit RGB. ANSI colour names ("red", "yellow") are not used anywhere in
the UI: Textual does not pass them to the terminal but maps them through its own ANSI theme
(Monokai: red and magenta both pink, yellow orange), and Rich then downgrades those RGB
values for 256- and 16-colour terminals, so "yellow" ended up bright red at 16 colours.
An explicit RGB colour is downgraded by Rich alone, to a colour we choose here: each swatch
names the ANSI colour (0-15, in Rich's standard palette) its 16-colour downgrade lands on,
and tests/test_palette.py proves it does, and that every text/background pair below reads
(>= 4.5:1 WCAG contrast) in truecolor, at 256 and at 16 colours.

Two kinds of colour:
- Badges carry their own background, so they are the same in every theme and on the
  highlighted row of a table (tables keep a cell's own colours: PagedTable).
- Text and chart colours sit on the theme's background, so each theme has its own
  (`ThemeColours`); the Textual themes (widgets/themes.py) are built from them.
In a table row, colour only comes with a background (a badge): plain coloured text
cannot read on both the row and the highlighted row in both themes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rich.style import Style
from textual.dom import DOMNode


@dataclass(frozen=True)
class Swatch:
    """An RGB colour, and the ANSI colour (0-15) Rich's 16-colour downgrade lands on."""

    hex: str
    ansi: int

    @property
    def rgb(self) -> tuple[int, int, int]:
        return (int(self.hex[1:3], 16), int(self.hex[3:5], 16), int(self.hex[5:7], 16))


@dataclass(frozen=True)
class Pair:
    """Text (`fg`) on a background (`bg`)."""

    fg: Swatch
    bg: Swatch

    @property
    def style(self) -> Style:
        return Style(color=self.fg.hex, bgcolor=self.bg.hex, bold=True)


BLACK = Swatch("#000000", 0)
WHITE = Swatch("#ffffff", 15)


class Hue(StrEnum):
    """A badge's colour, named as the specification names it."""

    GREEN = "green"
    RED = "red"
    YELLOW = "yellow"
    BLUE = "blue"
    CYAN = "cyan"
    GREY = "grey"


BADGES: dict[Hue, Pair] = {
    Hue.GREEN: Pair(BLACK, Swatch("#4cc35a", 10)),
    Hue.RED: Pair(WHITE, Swatch("#b8262b", 1)),
    Hue.YELLOW: Pair(BLACK, Swatch("#f2cc3a", 11)),
    Hue.BLUE: Pair(WHITE, Swatch("#1f3fb0", 4)),
    Hue.CYAN: Pair(BLACK, Swatch("#3cc8c8", 6)),
    Hue.GREY: Pair(WHITE, Swatch("#5c5c5c", 8)),
}


def badge_style(hue: Hue) -> Style:
    return BADGES[hue].style


@dataclass(frozen=True)
class ThemeColours:
    """One theme's colours. Text colours read on `background`, `surface` and `panel`;
    chart colours are marks (bars, lines), held to the 3:1 of non-text contrast."""

    name: str
    dark: bool
    background: Swatch
    surface: Swatch  # tables, inputs, modal boxes
    panel: Swatch  # header, footer, table headings
    foreground: Swatch
    muted: Swatch  # secondary text: hints, labels, counts
    good: Swatch
    warning: Swatch
    error: Swatch
    info: Swatch
    heading: Swatch  # section titles (Textual's $accent): never a colour that reads as an error
    primary: Pair  # buttons and borders
    cursor: Pair  # the highlighted row of the focused table or list
    cursor_blurred: Pair  # the highlighted row of a table without the focus
    health_active: Swatch  # R7.7: green
    health_inactive: Swatch  # R7.7: orange
    health_unsubscribed: Swatch  # R7.7: red
    series: tuple[Swatch, ...]  # chart lines and bars, in order

    @property
    def text_roles(self) -> dict[str, Swatch]:
        return {"foreground": self.foreground, "muted": self.muted, "good": self.good,
                "warning": self.warning, "error": self.error, "info": self.info,
                "heading": self.heading}

    @property
    def mark_roles(self) -> dict[str, Swatch]:
        marks = {"health active": self.health_active, "health inactive": self.health_inactive,
                 "health unsubscribed": self.health_unsubscribed}
        return marks | {f"series {i + 1}": s for i, s in enumerate(self.series)}

    def style(self, role: str, *, bold: bool = False) -> Style:
        """A text role's style, e.g. style("good")."""
        return Style(color=self.text_roles[role].hex, bold=bold)


DARK = ThemeColours(
    name="segtui-dark",
    dark=True,
    background=Swatch("#121212", 0),
    surface=Swatch("#1a1a1a", 0),
    panel=Swatch("#24272b", 0),
    foreground=Swatch("#e0e0e0", 15),
    muted=Swatch("#a8a8a8", 7),
    good=Swatch("#5fd75f", 10),
    warning=Swatch("#ffd75f", 11),
    error=Swatch("#ff6b6b", 9),
    info=Swatch("#5fd7ff", 14),
    heading=Swatch("#5fd7ff", 14),
    primary=Pair(WHITE, Swatch("#1f5fbf", 12)),
    cursor=Pair(WHITE, Swatch("#1f5fbf", 12)),
    cursor_blurred=Pair(Swatch("#e0e0e0", 15), Swatch("#404040", 8)),
    health_active=Swatch("#5fd75f", 10),
    health_inactive=Swatch("#cc7a00", 3),
    health_unsubscribed=Swatch("#ff6b6b", 9),
    series=(Swatch("#5fd7ff", 14), Swatch("#ff87ff", 13), Swatch("#5fd75f", 10),
            Swatch("#ffd75f", 11), Swatch("#87afff", 7), Swatch("#ff6b6b", 9)),
)

LIGHT = ThemeColours(
    name="segtui-light",
    dark=False,
    background=Swatch("#ffffff", 15),
    surface=Swatch("#ffffff", 15),
    panel=Swatch("#ebebeb", 15),
    foreground=Swatch("#1a1a1a", 0),
    muted=Swatch("#5f5f5f", 8),
    good=Swatch("#1a6e1a", 2),
    warning=Swatch("#8a5000", 3),
    error=Swatch("#b3261e", 1),
    info=Swatch("#1f5fbf", 12),
    heading=Swatch("#1f5fbf", 12),
    primary=Pair(WHITE, Swatch("#1f5fbf", 12)),
    cursor=Pair(WHITE, Swatch("#1f5fbf", 12)),
    cursor_blurred=Pair(Swatch("#1a1a1a", 0), Swatch("#c4c4c4", 7)),
    health_active=Swatch("#1a8a1a", 2),
    health_inactive=Swatch("#b35900", 3),
    health_unsubscribed=Swatch("#b3261e", 1),
    series=(Swatch("#1f5fbf", 12), Swatch("#a3329e", 5), Swatch("#1a8a1a", 2),
            Swatch("#b35900", 3), Swatch("#555555", 8), Swatch("#b3261e", 1)),
)

THEMES = (DARK, LIGHT)


def colours_for(dark: bool) -> ThemeColours:
    return DARK if dark else LIGHT


def theme_colours(node: DOMNode) -> ThemeColours:
    """The colours of the theme `node`'s app shows now."""
    return colours_for(node.app.current_theme.dark)
