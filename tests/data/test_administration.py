"""C19.3.3-C19.3.7 in the Store, on SQLite and PostgreSQL: the users' rows (role, team,
active, last seen, segments owned) in one read; deactivating and reactivating; teams;
ownership transfer with each segment's timeline, the change log and the audit log; last
seen at most once a minute; and the refusals (yourself, the last active administrator,
an unknown user, a team name with an escape character, someone not an administrator),
each leaving the database as it was."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from segtui.core.activities import ActivityFilter
from segtui.core.administration import AdminRefusal, seen_ago
from segtui.core.audit import Action, AuditFilter
from segtui.core.enums import UserRole
from segtui.core.permissions import InvalidUserName, UserDeactivated
from segtui.core.segments import NotAllowed
from segtui.data.db.tables import Change, Segment, User
from segtui.data.store import Store

ADMIN, MANAGER, OTHER, VIEWER = "James Carter", "Priya Patel", "Sarah Mitchell", "Alex Kim"


def rows(store: Store) -> dict[str, tuple[object, ...]]:
    return {r.name: (r.role, r.team, r.active, r.segments_owned)
            for r in store.users.user_rows()}


def owned_ids(store: Store, name: str) -> list[int]:
    with store.reading() as conn:
        return list(conn.execute(select(Segment.id).join(User, User.id == Segment.owner_id)
                                 .where(User.name == name).order_by(Segment.id)).scalars())


def test_the_rows_count_what_each_user_owns(demo_store: Store) -> None:
    shown = rows(demo_store)
    assert shown == {VIEWER: (UserRole.VIEWER, None, True, 0),
                     ADMIN: (UserRole.CRM_ADMINISTRATOR, None, True, 1),
                     MANAGER: (UserRole.MARKETING_MANAGER, None, True, 1),
                     OTHER: (UserRole.MARKETING_MANAGER, None, True, 2)}
    assert list(shown) == sorted(shown)  # name order


def test_a_deactivated_user_may_not_act_until_reactivated(demo_store: Store) -> None:
    admin = demo_store.users.current_user(ADMIN)
    demo_store.users.deactivate(MANAGER, admin)
    assert rows(demo_store)[MANAGER][2] is False
    with pytest.raises(UserDeactivated, match="Priya Patel was deactivated by an "
                                              "administrator"):
        demo_store.users.current_user("priya  patel")
    assert isinstance(UserDeactivated(MANAGER), InvalidUserName)  # every start refuses it
    assert owned_ids(demo_store, MANAGER)  # their segments stay theirs
    with pytest.raises(AdminRefusal, match="already deactivated"):
        demo_store.users.deactivate(MANAGER, admin)
    demo_store.users.reactivate(MANAGER, admin)
    assert demo_store.users.current_user(MANAGER).role is UserRole.MARKETING_MANAGER
    details = [e.details for e in demo_store.audit.entries(
        AuditFilter(action=Action.PERMISSIONS_MODIFIED), admin)]
    assert details[:2] == ["reactivated", "deactivated"]


def test_refusals_leave_everything_as_it_was(demo_store: Store) -> None:
    admin = demo_store.users.current_user(ADMIN)
    manager = demo_store.users.current_user(MANAGER)
    before = rows(demo_store)
    with pytest.raises(AdminRefusal, match="can't deactivate themselves"):
        demo_store.users.deactivate(ADMIN, admin)
    with pytest.raises(AdminRefusal, match="no user named 'Nobody'"):
        demo_store.users.deactivate("Nobody", admin)
    with pytest.raises(NotAllowed):
        demo_store.users.deactivate(VIEWER, manager)
    with pytest.raises(NotAllowed):
        demo_store.users.set_team(VIEWER, "Growth", manager)
    with pytest.raises(NotAllowed):
        demo_store.users.transfer_segments(OTHER, MANAGER, manager)
    with pytest.raises(AdminRefusal, match="a team name can't contain invisible"):
        demo_store.users.set_team(VIEWER, "\x1b[31mRed", admin)
    # A transfer and a deactivation in one: a refused deactivation moves nothing.
    with pytest.raises(AdminRefusal):
        demo_store.users.deactivate(ADMIN, admin, transfer_to=MANAGER)
    assert rows(demo_store) == before


def test_the_last_active_administrator_stays(demo_store: Store) -> None:
    admin = demo_store.users.current_user(ADMIN)
    demo_store.users.set_user_role(OTHER, UserRole.CRM_ADMINISTRATOR, admin)
    other = demo_store.users.current_user(OTHER)
    demo_store.users.deactivate(ADMIN, other)  # two administrators: one may go
    with pytest.raises(UserDeactivated):  # and can no longer act, even with a Store open
        demo_store.users.deactivate(OTHER, admin)
    # Now OTHER is the only active administrator: demoting them is refused too.
    with pytest.raises(InvalidUserName, match="only CRM Administrator"):
        demo_store.users.set_user_role(OTHER, UserRole.VIEWER, other)
    with pytest.raises(AdminRefusal, match="can't deactivate themselves"):
        demo_store.users.deactivate(OTHER, other)


def test_teams_are_checked_like_names_and_shown_as_typed(demo_store: Store) -> None:
    admin = demo_store.users.current_user(ADMIN)
    assert demo_store.users.set_team(VIEWER, "  [bold]Growth[/]  team ", admin) == \
        "[bold]Growth[/] team"
    assert rows(demo_store)[VIEWER][1] == "[bold]Growth[/] team"
    assert demo_store.users.set_team(VIEWER, "", admin) is None
    assert rows(demo_store)[VIEWER][1] is None


def test_a_transfer_moves_the_segments_and_each_timeline_says_so(demo_store: Store) -> None:
    admin = demo_store.users.current_user(ADMIN)
    moving = owned_ids(demo_store, OTHER)
    assert len(moving) == 2
    with demo_store.reading() as conn:
        changes_before = conn.execute(select(Change.id).order_by(Change.id.desc())).scalar()
    done = demo_store.users.transfer_segments(OTHER, MANAGER, admin)
    assert (done.moved, done.receiver_owns, done.over_limit) == (2, 3, False)
    assert done.summary() == "2 segments of Sarah Mitchell now belong to Priya Patel."
    assert owned_ids(demo_store, OTHER) == []
    assert set(moving) <= set(owned_ids(demo_store, MANAGER))
    for segment_id in moving:
        newest = demo_store.activity.activity_page(segment_id, ActivityFilter(),
                                                   limit=1).rows[0]
        assert (newest.type, newest.description, newest.performer) == (
            "Owner Changed", "Owner changed from Sarah Mitchell to Priya Patel", ADMIN)
    with demo_store.reading() as conn:
        news = conn.execute(select(Change.what, Change.segment_id)
                            .where(Change.id > (changes_before or 0))).all()
    assert sorted(news) == sorted(("Owner Changed", s) for s in moving)
    audited = demo_store.audit.entries(AuditFilter(action=Action.PERMISSIONS_MODIFIED), admin)
    assert audited[0].details == "2 segments transferred to Priya Patel"


def test_a_transfer_may_exceed_the_limit_and_says_so(demo_store: Store) -> None:
    admin = demo_store.users.current_user(ADMIN)
    demo_store.segments.set_segment_limit(2, admin)
    done = demo_store.users.transfer_segments(OTHER, MANAGER, admin)
    assert done.over_limit and done.receiver_owns == 3
    assert "Priya Patel now owns 3, more than the 2 one person may create" in done.summary()


def test_a_transfer_refuses_a_deactivated_receiver_and_oneself(demo_store: Store) -> None:
    admin = demo_store.users.current_user(ADMIN)
    demo_store.users.deactivate(VIEWER, admin)
    before = rows(demo_store)
    with pytest.raises(AdminRefusal, match="Alex Kim is deactivated"):
        demo_store.users.transfer_segments(OTHER, VIEWER, admin)
    with pytest.raises(AdminRefusal, match="theirs already"):
        demo_store.users.transfer_segments(OTHER, OTHER, admin)
    chosen = owned_ids(demo_store, OTHER)[:1]
    with pytest.raises(AdminRefusal, match="no longer Priya Patel's"):
        demo_store.users.transfer_segments(MANAGER, OTHER, admin, chosen)
    assert rows(demo_store) == before
    assert demo_store.users.transfer_segments(OTHER, ADMIN, admin, chosen).moved == 1
    # Deactivating with a transfer is one transaction: both happen.
    moved = demo_store.users.deactivate(OTHER, admin, transfer_to=MANAGER)
    assert moved is not None and moved.moved == 1
    assert rows(demo_store)[OTHER][2:] == (False, 0)


def test_last_seen_is_written_at_most_once_a_minute(demo_store: Store) -> None:
    viewer = demo_store.users.current_user(VIEWER)  # a Viewer is seen too
    first = next(r.last_seen_at for r in demo_store.users.user_rows() if r.name == VIEWER)
    assert first is not None
    earlier = first - timedelta(seconds=30)
    with demo_store.writing() as conn:
        conn.execute(update(User).where(User.id == viewer.id).values(last_seen_at=earlier))
    assert demo_store.users.seen(viewer) is True
    assert next(r.last_seen_at for r in demo_store.users.user_rows()
                if r.name == VIEWER) == earlier  # less than a minute ago: left alone
    with demo_store.writing() as conn:
        conn.execute(update(User).where(User.id == viewer.id)
                     .values(last_seen_at=first - timedelta(minutes=5)))
    demo_store.users.seen(viewer)
    assert next(r.last_seen_at for r in demo_store.users.user_rows()
                if r.name == VIEWER) == first
    admin = demo_store.users.current_user(ADMIN)
    demo_store.users.deactivate(VIEWER, admin)
    assert demo_store.users.seen(viewer) is False  # an open app learns it


def test_last_seen_is_skipped_while_another_process_writes(sqlite_demo_store: Store) -> None:
    """SQLite: another connection holds the write lock; the look is skipped at once."""
    viewer = sqlite_demo_store.users.current_user(VIEWER)
    with sqlite_demo_store.writing() as conn:
        conn.execute(update(User).where(User.id == viewer.id).values(last_seen_at=None))
    with sqlite_demo_store.writing():  # holds the lock, as an import would
        assert sqlite_demo_store.users.seen(viewer) is None
    assert sqlite_demo_store.users.seen(viewer) is True


@pytest.mark.parametrize(("ago", "said"), [
    (None, "never"), (timedelta(seconds=20), "just now"), (timedelta(minutes=3), "3 min ago"),
    (timedelta(hours=5, minutes=2), "5 h ago"), (timedelta(days=3), "23/02/2024"),
])
def test_last_seen_in_words(ago: timedelta | None, said: str) -> None:
    now = datetime(2024, 2, 26, 12, 0)
    assert seen_ago(None if ago is None else now - ago, now) == said
