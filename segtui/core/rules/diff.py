"""What saving an edited rule would do to its segment's members (C20.6): who would enter
and who would leave, counted against the segment's current members as a refresh
(data/rules/refresh.py) would change them.

- would enter: contacts the rule matches that are not current members and that were not
  removed from the segment by hand (a refresh never adds those back, D1.3);
- would leave: current members the rule made that it no longer matches (members added
  by hand stay whatever the rule says, D1.3).
"""

from __future__ import annotations

from dataclasses import dataclass

from segtui.core.formatting import whole

# Names shown of each side (C20.6.3).
DIFF_SAMPLE = 3


@dataclass(frozen=True)
class RuleDiff:
    """The counts of each side and a few of their names, in name order (C20.6.1)."""

    entering: int
    leaving: int
    entering_names: tuple[str, ...] = ()
    leaving_names: tuple[str, ...] = ()

    @property
    def unchanged(self) -> bool:
        return not self.entering and not self.leaving

    def lines(self) -> tuple[str, str]:
        """The two lines the rule builder shows (C20.6.3): '+1,204 would enter: Ana Ruiz,
        Bo Chen, …' and '−87 would leave: …'; a side nobody is on says so."""
        return (_side("+", self.entering, "would enter", self.entering_names),
                _side("\u2212", self.leaving, "would leave", self.leaving_names))


def _side(sign: str, count: int, verb: str, names: tuple[str, ...]) -> str:
    if not count:
        return f"Nobody {verb}"
    shown = ", ".join(names) + (", …" if count > len(names) else "")
    return f"{sign}{whole(count)} {verb}" + (f": {shown}" if shown else "")
