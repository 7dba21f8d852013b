"""Rewriting references to moved modules and definitions: dotted names and paths in every
text file (code, comments, docs), then the import statements and attribute accesses of
every Python file (with `ast`)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Callable
from pathlib import Path

from rooms18.align import realign
from rooms18.moves import apply_edits, identifiers
from rooms18.plan import (
    BARE_RENAMES,
    DIR_MOVES,
    MODULE_MOVES,
    PACKAGES,
    PROSE_RENAMES,
    SYMBOL_MOVES,
)

OLD_OF = {new: old for old, new in MODULE_MOVES.items()}
# (module after the module moves, name) -> (module, name)
SYMBOLS: dict[tuple[str, str], tuple[str, str]] = {
    (m.src, old): (m.dst, new) for m in SYMBOL_MOVES for old, new in m.names.items()}


def _path_of(dotted: str, package: bool = False) -> str:
    return dotted.replace(".", "/") + ("/" if package else ".py")


def _dotted_table() -> dict[str, str]:
    table = dict(MODULE_MOVES)
    for (src, old), (dst, new) in SYMBOLS.items():
        if src != dst:
            table[f"{OLD_OF.get(src, src)}.{old}"] = f"{dst}.{new}"
    return table


def _path_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for old, new in MODULE_MOVES.items():
        table[_path_of(old)] = _path_of(new)
    table["segtui/data/store.py"] = "segtui/data/store/"
    for old, new in DIR_MOVES.items():
        table[old] = new
    # Without "segtui/": docs say core/rules.py, data/dynamic.py.
    for old, new in list(table.items()):
        table[old.removeprefix("segtui/")] = new.removeprefix("segtui/")
    table.update(BARE_RENAMES)
    return table


def _alternation(keys: list[str], head: str, tail: str) -> re.Pattern[str]:
    ordered = sorted(keys, key=len, reverse=True)
    return re.compile(head + "(" + "|".join(re.escape(k) for k in ordered) + ")" + tail)


DOTTED = _dotted_table()
# Not followed by another name part, unless it is a module of the package the old module
# became (segtui.core.rules.tree is new, segtui.core.rules was the old module).
_CHILDREN = {p: sorted({n[len(p) + 1:].split(".")[0] for n in MODULE_MOVES.values()
                        if n.startswith(p + ".")} | {m.dst[len(p) + 1:].split(".")[0]
                                                      for m in SYMBOL_MOVES
                                                      if m.dst.startswith(p + ".")})
             for p in PACKAGES}
DOTTED_RE = _alternation(list(DOTTED), r"(?<![\w.])", r"(?![\w])(?P<after>\.\w+)?")
PATHS = _path_table()
PATH_RE = _alternation(list(PATHS), r"(?<![\w/.])", r"(?![\w.])")


def _dotted(match: re.Match[str]) -> str:
    old, after = match.group(1), match.group("after") or ""
    child = after[1:]
    if old in _CHILDREN and child in _CHILDREN[old]:
        return match.group(0)  # already the new package's module
    return DOTTED[old] + after


def rewrite_names(text: str) -> str:
    """Dotted module names and file paths, anywhere in a text."""
    text = DOTTED_RE.sub(_dotted, text)
    return PATH_RE.sub(lambda m: PATHS[m.group(1)], text)


def prose_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of a Python file's comments and strings."""
    spans = []
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.COMMENT, tokenize.STRING):
                spans.append((starts[tok.start[0] - 1] + tok.start[1],
                              starts[tok.end[0] - 1] + tok.end[1]))
    except (tokenize.TokenError, SyntaxError):
        return [(0, len(text))]
    return spans


def in_prose(text: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str],
             python: bool) -> str:
    if not python:
        return pattern.sub(replace, text)
    spans = prose_spans(text)
    out, last = [], 0
    for a, b in spans:
        out.append(text[last:a])
        out.append(pattern.sub(replace, text[a:b]))
        last = b
    out.append(text[last:])
    return "".join(out)


