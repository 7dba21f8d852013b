"""Who a contact is: the normalised keys contacts are matched by (I16.1, I16.16).

An email identifies one contact. Compared as the data quality report compares emails
(docs/quality.md, "Same email"): outer spaces dropped, case folded ("Ann@X.com " is
"ann@x.com"). The database holds `contacts.email_key`, this key, under a unique index, so
no two contacts can share an email whoever writes them and however many imports run at
once; a blank email has no key (contacts without an email are never the same person).

A file without emails can match its rows to contacts by another key (`--match`): the
name at the company (as the report's "Same name + company"), the phone number (its digits
and letters, without the punctuation people write differently), or the id the contact has
in the system the file comes from (`contacts.external_id`, unique like the email).
"""

from __future__ import annotations

from enum import StrEnum


class MatchKey(StrEnum):
    """How an import finds the contact a row is (`segtui import contacts --match`)."""

    EMAIL = "email"
    NAME_COMPANY = "name+company"
    PHONE = "phone"
    EXTERNAL_ID = "external-id"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {MatchKey.EMAIL: "Email", MatchKey.NAME_COMPANY: "Name and company",
           MatchKey.PHONE: "Phone", MatchKey.EXTERNAL_ID: "External id"}


def email_key(email: str | None) -> str | None:
    """The identity of an email: trimmed and case-folded; None when blank."""
    if email is None:
        return None
    return email.strip().casefold() or None


# Written differently by different people and tools: "+1 (555) 010-0100", "1.555.010.0100".
# The SQL form (data/db/models.py, `phone_key_of`) removes exactly these, one replace() each.
PHONE_PUNCTUATION = " -.()/+"
_NO_PUNCTUATION = str.maketrans("", "", PHONE_PUNCTUATION)


def phone_key(phone: str | None) -> str | None:
    """A phone number without spaces and punctuation; None when nothing is left."""
    if phone is None:
        return None
    return phone.translate(_NO_PUNCTUATION) or None


def person_key(name: str | None, company: str | None) -> tuple[str, str] | None:
    """A name at a company, case-folded and trimmed (the quality report's "Same name +
    company"); None without either: "John Smith" alone says little."""
    if not name or not company or not name.strip() or not company.strip():
        return None
    return name.strip().casefold(), company.strip().casefold()
