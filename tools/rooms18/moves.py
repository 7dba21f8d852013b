"""Moving modules (git mv) and top-level definitions between modules (with `ast`)."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

from rooms18.plan import DIR_MOVES, MODULE_MOVES, PACKAGES, SymbolMove

Warnings = list[str]


def module_path(root: Path, dotted: str, *, package: bool = False) -> Path:
    parts = dotted.split(".")
    return root.joinpath(*parts, "__init__.py") if package else \
        root.joinpath(*parts[:-1], parts[-1] + ".py")


def existing_path(root: Path, dotted: str) -> Path:
    path = module_path(root, dotted)
    return path if path.exists() else module_path(root, dotted, package=True)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)


def docstring_module(doc: str) -> str:
    return f'"""{doc}\n"""\n' if doc else '"""."""\n'


def make_packages(root: Path) -> None:
    """The new packages' folders and __init__ files (a package that was a module keeps its
    module as a child: core/rules.py becomes core/rules/tree.py, moved first)."""
    for package, doc in PACKAGES.items():
        init = module_path(root, package, package=True)
        init.parent.mkdir(parents=True, exist_ok=True)
        if not init.exists() and doc:
            init.write_text(docstring_module(doc), encoding="utf-8")
            git(root, "add", str(init.relative_to(root)))


def move_modules(root: Path, warnings: Warnings) -> None:
    # A module that becomes a package of the same name moves out of the way first.
    for old, new in sorted(MODULE_MOVES.items(), key=lambda kv: not kv[1].startswith(kv[0])):
        src = module_path(root, old)
        dst = module_path(root, new)
        if not src.exists():
            warnings.append(f"module {old} is gone: nothing moved to {new}")
            continue
        if new.startswith(old + "."):  # core/rules.py -> core/rules/tree.py
            tmp = src.with_name(src.stem + "_moving.py")
            git(root, "mv", str(src.relative_to(root)), str(tmp.relative_to(root)))
            src = tmp
        dst.parent.mkdir(parents=True, exist_ok=True)
        git(root, "mv", str(src.relative_to(root)), str(dst.relative_to(root)))
    for old_dir, new_dir in DIR_MOVES.items():
        if (root / old_dir).exists():
            (root / new_dir).parent.mkdir(parents=True, exist_ok=True)
            git(root, "mv", old_dir, new_dir)
        else:
            warnings.append(f"folder {old_dir} is gone: nothing moved")


# -- moving top-level definitions ----------------------------------------------------------


def _defined(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _is_import_block(node: ast.stmt) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING"
            and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in node.body))


def _span(lines: list[str], node: ast.stmt) -> tuple[int, int]:
    """0-based [start, end) lines of a definition with its decorators and the comment
    lines right above it."""
    decorators = getattr(node, "decorator_list", [])
    start = min([node.lineno, *(d.lineno for d in decorators)]) - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    assert node.end_lineno is not None
    return start, node.end_lineno


def _names_used(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def identifiers(tree: ast.AST) -> set[str]:
    """Every name bound or used in `tree` (not attributes)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            found.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
    return found


def rename_names(text: str, renames: dict[str, str]) -> str:
    """`text` (a module) with these names renamed where they are names or definitions."""
    if not renames:
        return text
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []  # line, col, length, new
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in renames:
            edits.append((node.lineno, node.col_offset, len(node.id), renames[node.id]))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and node.name in renames:
            line = lines[node.lineno - 1]
            col = line.index(node.name, line.index("def " if "def " in line else "class "))
            edits.append((node.lineno, col, len(node.name), renames[node.name]))
    return apply_edits(text, edits)


def apply_edits(text: str, edits: list[tuple[int, int, int, str]]) -> str:
    """Replace (line 1-based, column in UTF-8 bytes as ast gives it, length in characters)."""
    lines = text.splitlines(keepends=True)
    for lineno, col, length, new in sorted(set(edits), reverse=True):
        line = lines[lineno - 1]
        start = len(line.encode("utf-8")[:col].decode("utf-8"))
        lines[lineno - 1] = line[:start] + new + line[start + length:]
    return "".join(lines)


def _import_lines_for(src_tree: ast.Module, needed: set[str]) -> tuple[list[str], list[str]]:
    """Import statements (runtime, type-checking-only) of `src_tree` cut down to the names
    in `needed`."""
    runtime: list[str] = []
    checking: list[str] = []

    def keep(node: ast.Import | ast.ImportFrom, into: list[str]) -> None:
        kept = [a for a in node.names if (a.asname or a.name.split(".")[0]) in needed]
        if not kept:
            return
        names = ", ".join(a.name if a.asname is None else f"{a.name} as {a.asname}"
                          for a in kept)
        if isinstance(node, ast.ImportFrom):
            into.append(f"from {'.' * node.level}{node.module or ''} import {names}")
        else:
            into.append(f"import {names}")

    for node in src_tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            keep(node, runtime)
        elif _is_import_block(node):
            for inner in node.body:  # type: ignore[attr-defined]
                keep(inner, checking)
    return runtime, checking


