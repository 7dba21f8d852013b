#!/usr/bin/env python3
"""Issue 18, "rooms": core/ and data/ in subpackages, the transfer service package, the
Store in facets, the types the UI needs moved into core, and the import contracts.

Re-runnable on a checkout of main that others changed since (it is keyed by the names main
had): from the repository root of that checkout,

    /path/to/python tools/restructure_18.py [CHECKOUT] [--no-mypy] [--no-ruff]

CHECKOUT defaults to the current directory; run it with the project's Python (ruff and mypy
installed). Steps: split data/store.py into data/store/ (store_split), `git mv` every module
(plan.MODULE_MOVES), move named top-level definitions between modules (plan.SYMBOL_MOVES),
rewrite dotted names and paths in every text file, then imports and `module.name` accesses
in every Python file, then Store call sites (`store.x(...)` -> `store.<facet>.x(...)`, and
what mypy still finds), copy in the new files (tools/rooms18/assets), apply the few hand
edits (FIXUPS below: each says when its text is not found), and let ruff sort and prune the
imports. It stages nothing but the moves; read `git status` and the warnings it prints.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rooms18 import align, calls, moves, rewrite, store_split, wrap
from rooms18.fixups import FIXUPS, REMOVED_TESTS
from rooms18.plan import SYMBOL_MOVES

ASSETS = Path(__file__).resolve().parent / "rooms18" / "assets"
TEXT_SUFFIXES = {".py", ".md", ".toml", ".cfg", ".ini", ".txt", ".yml", ".yaml", ".mako"}
SKIP_PARTS = {"snapshots", "tools", ".git"}


def tracked_text_files(root: Path) -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=root,
                         check=True, capture_output=True, text=True).stdout.split()
    return [root / f for f in out if Path(f).suffix in TEXT_SUFFIXES
            and not SKIP_PARTS & set(Path(f).parts) and (root / f).exists()]


def python_modules(root: Path) -> set[str]:
    return {rewrite.module_name(root, p) for p in root.joinpath("segtui").rglob("*.py")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", nargs="?", default=".", type=Path)
    parser.add_argument("--no-mypy", action="store_true", help="skip mypy's residue pass")
    parser.add_argument("--no-ruff", action="store_true", help="leave imports unsorted")
    args = parser.parse_args()
    root = args.checkout.resolve()
    if (root / "segtui/data/store/__init__.py").exists() or \
            not (root / "segtui/data/store.py").exists():
        raise SystemExit("segtui/data/store.py is not there: already restructured?")
    warnings: list[str] = []

    # 1. Files: the Store split, modules moved, definitions moved.
    moves.make_packages(root)
    store_split.split_store(root, warnings)
    moves.move_modules(root, warnings)
    for move in SYMBOL_MOVES:
        if not move.virtual:
            moves.move_symbols(root, move, warnings)

    # 2. Names: dotted names and paths everywhere, then imports, then Store calls.
    rewrite.set_modules(python_modules(root))
    changed: list[Path] = []
    for path in tracked_text_files(root):
        try:
            text = original = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # a test's UTF-16 file
            continue
        python = path.suffix == ".py"
        text = rewrite.rewrite_names(text)
        text = rewrite.rewrite_prose(text, python)
        if python:
            text = align.realign(original, text)
            here = rewrite.module_name(root, path)
            text = rewrite.rewrite_imports(text, here, warnings, str(path.relative_to(root)))
        before_calls = text
        text = calls.rewrite_calls(text, python)
        if python:
            text = align.realign(before_calls, text)
        if text != original:
            path.write_text(text, encoding="utf-8")
            changed.append(path)

    # 3. New files, configuration, hand edits.
    changed += copy_assets(root)
    changed += configure(root)
    changed += apply_fixups(root, warnings)
    changed += remove_tests(root, warnings)

    # 4. Imports sorted and pruned; what mypy still finds on a Store.
    py = sorted({str(p.relative_to(root)) for p in changed if p.suffix == ".py"
                 and p.exists()} | {str(p.relative_to(root))
                                    for p in root.joinpath("segtui").rglob("*.py")})
    if not args.no_ruff:
        tidy_imports(root, py)
    if not args.no_mypy:
        calls.mypy_residue(root, warnings)
        if not args.no_ruff:
            tidy_imports(root, py)
    for path in {p for p in changed if p.suffix == ".py" and p.exists()}:
        text = path.read_text(encoding="utf-8")
        wrapped = wrap.wrap_file(text)
        if wrapped != text:
            path.write_text(wrapped, encoding="utf-8")
    subprocess.run(["git", "add", "-A", "segtui", "tests", "docs", "benchmarks",
                    "pyproject.toml", "README.md"], cwd=root, check=True)
    print("\n".join(f"warning: {w}" for w in warnings) or "no warnings")


def copy_assets(root: Path) -> list[Path]:
    out = []
    for asset in sorted(ASSETS.rglob("*")):
        rel = asset.relative_to(ASSETS)
        if asset.is_dir() or rel.parts[0] == "fragments":
            continue
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(asset.read_text(encoding="utf-8"), encoding="utf-8")
        out.append(target)
    return out


def configure(root: Path) -> list[Path]:
    """pyproject.toml: the migrations' new package, import-linter in the dev extras, the
    contracts; docs/architecture.md: the map of the house."""
    fragments = ASSETS / "fragments"
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = text.replace('"segtui.data" = ["migrations/', '"segtui.data.db" = ["migrations/')
    if "import-linter" not in text:
        text = re.sub(r'(\n    "mypy==[^"]+",\n)', r'\1    "import-linter==2.17",\n', text)
    if "[tool.importlinter]" not in text:
        text = text.rstrip("\n") + "\n\n" + (fragments / "importlinter.toml").read_text(
            encoding="utf-8")
    pyproject.write_text(text, encoding="utf-8")
    architecture = root / "docs" / "architecture.md"
    doc = architecture.read_text(encoding="utf-8")
    section = (fragments / "architecture_map.md").read_text(encoding="utf-8")
    if section.splitlines()[0] not in doc:
        doc = doc.replace("\n## Layers\n", "\n" + section + "\n## Layers\n", 1) \
            if "\n## Layers\n" in doc else doc.rstrip("\n") + "\n\n" + section
        architecture.write_text(doc, encoding="utf-8")
    return [pyproject, architecture]


def apply_fixups(root: Path, warnings: list[str]) -> list[Path]:
    out = []
    for rel, old, new in FIXUPS:
        path = root / rel
        if not path.exists():
            warnings.append(f"fixup: {rel} is gone")
            continue
        text = path.read_text(encoding="utf-8")
        if old not in text:
            if new not in text:
                warnings.append(f"fixup not applied, its text is not in {rel}: {old[:70]!r}")
            continue
        path.write_text(text.replace(old, new), encoding="utf-8")
        out.append(path)
    return out


def remove_tests(root: Path, warnings: list[str]) -> list[Path]:
    """Tests the import contracts now cover (over every module, not a sample)."""
    out = []
    for rel, names in REMOVED_TESTS.items():
        path = root / rel
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        lines = text.splitlines(keepends=True)
        spans = [(n.lineno - 1 - len(n.decorator_list), n.end_lineno or n.lineno)
                 for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in names]
        missing = set(names) - {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        if missing:
            warnings.append(f"{rel}: {sorted(missing)} not found to remove")
        for a, b in sorted(spans, reverse=True):
            del lines[a:b]
        text = re.sub(r"\n{4,}", "\n\n\n", "".join(lines))
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def tidy_imports(root: Path, files: list[str]) -> None:
    ruff = [sys.executable, "-m", "ruff", "check", "--quiet", "--fix", "--select"]
    # Unused imports first: pruning an import isort already wrapped leaves a trailing comma
    # that keeps it wrapped.
    subprocess.run([*ruff, "F401", *files], cwd=root, capture_output=True)
    subprocess.run([*ruff, "I001", *files], cwd=root, capture_output=True)
    for rel in files:  # a type-checking block emptied by the pruning
        path = root / rel
        text = path.read_text(encoding="utf-8")
        new = re.sub(r"\nif TYPE_CHECKING:\n    pass\n", "\n", text)
        new = re.sub(r"\n( *)if TYPE_CHECKING:\n\n", r"\n\1if TYPE_CHECKING:\n", new)
        if new != text:
            path.write_text(new, encoding="utf-8")
    subprocess.run([*ruff, "F401", *files], cwd=root, capture_output=True)
    subprocess.run([*ruff, "I001", *files], cwd=root, capture_output=True)


if __name__ == "__main__":
    main()
