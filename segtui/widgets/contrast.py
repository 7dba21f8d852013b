"""How the palette reads at each colour depth: WCAG contrast and Rich's downgrades.

`python -m segtui.widgets.contrast` prints every checked pair; tests/test_palette.py holds
each to its minimum. At 256 colours the terminal shows the xterm colour Rich picked (its RGB
is standard); at 16 colours it shows ANSI colour n in the user's own palette, which we
cannot know, so figures use Rich's standard palette (the VGA colours), as Rich does when
it picks n.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass
from enum import StrEnum

from rich._palettes import EIGHT_BIT_PALETTE, STANDARD_PALETTE
from rich.color import Color, ColorSystem

from segtui.widgets.palette import BADGES, THEMES, Pair, Swatch, ThemeColours

RGB = tuple[int, int, int]

TEXT = 4.5  # WCAG AA for text
MARK = 3.0  # WCAG 1.4.11 for marks that are not text: bars, lines, legend squares


class Depth(StrEnum):
    TRUECOLOR = "truecolor"
    C256 = "256"
    C16 = "16"


def rgb(hex_colour: str) -> RGB:
    triplet = Color.parse(hex_colour).get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def downgraded(hex_colour: str, depth: Depth) -> tuple[RGB, int | None]:
    """The colour a terminal at `depth` shows for `hex_colour`, and its number there."""
    colour = Color.parse(hex_colour)
    if depth is Depth.TRUECOLOR:
        return rgb(hex_colour), None
    if depth is Depth.C256:
        number = colour.downgrade(ColorSystem.EIGHT_BIT).number
        assert number is not None
        return tuple(EIGHT_BIT_PALETTE[number]), number  # type: ignore[return-value]
    number = colour.downgrade(ColorSystem.STANDARD).number
    assert number is not None
    return tuple(STANDARD_PALETTE[number]), number  # type: ignore[return-value]


def luminance(colour: RGB) -> float:
    """WCAG 2 relative luminance."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = colour
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: RGB, b: RGB) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def hue_degrees(colour: RGB) -> float | None:
    """The hue in degrees, or None for a grey (saturation under 15%, as Rich decides)."""
    h, _l, s = colorsys.rgb_to_hls(*(c / 255 for c in colour))
    return None if s < 0.15 else h * 360


def hue_distance(a: float, b: float) -> float:
    return min(abs(a - b), 360 - abs(a - b))


@dataclass(frozen=True)
class Check:
    """A colour on a background, held to `minimum` (TEXT or MARK) at every depth; at 16
    colours to `minimum_16` where Rich's standard palette has no colour that reaches it."""

    name: str
    fg: Swatch
    bg: Swatch
    minimum: float
    minimum_16: float

    def ratio(self, depth: Depth) -> float:
        return contrast(downgraded(self.fg.hex, depth)[0], downgraded(self.bg.hex, depth)[0])


# Rich's standard green (0,170,0) on white is 3.11:1 and its bright green is lighter still:
# no green text reaches 4.5:1 on a light background at 16 colours. The light theme's good
# text keeps its hue there (the marks next to it, ▲ and ✓, carry the meaning too).
GREEN_ON_WHITE_16 = 3.1


def _pair(name: str, pair: Pair) -> Check:
    return Check(name, pair.fg, pair.bg, TEXT, TEXT)


def theme_checks(theme: ThemeColours) -> list[Check]:
    checks = [_pair(f"{theme.name} cursor", theme.cursor),
              _pair(f"{theme.name} cursor (unfocused)", theme.cursor_blurred),
              _pair(f"{theme.name} button", theme.primary)]
    grounds = {"background": theme.background, "surface": theme.surface, "panel": theme.panel}
    for ground_name, ground in grounds.items():
        for role, swatch in theme.text_roles.items():
            at_16 = TEXT
            if not theme.dark and role == "good":
                at_16 = GREEN_ON_WHITE_16
            checks.append(Check(f"{theme.name} {role} on {ground_name}", swatch, ground,
                                TEXT, at_16))
    for ground_name in ("background", "surface"):
        for role, swatch in theme.mark_roles.items():
            checks.append(Check(f"{theme.name} {role} on {ground_name}", swatch,
                                grounds[ground_name], MARK, MARK))
    return checks


def all_checks() -> list[Check]:
    badges = [_pair(f"badge {hue}", pair) for hue, pair in BADGES.items()]
    return badges + [check for theme in THEMES for check in theme_checks(theme)]


def all_swatches() -> dict[str, Swatch]:
    """Every colour the palette defines, by a readable name."""
    named: dict[str, Swatch] = {}
    for hue, pair in BADGES.items():
        named[f"badge {hue} text"] = pair.fg
        named[f"badge {hue}"] = pair.bg
    for theme in THEMES:
        for field in ("background", "surface", "panel"):
            named[f"{theme.name} {field}"] = getattr(theme, field)
        for field in ("primary", "cursor", "cursor_blurred"):
            pair = getattr(theme, field)
            named[f"{theme.name} {field} text"] = pair.fg
            named[f"{theme.name} {field}"] = pair.bg
        for role, swatch in (theme.text_roles | theme.mark_roles).items():
            named[f"{theme.name} {role}"] = swatch
    return named


def report() -> str:
    lines = [f"{'pair':48} {'min':>4} {'true':>6} {'256':>6} {'16':>6}  fg→16 bg→16"]
    for check in all_checks():
        ratios = [check.ratio(depth) for depth in Depth]
        fg16 = downgraded(check.fg.hex, Depth.C16)[1]
        bg16 = downgraded(check.bg.hex, Depth.C16)[1]
        lines.append(f"{check.name:48} {check.minimum:4.1f} "
                     + " ".join(f"{r:6.2f}" for r in ratios) + f"  {fg16:5} {bg16:5}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
