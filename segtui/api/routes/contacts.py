"""/v1/contacts (C21.1.8): get, search, and upsert a batch by email with the importer's
validation: each rejected row is answered with its problems, the rest are written in
one transaction (as `segtui import contacts` writes a file)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from segtui.api.deps import Reader, Writer, as_id
from segtui.api.problems import Problem
from segtui.api.routes._batches import Rejected, batch_rows, may_import
from segtui.api.routes._errors import answered
from segtui.api.routes._pages import keyset_after, next_cursor
from segtui.core.enums import LeadStatus
from segtui.core.formats.contacts_csv import ContactIn
from segtui.core.formatting import plural
from segtui.transfer.contact_json import contact_object, contact_summary
from segtui.transfer.json_rows import FIRST_LINE

router = APIRouter(tags=["contacts"])
MAX_BATCH = 10_000
Cell = str | int | float | bool | None


class OnDuplicate(StrEnum):
    UPDATE = "update"
    SKIP = "skip"
    ERROR = "error"


class ContactsIn(BaseModel):
    """Each contact is an object whose keys are the import's column names (Email, Name,
    First Name, Company, Status, Tags, ... or their aliases, any case: docs/import-export.md)
    and whose values are text or numbers."""

    model_config = ConfigDict(extra="forbid")
    contacts: Annotated[list[dict[Annotated[str, Field(max_length=100)], Cell]],
                        Field(min_length=1, max_length=MAX_BATCH)]
    on_duplicate: OnDuplicate = OnDuplicate.UPDATE
    dry_run: bool = False


@router.get("/contacts", summary="Search contacts")
def search_contacts(
    caller: Reader,
    search: Annotated[str, Query(max_length=200, description="Name, email or company "
                                                             "contains")] = "",
    status: LeadStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    from segtui.core.contacts import ContactFilter, ContactSelection

    kind = f"contacts:{status}:{search}"
    page = caller.store.contacts.contact_page(
        ContactFilter(search=search, status=status), ContactSelection(),
        after=keyset_after(kind, cursor), limit=limit)
    return {"contacts": [contact_summary(row) for row in page.rows],
            "next_cursor": next_cursor(kind, page)}


@router.get("/contacts/{key}", summary="Get a contact by id or email")
def get_contact(caller: Reader, key: str) -> dict[str, Any]:
    store = caller.store
    found = as_id(key)
    if found is None:
        ids = store.contacts.contacts_by_email([key]).get(key, [])
        found = ids[0] if len(ids) == 1 else None
        if len(ids) > 1:
            raise Problem(409, f"{plural(len(ids), 'contact')} share the email {key!r}: ask "
                               "by id.")
    details = None if found is None else store.contacts.contact_details(found)
    if details is None:
        raise Problem(404, f"No contact {key!r} (by id or email).")
    return contact_object(details)


@router.post("/contacts/batch", summary="Upsert contacts by email")
def upsert_contacts(caller: Writer, body: ContactsIn) -> dict[str, Any]:
    """Add or update up to 10,000 contacts, matched by email. Rows that fail the importer's
    checks are listed with their problems (`row`: their index in `contacts`, from 0) and
    skipped; the others are written in one transaction, after which the dynamic segments
    follow. The caller's user must be allowed to import contacts."""
    from segtui.core.imports import OnDuplicate as Duplicates
    from segtui.transfer.json_rows import contact_rows

    may_import(caller, "import contacts")
    rows, headers = batch_rows(contact_rows, body.contacts)
    rejected = Rejected()
    without_email: list[int] = []  # rows (from 0) that nothing can match: always added

    def noted(read: Iterable[Any]) -> Iterator[Any]:
        for row in read:
            if isinstance(row, ContactIn) and not row.email:
                without_email.append(row.line - FIRST_LINE)
            yield row

    with answered():
        report = caller.store.transfer.import_contacts(
            noted(rows), Duplicates(body.on_duplicate.value), headers=headers,
            dry_run=body.dry_run, on_reject=rejected)
    refused = {int(p["row"]) for p in rejected.problems}
    added_anew = [row for row in without_email if row not in refused]
    # A row without an email is a new contact each time it is sent, as a file without an
    # Email column is (I16.16): said, since the same batch sent twice adds it twice.
    warnings = [f"{plural(len(added_anew), 'row')} without an email (rows "
                f"{_listed(added_anew)}): each is a new contact, and sending it again "
                "adds it again"] if added_anew else []
    return {"rows": report.rows, "added": report.added, "updated": report.updated,
            "skipped": report.skipped, "rejected": report.rejected, "dry_run": body.dry_run,
            "problems": rejected.problems, "warnings": warnings}


def _listed(rows: list[int], most: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:most])
    return shown + (", …" if len(rows) > most else "")
