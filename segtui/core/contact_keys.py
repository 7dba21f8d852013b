"""Who a contact is: the normalised keys contacts are matched by (issue 16 §1).

An email identifies one contact. Compared as the data quality report compares emails
(docs/quality.md, "Same email"): outer spaces dropped, case folded ("Ann@X.com " is
"ann@x.com"). The database holds `contacts.email_key`, this key, under a unique index, so
no two contacts can share an email whoever writes them and however many imports run at
once; a blank email has no key (contacts without an email are never the same person).
"""

from __future__ import annotations


def email_key(email: str | None) -> str | None:
    """The identity of an email: trimmed and case-folded; None when blank."""
    if email is None:
        return None
    return email.strip().casefold() or None
