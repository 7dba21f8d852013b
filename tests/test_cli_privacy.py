"""C19.4, C19.5 on the command line: `segtui audit`, `segtui contacts erase` and
`segtui contacts export-data`, for administrators only; both engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli_script import db, ok_json, opened, run  # noqa: F401 (db: a fixture)

ADMIN, MANAGER = "James Carter", "Sarah Mitchell"
SARAH = "sarah.johnson@techcorp.com"  # contact 1


@pytest.fixture(autouse=True)
def no_user_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGTUI_USER", raising=False)


def test_erase_asks_first_then_erases_and_says_what_went(db: str) -> None:  # noqa: F811
    refused = run(db, "contacts", "erase", SARAH, user=ADMIN)
    assert refused.exit_code == 1
    assert "nothing erased; run again with --yes" in refused.stderr
    erased = ok_json(run(db, "contacts", "erase", SARAH, "--yes", "--json", user=ADMIN))
    assert erased["contact_id"] == 1 and erased["events"] > 0 and erased["segments"]
    with opened(db) as store:
        assert store.contacts.contact_details(1) is None
    again = run(db, "contacts", "erase", SARAH, "--yes", user=ADMIN)
    assert again.exit_code == 1 and f"no contact with email '{SARAH}'" in again.stderr


def test_export_data_writes_everything_about_one_contact(db: str, tmp_path: Path  # noqa: F811
                                                         ) -> None:
    out = tmp_path / "sarah.json"
    result = run(db, "contacts", "export-data", "1", "-o", str(out), user=ADMIN)
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["contact"]["email"] == SARAH
    assert set(document) == {"contact", "company", "tags", "events", "segment_stays",
                             "segment_exclusions"}
    to_stdout = json.loads(run(db, "contacts", "export-data", SARAH, user=ADMIN).stdout)
    assert to_stdout == document


def test_audit_lists_who_did_what_filtered(db: str) -> None:  # noqa: F811
    assert run(db, "contacts", "export-data", "1", user=ADMIN).exit_code == 0
    assert run(db, "segments", "create", "Audited", user=MANAGER).exit_code == 0
    entries = ok_json(run(db, "audit", "--json", user=ADMIN))
    assert [(e["actor"], e["action"]) for e in entries][:3] == [
        (ADMIN, "access_logs_checked"), (MANAGER, "segment_created"),
        (ADMIN, "contact_data_exported")]
    assert entries[1]["segment"] == "Audited"
    mine = ok_json(run(db, "audit", "--user-of", MANAGER, "--json", user=ADMIN))
    assert {e["actor"] for e in mine} == {MANAGER}
    created = ok_json(run(db, "audit", "--action", "segment_created", "--json", user=ADMIN))
    assert [e["segment"] for e in created] == ["Audited"]
    assert ok_json(run(db, "audit", "--since", "2099-01-01", "--json", user=ADMIN)) == []
    text = run(db, "audit", "--segment", "Audited", user=ADMIN)
    assert text.exit_code == 0 and "segment_created" in text.stdout


@pytest.mark.parametrize("command", [["audit"], ["contacts", "erase", "1", "--yes"],
                                     ["contacts", "export-data", "1"]])
def test_a_manager_is_refused_and_nothing_happens(db: str, command: list[str]  # noqa: F811
                                                  ) -> None:
    result = run(db, *command, user=MANAGER)
    assert result.exit_code == 1
    assert "Sarah Mitchell (Marketing Manager) is not allowed to" in result.stderr
    with opened(db) as store:
        assert store.contacts.contact_details(1) is not None


def test_the_segment_limit_is_shown_to_anyone_and_set_by_an_administrator(
        db: str) -> None:  # noqa: F811
    shown = ok_json(run(db, "segments", "limit", "--json", user=MANAGER))
    assert shown["limit"] == 50 and shown["user"] == MANAGER and 0 < shown["left"] < 50
    refused = run(db, "segments", "set-limit", "3", user=MANAGER)
    assert refused.exit_code == 1 and "is not allowed to change the segment limit" in \
        refused.stderr
    owned = 50 - shown["left"]
    assert run(db, "segments", "set-limit", str(owned), user=ADMIN).exit_code == 0
    full = run(db, "segments", "create", "One Too Many", user=MANAGER)
    assert full.exit_code == 1 and "Sarah Mitchell already owns" in full.stderr
    wrong = run(db, "segments", "set-limit", "0", user=ADMIN)
    assert wrong.exit_code == 1 and "from 1 to 100,000" in wrong.stderr
