"""Who sees a segment (C19.3.2; docs/segments.md, "Who sees a segment"): its visibility
(Everyone, Owner's team, Private) and the users it is hidden from whatever that says (as
in User.com). Administrators see every segment; an owner always sees their own.

Only the owner (who may change segments) or an administrator may change them: `may_share`.
The SQL that applies it to every read is data/queries/visibility.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from segtui.core.enums import Visibility
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.validation import normalise_user_name

SHARING = "change who sees this segment"  # what NotAllowed says a user may not do


@dataclass(frozen=True)
class Sharing:
    visibility: Visibility = Visibility.EVERYONE
    hidden_from: tuple[str, ...] = ()  # user names, as the users table has them

    def keys(self) -> frozenset[str]:
        """The hidden-from names as compared (case and spacing ignored)."""
        return frozenset(normalise_user_name(n).casefold() for n in self.hidden_from)

    def changes_from(self, before: Sharing) -> list[str]:
        """What changed, as the segment's timeline says it ("visibility Everyone →
        Private", "hidden from +Alex Kim −Sam Lee"); empty when nothing did."""
        changes = []
        if before.visibility is not self.visibility:
            changes.append(f"visibility {before.visibility.value} → {self.visibility.value}")
        if before.keys() != self.keys():
            mine, theirs = self.keys(), before.keys()
            added = [n for n in self.hidden_from if normalise_user_name(n).casefold()
                     not in theirs]
            removed = [n for n in before.hidden_from if normalise_user_name(n).casefold()
                       not in mine]
            changes.append("hidden from " + " ".join(
                [f"+{n}" for n in added] + [f"−{n}" for n in removed]))
        return changes


def may_share(user: CurrentUser, owner_id: int | None) -> bool:
    """Whether `user` may change who sees a segment owned by `owner_id`."""
    return user.may(Permission.ALL_SEGMENTS) or (
        owner_id is not None and user.id == owner_id and user.may(Permission.EDIT_SEGMENTS))


# The words the command line takes for each visibility (`segments set-visibility`).
VISIBILITY_WORDS = {"everyone": Visibility.EVERYONE, "team": Visibility.TEAM,
                    "private": Visibility.PRIVATE}
