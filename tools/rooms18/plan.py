"""What moves where. Every table is keyed by the names the code had on main before the
restructuring, so the script can be applied again to a checkout that others changed since."""

from __future__ import annotations

from dataclasses import dataclass, field

# -- whole modules: old dotted name -> new dotted name ---------------------------------------

MODULE_MOVES: dict[str, str] = {
    # core/rules/: the rule engine's pure half
    "segtui.core.rules": "segtui.core.rules.tree",
    "segtui.core.rule_fields": "segtui.core.rules.fields",
    "segtui.core.rule_check": "segtui.core.rules.check",
    "segtui.core.rule_language": "segtui.core.rules.language",
    "segtui.core.rule_templates": "segtui.core.rules.templates",
    "segtui.core.refresh": "segtui.core.rules.refresh",
    # core/formats/: files in and out
    "segtui.core.importing": "segtui.core.formats.contacts_csv",
    "segtui.core.event_import": "segtui.core.formats.events_csv",
    "segtui.core.exporting": "segtui.core.formats.members_export",
    "segtui.core.export": "segtui.core.formats.segments_export",
    "segtui.core.csv_safe": "segtui.core.formats.csv_safe",
    "segtui.core.csv_source": "segtui.core.formats.csv_source",
    "segtui.core.column_plan": "segtui.core.formats.column_plan",
    "segtui.core.import_presets": "segtui.core.formats.presets",
    "segtui.core.file_formats": "segtui.core.formats.file_formats",
    # transfer/: neither domain nor SQL
    "segtui.core.read_ahead": "segtui.transfer.read_ahead",
    "segtui.data.file_transfer": "segtui.transfer.imports",
    # data/db/: the database itself
    "segtui.data.engine": "segtui.data.db.engine",
    "segtui.data.tables": "segtui.data.db.tables",
    "segtui.data.models": "segtui.data.db.models",
    "segtui.data.migrate": "segtui.data.db.migrate",
    "segtui.data.schema_version": "segtui.data.db.schema_version",
    "segtui.data.sql": "segtui.data.db.sql",
    "segtui.data.keyset": "segtui.data.db.keyset",
    "segtui.data.running": "segtui.data.db.running",
    "segtui.data.bulk": "segtui.data.db.bulk",
    # data/derived/: per-contact values the database keeps by triggers
    "segtui.data.figures": "segtui.data.derived.figures",
    "segtui.data.rollups": "segtui.data.derived.rollups",
    "segtui.data.completeness": "segtui.data.derived.completeness",
    # data/queries/: reads
    "segtui.data.dashboard": "segtui.data.queries.dashboard",
    "segtui.data.segment_list": "segtui.data.queries.segment_list",
    "segtui.data.segment_metrics": "segtui.data.queries.segment_metrics",
    "segtui.data.segment_analytics": "segtui.data.queries.segment_analytics",
    "segtui.data.insights": "segtui.data.queries.insights",
    "segtui.data.shared_emails": "segtui.data.queries.shared_emails",
    "segtui.data.member_page": "segtui.data.queries.member_page",
    "segtui.data.contact_list": "segtui.data.queries.contact_list",
    "segtui.data.choices": "segtui.data.queries.choices",
    "segtui.data.scripting": "segtui.data.queries.scripting",
    "segtui.data.timeline": "segtui.data.queries.timeline",
    "segtui.data.quality": "segtui.data.queries.quality",
    # data/writes/: changes a user asks for
    "segtui.data.segment_writes": "segtui.data.writes.segment_writes",
    "segtui.data.users": "segtui.data.writes.users",
    # data/rules/: the rule engine's SQL half
    "segtui.data.rule_sql": "segtui.data.rules.compiler",
    "segtui.data.dynamic": "segtui.data.rules.refresh",
    "segtui.data.whole_refresh": "segtui.data.rules.whole_refresh",
    "segtui.data.incremental": "segtui.data.rules.incremental",
    "segtui.data.pending": "segtui.data.rules.pending",
    # data/io/: bulk import and export
    "segtui.data.importer": "segtui.data.io.importer",
    "segtui.data.event_importer": "segtui.data.io.event_importer",
    "segtui.data.contact_matching": "segtui.data.io.contact_matching",
    "segtui.data.exporter": "segtui.data.io.exporter",
}

