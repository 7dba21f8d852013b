"""segtui's Textual themes, built from the palette (widgets/palette.py).

Textual derives its CSS variables ($accent, $error, $block-cursor-background...) from a
theme's few base colours. Textual's own themes pick colours that Rich downgrades badly
(textual-dark's accent #ffa62b is bright red at 16 colours; its highlighted row is white
on a blue that becomes cyan, 2.9:1), so the app offers only these two, whose colours
tests/test_palette.py checks at every depth.
"""

from __future__ import annotations

from textual.theme import Theme

from segtui.widgets.palette import DARK, LIGHT, ThemeColours


def textual_theme(colours: ThemeColours) -> Theme:
    cursor, blurred = colours.cursor, colours.cursor_blurred
    return Theme(
        name=colours.name,
        dark=colours.dark,
        primary=colours.primary.bg.hex,
        secondary=colours.primary.bg.hex,
        accent=colours.heading.hex,
        warning=colours.warning.hex,
        error=colours.error.hex,
        success=colours.good.hex,
        foreground=colours.foreground.hex,
        background=colours.background.hex,
        surface=colours.surface.hex,
        panel=colours.panel.hex,
        variables={
            # Textual's default is the foreground blended over whatever lies below; the
            # palette's muted colour is the one whose contrast the tests check.
            "text-muted": colours.muted.hex,
            "block-cursor-foreground": cursor.fg.hex,
            "block-cursor-background": cursor.bg.hex,
            "block-cursor-text-style": "bold",
            "block-cursor-blurred-foreground": blurred.fg.hex,
            "block-cursor-blurred-background": blurred.bg.hex,
        },
    )


THEMES = {colours.name: textual_theme(colours) for colours in (DARK, LIGHT)}
DEFAULT_THEME = DARK.name