def _insert_imports(text: str, runtime: list[str], checking: list[str]) -> str:
    """Add import lines after a module's last top-level import (type-checking ones into its
    `if TYPE_CHECKING:` block, made if it has none)."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    last = 0
    tc_block: ast.If | None = None
    for node in tree.body:
        if _is_import_block(node):
            assert node.end_lineno is not None
            last = node.end_lineno
            if isinstance(node, ast.If):
                tc_block = node
    if last == 0:  # after the docstring
        first = tree.body[0]
        last = first.end_lineno or 0 if isinstance(first, ast.Expr) else 0
    added = "".join(line + "\n" for line in runtime)
    if checking:
        if tc_block is not None and tc_block.end_lineno is not None:
            end = tc_block.end_lineno
            lines.insert(end, "".join(f"    {line}\n" for line in checking))
        else:
            added += "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n" + "".join(
                f"    {line}\n" for line in checking)
    lines.insert(last, added)
    return "".join(lines)


def move_symbols(root: Path, move: SymbolMove, warnings: Warnings) -> bool:
    """Cut `move.names` out of `move.src` into `move.dst` (renamed), with the imports they
    use; `move.src` imports back what it still uses. False when nothing was found."""
    src_path = existing_path(root, move.src)
    if not src_path.exists():
        warnings.append(f"{move.src} is gone: {', '.join(move.names)} not moved")
        return False
    text = src_path.read_text(encoding="utf-8")
    if move.src == move.dst:  # a rename in place: others import the new name
        missing = [n for n in move.names if n not in identifiers(ast.parse(text))]
        if missing:
            warnings.append(f"{move.src}: {', '.join(missing)} not found to rename")
        src_path.write_text(rename_names(text, move.names), encoding="utf-8")
        return True
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    spans: list[tuple[int, int]] = []
    found: set[str] = set()
    for node in tree.body:
        names = _defined(node)
        if names and all(n in move.names for n in names):
            spans.append(_span(lines, node))
            found.update(names)
    missing = sorted(set(move.names) - found)
    if missing:
        warnings.append(f"{move.src}: {', '.join(missing)} not found, not moved to {move.dst}")
    if not spans:
        return False
    moved_text = "\n\n".join("".join(lines[a:b]).rstrip("\n") + "\n" for a, b in spans)
    moved_tree = ast.parse(moved_text)
    used = _names_used(moved_tree) | {
        a.id for n in ast.walk(moved_tree) for a in [n] if isinstance(a, ast.Name)}
    # What the moved code uses from the source: its imports, and definitions left there.
    runtime, checking = _import_lines_for(tree, used)
    left_defined = {n for node in tree.body for n in _defined(node)} - found
    from_src = sorted(used & left_defined)
    if from_src:
        private = [n for n in from_src if n.startswith("_")]
        if private:
            warnings.append(f"{move.dst} imports private {', '.join(private)} from {move.src}")
        runtime.append(f"from {move.src} import {', '.join(from_src)}")
    moved_text = rename_names(moved_text, move.names)

    # The source without them, importing back what it still uses.
    kept = [line for i, line in enumerate(lines) if not any(a <= i < b for a, b in spans)]
    rest = re.sub(r"\n{4,}", "\n\n\n", "".join(kept))
    rest = _strip_trailing_comments(rest)
    still = _names_used(ast.parse(rest)) & found
    if still:
        rest = rename_names(rest, {n: move.names[n] for n in still})
        rest = _insert_imports(
            rest, [f"from {move.dst} import {', '.join(sorted(move.names[n] for n in still))}"],
            [])
    src_path.write_text(rest, encoding="utf-8")

    dst_path = existing_path(root, move.dst)
    if dst_path.exists():
        dst_text = _insert_imports(dst_path.read_text(encoding="utf-8"), runtime, checking)
        dst_text = dst_text.rstrip("\n") + "\n\n\n" + moved_text
    else:
        dst_path = module_path(root, move.dst)
        dst_path.parent.mkdir(parents=True, exist_ok=True)
        header = docstring_module(move.doc) + "\nfrom __future__ import annotations\n\n"
        if checking:
            runtime = ["from typing import TYPE_CHECKING", *runtime]
        header += "".join(line + "\n" for line in runtime)
        if checking:
            header += "\nif TYPE_CHECKING:\n" + "".join(f"    {line}\n" for line in checking)
        dst_text = header + "\n\n" + moved_text
    dst_path.write_text(dst_text, encoding="utf-8")
    git(root, "add", str(dst_path.relative_to(root)))
    return True


def _strip_trailing_comments(text: str) -> str:
    """A section's heading comment left at the end of a module once its section moved."""
    lines = text.rstrip("\n").split("\n")
    while lines and (not lines[-1].strip() or lines[-1].startswith("#")):
        lines.pop()
    return "\n".join(lines) + "\n"
