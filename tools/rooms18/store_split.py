"""Splitting data/store.py's Store into a package: `Database` (connections, transactions,
cancelling: database.py), one facet class per subject (users.py, segments.py, ...), and the
`Store` (__init__.py) that is a Database holding the facets: `store.segments.segment_page(...)`.

Generated from the store.py of the checkout it runs on, so methods changed there since are
carried as they are now; a method no facet lists stays on the Store (warned)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rooms18.align import realign
from rooms18.moves import apply_edits, git
from rooms18.plan import (
    DATABASE_METHODS,
    DATABASE_RENAMES,
    FACETS,
    METHOD_RENAMES,
    PATCHABLE,
    STORE_MODULE_NAMES,
    Facet,
)

STORE = "segtui/data/store.py"
PACKAGE = "segtui/data/store"

DATABASE_DOC = """The Store's plumbing: one database, its connections and transactions.

`reading()` and `writing()` give one transaction each (a write: BEGIN IMMEDIATE on SQLite,
DatabaseBusy after the busy timeout), registered with the scope they run for so `cancel`
can interrupt them (data/db/running.py, core/cancel.py). `aside()` and `helper` run reads
beside the caller's on connections of their own (issue 17). The facets (segments.py,
rules.py, ...) make every query through these.
"""

INIT_DOC = """The Store API: everything the UI and the CLI may ask of the database.

A Store is a Database (database.py: open, close, cancel, reading, writing) holding one facet
per subject, each a module here and an attribute of the Store: segments, metrics, contacts,
members, activity, rules, transfer, quality and users (`store.segments.segment_page(...)`,
`store.rules.refresh_segments(...)`). Their methods are synchronous and thread-safe (each
call takes its own pooled connection); the UI calls them from worker threads. They return
the frozen records of `segtui.core`, never ORM objects, so nothing lazy-loads on the UI
thread.

