"""What the data quality screen says (screens/quality.py): its help, each card's
meaning, and the words of a merge (the confirmation, then what it did)."""

from __future__ import annotations

from segtui.core.formatting import dmy, plural
from segtui.core.quality import STALE_DAYS, DuplicateMember, MergeResult

CARD_HELP = {
    "missing-email": "Missing email: contacts with no email, or only spaces.",
    "invalid-email": "Invalid email: an email failing the Quality Score's rule (one @, "
                     "something before it, a dot with something on both sides after it, "
                     "no spaces).",
    "missing-phone": "Missing phone: contacts with no phone, or only spaces.",
    "duplicates": "Duplicate groups: contacts sharing an email (case and outer spaces "
                  "ignored), or the same name at the same company.",
    "stale": f"Stale: no action (any event but sent/unsubscribed) and no contact by the "
             f"team in the last {STALE_DAYS} days.",
}

HELP = "\n".join((
    "Data quality: how accurate the contacts are, computed when the screen opens (r "
    "refreshes).",
    *CARD_HELP.values(),
    "",
    "Likely duplicates: each group is numbered; its contacts follow, oldest first. Merging "
    "a group keeps one contact (marked keep: by default the oldest) and folds the others "
    "into it: every membership, event and tag moves to it, the fields it lacks are filled "
    "from the others, and the others are deleted. k (or enter) on a contact keeps that one "
    "instead; M merges the group after asking (m opens the row's menu: keep, merge). A "
    "Viewer may look but not merge. Below 100 columns the highlighted contact's reason and "
    "creation date are under the table.",
    "",
    "Segments: the segments with the most current members showing any problem above. "
    "enter (or o) opens the highlighted one; escape comes back here. tab moves between "
    "the two tables.",
))



def share_of(count: int, total: int) -> str:
    return f"{count / total:.1%}" if total else "0%"


def merge_message(keep: DuplicateMember, others: list[DuplicateMember]) -> str:
    """What the confirmation says: who stays, who goes, what moves."""
    listed = "\n".join(f"• #{m.id} {m.name} <{m.email or 'no email'}>" for m in others[:8])
    more = f"\n• … and {len(others) - 8} more" if len(others) > 8 else ""
    one = len(others) == 1
    return (f"Keep #{keep.id} {keep.name} <{keep.email or 'no email'}>, created "
            f"{dmy(keep.created_at)}, and merge {plural(len(others), 'contact')} "
            f"into it:\n{listed}{more}\n\n"
            f"{'Its' if one else 'Their'} memberships, events and tags move to the kept "
            "contact, which also takes the fields it lacks. "
            f"{'The merged contact is' if one else 'The merged contacts are'} deleted: "
            "this can't be undone.")


def merged_message(keep: DuplicateMember, result: MergeResult) -> str:
    return (f"Merged {plural(len(result.merged), 'contact')} into #{result.kept} "
            f"{keep.name}: {plural(result.memberships_moved, 'membership')} and "
            f"{plural(result.events_moved, 'event')} moved, "
            f"{plural(len(result.segments), 'segment')} logged.")


