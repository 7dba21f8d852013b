"""Continuation lines kept aligned with their open bracket when a rewrite moved it:

    store.create_segment(draft,              store.segments.create_segment(draft,
                         selection)   ->                              selection)

`realign(before, after)` takes a file before and after a rewrite that kept its lines (only
changed text within them) and re-indents, in `after`, each line that was aligned one column
after an open bracket of an earlier line to where that bracket is now."""

from __future__ import annotations

import difflib
import io
import tokenize


def _column_map(old: str, new: str) -> list[int]:
    """new column of each old column of a line (and one past its end)."""
    mapping = list(range(len(old) + 1))
    if old == new:
        return mapping
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new,
                                                       autojunk=False).get_opcodes():
        for i in range(a1, a2 + 1):
            if tag == "equal":
                mapping[i] = b1 + (i - a1)
            elif i == a2:
                mapping[i] = b2
            else:
                mapping[i] = b1 if tag != "replace" else min(b1 + (i - a1), b2)
    return mapping


def realign(before: str, after: str) -> str:
    old_lines = before.splitlines(keepends=True)
    new_lines = after.splitlines(keepends=True)
    rewritten = list(new_lines)
    if len(old_lines) != len(new_lines) or before == after:
        return after
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(before).readline))
    except (tokenize.TokenError, SyntaxError):
        return after
    maps: dict[int, list[int]] = {}
    shift: dict[int, int] = {}  # row -> columns its indentation moved here

    def new_col(row: int, col: int) -> int:
        if row not in maps:
            maps[row] = _column_map(old_lines[row].rstrip("\n"), rewritten[row].rstrip("\n"))
        mapping = maps[row]
        return mapping[min(col, len(mapping) - 1)] + shift.get(row, 0)

    stack: list[tuple[int, int]] = []  # open brackets: (row, col)
    first_on_row: dict[int, int] = {}
    for tok in tokens:
        if tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                        tokenize.COMMENT, tokenize.ENDMARKER):
            continue
        row, col = tok.start[0] - 1, tok.start[1]
        if row not in first_on_row:
            first_on_row[row] = col
            if stack and row != stack[-1][0] and col == stack[-1][1] + 1:
                bracket_row, bracket_col = stack[-1]
                wanted = new_col(bracket_row, bracket_col) + 1
                line = new_lines[row]
                have = len(line) - len(line.lstrip(" "))
                if have == col and wanted != have and wanted > 0:
                    new_lines[row] = " " * wanted + line.lstrip(" ")
                    shift[row] = wanted - have
        if tok.type == tokenize.OP and tok.string in "([{":
            stack.append((row, col))
        elif tok.type == tokenize.OP and tok.string in ")]}" and stack:
            stack.pop()
    return "".join(new_lines)
