"""What a user chooses about a file: the encoding of a file to import, the format of an
export. The command line declares its options with these, and a command line module loads
only what its commands declare (segtui/cli/, P12): kept apart from the import and
export code (core/formats/csv_source.py, core/formats/members_export.py) so that declaring them
loads neither.
"""

from __future__ import annotations

from enum import StrEnum


class Encoding(StrEnum):
    """`--encoding`: auto (core/formats/csv_source.py says how it decides), or the file's
    encoding."""

    AUTO = "auto"
    UTF8 = "utf-8"
    UTF16 = "utf-16"
    CP1252 = "cp1252"
    LATIN1 = "latin-1"


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    JSONL = "jsonl"
