"""Segments as code (C21.4): `segtui segments dump|plan|apply` through the command line on
the demo database, on SQLite and PostgreSQL. The round trip (dump, edit, plan shows the
edit, apply, dump again gives the edited file in its canonical form), --prune, the
Viewer's refusal and the file's mistakes, each changing nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from segtui import cli
from segtui.core.formats.segments_toml import dump, read
from segtui.data.db.tables import Activity, AuditEntry, Membership, Segment
from segtui.data.store import Store

runner = CliRunner()


def canonical(text: str) -> str:
    """The file as `segments dump` writes it (the demo's tag "Re-engagement" predates the
    rule against "-", so it is one the database has already: kept)."""
    return dump(read(text, kept_tags={"Re-engagement"}))


def run(store: Store, *args: str, user: str = "Sarah Mitchell") -> Result:
    url = store.url.render_as_string(hide_password=False)
    return runner.invoke(cli.app, ["--user", user, "--db", url, *args])


def state(store: Store) -> tuple[Any, ...]:
    """Everything apply could change: segments, memberships, activities, audit."""
    with store.reading() as conn:
        segments = conn.execute(select(Segment.id, Segment.name, Segment.description,
                                       Segment.status, Segment.rule, Segment.version)
                                .order_by(Segment.id)).all()
        counts = [conn.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in (Membership, Activity, AuditEntry)]
        return (tuple(segments), *counts)


def dumped(store: Store, tmp_path: Path, *options: str) -> str:
    path = tmp_path / "dumped.toml"
    result = run(store, "segments", "dump", "-o", str(path), *options)
    assert result.exit_code == 0, result.output
    return path.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "segments.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def with_hot_leads(store: Store) -> None:
    """The demo has only static segments: a dynamic one to edit."""
    result = run(store, "segments", "create", "Hot Leads", "--rule", "score > 70",
                 "--status", "active", "--tag", "Hot")
    assert result.exit_code == 0, result.output


WARM = '''
[[segment]]
name = "Warm Leads"
type = "dynamic"
status = "Draft"
description = "Scored, not hot yet"
tags = []
rule = "score between 40 and 70 and not in segment \\"hot leads\\""
'''


def test_round_trip_dump_edit_plan_apply_dump(demo_store: Store, tmp_path: Path) -> None:
    """C21.4.1, C21.4.3, C21.4.5: the plan shows exactly the edit, and after apply the
    dump is the edited file in canonical form."""
    with_hot_leads(demo_store)
    original = dumped(demo_store, tmp_path, "--members")
    assert original.startswith("# segtui segment definitions") and "\nformat = 1\n" in original
    assert original.count("[[segment]]") == 5
    assert run(demo_store, "segments", "plan", write(tmp_path, original), "--exit-code",
               "--prune").exit_code == 0
    edited = original.replace('description = "Contacts who actively engage with '
                              'marketing content"', 'description = "Engaged this quarter"')
    assert edited != original
    edited = edited.replace('rule = "score > 70"', 'rule = "score > 80"')
    edited = edited.replace('    "sarah.johnson@techcorp.com",\n', "")
    start = edited.index('[[segment]]\nname = "Inactive Subscribers"')
    edited = edited[:start] + edited[edited.index("[[segment]]", start + 5):] + WARM
    path = write(tmp_path, edited)

    plan = run(demo_store, "segments", "plan", path, "--json")
    assert plan.exit_code == 0, plan.output
    obj = json.loads(plan.stdout)
    assert [c["name"] for c in obj["create"]] == ["Warm Leads"]
    assert obj["create"][0]["rule"] == ('score between 40 and 70 and not in segment '
                                        '"hot leads"')
    assert {u["name"]: (u["changes"], u["remove_members"]) for u in obj["update"]} == {
        "Enterprise Prospects": ({}, ["sarah.johnson@techcorp.com"]),
        "Hot Leads": ({"rule": {"old": "score > 70", "new": "score > 80"}}, []),
        "Marketing Engagers": ({"description": {
            "old": "Contacts who actively engage with marketing content",
            "new": "Engaged this quarter"}}, []),
    }
    assert obj["delete"] == [] and obj["kept"] == ["Inactive Subscribers"]
    pending = run(demo_store, "segments", "plan", path, "--prune", "--exit-code")
    assert pending.exit_code == 2, pending.output
    assert pending.stdout.startswith("Plan: 1 segment to create, 3 to update, 1 to delete.")
    assert "- delete 'Inactive Subscribers'" in pending.stdout
    assert "    rule: score > 70 → score > 80" in pending.stdout

    applied = run(demo_store, "segments", "apply", path, "--prune", "--yes")
    assert applied.exit_code == 0, applied.output
    assert applied.stdout.endswith("Applied: 1 segment created, 3 updated, 1 deleted.\n")
    again = dumped(demo_store, tmp_path, "--members")
    # A rule names a segment as that segment spells its name.
    assert again == canonical(edited.replace('\\"hot leads\\"', '\\"Hot Leads\\"'))
    assert run(demo_store, "segments", "plan", write(tmp_path, again), "--prune",
               "--exit-code").stdout.startswith("No changes")
    # Each change was the app's write, logged on its segment by Sarah.
    warm = demo_store.segments.segment_id_named("Warm Leads")
    assert warm is not None
    shown = json.loads(run(demo_store, "segments", "show", "Warm Leads", "--json").stdout)
    assert shown["kind"] == "dynamic" and shown["owner"] == "Sarah Mitchell"
    assert shown["rule"] == 'score between 40 and 70 and not in segment "Hot Leads"'
    assert demo_store.segments.segment_id_named("Inactive Subscribers") is None


def test_without_prune_nothing_is_deleted(demo_store: Store, tmp_path: Path) -> None:
    """C21.4.4: a segment left out of the file stays; a renamed one is a create."""
    text = dumped(demo_store, tmp_path).replace('name = "Inactive Subscribers"',
                                                'name = "Lapsed Subscribers"')
    path = write(tmp_path, text)
    plan = run(demo_store, "segments", "plan", path)
    assert "+ create 'Lapsed Subscribers' (static)" in plan.stdout
    assert "Kept, not in the file (--prune deletes): 'Inactive Subscribers'" in plan.stdout
    assert "the old one is deleted only with --prune" in plan.stdout
    result = run(demo_store, "segments", "apply", path)
    assert result.exit_code == 0, result.output
    assert demo_store.segments.segment_id_named("Inactive Subscribers") is not None
    assert demo_store.segments.segment_id_named("Lapsed Subscribers") is not None
    # --prune deletes it, and only with --yes.
    before = state(demo_store)
    refused = run(demo_store, "segments", "apply", path, "--prune")
    assert refused.exit_code == 1 and "pass --yes" in refused.stderr
    assert state(demo_store) == before
    pruned = run(demo_store, "segments", "apply", path, "--prune", "--yes", "--json")
    assert pruned.exit_code == 0, pruned.output
    assert json.loads(pruned.stdout)["delete"] == ["Inactive Subscribers"]
    assert demo_store.segments.segment_id_named("Inactive Subscribers") is None


def test_a_prune_of_a_segment_in_active_campaigns_is_refused_by_the_plan_too(
        demo_store: Store, tmp_path: Path) -> None:
    """C21.4.4: the plan listed "- delete 'Marketing Engagers'" as fine and the apply then
    refused it (active campaigns use it): the plan says so now, as the apply does."""
    blocks = dumped(demo_store, tmp_path).split("\n[[segment]]\n")
    kept = [b for b in blocks if 'name = "Marketing Engagers"' not in b]
    assert len(kept) == len(blocks) - 1
    path = write(tmp_path, "\n[[segment]]\n".join(kept))
    before = state(demo_store)
    for command in (["plan", path, "--prune"], ["apply", path, "--prune", "--yes"]):
        refused = run(demo_store, "segments", *command)
        assert refused.exit_code == 1, refused.output
        assert "--prune would delete 'Marketing Engagers'" in refused.stderr
        assert "being used in active campaigns" in refused.stderr
    assert state(demo_store) == before
    # Without --prune it is kept, and said to be.
    assert "Kept, not in the file" in run(demo_store, "segments", "plan", path).stdout


def test_a_viewer_is_refused_and_nothing_changes(demo_store: Store, tmp_path: Path) -> None:
    """C21.4.5: the permission of `segments create|update|delete`."""
    path = write(tmp_path, dumped(demo_store, tmp_path).replace(
        "High-value enterprise leads", "Changed") + WARM.replace('\\"hot leads\\"',
                                                                 '\\"Marketing Engagers\\"'))
    before = state(demo_store)
    result = run(demo_store, "segments", "apply", path, "--prune", "--yes", user="Alex Kim")
    assert result.exit_code == 1
    assert result.stderr == "segtui: Alex Kim (Viewer) is not allowed to change segments.\n"
    assert state(demo_store) == before
    # A Viewer may look at the plan.
    assert run(demo_store, "segments", "plan", path, user="Alex Kim").exit_code == 0


def test_mistakes_in_the_file_change_nothing(demo_store: Store, tmp_path: Path) -> None:
    """C21.4.2: every mistake is named with its line and segment, and nothing changes,
    even when the file's other segments are good."""
    good = dumped(demo_store, tmp_path).replace("High-value enterprise leads", "Changed")
    cases = [
        ('name = "Warm Leads"\n', 'name = "Warm Leads\n', "not valid TOML"),
        ('tags = []\n', 'tags = []\ncolour = "red"\n', "unknown key 'colour'"),
        ('rule = "score', 'rule = "scor', "rule: column 1: unknown field 'scor'"),
        ('rule = "score between 40 and 70', 'rule = "score between 40 and',
         "rule: column"),
        ('name = "Warm Leads"', 'name = "[bold]Warm[/]"', "not “[”"),
        ('name = "Warm Leads"', f'name = "{"W" * 101}"', "at most 100 characters"),
        ('description = "Scored, not hot yet"', 'description = "\\u001b[31mred"',
         "can't contain ESC"),
        ('name = "Warm Leads"', 'name = "enterprise  PROSPECTS"',
         "the name is used twice in the file"),
        ('status = "Draft"', 'status = "Live"', "`status` must be one of"),
        ('type = "dynamic"', 'type = "static"', "a static segment has no `rule`"),
    ]
    before = state(demo_store)
    for old, new, says in cases:
        assert old in WARM, old
        path = write(tmp_path, good + WARM.replace(old, new))
        for command in (["plan", path], ["apply", path, "--prune", "--yes"]):
            result = run(demo_store, "segments", *command)
            assert result.exit_code == 1, (new, result.output)
            assert says in result.stderr, (says, result.stderr)
            if "TOML" not in says:
                line = good.count("\n") + 2  # WARM's [[segment]] line
                assert f"segments.toml, line {line}" in result.stderr, result.stderr
        assert state(demo_store) == before
    bad_format = write(tmp_path, good.replace("format = 1", "format = 2"))
    assert "format 2 is not one this segtui reads" in run(
        demo_store, "segments", "apply", bad_format).stderr
    assert state(demo_store) == before