Imports (issue 17 §4): a scripted `segtui segments list` or `segments count` opens a Store
and makes a few reads, and should not wait for the whole app's query code to load. So the
facets import at their top only what opening a database uses and what the dynamic segments
are owed (every read asks); every query module is imported inside the methods that call
it, and the records they return are named for the type checker only. The queries are
written on the Core tables of data/db/tables.py, so nothing here loads `sqlalchemy.orm`
(only `Database.orm_session()`, for the tests' objects). tests/test_cli_start.py checks
which modules a read command loads.
"""


# Imported by every module of the package; ruff removes what a module does not use.
DATABASE_NAMES = "\n".join(
    f"from segtui.data.store.database import {name}" for name in (
        "Database", "FIXED_TODAY_SETTING", "PAGE_SIZE", "TAB_HELPERS", "T", "busy_is_clear",
        "in_this_context"))


def _methods(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    store = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Store")
    return {n.name: n for n in store.body if isinstance(n, ast.FunctionDef)}


def _segment(lines: list[str], node: ast.stmt) -> tuple[int, int]:
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
    assert node.end_lineno is not None
    return start, node.end_lineno


def _owner(methods: dict[str, ast.FunctionDef]) -> dict[str, str]:
    """Method name -> facet attr ('' for the Database)."""
    owner = {m: "" for m in DATABASE_METHODS}
    for facet in FACETS:
        owner.update({m: facet.attr for m in facet.methods})
    return owner


def _transform(text: str, lines_offset: int, node: ast.AST, here: str,
               owner: dict[str, str], deps: set[str], *, method: bool = True) -> str:
    """The source of one method (or module-level definition) as it reads in module
    `here` ('' database, '__init__' the Store, else a facet attr)."""
    edits: list[tuple[int, int, int, str]] = []
    plumbing = here in ("", "__init__")  # self is the Database (or the Store)

    def on_database(name: str) -> str:
        return f"self.{name}" if plumbing else f"self._db.{name}"

    for sub in ast.walk(node):
        new: str | None = None
        if method and isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                and sub.value.id == "self":
            name = sub.attr
            where = owner.get(name)
            if where == "" or (where is None and name in DATABASE_RENAMES):
                new = on_database(DATABASE_RENAMES.get(name, name))
            elif where is None:
                new = None if plumbing else on_database(name)  # self.engine
            else:
                target = METHOD_RENAMES.get(name, name)
                if where == here:
                    new = f"self.{target}" if target != name else None
                elif here == "__init__":
                    new = f"self.{where}.{target}"
                elif here == "":
                    raise SystemExit(f"the Database's code calls store.{where}.{name}")
                else:
                    deps.add(where)
                    new = f"self._{where}.{target}"
            if new is not None:
                assert sub.end_col_offset is not None
                edits.append((sub.lineno - lines_offset, sub.col_offset,
                              sub.end_col_offset - sub.col_offset, new))
        elif isinstance(sub, ast.Name) and sub.id in STORE_MODULE_NAMES:
            _, new_name = STORE_MODULE_NAMES[sub.id]
            if sub.id in PATCHABLE and here != "":
                new_name = f"database.{new_name}"
            if new_name != sub.id:
                edits.append((sub.lineno - lines_offset, sub.col_offset, len(sub.id), new_name))
        elif isinstance(sub, ast.Name) and sub.id == "Store" and here == "":
            edits.append((sub.lineno - lines_offset, sub.col_offset, len(sub.id), "Self"))
    if method and isinstance(node, ast.FunctionDef):
        renamed = (DATABASE_RENAMES if here == "" else METHOD_RENAMES if here != "__init__"
                   else {}).get(node.name)
        if renamed:
            first = node.lineno - lines_offset
            line = text.splitlines()[first - 1]
            edits.append((first, line.index("def ") + 4, len(node.name), renamed))
    return realign(text, apply_edits(text, edits))


def _header(tree: ast.Module, lines: list[str]) -> tuple[str, str]:
    """store.py's imports, at run time and for the type checker (ruff removes what each
    module does not use)."""
    runtime, checking = [], []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            a, b = _segment(lines, node)
            runtime.append("".join(lines[a:b]))
        elif isinstance(node, ast.If) and isinstance(node.test, ast.Name) \
                and node.test.id == "TYPE_CHECKING":
            a, b = _segment(lines, node)
            checking.append("".join(lines[a:b]))
    return "".join(runtime), "".join(checking)


def split_store(root: Path, warnings: list[str]) -> None:
    path = root / STORE
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    methods = _methods(tree)
    owner = _owner(methods)
    unknown = [m for m in methods if m not in owner]
    if unknown:
        warnings.append("Store methods in no facet (kept on the Store, in "
                        f"data/store/__init__.py): {', '.join(unknown)}")
    gone = [m for m in owner if m not in methods]
    if gone:
        warnings.append(f"Store methods listed in plan.FACETS but not in store.py: {gone}")
    header = _header(tree, lines)

    def source(node: ast.stmt, here: str, deps: set[str], *, method: bool = True) -> str:
        a, b = _segment(lines, node)
        if not method:  # a module-level definition, with the comments right above it
            while a > 0 and lines[a - 1].lstrip().startswith("#"):
                a -= 1
        return _transform("".join(lines[a:b]), a, node, here, owner if method else {}, deps,
                          method=method)

    module_defs: dict[str, list[str]] = {}
    for node in tree.body:
        names = []
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
        for name in names:
            if name == "Store":
                continue
            if name not in STORE_MODULE_NAMES:
                warnings.append(f"store.py's {name} is in no module of the split: left out")
                continue
            module, new_name = STORE_MODULE_NAMES[name]
            code = source(node, module if module != "database" else "", set(), method=False)
            if new_name != name:
                code = re.sub(rf"\b{re.escape(name)}\b", new_name, code, count=1)
            module_defs.setdefault(module, []).append(code)

    package = root / PACKAGE
    git(root, "mv", STORE, f"{PACKAGE}/database.py")
    future = "from __future__ import annotations\n\n"
    # database.py
    body = "".join(source(methods[m], "", set()) + "\n" for m in DATABASE_METHODS if m in methods)
    runtime, checking = header
    database = (f'"""{DATABASE_DOC}"""\n\n{future}from typing import Self\n{runtime}'
                f"{checking}\n\n" + "\n\n".join(module_defs.get("database", [])) + "\n\n\n"
                "class Database:\n"
                '    """One database: its engine, connections, transactions and running '
                'statements."""\n\n' + _indent_body(body))
    _write(root, package / "database.py", database)
    # the facets
    facet_deps: dict[str, set[str]] = {}
    for facet in FACETS:
        deps: set[str] = set()
        body = "".join(source(methods[m], facet.attr, deps) + "\n"
                       for m in facet.methods if m in methods)
        facet_deps[facet.attr] = deps
        _write(root, package / f"{facet.attr}.py", _facet_module(facet, header, body, deps,
                                                                 module_defs))
    # the Store
    order = _construction_order(facet_deps)
    rest = "".join(source(methods[m], "__init__", set()) + "\n" for m in unknown)
    _write(root, package / "__init__.py", _init_module(header, order, facet_deps, rest))


