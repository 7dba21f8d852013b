"""`segtui segments list` and `show` carry a dynamic segment's evaluation (C20.7.7), on
SQLite and PostgreSQL: when, how long, and a failure (error and when) until a success
clears it; static segments have nulls. The failing rule names a field this segtui does
not know, written behind the Store's back; the clock is 2024-02-26 12:00."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from segtui.core.contacts import ContactSelection
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import Segment
from tests.test_cli_script import (
    db,  # noqa: F401  (the fixture: a demo copy per engine)
    ok_json,
    opened,
    run,
)

NOW = datetime(2024, 2, 26, 12, 0)
BROKEN = ('{"version":1,"rule":{"group":"and","children":['
          '{"field":"shoe_size","op":"=","value":"9"}]}}')


def test_list_and_show_carry_the_evaluation_and_its_failure(db: str) -> None:  # noqa: F811
    with opened(db) as store:
        user = store.users.current_user("Sarah Mitchell")
        good = store.segments.create_segment(
            SegmentDraft("Boston Live", rule=parse("city = Boston")), ContactSelection(), user)
        bad = store.segments.create_segment(
            SegmentDraft("Broken Live", rule=parse("city = Boston")), ContactSelection(), user)
        with store.orm_session() as session:
            session.execute(update(Segment).where(Segment.id == good)
                            .values(evaluated_at=NOW - timedelta(minutes=3), evaluation_ms=120))
            session.execute(update(Segment).where(Segment.id == bad).values(rule=BROKEN))
        store.rules.refresh_segments([bad])
    by_name = {o["name"]: o for o in ok_json(run(db, "segments", "list", "--json"))}
    assert (by_name["Boston Live"]["evaluated_at"], by_name["Boston Live"]["evaluation_ms"],
            by_name["Boston Live"]["evaluation_error"]) == ("2024-02-26T11:57:00", 120, None)
    failed = by_name["Broken Live"]
    assert (failed["evaluation_error"], failed["evaluation_failed_at"]) == (
        "unknown field 'shoe_size'", "2024-02-26T12:00:00")
    static = by_name["Enterprise Prospects"]
    assert [static[k] for k in ("evaluated_at", "evaluation_ms", "evaluation_error",
                                "evaluation_failed_at")] == [None] * 4

    shown = ok_json(run(db, "segments", "show", "Broken Live", "--json"))
    assert shown["evaluation_error"] == "unknown field 'shoe_size'"
    text = run(db, "segments", "show", "Broken Live")
    assert text.exit_code == 0, text.output
    assert ("Evaluated:   2024-02-26T12:00:00 in " in text.stdout
            and "; failed 2024-02-26T12:00:00: unknown field 'shoe_size'" in text.stdout)

    # `segments refresh` evaluates the others, says which failed and why, and exits 1.
    refreshed = run(db, "segments", "refresh", "--all")
    assert refreshed.exit_code == 1
    assert "Boston Live: " in refreshed.stdout
    assert refreshed.stderr == (
        "segtui: Broken Live: evaluation failed: unknown field 'shoe_size'\n")

    # Fixed (a save evaluates it): the failure is gone from both (C20.7.3).
    with opened(db) as store:
        before = store.segments.segment_details(bad)
        assert before is not None
        store.segments.update_segment(
            bad, before.version, SegmentDraft("Broken Live", rule=parse("city = Boston")),
            ContactSelection(), store.users.current_user("Sarah Mitchell"))
    shown = ok_json(run(db, "segments", "show", "Broken Live", "--json"))
    assert (shown["evaluation_error"], shown["evaluation_failed_at"]) == (None, None)
    assert shown["evaluated_at"] == "2024-02-26T12:00:00"
    assert run(db, "segments", "refresh", "Broken Live").exit_code == 0
