"""What the Discover screen says of a discovery, as text (C22.4.5-C22.4.8): the summary
line, the silhouette of each k tried, the bars of the clusters' sizes and one card per
cluster. No widget here: the screen puts these in its labels, its chart and its list.

Everything is laid out for a width the screen gives, and wrapped at spaces with a hanging
indent, so at 80 columns no line is cut inside a word and a trait's second line starts
under its first word, not under its bullet. User text (a cluster's name, an industry in a
trait, a rule's values) goes through `user_text`: never markup, control characters shown.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from segtui.core.analytics import money
from segtui.core.discover.model import ClusterProfile, Discovery, SuggestedRule
from segtui.core.formatting import plural, whole
from segtui.screens.modals.keep_cluster import fit_text, percent
from segtui.widgets.charts import bar_cells
from segtui.widgets.text import user_text

HELP = (
    "Discover groups the contacts (or one segment's members) into clusters by the "
    "dimensions you tick, and shows each cluster in words. 1 Setup: space ticks a "
    "dimension; Within picks a starting segment (all contacts by default); Clusters is "
    "a number from 2 to 8, or Auto: each k is tried on a sample and the best separated "
    "(the highest silhouette) is chosen. r runs it (also the Run button); escape stops a "
    "running discovery, which keeps nothing. 2 Clusters: the size of each cluster, then "
    "a card per cluster: its size and share, what sets it apart from everyone else, its "
    "engagement, \"Engaged (30 days)\" (an open, a response or a meeting in the last 30 "
    "days, whatever the setup's window), conversion (a "
    "purchase ever), revenue per member and retention (of those engaged in the 30 days "
    "before, the share engaged again), and a readable rule that approximates it with its "
    "precision (how many of the rule's contacts are in the cluster) and recall (how many "
    "of the cluster the rule finds). ↑↓ move between the cards; pgdn and pgup scroll "
    "through a card taller than the list, then move on. e renames the highlighted "
    "cluster; k keeps it as a "
    "segment: static (its members now) or dynamic (the rule, which you may edit; its "
    "precision and recall are counted again before you save); o opens the segment kept "
    "last. 3 Trends: the average transaction value by industry per month; r reads it "
    "again. The same choices give the same clusters. The same as `segtui discover` "
    "(docs/discover.md)."
)

BULLET = "• "
# One console for wrapping only (Text.wrap asks for one): nothing is printed with it.
_CONSOLE = Console(file=io.StringIO(), width=200, color_system=None, legacy_windows=False)


def hanging(text: Text, width: int, indent: int = 0, first_indent: int | None = None
            ) -> list[Text]:
    """`text` wrapped at spaces to `width` cells: the first line starts `first_indent`
    cells in (`indent` if None), the next ones `indent` cells in. A word longer than a
    line is folded (there is no space to break it at)."""
    first = indent if first_indent is None else first_indent
    room = max(width - max(first, indent), 8)
    text = text.copy()
    text.no_wrap = False
    text.overflow = "fold"
    lines = text.wrap(_CONSOLE, room)
    shown = []
    for number, line in enumerate(lines):
        line.rstrip()
        shown.append(Text(" " * (first if number == 0 else indent)) + line)
    return shown


def joined(lines: list[Text]) -> Text:
    return Text("\n").join(lines)


# -- above the cards ---------------------------------------------------------------------


def summary_text(discovery: Discovery, within: str | None) -> Text:
    """"4 clusters of 1,234 contacts by size, industry, spent, engaged · 2.3 s" (C22.4.5):
    the dimensions by the short names `segtui discover --dimensions` takes, so the line
    fits 80 columns; the setup tab has their long names."""
    dimensions = ", ".join(d.value for d in discovery.request.dimensions)
    text = Text(f"{plural(discovery.k, 'cluster')} of ", style="bold")
    if within is None:
        text.append(plural(discovery.population, "contact"), style="bold")
    else:
        text.append(f"{plural(discovery.population, 'member')} of ", style="bold")
        text.append_text(user_text(within, "bold"))
    text.append(f" by {dimensions} · {discovery.seconds:.1f} s")
    return text


def k_scores_text(discovery: Discovery) -> Text | None:
    """When k was chosen (C22.4.6): each k tried with its silhouette, the chosen one
    marked; None when the user gave k."""
    if not discovery.k_scores:
        return None
    text = Text("k by silhouette (✓ chosen):")
    for score in discovery.k_scores:
        entry = f" {score.k}={score.silhouette:.2f}"
        if score.k == discovery.k:
            text.append(entry + "✓", style="bold")
        else:
            text.append(entry, style="dim")
    return text


def size_bars(discovery: Discovery, width: int) -> Text:
    """One line per cluster, largest first (C22.4.7): its number (as on its card), a bar
    as long as its share of the largest, its share and size, then its name if the whole
    name fits (else as many whole words as fit, and "…"). Drawn with text rather than
    plotext: a row per cluster keeps the names readable at 80 columns, where plotext's
    bar labels collide, and k rows fit the few an 80x24 screen has."""
    clusters = discovery.clusters
    if not clusters:
        return Text("No clusters", style="dim")
    number_width = len(str(len(clusters)))
    figures = [f" {percent(c.share):>6} {whole(c.size)}" for c in clusters]
    figure_width = max(len(f) for f in figures)
    bar_room = max(min(40, (width - number_width - figure_width - 2) * 2 // 5), 4)
    top = max(c.size for c in clusters) or 1
    lines = []
    for number, (cluster, figure) in enumerate(zip(clusters, figures, strict=True), 1):
        line = Text(f"{number:>{number_width}} ", style="bold")
        drawn = bar(cluster.size / top * bar_room)
        line.append(drawn, style="bold")
        line.append(" " * (bar_room - len(drawn)))
        line.append(figure.ljust(figure_width))
        room = width - line.cell_len - 2
        name = fitting_words(cluster.name, room)
        if name:
            line.append("  ")
            line.append_text(user_text(name))
        lines.append(line)
    return joined(lines)


def bar(cells: float) -> str:
    """A bar as widgets/charts.py's CategoryBars draws it; a sliver for an empty one."""
    return bar_cells(cells) or "▏"


