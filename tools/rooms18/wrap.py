"""Lines the renaming made longer than the project's 100 characters, wrapped: code after a
comma (or an opening bracket) inside brackets, comments and docstrings at a space."""

from __future__ import annotations

import io
import re
import tokenize

LIMIT = 100


def wrap_file(text: str) -> str:
    for _ in range(8):  # a line wrapped once may need it again
        new = _wrap_once(text)
        if new == text:
            return text
        text = new
    return text


def _wrap_once(text: str) -> str:
    lines = text.splitlines(keepends=True)
    long = {i for i, line in enumerate(lines) if len(_measured(line)) > LIMIT}
    if not long:
        return text
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    depth = 0
    opened: list[int] = []  # columns of the open brackets
    commas: dict[int, list[tuple[int, int]]] = {}  # line -> (break column, next indent)
    opens: dict[int, list[int]] = {}  # line -> columns after an open bracket
    prose: dict[int, str] = {}  # line -> "comment" | "string"
    strings: dict[int, list[tuple[int, str]]] = {}  # line -> strings in brackets
    for tok in tokens:
        row = tok.start[0] - 1
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
            opened.append(tok.start[1])
            if row in long and tok.end[1] <= LIMIT:
                opens.setdefault(row, []).append(tok.end[1])
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
            if opened:
                opened.pop()
        elif tok.type == tokenize.OP and tok.string == "," and depth > 0 and row in long \
                and tok.end[1] < LIMIT and opened:
            commas.setdefault(row, []).append((tok.end[1], opened[-1] + 1))
        elif tok.type == tokenize.COMMENT:
            prose.setdefault(row, "comment")
        elif tok.type == tokenize.STRING and tok.string.lstrip("rRbBfFuU")[:3] in ('"""',
                                                                                 "'''"):
            for r in range(tok.start[0] - 1, tok.end[0]):  # a docstring's lines
                prose.setdefault(r, "string")
        elif tok.type == tokenize.STRING and row in long and depth > 0 \
                and tok.start[0] == tok.end[0]:
            strings.setdefault(row, []).append((tok.start[1], tok.string))
    breaks: dict[int, tuple[int, int]] = {}
    for row in long:
        indent = len(lines[row]) - len(lines[row].lstrip())
        fitting = [(col, at) for col, at in commas.get(row, [])
                   if at + len(lines[row].rstrip()) - col <= LIMIT or at <= indent + 8]
        if fitting:
            breaks[row] = fitting[-1]
        elif strings.get(row) and _split_string(lines[row], strings[row]) is not None:
            breaks[row] = (-1, -1)
        elif opens.get(row):
            breaks[row] = (opens[row][-1], indent + 4)
    for row in sorted(long, reverse=True):
        line = lines[row]
        body = line.rstrip("\n")
        if prose.get(row) == "comment" and body.lstrip().startswith("#"):
            lines[row] = _split_prose(body, "comment")
        elif prose.get(row) == "string":
            lines[row] = _split_prose(body, "string")
        elif breaks.get(row) == (-1, -1):
            lines[row] = _split_string(lines[row], strings[row]) or line
        elif row in breaks:
            col, indent = breaks[row]
            code = _measured(body)
            pragma = body[len(code):]
            head, rest = code[:col].rstrip(), code[col:].lstrip()
            if not rest:
                continue
            after = lines[row + 1] if row + 1 < len(lines) else ""
            joined = f"{' ' * indent}{rest} {after.lstrip()}".rstrip("\n")
            if rest.endswith(",") and "#" not in rest and row + 1 not in long \
                    and after.strip() and not after.lstrip().startswith("#") \
                    and len(after) - len(after.lstrip(" ")) == indent \
                    and len(_measured(joined)) <= LIMIT:
                # the line's next part goes with the continuation line that follows
                lines[row] = f"{head}{pragma}\n"
                lines[row + 1] = joined + "\n"
            else:
                lines[row] = f"{head}{pragma}\n{' ' * indent}{rest}\n"
    return "".join(lines)


PRAGMA = re.compile(r"\s+#\s*(type:|noqa|pyright:|pragma)")


def _measured(line: str) -> str:
    """A line as ruff measures it: a trailing pragma comment does not count."""
    line = line.rstrip("\n")
    found = PRAGMA.search(line)
    return line[:found.start()] if found else line


def _split_prose(body: str, kind: str) -> str:
    indent = body[:len(body) - len(body.lstrip())]
    cut = body.rfind(" ", len(indent) + 1, LIMIT + 1)
    if cut <= len(indent) + 2:
        return body + "\n"
    head, rest = body[:cut].rstrip(), body[cut + 1:]
    if kind == "comment":
        return f"{head}\n{indent}# {rest}\n"
    return f"{head}\n{indent}{rest}\n"


def _split_string(line: str, strings: list[tuple[int, str]]) -> str | None:
    """The line with its string (in brackets) cut in two at a space, the halves joined by
    Python as adjacent strings; None if none can be."""
    for col, token in reversed(strings):
        prefix = token[:len(token) - len(token.lstrip("rRbBfFuU"))]
        quote = token[len(prefix)]
        content = token[len(prefix) + 1:-1]
        room = LIMIT - col - len(prefix) - 2
        cut = content.rfind(" ", 1, room)
        if cut < 1 or ("f" in prefix.lower() and content[:cut].count("{") != \
                content[:cut].count("}")):
            continue
        head = f"{prefix}{quote}{content[:cut + 1]}{quote}"
        tail = f"{prefix}{quote}{content[cut + 1:]}{quote}"
        end = col + len(token)
        return f"{line[:col]}{head}\n{' ' * col}{tail}{line[end:]}"
    return None