# File names said without their folder (`dynamic.py` in a list of data/'s modules), where the
# old name is unmistakable: (old, new relative to the old module's folder).
BARE_RENAMES: dict[str, str] = {
    "rule_sql.py": "rules/compiler.py", "dynamic.py": "rules/refresh.py",
    "rule_fields.py": "rules/fields.py", "rule_check.py": "rules/check.py",
    "rule_language.py": "rules/language.py", "rule_templates.py": "rules/templates.py",
    "importing.py": "formats/contacts_csv.py", "exporting.py": "formats/members_export.py",
    "event_import.py": "formats/events_csv.py", "import_presets.py": "formats/presets.py",
    "file_transfer.py": "transfer/imports.py", "event_importer.py": "io/event_importer.py",
    "segment_writes.py": "writes/segment_writes.py", "csv_safe.py": "formats/csv_safe.py",
    "csv_source.py": "formats/csv_source.py", "column_plan.py": "formats/column_plan.py",
    "file_formats.py": "formats/file_formats.py",
}

# Folders that are no packages (Alembic's): moved whole.
DIR_MOVES: dict[str, str] = {"segtui/data/migrations": "segtui/data/db/migrations"}

# New packages and what their __init__ says.
PACKAGES: dict[str, str] = {
    "segtui.core.rules": "Dynamic-segment rules, pure: the tree and its JSON (tree), fields and "
    "operators (fields),\nchecking (check), the query language (language), templates, the "
    "refresh records (refresh)\nand the order segments are refreshed in (order). "
    "docs/rules.md.",
    "segtui.core.formats": "Files in and out, pure: contact and event CSV reading (contacts_csv, "
    "events_csv), member and\nsegment exports, CSV safety, opening a CSV file (csv_source), "
    "column plans and presets.\ndocs/import-export.md.",
    "segtui.transfer": "Import and export as a service: the steps the command line and the app's "
    "dialogs share\n(imports, rejects, exports) and reading a large file in a second process "
    "(read_ahead).\nNeither domain (it starts processes, writes files) nor SQL (it goes through "
    "the Store).",
    "segtui.data.db": "The database itself: engine and connections, the Core tables and the ORM "
    "models, Alembic\nmigrations and the schema's revision, SQL helpers, keyset pages, running "
    "statements, bulk\nloading.",
    "segtui.data.derived": "Per-contact values the database keeps by triggers: rollups of the "
    "events, the completeness\nof the Quality Score, the narrow copy of contact figures.",
    "segtui.data.queries": "Reads, one module per thing the app or the command line shows. Each "
    "function runs inside\nthe caller's read transaction (Store.reading()).",
    "segtui.data.writes": "Writes a user asks for: segments, members, the activity timeline, "
    "users, merging\ncontacts. Each function runs inside the caller's write transaction "
    "(Store.writing()).",
    "segtui.data.rules": "Dynamic segments in SQL: a rule compiled to one condition (compiler), "
    "the refresh engine\n(refresh, whole_refresh, incremental) and what a change owes the "
    "segments (pending).",
    "segtui.data.io": "Bulk import and export: contacts and events written in batches inside one "
    "transaction,\nmatching rows with contacts, the streamed member export.",
    "segtui.data.store": "",  # written by store_split
}


@dataclass(frozen=True)
class SymbolMove:
    """Top-level definitions moved from one module to another (or renamed in place when
    `dst` is `src`). Modules are named as they are after MODULE_MOVES."""

    src: str
    dst: str
    names: dict[str, str]  # old name -> new name
    doc: str = ""  # the docstring of `dst` when it is a new module
    virtual: bool = False  # moved by store_split: only the imports are rewritten


