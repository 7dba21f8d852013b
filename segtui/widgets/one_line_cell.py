"""A table cell of one line of text, drawn straight to segments (P5).

DataTable draws every cell as `console.render_lines(Styled(Padding(text, (0, p)), pre,
post))`: layers of Rich generators (the style sandwich, the padding, the text's own
wrapping, and two passes of line splitting and cropping) to produce one line. A new page
draws every visible cell afresh (30 rows of 7 cells at 120x40), and those layers were most
of the time from a page's arrival to its drawing. `one_line_cell` takes the same steps for
the one case a PagedTable has (a `Text` of one line that does not wrap, in a row one line
high) as straight calls, and gives the very segments Rich's layers give. A cell it can't
draw that way (wrapping, tabs, a line break, centred or full justification, no room) is
`None`, and the table draws it the usual way. tests/ui/test_one_line_cell.py holds the
two equal.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import DEFAULT_JUSTIFY, DEFAULT_OVERFLOW, Text

# Rich's own defaults, for a Text and console options that say neither.
_DEFAULT_JUSTIFY = DEFAULT_JUSTIFY
_DEFAULT_OVERFLOW = DEFAULT_OVERFLOW
_UNSTYLED = Style.null()  # Padding's blanks: its style "none"
_LINE_BREAK = Text("\n")  # Text.__rich_console__ joins its lines with it


def one_line_cell(
    console: Console,
    text: Text,
    width: int,
    padding: int,
    pre_style: Style,
    post_style: Style,
    *,
    justify: str | None = None,
    overflow: str | None = None,
) -> list[Segment] | None:
    """The cell's line, `width` cells wide: `padding` blanks each side, the text cut to the
    rest (ending in "…" when its overflow says so) and justified, `pre_style` under the
    text's own styles and `post_style` over them. `justify` and `overflow` are the console
    options' (what a Text that says neither falls back on). None: the cell needs Rich's
    general path."""
    inner = width - 2 * padding
    plain = text.plain
    if (inner < 1 or text.no_wrap is False or "\n" in plain or "\t" in plain
            or text.end not in ("\n", "")):
        return None
    justify = text.justify or justify or _DEFAULT_JUSTIFY
    overflow = text.overflow or overflow or _DEFAULT_OVERFLOW
    if justify not in (DEFAULT_JUSTIFY, "left", "right") or overflow == "ignore":
        return None
    # Text.wrap without wrapping: the line justified (Lines.justify), then cut to the width;
    # a line that needs neither is drawn as it is (nothing below changes it).
    line = text
    if justify == "right" or cell_len(plain) > inner or (
            justify == "left" and cell_len(plain) < inner):
        line = text.copy()
        if justify == "left":
            line.truncate(inner, overflow=overflow, pad=True)  # type: ignore[arg-type]
        elif justify == "right":
            line.rstrip()
            line.truncate(inner, overflow=overflow)  # type: ignore[arg-type]
            line.pad_left(inner - cell_len(line.plain))
        line.truncate(inner, overflow=overflow)  # type: ignore[arg-type]
    # Text.__rich_console__ renders its lines joined, which makes the line's own style a
    # span (for a line without one, the same line); Padding pads them to its inner width
    # with unstyled blanks and adds its sides.
    if line.style:
        line = _LINE_BREAK.join([line])
    segments = Segment.adjust_line_length(list(line.render(console)), inner,
                                          style=_UNSTYLED)
    if padding:
        side = Segment(" " * padding, _UNSTYLED)
        segments = [side, *segments, side]
    # Styled's sandwich. The line is exactly `width` cells already: the crop that
    # render_lines would do next leaves it as it is.
    return list(Segment.apply_style(segments, pre_style, post_style))
