"""The palette (segtui/widgets/palette.py) reads at every colour depth (U15.4-U15.5).

Figures: WCAG 2 contrast; at 256 colours the xterm colour Rich picks; at 16 colours the
ANSI colour Rich picks, shown in Rich's standard palette (segtui/widgets/contrast.py).
`python -m segtui.widgets.contrast` prints the table these tests check.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from rich.color import Color, ColorType
from rich.errors import StyleSyntaxError
from rich.style import Style
from textual.color import Color as TextualColor
from textual.color import ColorParseError

from segtui.core.enums import CampaignStatus, LeadStatus, SegmentStatus
from segtui.widgets.badges import (
    CAMPAIGN_STATUS_HUES,
    LEAD_STATUS_HUES,
    SEGMENT_STATUS_HUES,
    campaign_status_badge,
    lead_status_badge,
    segment_status_badge,
)
from segtui.widgets.contrast import (
    MARK,
    TEXT,
    Check,
    Depth,
    all_checks,
    all_swatches,
    contrast,
    downgraded,
    hue_degrees,
    hue_distance,
    rgb,
)
from segtui.widgets.palette import BADGES, DARK, LIGHT, THEMES, Hue, Swatch

SEGTUI = Path(__file__).resolve().parents[1] / "segtui"
CHECKS = all_checks()
SWATCHES = all_swatches()

# The ANSI colours (0-15) each badge hue may land on at 16 colours: the spec's hue, normal
# or bright.
HUE_ANSI = {Hue.GREEN: {2, 10}, Hue.RED: {1, 9}, Hue.YELLOW: {3, 11}, Hue.BLUE: {4, 12},
            Hue.CYAN: {6, 14}, Hue.GREY: {0, 7, 8, 15}}
READS_AS_ERROR = {1, 9, 5, 13}  # red and magenta


def test_contrast_formula() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
    assert contrast((10, 20, 30), (10, 20, 30)) == 1


@pytest.mark.parametrize("check", CHECKS, ids=[c.name for c in CHECKS])
@pytest.mark.parametrize("depth", list(Depth))
def test_every_pair_reads(check: Check, depth: Depth) -> None:
    minimum = check.minimum_16 if depth is Depth.C16 else check.minimum
    assert check.ratio(depth) >= minimum


def test_checks_cover_the_promise() -> None:
    """Text is held to 4.5:1 everywhere but one documented case; marks to 3:1."""
    exceptions = [c.name for c in CHECKS if c.minimum_16 < c.minimum]
    assert exceptions == [f"segtui-light good on {ground}"
                          for ground in ("background", "surface", "panel")]
    assert {c.minimum for c in CHECKS} == {TEXT, MARK}
    assert len([c for c in CHECKS if c.name.startswith("badge")]) == len(Hue)


@pytest.mark.parametrize("name", list(SWATCHES))
def test_downgrade_lands_on_the_intended_colour(name: str) -> None:
    swatch = SWATCHES[name]
    assert downgraded(swatch.hex, Depth.C16)[1] == swatch.ansi
    # At 256 colours: the same hue (within 30 degrees), or grey for a grey.
    hue = hue_degrees(rgb(swatch.hex))
    hue_256 = hue_degrees(downgraded(swatch.hex, Depth.C256)[0])
    if hue is None or hue_256 is None:
        assert hue is None and hue_256 is None
    else:
        assert hue_distance(hue, hue_256) <= 30


@pytest.mark.parametrize("hue", list(Hue))
def test_badge_hues_hold_at_16_colours(hue: Hue) -> None:
    assert BADGES[hue].bg.ansi in HUE_ANSI[hue]


@pytest.mark.parametrize(("status", "hue"), [
    (SegmentStatus.ACTIVE, Hue.GREEN), (SegmentStatus.INACTIVE, Hue.RED),
    (SegmentStatus.DRAFT, Hue.YELLOW),
])
def test_spec_colours(status: SegmentStatus, hue: Hue) -> None:
    """R7.1 / AC7: Active green, Inactive red, Draft yellow."""
    assert SEGMENT_STATUS_HUES[status] is hue


def _colour_of(style: Style | str, background: bool) -> Color:
    assert isinstance(style, Style)
    color = style.bgcolor if background else style.color
    assert color is not None
    return color


@pytest.mark.parametrize("badge", [
    *(segment_status_badge(s) for s in SegmentStatus),
    *(campaign_status_badge(s) for s in CampaignStatus),
    *(lead_status_badge(s) for s in LeadStatus),
], ids=lambda text: text.plain.strip())
def test_badges_are_explicit_rgb(badge: object) -> None:
    """A colour name is not shown as itself: Textual maps it through its ANSI theme
    (yellow became orange, then bright red at 16 colours). Badges are RGB from the
    palette, text and background."""
    style = getattr(badge, "style")  # noqa: B009 - a Text
    for background in (False, True):
        colour = _colour_of(style, background)
        assert colour.type is ColorType.TRUECOLOR
        assert colour.get_truecolor() in {tuple(bytes.fromhex(p.bg.hex[1:])) for p in
                                          BADGES.values()} | {(0, 0, 0), (255, 255, 255)}


def test_every_status_has_a_badge() -> None:
    assert set(SEGMENT_STATUS_HUES) == set(SegmentStatus)
    assert set(CAMPAIGN_STATUS_HUES) == set(CampaignStatus)
    assert set(LEAD_STATUS_HUES) == set(LeadStatus)


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_headings_do_not_read_as_errors(theme: object) -> None:
    """Section titles were $accent, orange, bright red at 16 colours."""
    heading: Swatch = getattr(theme, "heading")  # noqa: B009
    assert heading.ansi not in READS_AS_ERROR


def test_health_colours_follow_the_spec() -> None:
    """R7.7: Active green, Inactive orange, Unsubscribed red; at 16 colours orange is
    ANSI 3 (Rich's (170,85,0)), distinct from the red and from Draft's bright yellow."""
    for theme in THEMES:
        assert theme.health_active.ansi in {2, 10}
        assert theme.health_inactive.ansi == 3
        assert theme.health_unsubscribed.ansi in {1, 9}
    assert BADGES[Hue.YELLOW].bg.ansi == 11


def test_the_highlighted_row_stands_out() -> None:
    """At 16 colours the highlighted row, focused or not, differs from the table."""
    for theme in (DARK, LIGHT):
        table = theme.surface.ansi
        assert theme.cursor.bg.ansi != table
        assert theme.cursor_blurred.bg.ansi != table
        assert theme.cursor.bg.ansi not in {p.bg.ansi for p in BADGES.values()}


# -- no colour names in UI code ------------------------------------------------------------

UI_CODE = [p for p in SEGTUI.rglob("*.py")
           if not {"core", "data"} & set(p.relative_to(SEGTUI).parts)
           and p.name not in {"palette.py", "contrast.py"}]
CSS_PROPERTY = re.compile(r"\b(color|background|border(?:-[a-z]+)?|outline(?:-[a-z]+)?|"
                          r"tint|background-tint|scrollbar-[a-z-]+)\s*:\s*([^;}\n]+)")
NOT_COLOURS = {"auto", "transparent", "none", "hidden"}


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def _named_rich_colours(value: str) -> list[str]:
    """The colour names in `value` if it is a Rich style ('bold red', 'black on yellow')."""
    if not value.strip() or len(value) > 60:
        return []
    try:
        style = Style.parse(value)
    except StyleSyntaxError:
        return []
    return [c.name for c in (style.color, style.bgcolor)
            if c is not None and c.type is not ColorType.TRUECOLOR]


def _css_colours(css: str) -> list[str]:
    """Colours in CSS written as names or literals rather than theme $variables."""
    found = []
    for match in CSS_PROPERTY.finditer(css):
        for token in match.group(2).split():
            if token.startswith("$") or token.endswith("%") or token in NOT_COLOURS:
                continue
            try:
                TextualColor.parse(token)
            except ColorParseError:
                continue
            found.append(f"{match.group(1)}: {token}")
    return found


def test_colour_names_scan_finds_them() -> None:
    assert _named_rich_colours("bold black on yellow") == ["black", "yellow"]
    assert _named_rich_colours("dark_orange") == ["dark_orange"]
    assert _named_rich_colours("bold #ff0000") == []
    assert _named_rich_colours("Active") == []
    assert _css_colours("Tab { color: red; border: round ansi_blue; }") == [
        "color: red", "border: ansi_blue"]
    assert _css_colours("X { color: $text-muted; background: $primary 30%; }") == []


@pytest.mark.parametrize("path", UI_CODE, ids=lambda p: str(p.relative_to(SEGTUI)))
def test_no_colour_names_in_ui_code(path: Path) -> None:
    """Every colour comes from the palette: Rich styles in Python, theme $variables in
    CSS. (Attributes such as bold, dim, italic and reverse are fine.)"""
    found = [f"{value!r}: {names}" for value in _string_constants(path)
             if (names := _named_rich_colours(value))]
    found += [f"CSS {c}" for value in _string_constants(path) for c in _css_colours(value)]
    assert found == []


def test_no_colour_names_in_the_stylesheet() -> None:
    assert _css_colours((SEGTUI / "app.tcss").read_text()) == []