def _indent_body(body: str) -> str:
    return body.rstrip("\n") + "\n"


def _facet_module(facet: Facet, header: tuple[str, str], body: str, deps: set[str],
                  module_defs: dict[str, list[str]]) -> str:
    by_attr = {f.attr: f for f in FACETS}
    runtime, checking = header
    imports = ["from segtui.data.store import database", DATABASE_NAMES]
    imports += [f"from segtui.data.store.{d} import {by_attr[d].cls}" for d in sorted(deps)]
    params = "".join(f", {d}: {by_attr[d].cls}" for d in sorted(deps))
    sets = "".join(f"        self._{d} = {d}\n" for d in sorted(deps))
    defs = "\n\n".join(module_defs.get(facet.attr, []))
    return (f'"""`store.{facet.attr}`: {facet.title}\n\n{facet.doc}\n"""\n\n'
            "from __future__ import annotations\n\n"
            f"{runtime}" + "".join(i + "\n" for i in imports) + checking + "\n\n"
            f"class {facet.cls}:\n"
            f'    """{facet.title[0].upper() + facet.title[1:]}"""\n\n'
            f"    def __init__(self, db: Database{params}) -> None:\n"
            f"        self._db = db\n{sets}\n"
            + body.rstrip("\n") + "\n" + (f"\n\n{defs}\n" if defs else ""))


def _construction_order(deps: dict[str, set[str]]) -> list[str]:
    order: list[str] = []
    while len(order) < len(deps):
        ready = [f.attr for f in FACETS if f.attr not in order and deps[f.attr] <= set(order)]
        if not ready:
            raise SystemExit(f"the facets depend on each other in a circle: {deps}")
        order += ready
    return order


def _init_module(header: tuple[str, str], order: list[str], deps: dict[str, set[str]],
                 rest: str) -> str:
    by_attr = {f.attr: f for f in FACETS}
    runtime, checking = header
    imports = ["from sqlalchemy import Engine", "from segtui.data.store.database import Database"]
    imports += [f"from segtui.data.store.{a} import {by_attr[a].cls}" for a in sorted(order)]
    made = "".join(
        f"        self.{a} = {by_attr[a].cls}(self"
        + "".join(f", self.{d}" for d in sorted(deps[a])) + ")\n" for a in order)
    extra = ""
    if rest:  # they need store.py's imports: ruff keeps only what they use (F401 is not
        # fixed in an __init__.py, so nothing else is copied)
        imports = [runtime.rstrip("\n"), "from segtui.data.store import database",
                   DATABASE_NAMES, *imports]
        extra = f"\n    # In no facet yet (tools/rooms18/plan.py FACETS).\n{rest}"
        imports.append(checking.rstrip("\n"))
    return (f'"""{INIT_DOC}"""\n\nfrom __future__ import annotations\n\n'
            + "".join(i + "\n" for i in imports) + "\n\n"
            "class Store(Database):\n"
            '    """A database and everything that may be asked of it, by subject."""\n\n'
            "    def __init__(self, engine: Engine) -> None:\n"
            "        super().__init__(engine)\n" + made + extra)


def _write(root: Path, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    git(root, "add", str(path.relative_to(root)))
