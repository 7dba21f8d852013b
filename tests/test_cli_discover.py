"""`segtui discover` and `segtui discover-keep` (C22.6) on the demo, on both engines: the
text and the --json shape, the same seed the same clusters, a kept cluster's members,
hostile industry and tag names shown literally, and the refusals (exit 2 for a usage
mistake, one `segtui:` line and exit 1 for the rest)."""

from __future__ import annotations

import json

from sqlalchemy import func, select, update
from typer.testing import CliRunner, Result

from segtui import cli
from segtui.core.rules.language import parse
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Company, Membership, Segment, Tag
from segtui.data.store import Store

runner = CliRunner()
HOSTILE_INDUSTRY = "[bold]Evil[/] \x1b[31mRed"
HOSTILE_TAG = "[red]VIP[/]"


def run(store: Store, *args: str, user: str = "Sarah Mitchell") -> Result:
    url = store.url.render_as_string(hide_password=False)
    return runner.invoke(cli.app, ["--user", user, "--db", url, *args])


def members(store: Store, segment_id: int) -> set[int]:
    with store.reading() as conn:
        return set(conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id, current_membership())).scalars())


def segments(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Segment)).scalar_one())


def test_json_holds_the_clusters_profiles_and_rules(demo_store: Store) -> None:
    """C22.6.2: the example the command was asked for, its whole structure."""
    result = run(demo_store, "discover", "--dimensions", "size,industry,spent,engaged",
                 "--k", "auto", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["dimensions"] == ["size", "industry", "spent", "engaged"]
    assert found["k_chosen"] is True and found["population"] == 255
    assert [s["k"] for s in found["k_scores"]] == list(range(2, 9))
    assert found["k"] == len(found["clusters"])
    assert sum(c["size"] for c in found["clusters"]) == 255
    first = found["clusters"][0]
    assert first["number"] == 1 and set(first) == {
        "number", "index", "name", "size", "share", "traits", "engagement_rate",
        "conversion_rate", "revenue_per_member_cents", "retention_rate", "suggested_rule"}
    assert set(first["traits"][0]) == {"dimension", "text", "weight"}
    rule = first["suggested_rule"]
    assert set(rule) == {"rule", "precision", "recall", "matches", "in_cluster"}
    parse(rule["rule"])  # the rule language's own text
    assert rule["precision"] == round(rule["in_cluster"] / rule["matches"], 4)


def test_text_and_the_same_seed(demo_store: Store) -> None:
    """C22.6.1: the table a person reads; a seed gives the same clusters every run."""
    first = run(demo_store, "discover", "--k", "3", "--seed", "5")
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert lines[0].startswith("255 contacts in 3 clusters; k = 3; ")
    assert lines[2].startswith("1. ") and "contacts (" in lines[2]
    assert any(line.startswith("   rule: ") for line in lines)
    assert any(line.startswith("   precision ") for line in lines)
    again = run(demo_store, "discover", "--k", "3", "--seed", "5")
    assert again.stdout.splitlines()[1:] == lines[1:]  # all but the time taken


def test_keeping_a_cluster(demo_store: Store) -> None:
    """C22.6.3: cluster 1 kept static has its members; cluster 2 kept dynamic has the
    rule's members (what `segments count` counts)."""
    shown = json.loads(run(demo_store, "discover", "--k", "3", "--json").stdout)
    static = run(demo_store, "discover-keep", "1", "--k", "3", "--json")
    assert static.exit_code == 0, static.output
    obj = json.loads(static.stdout)
    assert obj["kind"] == "static" and obj["members"] == shown["clusters"][0]["size"]
    # Where it came from, as the screen's Keep says it (--description to say otherwise).
    assert obj["description"].startswith("From Discover on ")
    assert "one of 3 clusters by Company size, Industry" in obj["description"]
    dynamic = run(demo_store, "discover-keep", "2", "--k", "3", "--as", "dynamic",
                  "--name", "Second Cluster")
    assert dynamic.exit_code == 0, dynamic.output
    assert dynamic.stdout.startswith("Kept cluster 2 (")
    rule = shown["clusters"][1]["suggested_rule"]["rule"]
    sid = demo_store.segments.segment_id_named("Second Cluster")
    assert sid is not None
    assert len(members(demo_store, sid)) == demo_store.rules.rule_count(
        demo_store.rules.check_rule(parse(rule))[0])
    before = segments(demo_store)
    again = run(demo_store, "discover-keep", "2", "--k", "3", "--name", "second  cluster")
    assert again.exit_code == 1 and again.stderr.startswith("segtui: ")
    assert "already" in again.stderr and segments(demo_store) == before


def test_hostile_names_show_literally(demo_store: Store) -> None:
    """Markup shows as typed and an escape code as a stand-in, in the text and in JSON."""
    with demo_store.orm_session() as session:
        session.execute(update(Company).where(Company.id % 2 == 0)
                        .values(industry=HOSTILE_INDUSTRY))
        session.execute(update(Tag).where(Tag.id == 1).values(name=HOSTILE_TAG))
    result = run(demo_store, "discover", "--dimensions", "industry,tags", "--k", "4")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "[bold]Evil[/] ␛[31mRed" in result.stdout
    as_json = run(demo_store, "discover", "--dimensions", "industry,tags", "--k", "4",
                  "--json")
    assert "\x1b" not in as_json.stdout
    texts = [t["text"] for c in json.loads(as_json.stdout)["clusters"] for t in c["traits"]]
    assert any(HOSTILE_INDUSTRY in t for t in texts)


def test_mistakes_are_said(demo_store: Store) -> None:
    """A usage mistake exits 2 naming the option; the rest one line and exit 1."""
    bad = run(demo_store, "discover", "--dimensions", "size,shoe")
    assert bad.exit_code == 2 and "'shoe' is not a dimension" in bad.stderr
    assert run(demo_store, "discover", "--k", "many").exit_code == 2
    for args, said in ((["--k", "50"], "k must be from 2 to 20"),
                       (["--dimensions", ","], "Choose at least one dimension"),
                       (["--segment", "No Such Segment"], "no segment named"),
                       (["--window", "0"], "The engagement window must be from 1"),
                       (["--segment", "Marketing Engagers", "--k", "20",
                         "--dimensions", "size"], "differ in only 3 ways")):
        result = run(demo_store, "discover", *args)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("segtui: ") and said in result.stderr
        assert result.stderr.count("\n") == 1
    none = run(demo_store, "discover-keep", "9", "--k", "2")
    assert none.exit_code == 1 and "there is no cluster 9" in none.stderr
    assert run(demo_store, "discover-keep", "1", "--as", "fluid").exit_code == 2
    assert run(demo_store, "discover-keep", "1", "--rule", "x = 1").exit_code == 2
    wrong = run(demo_store, "discover-keep", "1", "--k", "2", "--as", "dynamic",
                "--rule", "spent >")
    assert wrong.exit_code == 1 and "expected a value" in wrong.stderr


def test_a_viewer_may_discover(demo_store: Store) -> None:
    """It only reads: the demo's Viewer runs it (keeping is refused: test_cli_access)."""
    result = run(demo_store, "discover", "--k", "2", user="Alex Kim")
    assert result.exit_code == 0, result.output