SYMBOL_MOVES: list[SymbolMove] = [
    # The timeline's writes go to writes/activity.py; removing a member to the segment writes.
    SymbolMove("segtui.data.queries.timeline", "segtui.data.queries.timeline",
               {"_row": "activity_row"}),
    SymbolMove("segtui.data.queries.timeline", "segtui.data.writes.activity",
               {"add_activity": "add_activity", "edit_activity": "edit_activity",
                "add_note": "add_note", "_segment_exists": "require_segment"},
               doc="A segment's activity timeline and notes, written (spec 7.9, 7.10): the "
                   "lines segtui\nlogs for every change (log_activity) and those a user adds "
                   "or edits."),
    SymbolMove("segtui.data.queries.timeline", "segtui.data.writes.segment_writes",
               {"remove_member": "remove_member"}),
    SymbolMove("segtui.data.writes.segment_writes", "segtui.data.writes.activity",
               {"log_activity": "log_activity"}),
    # segment_writes.details() is a read.
    SymbolMove("segtui.data.writes.segment_writes", "segtui.data.queries.segment_details",
               {"details": "details", "delete_preview": "delete_preview"},
               doc="One segment read whole: its header (its row, owner, tags, active "
                   "campaigns and members:\nthe detail screen, `segtui segments show`, and "
                   "every write that checks the segment\nfirst), and what deleting it would "
                   "touch (the delete dialog's preview)."),
    # The quality report reads; merging writes; its error is the domain's.
    SymbolMove("segtui.data.queries.quality", "segtui.data.writes.merge",
               {"FILLABLE": "FILLABLE", "merge_contacts": "merge_contacts",
                "merge_into": "merge_into"},
               doc="Merging duplicate contacts (issue 6 §4; docs/quality.md, \"Merging\"): "
                   "memberships, exclusions,\nevents and tags move to the kept contact, in the "
                   "caller's write transaction."),
    SymbolMove("segtui.data.queries.quality", "segtui.core.quality",
               {"MergeError": "MergeError"}),
    # The import's options and report are what the dialogs and the command line hand over.
    SymbolMove("segtui.data.io.importer", "segtui.core.imports",
               {"KEEP_PROBLEMS": "KEEP_PROBLEMS", "OnDuplicate": "OnDuplicate",
                "ImportReport": "ImportReport"},
               doc="What an import is asked to do with a duplicate (OnDuplicate) and what it "
                   "did (ImportReport):\nthe records the import dialog, the command line and "
                   "the Store hand each other."),
    # A contact's details are a record like the others.
    SymbolMove("segtui.data.queries.scripting", "segtui.core.contacts",
               {"ContactMembership": "ContactMembership", "ContactDetails": "ContactDetails"}),
    # The order of refreshes is pure.
    SymbolMove("segtui.data.rules.refresh", "segtui.core.rules.order",
               {"dependency_order": "dependency_order", "dependents": "dependents",
                "used_by_closure": "used_by_closure", "_layers": "layers"},
               doc="The order dynamic segments are refreshed in: each after the segments its "
                   "rule uses\n(\"in segment X\"). Pure: it works on a SegmentLookup read "
                   "once (check.py)."),
    # file_transfer: the rejects file and the export are modules of their own.
    SymbolMove("segtui.transfer.imports", "segtui.transfer.rejects",
               {"REJECTS_COLUMNS": "REJECTS_COLUMNS", "RejectRow": "RejectRow",
                "_UNDECODED": "_UNDECODED", "_writable": "_writable",
                "_rejects_file": "rejects_file"},
               doc="The rejects file of an import (`--rejects`): every rejected row with its "
                   "line, column and\nreason, written atomically (issue 16 §3)."),
    SymbolMove("segtui.transfer.imports", "segtui.transfer.exports",
               {"export_members": "export_members"},
               doc="Exporting a segment's members to a file that appears only when complete "
                   "(issue 6;\ndocs/import-export.md). Shared by `segtui export members` and "
                   "the export dialog."),
    # The Store's module-level names (store_split puts them in database.py).
    SymbolMove("segtui.data.store", "segtui.data.store.database",
               {"PAGE_SIZE": "PAGE_SIZE", "FIXED_TODAY_SETTING": "FIXED_TODAY_SETTING",
                "INCREMENTAL_LIMIT": "INCREMENTAL_LIMIT", "TAB_HELPERS": "TAB_HELPERS"},
               virtual=True),
]


@dataclass(frozen=True)
class Facet:
    attr: str  # store.<attr>
    cls: str
    title: str
    doc: str
    methods: list[str] = field(default_factory=list)


# -- the Store's facets: store.<attr>.<method>(...) -------------------------------------------

DATABASE_METHODS = ["__init__", "open", "close", "cancel", "cancel_all", "url", "reading",
                    "writing", "orm_session", "is_empty", "fixed_today", "_on_own_connection",
                    "_aside"]
# The Database's attributes the facets use, public from now on.
DATABASE_RENAMES = {"_writer": "writer", "_running": "running", "_can_split": "can_split",
                    "_helper": "helper", "_tab_helper": "tab_helper", "_aside": "aside",
                    "_on_own_connection": "on_own_connection"}