def test_a_refusal_by_the_store_undoes_the_whole_apply(demo_store: Store, tmp_path: Path
                                                       ) -> None:
    """C21.4.5: all or nothing. The new segment and the edit come first, then deleting
    a segment the new segment's rule uses is refused by the Store: the first two are
    undone. (A segment active campaigns use is refused before anything is written,
    test_a_prune_of_a_segment_in_active_campaigns_is_refused_by_the_plan_too.)"""
    text = dumped(demo_store, tmp_path).replace("High-value enterprise leads", "Changed")
    start = text.index('[[segment]]\nname = "Inactive Subscribers"')
    text = text[:start] + text[text.index("[[segment]]", start + 5):] + WARM.replace(
        '\\"hot leads\\"', '\\"Inactive Subscribers\\"')
    before = state(demo_store)
    result = run(demo_store, "segments", "apply", write(tmp_path, text), "--prune", "--yes")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("segtui: 'Inactive Subscribers': This segment cannot "
                                    "be deleted: the rules of “Warm Leads” use it")
    assert result.stderr.endswith("; nothing changed\n")
    assert state(demo_store) == before
    assert demo_store.segments.segment_id_named("Warm Leads") is None


def test_static_members_round_trip(demo_store: Store, tmp_path: Path) -> None:
    """C21.4.1, C21.4.6: members are written only with --members; a file without them
    leaves members alone, one with them makes the members those emails."""
    plain = dumped(demo_store, tmp_path)
    assert "members = [" not in plain
    with_members = dumped(demo_store, tmp_path, "--members")
    assert '"sarah.johnson@techcorp.com",' in with_members
    members_before = state(demo_store)[2]
    assert run(demo_store, "segments", "apply", write(tmp_path, plain)).stdout.startswith(
        "No changes")
    assert state(demo_store)[2] == members_before
    new = with_members.replace('    "sarah.johnson@techcorp.com",\n', "") + '''
[[segment]]
name = "Chosen Few"
type = "static"
status = "Active"
members = ["SARAH.johnson@techcorp.com", "d.thompson@futuretech.net"]
'''
    path = write(tmp_path, new)
    plan = run(demo_store, "segments", "plan", path)
    assert "+ create 'Chosen Few' (static, 2 members)" in plan.stdout
    assert "    members: +0 −1; − sarah.johnson@techcorp.com" in plan.stdout
    assert run(demo_store, "segments", "apply", path).exit_code == 0
    again = dumped(demo_store, tmp_path, "--members")
    # A member is written as its contact's email is stored (the file matched it by key).
    assert again == canonical(new.replace("SARAH.johnson", "sarah.johnson"))
    assert 'members = [\n    "d.thompson@futuretech.net",\n    "sarah.johnson@techcorp.com"' \
        in again
    unknown = write(tmp_path, new.replace("d.thompson@futuretech.net", "nobody@x.org"),
                    "unknown.toml")
    before = state(demo_store)
    result = run(demo_store, "segments", "apply", unknown)
    assert result.exit_code == 1
    assert "no contact has the member email 'nobody@x.org'; nothing changed" in result.stderr
    assert state(demo_store) == before


