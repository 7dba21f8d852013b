"""Hand edits the general rewriting cannot make: (file, text, replacement), applied after
the rewriting (a text not found is warned about, unless the replacement is there already)."""

from __future__ import annotations

FIXUPS: list[tuple[str, str, str]] = [
    # A Gate holds a method of a facet (store.contacts, ...), no longer of the Store.
    ("tests/ui/gates.py",
     '    """Makes one Store method of this store hold its answer until `release()`."""\n'
     "\n"
     "    def __init__(self, store: Store, method: str) -> None:\n"
     "        self.opened = threading.Event()\n"
     "        self.entered = threading.Event()\n"
     "        original = getattr(store, method)\n",
     '    """Makes one method of a Store\'s facet (`store.contacts`, ...) hold its answer\n'
     '    until `release()`."""\n'
     "\n"
     "    def __init__(self, facet: object, method: str) -> None:\n"
     "        self.opened = threading.Event()\n"
     "        self.entered = threading.Event()\n"
     "        original = getattr(facet, method)\n"),
    ("tests/ui/gates.py", "        setattr(store, method, gated)",
     "        setattr(facet, method, gated)"),
    ("tests/ui/test_late_results.py",
     '    ("city picker closed while searching", "choices", leave_picker),\n'
     '    ("detail screen left while its cards load", "segment_summary", leave_detail),\n'
     '    ("detail tab left while it loads", "performance_report", leave_detail_tab),\n'
     '    ("create dialog closed while counting", "contact_count", leave_create),\n'
     '    ("delete dialog closed while checking", "delete_preview", leave_delete),\n',
     '    ("city picker closed while searching", "contacts.choices", leave_picker),\n'
     '    ("detail screen left while its cards load", "metrics.segment_summary", leave_detail),\n'
     '    ("detail tab left while it loads", "metrics.performance_report", leave_detail_tab),\n'
     '    ("create dialog closed while counting", "contacts.contact_count", leave_create),\n'
     '    ("delete dialog closed while checking", "segments.delete_preview", leave_delete),\n'),
    ("tests/ui/test_late_results.py",
     "        gate = Gate(sqlite_demo_store, method)\n",
     '        facet, name = method.split(".")\n'
     "        gate = Gate(getattr(sqlite_demo_store, facet), name)\n"),
    # Tests wrapping a Store method now wrap the facet's: `self` is the facet.
    ("tests/test_database_busy.py",
     "    def update(self: Store, segment_id: int, *args: Any) -> int:",
     "    def update(self: Segments, segment_id: int, *args: Any) -> int:"),
    ("tests/test_database_busy.py",
     "                original(other, segment_id, details.version,",
     "                original(other.segments, segment_id, details.version,"),
    ("tests/test_cli_script.py",
     "    def small_pages(self: Store, *args: Any, **kwargs: Any) -> Any:",
     "    def small_pages(self: Segments, *args: Any, **kwargs: Any) -> Any:"),
    ("tests/ui/test_import_export_ui.py",
     "    def held(self: Store, rows: Any, on_duplicate: Any, **kwargs: Any) -> Any:",
     "    def held(self: Transfer, rows: Any, on_duplicate: Any, **kwargs: Any) -> Any:"),
    ("tests/test_durable_reevaluation.py",
     "    def another_writer_first(self: Store, *args: object) -> object:",
     "    def another_writer_first(self: Rules, *args: object) -> object:"),
    # The limit is read where the facets read it.
    ("tests/test_durable_reevaluation.py",
     "import segtui.data.store as store_module\n",
     "import segtui.data.store.database as store_module\n"),
    # Docstrings of the modules whose definitions moved.
    ("segtui/data/queries/timeline.py", ", and member removal.",
     ", page by page;\ndata/writes/activity.py writes them."),
    ("segtui/data/queries/quality.py",
     "SQL for the data quality report and for merging duplicate contacts",
     "SQL for the data quality report (merging the duplicates it finds:\n"
     "data/writes/merge.py)"),
    ("segtui/data/writes/segment_writes.py", "add members, pause campaigns",
     "add and remove members, pause campaigns"),
    ("segtui/transfer/imports.py",
     "- exporting: stream a segment's members into a file that appears only when complete.\n",
     "- exporting (exports.py): stream a segment's members into a file that appears only when\n"
     "  complete.\n"),
    ("segtui/transfer/imports.py",
     "  collect the rejected rows (and write them to a rejects file if asked), report progress;\n",
     "  collect the rejected rows (and write them to a rejects file if asked: rejects.py),\n"
     "  report progress;\n"),
    ("segtui/data/rules/refresh.py",
     "use: `dependency_order` orders them, and `refresh_dependents` follows a change outward.\n",
     "use: `dependency_order` (core/rules/order.py) orders them, and `refresh_dependents`\n"
     "follows a change outward.\n"),
    ("segtui/data/queries/scripting.py",
     '"""Read-only queries the scripting CLI needs beyond the Store\'s screens (docs/cli.md).\n',
     '"""Read-only queries the scripting CLI needs beyond the Store\'s screens (docs/cli.md);\n'
     'the contact details they return are core/contacts.py\'s.\n'),
    # docs/architecture.md: what tests the layers now, and the Store's new shape.
    ("docs/architecture.md",
     "A test (`tests/test_boundary.py`) proves importing\n"
     "  core and data pulls in neither Textual nor (for core) Rich.",
     "The import contracts (`tests/test_layers.py`, \"Where things\n"
     "  are\" above) prove core imports neither the database nor Textual nor Rich."),
    ("docs/architecture.md",
     "- **data/** owns SQL. `store.py` is the only entry point for the UI and CLI; "
     "each method opens\n"
     "  its own connection",
     "- **data/** owns SQL. `store/` (the Store and its facets) is the only entry point "
     "for the UI\n"
     "  and CLI; each method opens its own connection"),
    ("tests/test_boundary.py",
     '"""DESIGN.md "Layers": core and data never import Textual; the CLI\'s quick paths '
     'neither."""',
     '"""DESIGN.md "Layers": the CLI\'s quick paths import no Textual (the layers\' imports, '
     'module\nby module: tests/test_layers.py)."""'),
]

# Tests the import contracts replace: file -> test functions.
REMOVED_TESTS: dict[str, list[str]] = {
    "tests/test_boundary.py": ["_imports_textual", "test_core_and_data_do_not_import_textual",
                               "test_core_does_not_import_rich"],
}
