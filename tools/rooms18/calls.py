"""Store call sites: `store.segment_page(...)` becomes `store.segments.segment_page(...)`.

Found by their receiver (a name ending in `store`: store, self.store, self.app.store,
demo_store, world.store...), in code and prose; `Store.method` in code (a test patching the
class) becomes the facet's class; `setattr(store, "method", ...)` and `Gate(store,
"method")` patch the facet. What is left (a Store under another name) mypy finds: its
"Store" has no attribute "..." errors are rewritten where they point."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from rooms18.moves import apply_edits, identifiers
from rooms18.plan import DATABASE_RENAMES, FACETS, METHOD_RENAMES
from rooms18.rewrite import in_prose

FACET_OF = {m: f.attr for f in FACETS for m in f.methods}
CLASS_OF = {f.attr: f.cls for f in FACETS}
DB_PRIVATE = {k: v for k, v in DATABASE_RENAMES.items()}
_NAMES = sorted([*FACET_OF, *DB_PRIVATE], key=len, reverse=True)
RECEIVER_RE = re.compile(r"(?<![\w.])(?!segtui\.)((?:[A-Za-z_]\w*\.)*[a-z_]*store)\.("
                         + "|".join(re.escape(n) for n in _NAMES) + r")(?![\w])")
PATCH_RE = re.compile(r"(\b(?:setattr|Gate)\(\s*)((?:[A-Za-z_]\w*\.)*[a-z_]*store)(,\s*)"
                      r"(['\"])(" + "|".join(re.escape(n) for n in FACET_OF) + r")\4")
CLASS_PROSE_RE = re.compile(r"(?<![\w.])Store\.(" + "|".join(re.escape(n) for n in _NAMES)
                            + r")(?![\w])")


def _method(name: str) -> str:
    """`facet.method` for a Store method, the Database's new name for its private ones."""
    if name in FACET_OF:
        return f"{FACET_OF[name]}.{METHOD_RENAMES.get(name, name)}"
    return DB_PRIVATE[name]


def _receiver(match: re.Match[str]) -> str:
    return f"{match.group(1)}.{_method(match.group(2))}"


def rewrite_calls(text: str, python: bool) -> str:
    text = PATCH_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}.{FACET_OF[m.group(5)]}"
                                  f"{m.group(3)}{m.group(4)}{m.group(5)}{m.group(4)}", text)
    if python:
        text = _class_references(text)
        text = _protocols(text)
    text = RECEIVER_RE.sub(_receiver, text)
    return in_prose(text, CLASS_PROSE_RE, lambda m: f"Store.{_method(m.group(1))}", python)