def test_dump_to_standard_output_is_the_file(demo_store: Store, tmp_path: Path) -> None:
    result = run(demo_store, "segments", "dump")
    assert result.exit_code == 0, result.output
    assert result.stdout == dumped(demo_store, tmp_path)


def test_a_rule_names_a_segment_as_it_is_named_now(demo_store: Store, tmp_path: Path
                                                   ) -> None:
    """C21.4.1: the id in a stored rule is the identity; the dump writes today's name, so
    the file applies on a database where the old name never existed."""
    made = run(demo_store, "segments", "create", "Fans", "--rule",
               'in segment "Enterprise Prospects"')
    assert made.exit_code == 0, made.output
    renamed = run(demo_store, "segments", "update", "Enterprise Prospects", "--name",
                  "Big Accounts")
    assert renamed.exit_code == 0, renamed.output
    text = dumped(demo_store, tmp_path)
    assert 'rule = "in segment \\"Big Accounts\\""' in text
    plan = run(demo_store, "segments", "plan", write(tmp_path, text), "--exit-code")
    assert plan.exit_code == 0 and plan.stdout.startswith("No changes"), plan.output


def test_a_segment_saved_since_the_plan_was_read_is_a_conflict(demo_store: Store) -> None:
    """C21.4.5: every update's version is checked before anything is written."""
    from segtui.core.segment_plan import SegmentWrite, WriteRefused
    from segtui.core.segments import SegmentConflict, SegmentDraft

    sarah = demo_store.users.current_user("Sarah Mitchell")
    stored = {s.spec.name: s for s in demo_store.segments.definitions()}["Marketing Engagers"]
    before = state(demo_store)
    stale = (SegmentWrite("create", "Brand New", SegmentDraft("Brand New")),
             SegmentWrite("update", "Marketing Engagers",
                          SegmentDraft("Marketing Engagers", "Changed"), stored.id,
                          stored.version - 1))
    with pytest.raises(WriteRefused) as refused:
        demo_store.segments.apply_writes(stale, sarah)
    assert refused.value.name == "Marketing Engagers"
    assert isinstance(refused.value.reason, SegmentConflict)
    assert state(demo_store) == before