def fitting_words(name: str, room: int) -> str:
    """`name` if it fits `room` cells, else its first whole words and "…"; "" if not even
    one word fits."""
    if len(name) <= room:
        return name
    words = name.split()
    while words and len(" ".join(words)) + 1 > room:
        words.pop()
    return " ".join(words) + "…" if words else ""


# -- the cards -----------------------------------------------------------------------------


def card(cluster: ClusterProfile, number: int, width: int, within: str | None = None
         ) -> Text:
    """One cluster's card (C22.4.8), `width` cells wide at most (`within`: the starting
    segment's name, whose members the share is of):

        2 Enterprise big spenders
          12,345 contacts · 24.6% of everyone
          • 78% Enterprise (21% overall)
          • median spent $1,240 vs $310 overall
          Engaged (30 days) 91.0% · Converted 34.0% · $1,240 per member
          Retained 80.0%
          Rule: size = Enterprise and spent >= 1000
          precision 92.0% · recall 85.0% (matches 13,400; 11,200 of them in the
                cluster)
    """
    lines = hanging(Text.assemble((f"{number} ", "bold"), user_text(cluster.name, "bold")),
                    width, indent=len(str(number)) + 1, first_indent=0)
    # The share is of what was clustered: within a starting segment, its members.
    share = Text(f"{plural(cluster.size, 'contact')} · {percent(cluster.share)} of ")
    if within is None:
        share.append("the population")
    else:
        share.append_text(Text.assemble("the members of ", user_text(within)))
    lines += hanging(share, width, 2)
    for trait in cluster.traits:
        lines += hanging(Text.assemble(BULLET, user_text(trait.text)), width,
                         indent=2 + len(BULLET), first_indent=2)
    lines += metrics_lines(cluster, width)
    lines += rule_lines(cluster.suggested, width)
    return joined(lines)


def metrics_lines(cluster: ClusterProfile, width: int, indent: int = 2) -> list[Text]:
    """The figures, as many whole as fit a line: a figure and its label never part
    ("Retained" at a line's end and "80.0%" on the next reads as two things)."""
    # "(30 days)": the figure is the dashboard card's fixed window, and sits under traits
    # counted in the setup's window ("...in the last 7 days: 4%"); unlabelled, the two
    # read as contradicting each other.
    parts = (f"Engaged (30 days) {percent(cluster.engagement_rate)}",
             f"Converted {percent(cluster.conversion_rate)}",
             f"{money(cluster.revenue_per_member_cents)} per member",
             f"Retained {percent(cluster.retention_rate)}")
    lines = [Text(" " * indent + parts[0])]
    for part in parts[1:]:
        if lines[-1].cell_len + 3 + len(part) <= width:
            lines[-1].append(" · ", style="dim")
            lines[-1].append(part)
        else:
            lines.append(Text(" " * indent + part))
    return lines


def rule_lines(suggested: SuggestedRule | None, width: int) -> list[Text]:
    if suggested is None:
        return hanging(Text("No readable rule fits this cluster: keep it as a static "
                            "segment.", style="dim"), width, 2)
    rule = Text.assemble(("Rule: ", "bold"), user_text(suggested.rule))
    return hanging(rule, width, indent=8, first_indent=2) + hanging(
        fit_text(suggested), width, 8)