def _protocols(text: str) -> str:
    """A Protocol standing for the Store (a widget's source: it may not import the Store)
    becomes one with a property per facet it uses, each a Protocol of that facet's
    methods: the Store still satisfies it, and calls on it go through the facets as on
    the Store (those on a receiver not named *store: mypy_residue)."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    replacements = []
    for node in tree.body:
        if not (isinstance(node, ast.ClassDef)
                and any(isinstance(b, ast.Name) and b.id == "Protocol" for b in node.bases)):
            continue
        methods = [n for n in node.body if isinstance(n, ast.FunctionDef)]
        others = [n for n in node.body if not isinstance(n, ast.FunctionDef)
                  and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        if not methods or others or any(m.name not in FACET_OF for m in methods):
            continue
        by_facet: dict[str, list[str]] = {}
        for method in methods:
            start = min([method.lineno, *(d.lineno for d in method.decorator_list)]) - 1
            by_facet.setdefault(FACET_OF[method.name], []).append(
                "".join(lines[start:method.end_lineno]))
        doc = ast.get_docstring(node)
        parts = []
        for facet, sources in by_facet.items():
            parts.append(f"class _{node.name}{CLASS_OF[facet]}(Protocol):\n"
                         + "\n".join(sources) + "\n\n")
        head = f"class {node.name}(Protocol):\n"
        if doc is not None:
            first = node.body[0]
            head += "".join(lines[first.lineno - 1:first.end_lineno]) + "\n"
        props = "\n".join(f"    @property\n    def {facet}(self) -> _{node.name}"
                          f"{CLASS_OF[facet]}: ...\n" for facet in by_facet)
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        assert node.end_lineno is not None
        replacements.append((start, node.end_lineno, "".join(parts) + head + props))
    for start, end, new in sorted(replacements, reverse=True):
        lines[start:end] = [new]
    return "".join(lines)


def _class_references(text: str) -> str:
    """`Store.update_segment` in code (a test wrapping the method): the facet's class,
    imported where Store is."""
    tree = ast.parse(text)
    edits = []
    needed: set[str] = set()
    for node in ast.walk(tree):
        # setattr(Store, "update_segment", ...): the facet's class
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)) \
                and (node.func.attr if isinstance(node.func, ast.Attribute)
                     else node.func.id) == "setattr" \
                and len(node.args) >= 2 and isinstance(node.args[0], ast.Name) \
                and node.args[0].id == "Store" and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value in FACET_OF:
            facet = FACET_OF[node.args[1].value]
            needed.add(facet)
            edits.append((node.args[0].lineno, node.args[0].col_offset, len("Store"),
                          CLASS_OF[facet]))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "Store" and node.attr in FACET_OF:
            facet = FACET_OF[node.attr]
            needed.add(facet)
            assert node.end_col_offset is not None
            edits.append((node.lineno, node.col_offset, node.end_col_offset - node.col_offset,
                          f"{CLASS_OF[facet]}.{METHOD_RENAMES.get(node.attr, node.attr)}"))
    if not edits:
        return text
    clash = identifiers(tree) & {CLASS_OF[f] for f in needed}
    if clash:
        raise SystemExit(f"a facet's class name is taken in a module: {clash}")
    text = apply_edits(text, edits)
    lines = text.splitlines(keepends=True)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "segtui.data.store":
            assert node.end_lineno is not None
            lines.insert(node.end_lineno, "".join(
                f"from segtui.data.store.{f} import {CLASS_OF[f]}\n" for f in sorted(needed)))
            break
    else:
        raise SystemExit("Store.<method> in a module that does not import Store")
    return "".join(lines)


# A Store's, or a protocol's standing for one (_protocols): mypy was silent before the
# script, so what it now says lacks a Store method's name lacks it because of the split.
MYPY_RE = re.compile(r'^(?P<path>[^:\n]+\.py):(?P<line>\d+):(?P<col>\d+): error: '
                     r'.*has no attribute "(?P<attr>\w+)"', re.M)


def mypy_residue(root: Path, warnings: list[str], rounds: int = 3) -> None:
    """Rewrite what mypy says a Store lacks, where it points, until it says nothing more."""
    for _ in range(rounds):
        out = subprocess.run([sys.executable, "-m", "mypy", "--show-column-numbers",
                              "--no-error-summary", "--no-incremental"],
                             cwd=root, capture_output=True, text=True).stdout
        found = [m for m in MYPY_RE.finditer(out)
                 if m.group("attr") in FACET_OF or m.group("attr") in DB_PRIVATE]
        if not found:
            return
        by_file: dict[str, list[re.Match[str]]] = {}
        for m in found:
            by_file.setdefault(m.group("path"), []).append(m)
        for rel, matches in by_file.items():
            path = root / rel
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            for m in sorted(matches, key=lambda m: (int(m.group("line")), int(m.group("col"))),
                            reverse=True):
                i = int(m.group("line")) - 1
                attr = m.group("attr")
                line = lines[i]
                at = re.compile(rf"\.{attr}\b").search(line, int(m.group("col")) - 1)
                if at is None:
                    warnings.append(f"{rel}:{i + 1}: mypy says a Store has no {attr}: "
                                    "not rewritten")
                    continue
                lines[i] = line[:at.start()] + "." + _method(attr) + line[at.end():]
            path.write_text("".join(lines), encoding="utf-8")
    warnings.append("mypy still finds Store methods called on the Store after "
                    f"{rounds} rounds")
