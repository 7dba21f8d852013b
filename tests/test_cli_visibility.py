"""C19.3.2 on the command line: `segments set-visibility`, `hide`, `unhide`; a segment
hidden from the user is "no segment named X" for every command; only the owner or an
administrator may say who sees it. Both engines."""

from __future__ import annotations

import pytest

from tests.test_cli_script import db, ok_json, run, user_error  # noqa: F401 (db: a fixture)

ADMIN, OWNER, COLLEAGUE, VIEWER = "James Carter", "Sarah Mitchell", "Priya Patel", "Alex Kim"
SEGMENT = "Enterprise Prospects"  # Sarah Mitchell's


@pytest.fixture(autouse=True)
def no_user_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGTUI_USER", raising=False)


def listed(db: str, user: str) -> list[str]:  # noqa: F811
    return [s["name"] for s in ok_json(run(db, "segments", "list", "--json", user=user))]


def test_a_private_segment_is_no_segment_for_others(db: str) -> None:  # noqa: F811
    made = ok_json(run(db, "segments", "set-visibility", "enterprise prospects", "private",
                       "--json", user=OWNER))
    assert made == {"name": SEGMENT, "visibility": "Private", "hidden_from": [],
                    "changed": ["visibility Everyone → Private"]}
    assert SEGMENT not in listed(db, COLLEAGUE)
    assert SEGMENT in listed(db, OWNER) and SEGMENT in listed(db, ADMIN)
    for args in (["segments", "show", SEGMENT], ["segments", "show", SEGMENT, "--json"],
                 ["export", "members", SEGMENT],
                 ["segments", "update", SEGMENT, "--description", "mine now"],
                 ["segments", "delete", SEGMENT, "--yes"],
                 ["segments", "add-members", SEGMENT, "1"]):
        result = run(db, *args, user=COLLEAGUE)
        assert result.exit_code in (1, 2), (args, result.output)
        if result.exit_code == 1:
            assert f"no segment named '{SEGMENT}'" in result.stderr, (args, result.stderr)
    # Someone segtui has never seen reads as a new Viewer would, and is not recorded.
    assert SEGMENT not in listed(db, "Somebody New")
    shown = ok_json(run(db, "segments", "show", SEGMENT, "--json", user=OWNER))
    assert (shown["visibility"], shown["hidden_from"]) == ("Private", [])


def test_hidden_from_named_users(db: str) -> None:  # noqa: F811
    hidden = ok_json(run(db, "segments", "hide", SEGMENT, "--from", COLLEAGUE, "--from",
                         VIEWER, "--json", user=OWNER))
    assert hidden["hidden_from"] == [VIEWER, COLLEAGUE]
    assert SEGMENT not in listed(db, COLLEAGUE) and SEGMENT not in listed(db, VIEWER)
    text = run(db, "segments", "show", SEGMENT, user=ADMIN).stdout
    assert "Visibility:  Everyone" in text and f"Hidden from: {VIEWER}, {COLLEAGUE}" in text
    back = run(db, "segments", "unhide", SEGMENT, "--from", COLLEAGUE, user=ADMIN)
    assert back.exit_code == 0 and f"hidden from −{COLLEAGUE}" in back.stdout
    assert SEGMENT in listed(db, COLLEAGUE) and SEGMENT not in listed(db, VIEWER)
    assert "No user is named “Nobody”" in user_error(
        run(db, "segments", "hide", SEGMENT, "--from", "Nobody", user=OWNER))


def test_only_the_owner_or_an_administrator_says_who_sees_it(db: str) -> None:  # noqa: F811
    refused = user_error(run(db, "segments", "set-visibility", SEGMENT, "private",
                             user=COLLEAGUE))
    assert "Priya Patel (Marketing Manager) is not allowed to change who sees this " \
        "segment" in refused
    assert SEGMENT in listed(db, COLLEAGUE)  # nothing changed
    assert "Alex Kim (Viewer) is not allowed" in user_error(
        run(db, "segments", "hide", SEGMENT, "--from", COLLEAGUE, user=VIEWER))
    assert run(db, "segments", "set-visibility", SEGMENT, "team", user=ADMIN).exit_code == 0
    assert run(db, "segments", "set-visibility", SEGMENT, "bogus", user=ADMIN).exit_code == 2
    audited = ok_json(run(db, "audit", "--action", "permissions_modified", "--json",
                          user=ADMIN))
    assert [(e["actor"], e["segment"], e["details"]) for e in audited] == [
        (ADMIN, SEGMENT, "visibility Everyone → Owner's team")]


def test_refreshing_every_segment_names_none_hidden(db: str) -> None:  # noqa: F811
    made = run(db, "segments", "create", "Private Hot", "--rule", "score > 80", user=OWNER)
    assert made.exit_code == 0, made.output
    assert run(db, "segments", "set-visibility", "Private Hot", "private",
               user=OWNER).exit_code == 0
    theirs = run(db, "segments", "refresh", "--all", user=COLLEAGUE)
    assert theirs.exit_code == 0, theirs.output
    assert "Private Hot" not in theirs.stdout
    assert "Private Hot" in run(db, "segments", "refresh", "--all", user=OWNER).stdout
