"""The contact fields a contacts file's columns can fill (I6), the header names each is known
by, and the longest text each holds.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from segtui.core.formats.column_plan import Skip, header_key

F = TypeVar("F", bound=StrEnum)


class Field(StrEnum):
    """A contact field a column can fill. The values are the export's header names, so an
    export imports back without --map."""

    NAME = "Name"
    FIRST_NAME = "First Name"
    LAST_NAME = "Last Name"
    EMAIL = "Email"
    PHONE = "Phone"
    TITLE = "Title"
    COMPANY = "Company"
    COMPANY_SIZE = "Company Size"
    INDUSTRY = "Industry"
    STATUS = "Status"
    LIFECYCLE = "Lifecycle Stage"
    SOURCE = "Source"
    CITY = "City"
    STATE = "State"
    COUNTRY = "Country"
    REGION = "Region"
    QUALITY = "Quality Score"
    TAGS = "Tags"
    CREATED = "Created"
    LAST_CONTACTED = "Last Contacted"
    # The contact's id in the system the file comes from (I16.16): kept, unique, and
    # a key to match rows by (`--match external-id`).
    EXTERNAL_ID = "External Id"


# Columns segtui's own export writes that are computed from events, not imported: they are
# recognised (so a re-import is not "unknown columns") and left alone.
COMPUTED_COLUMNS = ("Id", "Total Spent", "Purchases", "Last Activity", "Segments")
# A form of address (Mr., Mrs., Dr.): segtui keeps none, since it addresses a contact by
# name and sends no mail; such columns are recognised and listed as not imported.
SALUTATION_COLUMNS = ("Salutation", "Prefix", "Name Prefix", "Honorific", "Individual Prefix",
                      "Courtesy Title", "Form of Address")

ALIASES: dict[Field, tuple[str, ...]] = {
    Field.NAME: ("full name", "contact name", "contact"),
    Field.FIRST_NAME: ("first", "given name", "firstname"),
    Field.LAST_NAME: ("last", "surname", "family name", "lastname"),
    Field.EMAIL: ("e-mail", "email address", "e-mail address", "mail"),
    Field.PHONE: ("phone number", "telephone", "tel", "mobile"),
    Field.TITLE: ("job title", "position", "role"),
    Field.COMPANY: ("company name", "organization", "organisation", "account",
                    "account name", "employer", "current employer"),
    Field.COMPANY_SIZE: ("size", "company segment"),
    Field.STATUS: ("lead status",),
    Field.LIFECYCLE: ("lifecycle", "stage"),
    Field.SOURCE: ("source channel", "channel", "lead source"),
    Field.STATE: ("province",),
    Field.QUALITY: ("quality", "score", "lead score"),
    Field.TAGS: ("labels", "tag"),
    Field.CREATED: ("created at", "created date", "date added", "create date"),
    Field.LAST_CONTACTED: ("last contacted at", "last contact", "last contact date"),
    Field.EXTERNAL_ID: ("record id", "contact id", "crm id", "source id"),
}

# Longest text each field holds (the column sizes in data/db/models.py).
MAX_LENGTH: dict[Field, int] = {
    Field.NAME: 200, Field.FIRST_NAME: 100, Field.LAST_NAME: 100, Field.EMAIL: 320,
    Field.PHONE: 50, Field.TITLE: 200, Field.COMPANY: 200, Field.INDUSTRY: 100,
    Field.CITY: 100, Field.STATE: 100, Field.COUNTRY: 100, Field.REGION: 50,
    Field.EXTERNAL_ID: 100,
}
TAG_MAX = 50
TAG_SEPARATOR = ";"


def _known_headers() -> dict[str, Field | Skip]:
    known: dict[str, Field | Skip] = {}
    for f in Field:
        known[header_key(f.value)] = f
        for alias in ALIASES.get(f, ()):
            known[header_key(alias)] = f
    for computed in COMPUTED_COLUMNS:
        known[header_key(computed)] = Skip.COMPUTED
    for salutation in SALUTATION_COLUMNS:
        known[header_key(salutation)] = Skip.SALUTATION
    return known


KNOWN_HEADERS = _known_headers()
# A "Title" column next to another column filling Title (Job Title, Position) is the
# salutation, as in Mautic's, Outlook's and Salesforce's files (I16.14).
GIVES_WAY = {header_key(Field.TITLE.value): Skip.SALUTATION}