# `dynamic._layers`, `segment_writes.details()` in comments and docs: old module basename
# and a name that moved or a module that was renamed.
def _prose_table() -> dict[str, str]:
    table = {}
    for (src, old), (dst, new) in SYMBOLS.items():
        if src != dst:
            table[f"{OLD_OF.get(src, src).rsplit('.', 1)[1]}.{old}"] = \
                f"{dst.rsplit('.', 1)[1]}.{new}"
    return table


PROSE = _prose_table()
PROSE_RE = _alternation(list(PROSE), r"(?<![\w.])", r"(?![\w])")


# `from segtui.data import dynamic` in a string (a script a test runs): the module under its
# new name, imported as the old one (the code is left as it is).
FROM_RE = re.compile(r"^(?P<indent>[ \t]*)from (?P<package>segtui(?:\.\w+)*) import "
                     r"(?P<names>\w+(?:, \w+)*)[ \t]*$", re.M)


def _from_in_text(match: re.Match[str]) -> str:
    package, indent = match.group("package"), match.group("indent")
    names = match.group("names").split(", ")
    if not any(f"{package}.{n}" in MODULE_MOVES for n in names):
        return match.group(0)
    out: dict[str, list[str]] = {}
    for name in names:
        new = MODULE_MOVES.get(f"{package}.{name}")
        if new is None:
            out.setdefault(package, []).append(name)
            continue
        new_package, base = new.rsplit(".", 1)
        out.setdefault(new_package, []).append(base if base == name else f"{base} as {name}")
    return "\n".join(f"{indent}from {p} import {', '.join(n)}" for p, n in out.items())


WORDS_RE = _alternation(list(PROSE_RENAMES), r"(?<![\w.])", r"(?![\w])")


def rewrite_prose(text: str, python: bool) -> str:
    text = in_prose(text, FROM_RE, _from_in_text, python)
    text = in_prose(text, PROSE_RE, lambda m: PROSE[m.group(1)], python)
    return in_prose(text, WORDS_RE, lambda m: PROSE_RENAMES[m.group(1)], python)


# -- imports -----------------------------------------------------------------------------------