# Module-level names of store.py: the module they go to, and their new name.
STORE_MODULE_NAMES: dict[str, tuple[str, str]] = {
    "PAGE_SIZE": ("database", "PAGE_SIZE"),
    "TAB_HELPERS": ("database", "TAB_HELPERS"),
    "FIXED_TODAY_SETTING": ("database", "FIXED_TODAY_SETTING"),
    "INCREMENTAL_LIMIT": ("database", "INCREMENTAL_LIMIT"),
    "T": ("database", "T"),
    "_busy_is_clear": ("database", "busy_is_clear"),
    "_in_this_context": ("database", "in_this_context"),
    "_RolledBack": ("transfer", "_RolledBack"),
    "_header_and_side_figures": ("metrics", "_header_and_side_figures"),
}
# Names in comments and docs that store_split renamed.
PROSE_RENAMES = {"_in_this_context": "in_this_context", "_busy_is_clear": "busy_is_clear"}
# Read through their module (database.INCREMENTAL_LIMIT) so a test can patch them.
PATCHABLE = {"INCREMENTAL_LIMIT"}
# A method renamed because its facet took its name.
METHOD_RENAMES = {"users": "all_users"}

FACETS: list[Facet] = [
    Facet("users", "Users", "who is working.",
          "The acting user (named, or the OS login), what a user may do, adding users and "
          "giving\nthem roles (data/writes/users.py).",
          ["current_user", "may", "look_alikes", "add_user", "set_user_role", "users"]),
    Facet("segments", "Segments", "segments, listed, read and written.",
          "The dashboard's cards and list (keyset pages), one segment's row and header, and "
          "the\nwrites: create, duplicate, edit, delete, pause campaigns. Each write is one "
          "transaction;\nits errors are the SegmentError family of core/segments.py.",
          ["dashboard_metrics", "segment_count", "segment_page", "iter_segments",
           "segment_id_named", "segment_row", "segment_rules", "segment_details",
           "create_segment",
           "duplicate_segment", "update_segment", "delete_preview", "delete_segment",
           "pause_campaigns"]),
    Facet("metrics", "Metrics", "one segment's figures.",
          "The detail screen's cards (read on three connections at once: _summary), the "
          "campaign\ntable, and the Performance, Analytics and AI Insights tabs, each "
          "starting its largest\nstatement beside its own (Database.aside).",
          ["segment_cards", "segment_summary", "_summary", "campaign_performance",
           "performance_report", "analytics_report", "insights"]),
    Facet("contacts", "Contacts", "contacts, page by page.",
          "The contact picker's and the member list's pages and counts, the values a filter "
          "can take\n(cities, states, companies, segments), and contacts named by email or "
          "id (the command\nline's, data/queries/scripting.py).",
          ["contact_page", "contact_count", "selection_count", "choices", "contacts_by_email",
           "existing_contacts", "contact_details"]),
    Facet("members", "Members", "a segment's members.",
          "Adding and removing members by hand, and why a contact is one (\"why is this "
          "contact\nhere\", the members added and kept out by hand).",
          ["add_members", "remove_member", "current_members", "explain_membership",
           "rule_overrides"]),
    Facet("activity", "Activity", "a segment's activity timeline and notes.",
          "Pages of activities and notes, adding and editing them (spec 7.9, 7.10).",
          ["activity_page", "activity_count", "add_activity", "edit_activity", "notes_page",
           "add_note"]),
    Facet("rules", "Rules", "dynamic segments.",
          "Checking and counting a rule, refreshing segments (each after the segments its "
          "rule\nuses, in batches of one transaction each), and doing what a change still "
          "owes them\n(data/rules/pending.py; issues 5 and 16 §4).",
          ["check_rule", "rule_count", "rule_sample", "refresh_segments", "_refresh_in_order",
           "_refresh_batch", "contacts_changed", "owed", "finish_pending", "bring_up_to_date",
           "_finish_contacts", "refresh_stale", "segments_using"]),
    Facet("transfer", "Transfer", "imports and the member export.",
          "An import is one write transaction (a dry run rolls it back); after its commit "
          "the\ndynamic segments follow. The file handling around it is segtui/transfer/ "
          "(issue 6).",
          ["import_contacts", "import_events", "_import", "member_export"]),
    Facet("quality", "Quality", "the data quality report and merging duplicates.",
          "Definitions in core/quality.py and docs/quality.md (issue 6 §4).",
          ["quality_report", "merge_contacts"]),
]
