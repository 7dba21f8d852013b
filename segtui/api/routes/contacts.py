"""/v1/contacts (C21.1.8): get, search, and upsert a batch by email with the importer's
validation: each rejected row is answered with its problems, the rest are written in
one transaction (as `segtui import contacts` writes a file)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from segtui.api.deps import Reader, Writer
from segtui.api.problems import Problem
from segtui.api.routes._errors import answered
from segtui.core import cursors
from segtui.core.enums import LeadStatus
from segtui.transfer.contact_json import contact_object, contact_summary

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
    try:
        after = None if cursor is None else cursors.decode(kind, cursor)
    except cursors.BadCursor as exc:
        raise Problem(400, str(exc)) from None
    page = caller.store.contacts.contact_page(ContactFilter(search=search, status=status),
                                              ContactSelection(), after=after, limit=limit)
    return {"contacts": [contact_summary(row) for row in page.rows],
            "next_cursor": cursors.encode(kind, page.last)
            if page.has_after and page.last is not None else None}


@router.get("/contacts/{key}", summary="Get a contact by id or email")
def get_contact(caller: Reader, key: str) -> dict[str, Any]:
    store = caller.store
    found: int | None = None
    if key.isascii() and key.isdigit() and len(key) <= 18:
        found = int(key)
    else:
        ids = store.contacts.contacts_by_email([key]).get(key, [])
        found = ids[0] if len(ids) == 1 else None
        if len(ids) > 1:
            raise Problem(409, f"{len(ids)} contacts share the email {key!r}: ask by id.")
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
    from segtui.core.permissions import Permission
    from segtui.core.segments import NotAllowed
    from segtui.transfer.json_rows import FIRST_LINE, contact_rows

    user = caller.user
    if not user.may(Permission.EDIT_SEGMENTS):
        raise Problem(403, str(NotAllowed(user.name, user.role.value, "import contacts")))
    problems: list[dict[str, Any]] = []
    try:
        rows, headers = contact_rows(body.contacts)
    except ValueError as exc:
        raise Problem(422, str(exc)) from None

    def rejected(found: list[Any]) -> None:
        problems.extend({"row": p.line - FIRST_LINE, "field": p.column or None,
                         "problem": p.reason}
                        for p in found)

    with answered():
        report = caller.store.transfer.import_contacts(
            rows, Duplicates(body.on_duplicate.value), headers=headers,
            dry_run=body.dry_run, on_reject=rejected)
    return {"rows": report.rows, "added": report.added, "updated": report.updated,
            "skipped": report.skipped, "rejected": report.rejected, "dry_run": body.dry_run,
            "problems": problems}
