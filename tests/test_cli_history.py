"""`segtui segments history`, `migration`, `history-retention`, `set-history-retention`
and `prune-history` (C20.1.4, C20.2.4, C20.3.2), driven through the CLI runner on both
engines, checked against what the database holds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from segtui.core.history import HistoryFilter
from tests.test_cli_script import db, ok_json, opened, run, user_error  # noqa: F401

SEGMENT = "Product Trial Users"  # the demo's segment with three ended stays
ADMIN, VIEWER, OWNER = "James Carter", "Alex Kim", "Sarah Mitchell"


def test_history_lists_the_changes_the_database_holds(db: str) -> None:  # noqa: F811
    shown = ok_json(run(db, "segments", "history", SEGMENT, "--json", "--limit", "500",
                        user=VIEWER))
    with opened(db) as store:
        segment_id = store.segments.segment_id_named(SEGMENT)
        assert segment_id is not None
        page = store.history.changes(segment_id, HistoryFilter(), limit=500)
    assert [(c["contact_id"], c["change"]) for c in shown["changes"]] == [
        (c.contact_id, c.direction.value) for c in page.changes]
    assert not shown["more"]
    left = ok_json(run(db, "segments", "history", SEGMENT, "--only", "left", "--json"))
    assert [c["change"] for c in left["changes"]] == ["left"] * 3
    assert all(c["why"] == "manual" and c["by"] == OWNER for c in left["changes"])
    one = ok_json(run(db, "segments", "history", SEGMENT, "--json", "--since",
                      "2023-11-30", "--until", "2023-11-30"))
    assert len(one["changes"]) == 3
    text = run(db, "segments", "history", SEGMENT, "--limit", "2")
    assert text.exit_code == 0 and "(the newest 2;" in text.stdout


def test_history_sizes_day_by_day(db: str) -> None:  # noqa: F811
    days = ok_json(run(db, "segments", "history", SEGMENT, "--sizes", "--since",
                       "2023-11-29", "--until", "2023-11-30", "--json"))["days"]
    assert [(d["day"], d["members"] - d["entered"] + d["left"], d["left"]) for d in days] \
        == [("2023-11-29", 15, 0), ("2023-11-30", 16, 3)]


def test_migration_says_stability_and_where_the_leavers_went(db: str) -> None:  # noqa: F811
    found = ok_json(run(db, "segments", "migration", SEGMENT, "--from", "2023-11-01",
                        "--to", "2024-02-25", "--json"))
    assert found["left"] == 3 and found["stayed"] == found["members_at_start"] - 3
    assert found["stability"] == pytest.approx(found["stayed"] / found["members_at_start"])
    assert found["went_to"] == [{"segment": "Marketing Engagers", "contacts": 3}]
    text = run(db, "segments", "migration", SEGMENT, "--days", "120")
    assert text.exit_code == 0 and "Those who left entered:" in text.stdout


@pytest.mark.parametrize(("args", "says"), [
    (["history", "Nope"], "no segment named 'Nope'"),
    (["history", SEGMENT, "--since", "yesterday"], "--since must be a date"),
    (["history", SEGMENT, "--only", "both"], "--only is entered or left"),
    (["migration", SEGMENT, "--from", "2024-01-01"], "give both --from and --to"),
    (["migration", SEGMENT, "--from", "2024-01-05", "--to", "2024-01-01"],
     "end must come after its start"),
])
def test_bad_input_is_one_clear_line(db: str, args: list[str], says: str  # noqa: F811
                                     ) -> None:
    assert says in user_error(run(db, "segments", *args))


def test_retention_and_prune_are_for_administrators(db: str,  # noqa: F811
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert ok_json(run(db, "segments", "history-retention", "--json")) == {
        "retention_days": 400}
    assert "not allowed" in user_error(run(db, "segments", "prune-history", user=VIEWER))
    assert "Keep the history from" in user_error(
        run(db, "segments", "set-history-retention", "10", user=ADMIN))
    assert run(db, "segments", "set-history-retention", "190", user=ADMIN).exit_code == 0
    # A year on, the three stays that ended on 2023-11-30 are older than 190 days.
    monkeypatch.setenv("SEGTUI_TODAY", (date(2024, 2, 26) + timedelta(days=365)).isoformat())
    dry = run(db, "segments", "prune-history", "--dry-run", user=ADMIN)
    assert dry.stdout == "3 memberships that ended before 2024-08-19 would be removed.\n"
    done = run(db, "segments", "prune-history", user=ADMIN)
    assert done.stdout == "3 memberships that ended before 2024-08-19 removed.\n"
    left = ok_json(run(db, "segments", "history", SEGMENT, "--only", "left", "--json"))
    assert left["changes"] == []
    days = ok_json(run(db, "segments", "history", SEGMENT, "--sizes", "--since",
                       "2023-11-30", "--until", "2023-11-30", "--json"))["days"]
    assert days[0]["left"] == 3  # the day is kept as a size
