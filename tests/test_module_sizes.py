"""Modules a newcomer can read (A7): no module of segtui over 400 lines, migrations aside
(each is a dated record of one schema change, kept whole)."""

from __future__ import annotations

from pathlib import Path

import segtui

LIMIT = 400
PACKAGE = Path(segtui.__file__).parent


def test_no_module_is_over_the_limit() -> None:
    too_long = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert too_long == {}, f"split these by what they hold (over {LIMIT} lines): {too_long}"
