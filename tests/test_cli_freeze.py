"""`segtui segments freeze` and `segtui campaigns status` (C20.4.3, C20.4.4) through the
command line, on both engines: what is printed, what the database then holds, and the
refusals (one line, exit 1, nothing written)."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from segtui import cli
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Membership, Segment
from segtui.data.store import Store

runner = CliRunner()


def run(store: Store, *args: str, user: str = "Sarah Mitchell") -> Result:
    url = store.url.render_as_string(hide_password=False)
    return runner.invoke(cli.app, ["--user", user, "--db", url, *args])


def members(store: Store, segment_id: int) -> set[int]:
    with store.reading() as conn:
        return set(conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id, current_membership())).scalars())


def count(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Segment)).scalar_one())


def test_freeze_prints_the_snapshot_and_the_database_holds_it(demo_store: Store) -> None:
    result = run(demo_store, "segments", "freeze", "enterprise  prospects", "--json")
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert obj["name"] == "Enterprise Prospects snapshot 2024 02 26"
    assert obj["frozen_from"] == "Enterprise Prospects" and obj["kind"] == "static"
    source = demo_store.segments.segment_id_named("Enterprise Prospects")
    assert source is not None
    assert members(demo_store, obj["id"]) == members(demo_store, source)
    assert obj["members"] == len(members(demo_store, source))
    # The default name is taken now: said, with the way out.
    again = run(demo_store, "segments", "freeze", "Enterprise Prospects")
    assert again.exit_code == 1
    assert "already exists" in again.stderr and "--as NEW_NAME" in again.stderr
    named = run(demo_store, "segments", "freeze", "Enterprise Prospects", "--as", "Q1 List")
    assert named.exit_code == 0, named.output
    assert named.stdout.startswith("Froze 45 members of 'Enterprise Prospects' into 'Q1 List'.")


def test_freeze_refusals_write_nothing(demo_store: Store) -> None:
    before = count(demo_store)
    for args, user, says in [
        (["Enterprise Prospects", "--as", "[bold]x[/]"], "Sarah Mitchell", "not “[”"),
        (["Enterprise Prospects", "--as", "y" * 101], "Sarah Mitchell", "at most 100"),
        (["No Such Segment"], "Sarah Mitchell", "no segment named"),
        (["Enterprise Prospects"], "Alex Kim", "Alex Kim (Viewer) is not allowed to change "
                                                "segments"),
    ]:
        result = run(demo_store, "segments", "freeze", *args, user=user)
        assert result.exit_code == 1, result.output
        assert says in result.stderr and result.stderr.count("\n") == 1
    assert count(demo_store) == before


def test_campaign_status_active_snapshots_and_others_do_not(demo_store: Store) -> None:
    before = count(demo_store)
    paused = run(demo_store, "campaigns", "status", "Q1 Enterprise Outreach", "paused")
    assert paused.exit_code == 0, paused.output
    assert paused.stdout == "“Q1 Enterprise Outreach”: Active → Paused.\n"
    assert count(demo_store) == before
    viewer = run(demo_store, "campaigns", "status", "Product Demo Campaign", "active",
                 user="Alex Kim")
    assert viewer.exit_code == 1 and "not allowed to change campaigns" in viewer.stderr
    assert count(demo_store) == before
    result = run(demo_store, "campaigns", "status", "product demo campaign", "ACTIVE",
                 "--json")
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert (obj["before"], obj["status"], obj["changed"]) == ("Paused", "Active", True)
    [snap] = obj["snapshots"]
    assert snap["name"] == "Enterprise Prospects Product Demo Campaign sent 2024 02 26"
    source = demo_store.segments.segment_id_named("Enterprise Prospects")
    assert source is not None
    assert members(demo_store, snap["id"]) == members(demo_store, source)
    assert count(demo_store) == before + 1
    unknown = run(demo_store, "campaigns", "status", "Nope", "active")
    assert unknown.exit_code == 1 and "no campaign named “Nope”" in unknown.stderr
    draft = run(demo_store, "campaigns", "status", "Nope", "draft")
    assert draft.exit_code == 2
