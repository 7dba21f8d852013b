"""Pure domain helpers: rounding, dates, safe text, CSV injection, clock, windows."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from segtui.core import clock
from segtui.core.formats.csv_safe import free_path, neutralise, write_csv
from segtui.core.formatting import dmy, round_half_up, whole
from segtui.core.metrics import last_days, percent
from segtui.core.text import field_text, hidden_characters, printable, read_back


def test_round_half_up_not_bankers() -> None:
    assert round_half_up(255, 4) == 64  # 63.75
    assert round_half_up(1, 2) == 1  # round(0.5) would give 0
    assert round_half_up(5, 2) == 3
    assert round_half_up(7, 0) == 0


def test_whole_and_dates() -> None:
    assert whole(1_000_000) == "1,000,000"
    assert dmy(date(2024, 1, 20)) == "20/01/2024"  # R7.1 DD/MM/YYYY
    assert dmy(datetime(2024, 2, 5, 16, 0)) == "05/02/2024"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred", "␛[31mred"),
        ("a\tb\nc", "a b c"),
        ("\u202eevil", "\ufffdevil"),
        ("bell\x07", "bell␇"),
        ("del\x7f", "del␡"),
        ("[bold]x[/]", "[bold]x[/]"),  # markup is the widget helper's job; text unchanged
        ("émoji 🎉", "émoji 🎉"),
    ],
)
def test_printable(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_printable_keeps_newlines_when_multiline() -> None:
    assert printable("a\nb\x1b", single_line=False) == "a\nb␛"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("Zed\u202eAdmin\u202c", "Zed\ufffdAdmin\ufffd"),  # bidi controls
        ("a\x1b[31m\x7f\x9b", "a␛[31m␡\ufffd"),  # C0, DEL, C1
        ("zero\u200bwidth\u00adsoft\ufeff", "zero\ufffdwidth\ufffdsoft\ufffd"),  # format
        ("line\u2028para\u2029", "line\ufffdpara\ufffd"),  # a text area's line breaks
        ("tab\there\nnext", "tab␉here␊next"),  # a one-line field
        ("émoji 🎉 [b]", "émoji 🎉 [b]"),
    ],
)
def test_a_field_shows_each_hidden_character_as_one_stand_in(stored: str, shown: str) -> None:
    """I16.8: one character for one, so positions in the field are positions in the
    stored text."""
    assert field_text(stored) == shown and len(shown) == len(stored)
    assert len(hidden_characters(stored)) == sum(a != b for a, b in zip(stored, shown,
                                                                        strict=True))


def test_a_multi_line_field_keeps_line_breaks_and_tabs() -> None:
    assert field_text("a\tb\nc\r\n\x1b", multiline=True) == "a\tb\nc␍\n␛"
    assert hidden_characters("a\tb\nc\r\n", multiline=True) == ["\r"]


@pytest.mark.parametrize(
    ("edited", "meant"),
    [
        ("Zed\ufffdAdmin\ufffd", "Zed\u202eAdmin\u202c"),  # unchanged: as stored
        ("Zed\ufffdAdmin\ufffd Team", "Zed\u202eAdmin\u202c Team"),  # marks left: kept
        ("ZedAdmin\ufffd", "ZedAdmin\u202c"),  # a mark deleted: its character goes
        ("ZedAdmin", "ZedAdmin"),
        ("Zod\ufffdAdmyn\ufffd", "Zod\u202eAdmyn\u202c"),  # edits around the marks
        ("New name", "New name"),  # all retyped: taken as typed
        ("", ""),
    ],
)
def test_what_an_edited_field_means(edited: str, meant: str) -> None:
    stored = "Zed\u202eAdmin\u202c"
    assert read_back(stored, field_text(stored), edited) == meant


def test_a_field_with_nothing_hidden_is_what_it_shows() -> None:
    assert read_back("Plain", "Plain", "Plain \ufffd") == "Plain \ufffd"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx"])
def test_formula_cells_are_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


def test_plain_cells_and_numbers_untouched() -> None:
    assert neutralise("Enterprise") == "Enterprise"
    assert neutralise(-5) == "-5"
    assert neutralise(None) == ""


def test_write_csv_is_atomic_and_safe(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert write_csv(path, ["A", "B"], [["=cmd", 3], ["a,b\nc", None]]) == 2
    with path.open(newline="", encoding="utf-8") as f:
        assert list(csv.reader(f)) == [["A", "B"], ["'=cmd", "3"], ["a,b\nc", ""]]

    def boom() -> object:
        yield ["ok", 1]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_csv(tmp_path / "broken.csv", ["A", "B"], boom())  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_free_path_never_overwrites(tmp_path: Path) -> None:
    first = free_path(tmp_path, "segments_export_2024-02-26.csv")
    first.write_text("x")
    second = free_path(tmp_path, "segments_export_2024-02-26.csv")
    assert second.name == "segments_export_2024-02-26-2.csv"


def test_clock_fixed_by_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGTUI_TODAY", "2025-03-01")
    assert clock.today() == date(2025, 3, 1)
    assert clock.now() == datetime(2025, 3, 1, 12, 0)
    monkeypatch.setenv("SEGTUI_TODAY", "01/03/2025")
    with pytest.raises(clock.ClockError, match="YYYY-MM-DD"):
        clock.today()
    monkeypatch.delenv("SEGTUI_TODAY")
    assert clock.today() == date.today()


def test_last_30_days_window() -> None:
    w = last_days(date(2024, 2, 26))
    assert w.start == datetime(2024, 1, 28) and w.end == datetime(2024, 2, 27)
    assert w.previous().start == datetime(2023, 12, 29) and w.previous().end == w.start


def test_percent() -> None:
    assert percent(34, 45) == Decimal(76)
    assert percent(3, 45, 1) == Decimal("6.7")
    assert percent(1, 0) == Decimal(0)


def test_a_rate_changes_in_points_an_amount_in_percent() -> None:
    """U15.13: one way to write a trend. Rates (engagement, open, click) change by
    percentage points on every card, tab and insight; amounts (revenue, conversions) by
    percent."""
    from decimal import Decimal

    from segtui.core.analytics import change_text
    from segtui.core.formatting import percent_change, point_change

    assert [point_change(Decimal(v)) for v in ("4", "1", "0", "-3.4", "-1")] == [
        "+4 pts", "+1 pt", "0 pts", "-3.4 pts", "-1 pt"]
    assert percent_change(Decimal("88")) == "+88%"
    assert change_text(Decimal("4"), points=True) == "+4 pts"
    assert change_text(Decimal("-12")) == "-12%"
    assert change_text(None) == "new"
    # Nothing before: "new" only if there is something now; none then and none now is
    # no change (a segment without campaigns showed "$0 ... new" and "0 ... new").
    from segtui.core.analytics import direction, relative_change
    assert relative_change(5, 0) is None and change_text(relative_change(5, 0)) == "new"
    assert relative_change(0, 0) == 0 and change_text(relative_change(0, 0)) == "0%"
    assert direction(relative_change(0, 0)) == "flat"


def test_a_long_word_is_quoted_cut_short_in_a_rules_problem() -> None:
    """What the user wrote is echoed up to 40 characters: a 3,000-character name once
    filled the line under the rule and hid where the mistake was."""
    import pytest

    from segtui.core.rules.check import check
    from segtui.core.rules.language import RuleSyntaxError, parse
    from segtui.core.rules.tree import Condition, Group, Op
    from segtui.core.text import quoted

    assert quoted("abc") == "'abc'" and quoted(5) == "5"
    assert quoted("y" * 100) == "'" + "y" * 39 + "…'"
    with pytest.raises(RuleSyntaxError) as parsed:
        parse('status = "' + "y" * 150 + '"')
    assert str(parsed.value).startswith("column 10: '" + "y" * 39 + "…' is not one of ")
    with pytest.raises(RuleSyntaxError) as parsed:
        parse("x" * 3000 + " = 1")
    assert str(parsed.value) == "column 1: unknown field '" + "x" * 39 + "…'"
    # A tree built elsewhere (a file, the API) is checked the same way.
    _, issues = check(Group(children=(Condition("z" * 500, Op.EQ, "1"),)))
    assert issues[0].message == "unknown field '" + "z" * 39 + "…'"
