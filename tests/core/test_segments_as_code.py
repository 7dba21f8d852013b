"""Segments as code, the pure part (C21.4): the file written and read
(core/formats/segments_toml.py) and the plan and its writes (core/segment_plan.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segtui.core.enums import SegmentStatus
from segtui.core.formats.segments_toml import HEADER, SegmentsFileError, SegmentSpec, dump, read
from segtui.core.rules.language import parse
from segtui.core.segment_plan import Change, Stored, make_plan, writes

VIP = SegmentSpec("VIP", SegmentStatus.ACTIVE, "Best", ("b", "A"), parse("score > 70"))
LIST = SegmentSpec("Launch List", SegmentStatus.DRAFT, members=("b@x.org", "A@x.org"))


def stored(spec: SegmentSpec, segment_id: int = 1, **ids: int) -> Stored:
    return Stored(segment_id, 3, spec, ids)


def test_dump_is_canonical() -> None:
    """C21.4.1: header, format, segments by name, keys in a fixed order, tags and
    members sorted; reading it back gives the same segments, and dumping those the same
    bytes."""
    text = dump([VIP, LIST])
    assert text.startswith(HEADER + "\nformat = 1\n\n[[segment]]\nname = \"Launch List\"\n"
                           'type = "static"\nstatus = "Draft"\ndescription = ""\ntags = []\n'
                           'members = [\n    "A@x.org",\n    "b@x.org",\n]\n')
    assert text.endswith('name = "VIP"\ntype = "dynamic"\nstatus = "Active"\n'
                         'description = "Best"\ntags = [\n    "A",\n    "b",\n]\n'
                         'rule = "score > 70"\n')
    assert dump(read(text)) == text
    assert dump([LIST, VIP]) == text


def test_hidden_characters_are_written_as_escapes() -> None:
    """C21.4.1: a bidi control or a zero-width space can't hide in the file or a diff."""
    spec = SegmentSpec("A", description="left \u202eright\u200b")
    text = dump([spec])
    assert 'description = "left \\u202Eright\\u200B"' in text
    assert "\u202e" not in text and read(text) == (spec,)


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(
    '\n\t"\\\'`[]'), max_size=60))
def test_any_description_survives_the_round_trip(description: str) -> None:
    spec = SegmentSpec("A", description=description.strip())
    assert read(dump([spec])) == (spec,)


def test_every_mistake_is_named_with_its_line_and_segment() -> None:
    """C21.4.2."""
    text = ('format = 1\n\n[[segment]]\nname = "Fine"\ntype = "static"\nstatus = "Draft"\n'
            '\n[[segment]]\nname = "Bad"\ntype = "dynamic"\nstatus = "Draft"\n'
            'rule = "score >"\nextra = 1\n'
            '\n[[segment]]\nname = "FINE"\ntype = "static"\nstatus = "Draft"\n'
            'members = ["\\u001b[2J"]\n')
    with pytest.raises(SegmentsFileError) as caught:
        read(text, "s.toml")
    assert caught.value.problems == (
        "s.toml, line 8 (segment 'Bad'): unknown key 'extra' (known: name, type, status, "
        "description, tags, rule, members)",
        "s.toml, line 8 (segment 'Bad'): rule: column 8: expected a value, found the "
        "end",
        "s.toml, line 15 (segment 'FINE'): members: '\\x1b[2J' holds ESC",
    )


def test_a_file_must_say_its_format() -> None:
    with pytest.raises(SegmentsFileError, match="`format = 1` is missing"):
        read('[[segment]]\nname = "A"\ntype = "static"\nstatus = "Draft"\n')
    with pytest.raises(SegmentsFileError, match="unknown key 'segments'"):
        read("format = 1\n[[segments]]\n")


def test_plan_creates_updates_and_deletes_only_with_prune() -> None:
    """C21.4.3, C21.4.4: by name, case ignored; old → new per field."""
    have = [stored(SegmentSpec("vip", SegmentStatus.DRAFT, "Best", ("a", "B"),
                               parse("score > 50")), 1),
            stored(SegmentSpec("Old Name"), 2)]
    want = [VIP, SegmentSpec("New Name")]
    plan = make_plan(want, have)
    assert [c.spec.name for c in plan.creates] == ["New Name"]
    assert [(u.name, u.changes) for u in plan.updates] == [("VIP", (
        Change("name", "vip", "VIP"), Change("status", "Draft", "Active"),
        Change("rule", "score > 50", "score > 70")))]  # tags differ only in case
    assert plan.deletes == () and plan.kept == ("Old Name",)
    assert "A segment renamed in the file is created under its new name" in plan.lines()[-1]
    pruned = make_plan(want, have, prune=True)
    assert [d.stored.id for d in pruned.deletes] == [2] and pruned.kept == ()
    assert pruned.summary() == "Plan: 1 segment to create, 1 to update, 1 to delete."
    assert not make_plan([], []).changed


def test_a_reference_in_another_case_is_no_change() -> None:
    rule = parse('in segment "Vip"')
    have = [stored(VIP, 1), stored(SegmentSpec("Fans", rule=parse('in segment "VIP"')), 2)]
    assert not make_plan([VIP, SegmentSpec("Fans", rule=rule)], have).changed


def test_members_change_by_email_key_and_only_when_given() -> None:
    """C21.4.6."""
    have = [stored(SegmentSpec("Launch List", SegmentStatus.DRAFT,
                               members=("a@x.org", "c@x.org")), 1, **{"c@x.org": 30})]
    plan = make_plan([LIST], have)
    assert [(u.add, u.remove, u.changes) for u in plan.updates] == [
        (("b@x.org",), ("c@x.org",), ())]
    assert writes(plan, {"b@x.org": 20})[0].add == (20,)
    assert writes(plan, {"b@x.org": 20})[0].remove == (30,)
    no_members = SegmentSpec("Launch List", SegmentStatus.DRAFT)
    assert not make_plan([no_members], have).changed


def test_writes_come_in_an_order_that_works() -> None:
    """C21.4.5: a new rule's new segments first; a deleted segment after those naming
    it; an unchanged rule stays the stored one (its references resolved)."""
    fans = SegmentSpec("A Fans", rule=parse('in segment "Z New"'))
    new = SegmentSpec("Z New")
    gone = [stored(SegmentSpec("Gone"), 5),
            stored(SegmentSpec("Gone Too", rule=parse('in segment "Gone"')), 6),
            stored(SegmentSpec("Kept", status=SegmentStatus.DRAFT, rule=parse(
                'in segment "Gone Too"')), 7)]
    kept = SegmentSpec("Kept", SegmentStatus.ACTIVE, rule=parse('in segment "gone too"'))
    order = writes(make_plan([fans, new, kept], gone, prune=True), {})
    assert [(w.action, w.name) for w in order] == [
        ("create", "Z New"), ("create", "A Fans"), ("update", "Kept"),
        ("delete", "Gone Too"), ("delete", "Gone")]
    update = order[2]
    assert update.draft is not None and update.draft.rule == gone[2].spec.rule
    assert update.segment_id == 7 and update.version == 3
