"""I16.6: look-alike user names never become new users with full rights.

User names are normalised like segment names (runs of spaces collapsed, accents
composed), a name holding an invisible character is refused, a name segtui has not seen is
a Viewer (the database's first user excepted: it becomes its administrator), and only
administrators give roles. On SQLite and PostgreSQL (docs/segments.md, "Who may do what").
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from segtui.core.contacts import ContactSelection
from segtui.core.enums import UserRole
from segtui.core.permissions import InvalidUserName, Permission
from segtui.core.segments import NotAllowed, SegmentDraft
from segtui.data.db.models import User
from segtui.data.store import Store


def user_rows(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(User)).scalar_one())


@pytest.mark.parametrize("given", [
    "Alex  Kim",  # two spaces
    " Alex\tKim ",  # a tab, outer spaces
    "Alex\u00a0Kim",  # a no-break space
    "ALEX KIM",
])
def test_spacing_and_case_variants_are_the_same_user(demo_store: Store, given: str) -> None:
    before = user_rows(demo_store)
    user = demo_store.users.current_user(given)
    assert (user.name, user.role, user.new) == ("Alex Kim", UserRole.VIEWER, False)
    assert user_rows(demo_store) == before


@pytest.mark.parametrize("given", [
    "Alex Kim\u200b",  # zero width space
    "Alex\u200dKim",  # zero width joiner
    "Sarah Mitchell\u202e",  # right-to-left override
    "Sarah\u00adMitchell",  # soft hyphen
    "\u3164",  # a letter that draws as nothing
])
def test_names_with_invisible_characters_are_refused(demo_store: Store, given: str) -> None:
    before = user_rows(demo_store)
    with pytest.raises(InvalidUserName, match="user name"):
        demo_store.users.current_user(given)
    assert user_rows(demo_store) == before


def test_invisible_character_message_names_it(demo_store: Store) -> None:
    with pytest.raises(InvalidUserName) as caught:
        demo_store.users.current_user("Alex Kim\u200b")
    assert str(caught.value) == ("a user name can't contain invisible characters "
                                 "('Alex Kim\\u200b' holds U+200B ZERO WIDTH SPACE)")
    # A control character has no Unicode name: it is called what it is, not "unassigned".
    with pytest.raises(InvalidUserName) as caught:
        demo_store.users.current_user("\x1b[31mred")
    assert str(caught.value).endswith("holds U+001B a control character)")


@pytest.mark.parametrize("given", ["Alex Kím", "Alex Kim.", "Sarah Mitchel", "Dana Scully"])
def test_a_new_name_is_a_viewer_who_changes_nothing(demo_store: Store, given: str) -> None:
    user = demo_store.users.current_user(given)
    assert (user.name, user.role, user.new) == (given, UserRole.VIEWER, True)
    assert not demo_store.users.may(user, Permission.EDIT_SEGMENTS)
    with pytest.raises(NotAllowed):
        demo_store.segments.create_segment(SegmentDraft("Look Alike"), ContactSelection(), user)
    assert demo_store.users.current_user(given).new is False  # recorded once, found after


def test_look_alikes_are_named(demo_store: Store) -> None:
    assert demo_store.users.look_alikes("Alex Kím") == ["Alex Kim"]
    assert demo_store.users.look_alikes("alex kim.") == ["Alex Kim"]
    assert demo_store.users.look_alikes("Alex Kim") == []  # itself is no look-alike
    assert demo_store.users.look_alikes("Dana Scully") == []


def test_decomposed_accents_are_the_composed_name(empty_store: Store) -> None:
    first = empty_store.users.current_user("Zoë Park")  # U+00EB
    assert empty_store.users.current_user("Zoe\u0308 Park").id == first.id  # e + combining


def test_the_first_user_of_a_new_database_is_its_administrator(empty_store: Store) -> None:
    first = empty_store.users.current_user("Ada Admin")
    assert (first.role, first.new) == (UserRole.CRM_ADMINISTRATOR, True)
    second = empty_store.users.current_user("Bo Newcomer")
    assert second.role is UserRole.VIEWER


def test_only_administrators_give_roles(demo_store: Store) -> None:
    sarah = demo_store.users.current_user("Sarah Mitchell")  # a Marketing Manager
    james = demo_store.users.current_user("James Carter")  # the demo's CRM Administrator
    with pytest.raises(NotAllowed, match="not allowed to manage users"):
        demo_store.users.add_user("Maria Lopez", UserRole.MARKETING_MANAGER, sarah)
    maria = demo_store.users.add_user("Maria  Lopez", UserRole.MARKETING_MANAGER, james)
    assert (maria.name, maria.role) == ("Maria Lopez", UserRole.MARKETING_MANAGER)
    assert demo_store.users.current_user("maria lopez").role is UserRole.MARKETING_MANAGER
    with pytest.raises(InvalidUserName, match="already a user"):
        demo_store.users.add_user("Maria Lopez", UserRole.VIEWER, james)
    assert demo_store.users.set_user_role("Maria Lopez", UserRole.VIEWER, james).role \
        is UserRole.VIEWER
    with pytest.raises(InvalidUserName, match="no user named"):
        demo_store.users.set_user_role("Nobody Here", UserRole.VIEWER, james)
    with pytest.raises(InvalidUserName, match="invisible"):
        demo_store.users.add_user("Eve\u200b", UserRole.VIEWER, james)


def test_the_last_administrator_stays(demo_store: Store) -> None:
    james = demo_store.users.current_user("James Carter")
    with pytest.raises(InvalidUserName, match="only CRM Administrator"):
        demo_store.users.set_user_role("James Carter", UserRole.VIEWER, james)
    demo_store.users.set_user_role("Priya Patel", UserRole.CRM_ADMINISTRATOR, james)
    assert demo_store.users.set_user_role("James Carter", UserRole.VIEWER, james).role \
        is UserRole.VIEWER


def test_without_an_administrator_managers_may_name_one(empty_store: Store) -> None:
    """A database made before roles were managed has only Marketing Managers: one of them
    may give roles until it has an administrator."""
    with empty_store.orm_session() as session:
        session.add_all([User(name="Old Manager", role=UserRole.MARKETING_MANAGER),
                         User(name="Old Viewer", role=UserRole.VIEWER)])
    manager = empty_store.users.current_user("Old Manager")
    viewer = empty_store.users.current_user("Old Viewer")
    assert empty_store.users.may(manager, Permission.MANAGE_USERS)
    assert not empty_store.users.may(viewer, Permission.MANAGE_USERS)
    empty_store.users.set_user_role("Old Manager", UserRole.CRM_ADMINISTRATOR, manager)
    newcomer = empty_store.users.add_user("New Manager", UserRole.MARKETING_MANAGER,
                                          empty_store.users.current_user("Old Manager"))
    assert not empty_store.users.may(newcomer, Permission.MANAGE_USERS)
