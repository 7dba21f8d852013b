"""Writing segments: create, edit, delete, add and remove members, pause campaigns (R7.2-R7.4,
7.11).

Every function runs inside the caller's write transaction (`Store.writing()`), so each user
action is all-or-nothing. Each change to a segment is logged as an activity by the acting
user (R7.9).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from segtui.core import clock
from segtui.core.audit import Action
from segtui.core.changes import SEGMENT_DELETED
from segtui.core.contacts import ContactSelection
from segtui.core.enums import CampaignStatus, SegmentKind, SegmentStatus
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.rules.check import SegmentLookup, check
from segtui.core.rules.refresh import RefreshResult
from segtui.core.rules.tree import to_json
from segtui.core.segments import (
    DuplicateSegmentName,
    InvalidSegment,
    NotAllowed,
    SegmentConflict,
    SegmentDraft,
    SegmentInUse,
    SegmentNotFound,
    SegmentUsedByRules,
)
from segtui.core.sharing import Sharing
from segtui.core.validation import NAME_MAX, FieldError
from segtui.data.db import member_keys
from segtui.data.db.sql import current_membership, insert_unless_present, member_ids
from segtui.data.db.tables import (
    Activity,
    Campaign,
    Contact,
    Membership,
    Note,
    Segment,
    SegmentExclusion,
    Tag,
    campaign_segments,
    name_key,
    segment_tags,
)
from segtui.data.queries.contact_list import add_selected_members
from segtui.data.queries.segment_details import delete_preview, details
from segtui.data.queries.visibility import seen_lookup
from segtui.data.rules.refresh import refresh_dependents, refresh_segment, segment_lookup, uses_of
from segtui.data.writes.activity import log_activity, require_segment
from segtui.data.writes.audit import record_audit
from segtui.data.writes.changes import record_change
from segtui.data.writes.member_copy import copy_members
from segtui.data.writes.segment_limit import require_room
from segtui.data.writes.sharing import audit_sharing, checked_sharing, copy_sharing, write_sharing


def _require(user: CurrentUser, permission: Permission) -> None:
    if not user.may(permission):
        raise NotAllowed(user.name, user.role.value, permission.value)


def _known_tags(conn: Connection, names: Sequence[str]) -> list[str]:
    """Those of `names` the database already has: they were accepted once (perhaps by an
    import, before today's rules) and are not judged again; only new tag names are."""
    keys = {name_key(n): n for n in names}
    known = set(conn.execute(select(Tag.name_key).where(Tag.name_key.in_(keys))).scalars())
    return [n for k, n in keys.items() if k in known]


def _lookup_once(conn: Connection) -> Callable[[], SegmentLookup]:
    """Every segment's name and references, read when a save first needs them and then
    kept: validating the rule, who uses the segment and its dependents' order all ask,
    within one transaction in which only the saved segment's own rule changes."""
    return functools.cache(lambda: segment_lookup(conn))


def _checked(conn: Connection, draft: SegmentDraft, lookup: Callable[[], SegmentLookup],
             user: CurrentUser, self_id: int | None = None, kept: SegmentDraft | None = None
             ) -> SegmentDraft:
    """The draft normalised, its rule in canonical form with segment references resolved
    (a new or changed rule may name only segments `user` sees: C19.3.2);
    InvalidSegment with every problem otherwise (a rule's problems under the field 'rule').
    `kept`: the segment as stored, for an edit (a name or description left as it is stays
    exactly so, unjudged: SegmentDraft.errors)."""
    draft = draft.normalised(kept)
    errors = draft.errors(kept_tags=_known_tags(conn, draft.tags), kept=kept)
    if draft.rule is not None:
        seen = lookup() if kept is not None and kept.rule == draft.rule else \
            seen_lookup(conn, lookup(), user)
        rule, issues = check(draft.rule, seen, self_id)
        errors += [FieldError("rule", issue.message) for issue in issues]
        draft = replace(draft, rule=rule)
    if errors:
        raise InvalidSegment(errors)
    return draft


def _rule_json(draft: SegmentDraft) -> str | None:
    return None if draft.rule is None else to_json(draft.rule)


def after_members_changed(conn: Connection, segment_id: int, user: CurrentUser,
                          now: datetime, lookup: SegmentLookup | None = None) -> None:
    """Segments whose rules use this one follow its change at once (D1.5)."""
    for result in refresh_dependents(conn, segment_id, now=now, today=clock.today(),
                                     lookup=lookup):
        log_refresh(conn, result, user, now, "because a segment its rule uses changed")


def log_refresh(conn: Connection, result: RefreshResult, user: CurrentUser, now: datetime,
                why: str) -> None:
    if result.changed:
        log_activity(conn, result.segment_id, "Members Refreshed",
                     f"+{result.entered:,} entered, −{result.left:,} left",
                     f"Re-evaluated {why}; {plural(result.members, 'member')}; "
                     f"{result.elapsed_ms:,} ms", user, now)


def name_taken(conn: Connection, name: str, except_id: int | None = None) -> bool:
    """Is `name` some segment's (but `except_id`'s), ignoring case and spaces (R7.2)?"""
    query = select(Segment.id).where(Segment.name_key == name_key(name))
    if except_id is not None:
        query = query.where(Segment.id != except_id)
    return conn.execute(query).first() is not None


def _tag_ids(conn: Connection, names: Sequence[str]) -> list[int]:
    """Ids of these tags, creating the missing ones (a concurrent creator is harmless)."""
    if not names:
        return []
    keys = {name_key(n): n for n in names}
    conn.execute(insert_unless_present(
        conn, Tag, [{"name": n, "name_key": k} for k, n in keys.items()], ["name_key"]))
    found = dict(conn.execute(select(Tag.name_key, Tag.id).where(Tag.name_key.in_(keys))).all())
    return [found[name_key(n)] for n in names]


def _set_tags(conn: Connection, segment_id: int, names: Sequence[str]) -> None:
    conn.execute(delete(segment_tags).where(segment_tags.c.segment_id == segment_id))
    ids = _tag_ids(conn, names)
    if ids:
        conn.execute(insert(segment_tags), [{"segment_id": segment_id, "tag_id": t} for t in ids])


def create_segment(
    conn: Connection, draft: SegmentDraft, selection: ContactSelection, user: CurrentUser
) -> int:
    _require(user, Permission.EDIT_SEGMENTS)
    require_room(conn, user)
    draft = _checked(conn, draft, _lookup_once(conn), user)
    if name_taken(conn, draft.name):
        raise DuplicateSegmentName(draft.name)
    now = clock.now()
    try:
        segment_id = conn.execute(
            insert(Segment)
            .values(
                name=draft.name, name_key=name_key(draft.name), description=draft.description,
                status=draft.status, owner_id=user.id, created_at=now, updated_at=now,
                version=1, kind=draft.kind, rule=_rule_json(draft),
            )
            .returning(Segment.id)
        ).scalar_one()
    except IntegrityError:  # created by someone else between the check and the insert
        raise DuplicateSegmentName(draft.name) from None
    _set_tags(conn, segment_id, draft.tags)
    # Contacts picked by hand stay members of a dynamic segment whatever its rule says.
    added = add_selected_members(conn, segment_id, selection, now=now, actor_id=user.id)
    refreshed = refresh_segment(conn, segment_id, now=now, today=clock.today(), saved=draft)
    members = refreshed.members if refreshed else added
    how = f" from its rule ({refreshed.elapsed_ms:,} ms)" if refreshed else ""
    log_activity(conn, segment_id, "Segment Created",
                 f"Segment created with {plural(members, 'contact')}"
                 f"{how}", draft.description, user, now)
    return int(segment_id)


def update_segment(
    conn: Connection,
    segment_id: int,
    expected_version: int,
    draft: SegmentDraft,
    selection: ContactSelection,
    user: CurrentUser,
    sharing: Sharing | None = None,
) -> int:
    """Save an edit made on version `expected_version`; returns how many contacts were added.
    `sharing`: who sees it, as the form has it (C19.3.2; None: as it is).

    The UPDATE only matches that version: if someone saved in between, nothing is written
    and SegmentConflict carries their version, so the form can show both.
    """
    _require(user, Permission.EDIT_SEGMENTS)
    before = details(conn, segment_id, viewer=user)
    if before is None:
        raise SegmentNotFound(segment_id)
    if before.version != expected_version:
        raise SegmentConflict(before)  # before judging the draft: the user must see this
    lookup = _lookup_once(conn)
    draft = _checked(conn, draft, lookup, user, self_id=segment_id, kept=before.as_draft())
    if name_taken(conn, draft.name, except_id=segment_id):
        raise DuplicateSegmentName(draft.name)
    if draft.status is SegmentStatus.INACTIVE and before.status is not SegmentStatus.INACTIVE:
        users = uses_of(conn, segment_id, lookup())
        if users:
            raise SegmentUsedByRules(tuple(users), "deactivated")
    now = clock.now()
    changes = before.changes_to(draft)
    shared = None if sharing is None or not sharing.changes_from(before.sharing) else \
        checked_sharing(conn, before, sharing, user)
    shared_changes = [] if shared is None else shared[0].changes_from(before.sharing)
    changes += shared_changes
    if changes:
        result = conn.execute(
            update(Segment)
            .where(Segment.id == segment_id, Segment.version == expected_version)
            .values(name=draft.name, name_key=name_key(draft.name),
                    description=draft.description, status=draft.status, updated_at=now,
                    version=Segment.version + 1, kind=draft.kind, rule=_rule_json(draft))
        )
        if result.rowcount != 1:  # lost a race with another writer
            current = details(conn, segment_id, viewer=user)
            raise SegmentConflict(current) if current else SegmentNotFound(segment_id)
        _set_tags(conn, segment_id, draft.tags)
        if shared is not None:
            write_sharing(conn, segment_id, shared[0].visibility, shared[1])
            audit_sharing(conn, before, shared_changes, user)
        only_status = len(changes) == 1 and changes[0].startswith("status")
        kind = "Status Changed" if only_status else "Segment Edited"
        log_activity(conn, segment_id, kind, "Changed " + ", ".join(changes), "", user, now)
    added = _add_members(conn, segment_id, selection, user, now, lookup)
    rule_changed = any(c == "rule" or c.startswith("type") for c in changes)
    if draft.rule is not None and rule_changed:
        refreshed = refresh_segment(conn, segment_id, now=now, today=clock.today(),
                                    saved=draft)
        if refreshed is not None:
            log_refresh(conn, refreshed, user, now, "after its rule changed")
            after_members_changed(conn, segment_id, user, now, lookup())
    return added


def _add_members(
    conn: Connection, segment_id: int, selection: ContactSelection, user: CurrentUser,
    now: datetime, lookup: Callable[[], SegmentLookup] | None = None,
) -> int:
    if selection.is_empty:
        return 0
    added = add_selected_members(conn, segment_id, selection, now=now, actor_id=user.id)
    if added:
        # Added by hand: no longer kept out by hand.
        conn.execute(delete(SegmentExclusion).where(
            SegmentExclusion.segment_id == segment_id,
            SegmentExclusion.contact_id.in_(member_ids(segment_id))))
        # Adding members modifies the segment ("Last Modified") without changing the fields
        # an editor may be holding, so the version stays.
        conn.execute(update(Segment).where(Segment.id == segment_id).values(updated_at=now))
        log_activity(conn, segment_id, "Contacts Added",
                     f"Added {plural(added, 'contact')}", "", user, now)
        after_members_changed(conn, segment_id, user, now, lookup() if lookup else None)
    return added


def add_members(
    conn: Connection, segment_id: int, selection: ContactSelection, user: CurrentUser
) -> int:
    _require(user, Permission.EDIT_SEGMENTS)
    if details(conn, segment_id, viewer=user) is None:
        raise SegmentNotFound(segment_id)
    return _add_members(conn, segment_id, selection, user, clock.now())


def delete_segment(conn: Connection, segment_id: int, user: CurrentUser) -> None:
    """Delete the segment with its memberships, notes and activities; contacts stay."""
    _require(user, Permission.EDIT_SEGMENTS)
    preview = delete_preview(conn, segment_id, user)
    if preview is None:
        raise SegmentNotFound(segment_id)
    if preview.active_campaigns:
        raise SegmentInUse(preview.active_campaigns)
    if preview.used_by:
        raise SegmentUsedByRules(preview.used_by)
    member_keys.lock_for_deletes(conn)
    # Its history goes with it (C20.1.2): the audit log keeps how much there was.
    members, stays = conn.execute(
        select(func.count().filter(Membership.removed_at.is_(None)), func.count())
        .where(Membership.segment_id == segment_id)).one()
    # Explicit deletes rather than relying on ON DELETE CASCADE alone: the same statements
    # on every engine, and SQLite connections opened by other tools may have FKs off.
    for model in (Membership, Note, Activity, SegmentExclusion):
        conn.execute(delete(model).where(model.segment_id == segment_id))
    conn.execute(delete(segment_tags).where(segment_tags.c.segment_id == segment_id))
    conn.execute(delete(campaign_segments).where(campaign_segments.c.segment_id == segment_id))
    conn.execute(delete(Segment).where(Segment.id == segment_id))
    record_change(conn, SEGMENT_DELETED, segment_id, user, detail=preview.segment.name)
    record_audit(conn, Action.SEGMENT_DELETED, user, segment_id=segment_id,
                 subject=preview.segment.name,
                 details=f"{plural(int(members), 'member')}; "
                         f"{plural(int(stays), 'stay')} of history removed with it")


def pause_campaigns(
    conn: Connection, segment_id: int, campaign_ids: Sequence[int], user: CurrentUser
) -> int:
    """Pause these active campaigns (from the delete dialog); logged on the segment."""
    _require(user, Permission.PAUSE_CAMPAIGNS)
    if details(conn, segment_id, viewer=user) is None:
        raise SegmentNotFound(segment_id)
    # Only active campaigns that use this segment: the dialog can't pause anything else.
    targets = (
        select(campaign_segments.c.campaign_id)
        .where(campaign_segments.c.segment_id == segment_id,
               campaign_segments.c.campaign_id.in_(campaign_ids))
    )
    active = (Campaign.id.in_(targets), Campaign.status == CampaignStatus.ACTIVE)
    names = list(conn.execute(select(Campaign.name).where(*active)).scalars())
    result = conn.execute(
        update(Campaign).where(*active)
        .values(status=CampaignStatus.PAUSED, version=Campaign.version + 1)
    )
    if names:
        log_activity(conn, segment_id, "Campaigns Paused", "Paused " + ", ".join(names),
                     "Paused from the Delete Segment dialog", user, clock.now())
    return int(result.rowcount or 0)


def duplicate_segment(conn: Connection, segment_id: int, user: CurrentUser) -> int:
    """A copy as a Draft: same description, tags and rule (a dynamic copy is evaluated at
    once), and for a static segment the same current members. Named "<name> Copy", or
    "<name> Copy 2" and so on when that is taken (names allow only letters, digits and
    spaces, R7.2)."""
    _require(user, Permission.EDIT_SEGMENTS)
    require_room(conn, user)
    original = details(conn, segment_id, viewer=user)
    if original is None:
        raise SegmentNotFound(segment_id)
    # A copy of a copy is numbered from the original's name, not "Copy Copy".
    base = re.sub(r" Copy(?: \d+)?$", "", original.name)[: NAME_MAX - 12].rstrip()
    name, n = f"{base} Copy", 1
    while name_taken(conn, name):
        n += 1
        name = f"{base} Copy {n}"
    draft = replace(original.as_draft(), name=name, status=SegmentStatus.DRAFT)
    new_id = create_segment(conn, draft, ContactSelection(), user)
    copy_sharing(conn, segment_id, new_id, user.id)  # as private as its original
    if original.rule is None:
        now = clock.now()
        copied = copy_members(conn, segment_id, new_id, user.id, now)
        log_activity(conn, new_id, "Contacts Added",
                     f"Copied {plural(copied, 'contact')} from “{original.name}”",
                     "", user, now)
    return new_id


def remove_member(
    conn: Connection, segment_id: int, contact_id: int, user: CurrentUser
) -> bool:
    """End the contact's current stay (history keeps it). False if it wasn't a member."""
    if not user.may(Permission.EDIT_SEGMENTS):
        raise NotAllowed(user.name, user.role.value, "remove contacts")
    require_segment(conn, segment_id, user)
    now = clock.now()
    result = conn.execute(
        update(Membership)
        .where(Membership.segment_id == segment_id, Membership.contact_id == contact_id,
               current_membership())
        .values(removed_at=now, removed_by_id=user.id)
    )
    if result.rowcount != 1:
        return False
    kind = conn.execute(select(Segment.kind).where(Segment.id == segment_id)).scalar_one()
    if kind == SegmentKind.DYNAMIC:
        # Removed by hand from a dynamic segment: kept out, or the next refresh would bring
        # the contact straight back (the Contacts tab shows it as excluded).
        conn.execute(delete(SegmentExclusion).where(
            SegmentExclusion.segment_id == segment_id,
            SegmentExclusion.contact_id == contact_id))
        conn.execute(insert(SegmentExclusion).values(
            segment_id=segment_id, contact_id=contact_id, created_at=now,
            created_by_id=user.id))
    conn.execute(update(Segment).where(Segment.id == segment_id).values(updated_at=now))
    contact = conn.execute(select(Contact.name).where(Contact.id == contact_id)).scalar_one()
    log_activity(conn, segment_id, "Contacts Removed", f"Removed {contact}", "", user, now)
    after_members_changed(conn, segment_id, user, now)
    return True