def module_name(root: Path, path: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _format_from(indent: str, module: str, aliases: list[tuple[str, str | None]]) -> str:
    parts = [n if a is None or a == n else f"{n} as {a}" for n, a in aliases]
    line = f"{indent}from {module} import {', '.join(parts)}"
    if len(line) <= 100:
        return line
    return (f"{indent}from {module} import (\n"
            + "".join(f"{indent}    {p},\n" for p in parts) + f"{indent})")


def rewrite_imports(text: str, here: str, warnings: list[str], where: str) -> str:
    """`from pkg import old_module` forms and names that moved to another module, in the
    import statements and in `module.name` accesses; a module imported under a new name is
    renamed in the file where nothing else uses either name."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    used = identifiers(tree)
    bound_by_other: set[str] = set()  # names bound otherwise than by the imports we touch
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound_by_other.add(node.id)
        elif isinstance(node, ast.arg):
            bound_by_other.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound_by_other.add(node.name)
    renames: dict[str, str] = {}  # local name -> new local name
    modules_of: dict[str, str] = {}  # local name -> module (new dotted name)
    statements: list[tuple[ast.stmt, list[tuple[str, list[tuple[str, str | None]]]]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules_of[alias.asname] = alias.name
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module \
                or not node.module.startswith("segtui"):
            continue
        groups: dict[str, list[tuple[str, str | None]]] = {}
        changed = False
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            local = original = alias.asname or alias.name
            if full in MODULE_MOVES:  # from segtui.data import dynamic
                new = MODULE_MOVES[full]
                package, base = new.rsplit(".", 1)
                asname = alias.asname
                if asname is None and base != alias.name:
                    if base not in used and alias.name not in bound_by_other:
                        renames[alias.name] = base
                        local = base
                    else:
                        asname = alias.name
                modules_of[original] = new
                groups.setdefault(package, []).append((base, asname))
                changed = True
            elif (node.module, alias.name) in SYMBOLS:
                dst, new_name = SYMBOLS[(node.module, alias.name)]
                changed = True
                if dst == here:
                    continue  # the module imported its own name
                asname = alias.asname or (alias.name if new_name != alias.name else None)
                groups.setdefault(dst, []).append((new_name, asname))
            elif node.module == here and not _is_module(here, alias.name):
                # a name moved in with the code that imported it
                changed = True
            else:
                if f"{node.module}.{alias.name}" in MODULE_MOVES.values() or \
                        _is_module(node.module, alias.name):
                    modules_of[original] = f"{node.module}.{alias.name}"
                groups.setdefault(node.module, []).append((alias.name, alias.asname))
        if changed:
            statements.append((node, list(groups.items())))

    edits: list[tuple[int, int, int, str]] = []
    skip_names: set[tuple[int, int]] = set()
    added: dict[str, str] = {}  # module -> local name, imported next to their old module
    for node in ast.walk(tree):  # module.name where name moved
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = modules_of.get(node.value.id)
            if module is None or (module, node.attr) not in SYMBOLS:
                continue
            dst, new_name = SYMBOLS[(module, node.attr)]
            if dst == module:
                text_new = f"{renames.get(node.value.id, node.value.id)}.{new_name}"
            else:
                local = added.get(dst) or _local_for(dst, used)
                added[dst] = local
                text_new = f"{local}.{new_name}"
            assert node.end_col_offset is not None and node.end_lineno == node.lineno
            edits.append((node.lineno, node.col_offset, node.end_col_offset - node.col_offset,
                          text_new))
            skip_names.add((node.value.lineno, node.value.col_offset))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in renames \
                and (node.lineno, node.col_offset) not in skip_names:
            edits.append((node.lineno, node.col_offset, len(node.id), renames[node.id]))
    text = realign(text, apply_edits(text, edits))
    lines = text.splitlines(keepends=True)

    # Import statements, last first so line numbers hold.
    def extra_for(node: ast.stmt, indent: str) -> list[str]:
        """Imports of the modules names moved to, after each import of their old module."""
        out = []
        bound = {a.asname or a.name for a in node.names}  # type: ignore[attr-defined]
        for dst, local in added.items():
            if any(modules_of.get(b) in {m for (m, _), (d, _) in SYMBOLS.items() if d == dst}
                   for b in bound):
                package, base = dst.rsplit(".", 1)
                out.append(_format_from(indent, package, [(base, None if local == base
                                                            else local)]))
        return out

    touched = {id(n) for n, _ in statements}
    replacements: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        indent = lines[node.lineno - 1][:node.col_offset]
        extra = extra_for(node, indent) if added else []
        if id(node) not in touched and not extra:
            continue
        assert node.end_lineno is not None
        last_line = lines[node.end_lineno - 1]
        comment = ""
        tail = last_line[len(last_line.encode()[:node.end_col_offset].decode()):]
        if "#" in tail:
            comment = "  " + tail[tail.index("#"):].rstrip("\n")
        if id(node) in touched:
            groups = next(g for n, g in statements if n is node)
            new_lines = [_format_from(indent, m, a) for m, a in groups if a]
        else:
            new_lines = ["".join(lines[node.lineno - 1:node.end_lineno]).rstrip("\n")]
            comment = ""
        new_lines += extra
        if not new_lines:
            new_lines = [f"{indent}pass"] if _alone_in_block(tree, node) else []
        block = "\n".join(new_lines)
        replacements.append((node.lineno, node.end_lineno,
                             (block + comment + "\n") if block else ""))
    for first, last, block in sorted(replacements, reverse=True):
        lines[first - 1:last] = [block]
    return "".join(lines)


def _alone_in_block(tree: ast.AST, target: ast.stmt) -> bool:
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and target in body:
                return len(body) == 1
    return False


def _local_for(module: str, used: set[str]) -> str:
    package, base = module.rsplit(".", 1)
    return base if base not in used else f"{package.rsplit('.', 1)[1]}_{base}"


_MODULES: set[str] = set()


def set_modules(names: set[str]) -> None:
    _MODULES.clear()
    _MODULES.update(names)


def _is_module(package: str, name: str) -> bool:
    return f"{package}.{name}" in _MODULES
