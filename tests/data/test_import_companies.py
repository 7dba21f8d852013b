"""Which company an imported row names (C21.1.13, I6): read by name as the rows name them,
not all at once, and matched as Python folds case, on both engines. A plain ASCII name
is found through `lower(name)`'s index; a name beyond ASCII or with white space around it
through the one pass over such names; the first company of a name (by id) is the one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from segtui.core.contact_keys import MatchKey
from segtui.core.imports import OnDuplicate
from segtui.data.db.models import Company, Contact
from segtui.data.io import importer
from segtui.data.store import Store
from segtui.transfer.json_rows import contact_rows

ODD_NAMES = {
    "Straße Logistik": "STRASSE LOGISTIK",  # ß folds to "ss": an ASCII key
    "\u212aelvin Labs": "kelvin labs",  # the Kelvin sign folds to k
    "\tPadded Works ": "padded works",  # white space str.strip() takes off, SQL's trim not
    "İstanbul Tekstil": "İSTANBUL TEKSTIL",  # beyond ASCII both ways
    "Acme Plain": "aCME pLAIN",  # plain ASCII, another case
}


def add_company(store: Store, name: str) -> int:
    with store.writing() as conn:
        return int(conn.execute(text("INSERT INTO companies (name) VALUES (:n) RETURNING id"),
                                {"n": name}).scalar_one())


def company_of(store: Store, email: str) -> int | None:
    with store.reading() as conn:
        return conn.execute(select(Contact.company_id).where(Contact.email == email)
                            ).scalar_one()


def companies(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Company)).scalar_one())


def upsert(store: Store, objects: list[dict[str, str]], **options: object) -> None:
    rows, headers = contact_rows(objects)
    report = store.transfer.import_contacts(rows, OnDuplicate.UPDATE, headers=headers,
                                            **options)  # type: ignore[arg-type]
    assert report.rejected == 0, report.problems


def test_a_row_finds_its_company_as_python_folds_the_name(demo_store: Store) -> None:
    ids = {stored: add_company(demo_store, stored) for stored in ODD_NAMES}
    before = companies(demo_store)
    upsert(demo_store, [{"email": f"co-{i}@example.com", "name": f"Co Person {i}",
                         "company": spelled}
                        for i, spelled in enumerate(ODD_NAMES.values())])
    assert companies(demo_store) == before  # none added
    for i, stored in enumerate(ODD_NAMES):
        assert company_of(demo_store, f"co-{i}@example.com") == ids[stored], stored


def test_the_first_company_of_a_name_is_the_one(demo_store: Store) -> None:
    first = add_company(demo_store, "Twin Co")
    add_company(demo_store, "TWIN CO")
    add_company(demo_store, "twin co\u00a0")  # a no-break space: beyond ASCII, same key
    upsert(demo_store, [{"email": "twin@example.com", "name": "Twin Person",
                         "company": "tWiN cO"}])
    assert company_of(demo_store, "twin@example.com") == first


def test_a_new_company_named_in_two_batches_is_added_once(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "BATCH", 2)
    before = companies(demo_store)
    upsert(demo_store, [{"email": f"new-co-{i}@example.com", "name": f"New Co Person {i}",
                         "company": spelled}
                        for i, spelled in enumerate(["Brand New Ltd", "x", "BRAND NEW LTD",
                                                     "brand new ltd", "X"])])
    assert companies(demo_store) == before + 2
    ids = {company_of(demo_store, f"new-co-{i}@example.com") for i in (0, 2, 3)}
    assert len(ids) == 1


def test_name_and_company_matching_finds_the_person_at_an_odd_company(
        demo_store: Store) -> None:
    company = add_company(demo_store, "Straße Logistik")
    upsert(demo_store, [{"email": "hans@example.com", "name": "Hans Weber",
                         "company": "Straße Logistik"}])
    upsert(demo_store, [{"name": "hans weber", "company": "STRASSE LOGISTIK",
                         "city": "Hamburg"}], match=MatchKey.NAME_COMPANY)
    with demo_store.reading() as conn:
        found = conn.execute(select(Contact.city, Contact.company_id)
                             .where(Contact.email == "hans@example.com")).one()
    assert tuple(found) == ("Hamburg", company)
