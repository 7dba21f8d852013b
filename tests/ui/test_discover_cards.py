"""What the Discover screen says of a discovery (C22.4.5-C22.4.8), as text: at any width
every line fits and no word is cut (the words read in order are the words given), the
second line of a trait hangs under its first word, the chosen k is marked, the bars are
as long as the sizes say, a name too long for the chart loses whole words."""

from __future__ import annotations

import re

import pytest
from rich.text import Text

from segtui.screens.discover.cards import (
    card,
    fitting_words,
    hanging,
    k_scores_text,
    size_bars,
    summary_text,
)
from tests.hostile import HOSTILE
from tests.ui.discover_data import made_discovery

WIDTHS = [30, 41, 56, 76, 80, 116]


def words(lines: list[str]) -> list[str]:
    return " ".join(lines).split()


@pytest.mark.parametrize("width", WIDTHS)
def test_cards_fit_and_cut_no_word(width: int) -> None:
    discovery = made_discovery(list(range(1, 201)), industry=HOSTILE["long"] + " and more")
    for number, cluster in enumerate(discovery.clusters, start=1):
        lines = card(cluster, number, width).plain.splitlines()
        assert all(len(line) <= width for line in lines), (width, lines)
        expected = [str(number), *cluster.name.split()]
        # A word longer than the line is folded: the only case where a word spans lines.
        if all(len(w) <= width - 8 for w in " ".join(lines).split()):
            assert words(lines)[:len(expected)] == expected
        for trait in cluster.traits:
            if len(HOSTILE["long"]) < width - 4:
                assert " ".join(trait.text.split()) in " ".join(words(lines))


def test_a_trait_hangs_under_its_first_word() -> None:
    lines = [t.plain for t in hanging(Text("• opened, clicked or responded in the last 30 "
                                           "days: 91% of them"), 24, indent=4,
                                      first_indent=2)]
    assert lines[0].startswith("  • opened")
    assert all(line.startswith("    ") and line[4] != " " for line in lines[1:])
    assert " ".join(words(lines)) == ("• opened, clicked or responded in the last 30 days: "
                                      "91% of them")


def test_summary_and_silhouettes() -> None:
    discovery = made_discovery(list(range(1, 201)))
    assert summary_text(discovery, None).plain == (
        "4 clusters of 200 contacts by size, industry, spent, engaged · 0.4 s")
    assert summary_text(discovery, "VIP [bold]").plain.startswith(
        "4 clusters of 200 members of VIP [bold] by")
    scores = k_scores_text(discovery)
    assert scores is not None and "4=0.58✓" in scores.plain and "5=0.49✓" not in scores.plain
    assert k_scores_text(made_discovery(list(range(1, 201)), auto=False)) is None


@pytest.mark.parametrize("width", WIDTHS)
def test_size_bars(width: int) -> None:
    discovery = made_discovery(list(range(1, 11)))  # sizes 3, 3, 2, 2
    lines = size_bars(discovery, width).plain.splitlines()
    assert len(lines) == 4
    assert all(len(line) <= width for line in lines)
    assert [line.count("█") > 0 for line in lines] == [True] * 4
    assert lines[0].count("█") > lines[2].count("█")
    assert "30.0% 3" in lines[0] and "20.0% 2" in lines[3]


def test_a_long_name_loses_whole_words() -> None:
    assert fitting_words("Enterprise big spenders", 30) == "Enterprise big spenders"
    assert fitting_words("Enterprise big spenders", 16) == "Enterprise big…"
    assert fitting_words("Enterprise big spenders", 5) == ""


def test_a_share_within_a_segment_is_of_its_members() -> None:
    """C22.4.8: clustered within a starting segment, a card's share is of its members,
    the segment named (literally), not of "the population"."""
    cluster = made_discovery(list(range(1, 201))).clusters[0]
    assert "25.0% of the population" in card(cluster, 1, 76).plain
    within = " ".join(card(cluster, 1, 76, "VIP [bold]").plain.split())
    assert "50 contacts · 25.0% of the members of VIP [bold]" in within
    assert "population" not in within


@pytest.mark.parametrize("width", WIDTHS)
def test_a_figure_keeps_its_label(width: int) -> None:
    """C22.4.8: the figures line breaks between figures, never inside one."""
    for cluster in made_discovery(list(range(1, 201))).clusters:
        lines = card(cluster, 1, width).plain.splitlines()
        for label in ("Engaged (30 days) ", "Converted ", "Retained "):
            line = next(line for line in lines if label in line)
            assert re.search(re.escape(label) + r"(\d+\.\d%|—)", line), (label, lines)
        assert any(line.strip().endswith("per member") or "per member ·" in line
                   for line in lines)
