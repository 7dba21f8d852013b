"""C19.3.3-C19.3.7 on the command line: `segtui users list` with team, status, last seen
and segments owned (text and JSON), `users deactivate [--transfer-to]`, `reactivate`,
`set-team` and `transfer`, for administrators only; a deactivated user can start neither
the app nor a command; bad input (yourself, an unknown user, a team with an escape
character) is one line and changes nothing. Both engines."""

from __future__ import annotations

import pytest

import segtui.app
from tests.test_cli_script import db, ok_json, run, user_error  # noqa: F401 (db: a fixture)

ADMIN, MANAGER, OTHER = "James Carter", "Priya Patel", "Sarah Mitchell"


@pytest.fixture(autouse=True)
def no_user_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGTUI_USER", raising=False)


def listed(db: str) -> dict[str, dict[str, object]]:  # noqa: F811
    # As an administrator: the database's default user (Sarah Mitchell) is deactivated in
    # some tests, and a deactivated user reads nothing either (C19.3.4).
    return {u["name"]: u for u in ok_json(run(db, "users", "list", "--json", user=ADMIN))}


def test_list_shows_team_status_last_seen_and_segments(db: str) -> None:  # noqa: F811
    assert run(db, "users", "set-team", OTHER, "Growth", user=ADMIN).stdout == \
        "'Sarah Mitchell' is now in team 'Growth'.\n"
    users = listed(db)
    assert users[OTHER] == {"id": users[OTHER]["id"], "name": OTHER,
                            "role": "Marketing Manager", "team": "Growth", "active": True,
                            "segments_owned": 2, "last_seen_at": None, "login": None}
    assert users[ADMIN]["last_seen_at"] == "2024-02-26T12:00:00"  # the one who acted
    text = run(db, "users", "list").stdout.splitlines()
    assert text[0].split() == ["ID", "NAME", "ROLE", "TEAM", "ACTIVE", "LAST", "SEEN",
                               "OWNED"]
    assert any(line.split()[1:] == ["Sarah", "Mitchell", "Marketing", "Manager", "Growth",
                                    "yes", "never", "2"] for line in text)


def test_deactivate_with_transfer_then_reactivate(db: str, monkeypatch: pytest.MonkeyPatch  # noqa: F811
                                                   ) -> None:
    done = run(db, "users", "deactivate", OTHER, "--transfer-to", MANAGER, user=ADMIN)
    assert done.exit_code == 0, done.output
    assert done.stdout == ("2 segments of Sarah Mitchell now belong to Priya Patel. "
                           "Deactivated 'Sarah Mitchell': they may no longer use segtui.\n")
    users = listed(db)
    assert (users[OTHER]["active"], users[OTHER]["segments_owned"]) == (False, 0)
    assert users[MANAGER]["segments_owned"] == 3
    refusal = ("segtui: Sarah Mitchell was deactivated by an administrator: an "
               "administrator can reactivate them (segtui users reactivate)")
    assert user_error(run(db, "segments", "create", "Hers", user=OTHER)) == refusal + "\n"
    assert user_error(run(db, "quality", user=OTHER)) == refusal + "\n"  # an audited look
    assert user_error(run(db, "segments", "list", user=OTHER)) == refusal + "\n"  # a read

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the app must not start")

    monkeypatch.setattr(segtui.app.SegtuiApp, "run", never)
    assert user_error(run(db, user=OTHER)) == refusal + "\n"
    assert run(db, "users", "reactivate", OTHER, user=ADMIN).stdout == \
        "Reactivated 'Sarah Mitchell'.\n"
    assert run(db, "segments", "create", "Hers", user=OTHER).exit_code == 0


def test_transfer_gives_every_segment(db: str) -> None:  # noqa: F811
    assert run(db, "users", "transfer", OTHER, "--to", ADMIN, user=ADMIN).stdout == \
        "2 segments of Sarah Mitchell now belong to James Carter.\n"
    assert run(db, "users", "transfer", OTHER, "--to", ADMIN, user=ADMIN).stdout == \
        "Sarah Mitchell owns no segments: nothing was transferred.\n"
    assert listed(db)[ADMIN]["segments_owned"] == 3


@pytest.mark.parametrize(("args", "said"), [
    (["deactivate", ADMIN], "James Carter can't deactivate themselves: another CRM "
                            "Administrator can"),
    (["deactivate", "Nobody"], "no user named 'Nobody' (segtui users list shows who "
                               "there is)"),
    (["reactivate", OTHER], "Sarah Mitchell is active already"),
    (["set-team", OTHER, "\x1b[31mRed"], "a team name can't contain invisible characters"),
    (["set-team", OTHER], "give a TEAM, or --none to take the user out of their team"),
    (["transfer", OTHER, "--to", OTHER], "Sarah Mitchell's segments are theirs already: "
                                         "pick someone else"),
    (["deactivate", OTHER, "--transfer-to", "Nobody"], "no user named 'Nobody'"),
])
def test_bad_input_is_one_line_and_changes_nothing(db: str, args: list[str],  # noqa: F811
                                                   said: str) -> None:
    before = listed(db)
    assert user_error(run(db, "users", *args, user=ADMIN)).startswith(f"segtui: {said}")
    after = listed(db)
    assert {n: {k: v for k, v in u.items() if k != "last_seen_at"} for n, u in after.items()} \
        == {n: {k: v for k, v in u.items() if k != "last_seen_at"} for n, u in before.items()}


def test_team_none_and_markup(db: str) -> None:  # noqa: F811
    run(db, "users", "set-team", OTHER, "[bold]Growth[/]", user=ADMIN)
    assert listed(db)[OTHER]["team"] == "[bold]Growth[/]"
    assert run(db, "users", "set-team", OTHER, "--none", user=ADMIN).stdout == \
        "'Sarah Mitchell' is now in no team.\n"
    assert listed(db)[OTHER]["team"] is None


def test_a_manager_is_refused(db: str) -> None:  # noqa: F811
    assert user_error(run(db, "users", "deactivate", OTHER, user=MANAGER)) == \
        "segtui: Priya Patel (Marketing Manager) is not allowed to manage users.\n"
