"""Segment form rules (R7.2 Create Segment, R7.3 Edit Segment) and contact selections
(R7.2.5 contact picker, R7.11 Add Contacts), without a database.

R7.2, as the brief for these rules paraphrases it: the segment name is required,
letters, digits and spaces only, at most 100 characters, trimmed; the description is at most
500 characters; tags are "alphanumeric" (docs/demo-data.md: inner spaces are allowed, as in
the sample tag "Q1 2024"), at most 30 characters each, at most 10 per segment, and a tag may
not be added twice in a different case. R7.3 applies the same rules to an edit. The
"no control characters" rule keeps terminal escapes out of what other users' screens show.
"""

from __future__ import annotations

import unicodedata

import pytest

from segtui.core.contacts import ContactFilter, ContactSelection, SelectAll, Toggles
from segtui.core.enums import LeadStatus, SegmentStatus
from segtui.core.records import Choice
from segtui.core.segments import SegmentDraft
from segtui.core.validation import (
    DESCRIPTION_MAX,
    NAME_MAX,
    TAG_MAX,
    TAGS_MAX,
    FieldError,
    describe_char,
    description_error,
    normalise_name,
    segment_name_error,
    tag_error,
    tags_error,
)

ONLY = "Segment name may contain only letters, digits and spaces, not "
TAG_ONLY = "A tag may contain only letters, digits and spaces, not "

# -- segment name (R7.2: required, letters/digits/spaces, max 100, trimmed) ----------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        # Required.
        ("", "Segment name is required."),
        ("     ", "Segment name is required."),  # spaces only: trimmed to nothing
        ("\t", "Segment name is required."),  # str.strip() removes tabs too
        # At most 100 characters, counted after trimming.
        ("a" * NAME_MAX, None),
        ("a" * (NAME_MAX + 1), "Segment name must be at most 100 characters (this one has 101)."),
        ("  " + "a" * NAME_MAX + "  ", None),  # outer spaces don't count
        # Letters (any alphabet), digits and spaces.
        ("Enterprise Prospects", None),
        ("Q1 2024 Leads", None),
        ("Café Clients", None),  # precomposed é (NFC), as a keyboard types it
        ("Клиенты 2024", None),  # Cyrillic
        ("顧客 東京", None),  # CJK
        # Punctuation and markup.
        ("Q1-2024", ONLY + "“-”."),
        ("Leads!", ONLY + "“!”."),
        ("Sales & Marketing", ONLY + "“&”."),
        ("[bold]x[/]", ONLY + "“[”."),  # Rich markup never reaches a label
        # Terminal escapes and other control characters are named, not echoed.
        ("\x1b[31mRed", ONLY + "ESC."),
        ("Two\nLines", ONLY + "a line break."),
        ("Tab\tbed", ONLY + "TAB."),
        ("Carriage\rReturn", ONLY + "a carriage return."),
        ("Bell\x07", ONLY + "control character U+0007."),
        ("\u202eevil", ONLY + "control character U+202E."),  # bidi override (Cf)
        # Emoji.
        ("Happy 😀", ONLY + "“😀”."),
    ],
)
def test_segment_name_rules(name: str, message: str | None) -> None:
    assert segment_name_error(name) == message


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(unicodedata.normalize("NFD", "Café Clients"), id="decomposed-e-acute"),
        pytest.param("हिन्दी ग्राहक", id="devanagari"),
    ],
)
def test_letters_with_combining_marks_are_letters(name: str) -> None:
    assert segment_name_error(name) is None


def test_runs_of_inner_spaces_collapse() -> None:
    """Decision (docs/segments.md): runs of spaces become one, so "Enterprise  Prospects"
    is the same name as "Enterprise Prospects" (and collides with it)."""
    assert normalise_name("Enterprise  Prospects") == "Enterprise Prospects"
    draft = SegmentDraft("Q1  Leads", tags=("Q1  2024",)).normalised()
    assert (draft.name, draft.tags) == ("Q1 Leads", ("Q1 2024",))
    assert tag_error("q1  2024", ["Q1 2024"]) is not None  # a duplicate, spaces aside


def test_name_is_trimmed() -> None:
    assert normalise_name("  Enterprise Prospects \t") == "Enterprise Prospects"
    assert normalise_name("Inner  spaces  go") == "Inner spaces go"


@pytest.mark.parametrize(
    ("ch", "shown"),
    [
        (" ", "a space"),
        ("\x1b", "ESC"),
        ("\t", "TAB"),
        ("\n", "a line break"),
        ("\r", "a carriage return"),
        ("\x00", "control character U+0000"),
        ("\x9b", "control character U+009B"),  # C1 CSI: an escape on some terminals
        ("-", "“-”"),
    ],
)
def test_describe_char(ch: str, shown: str) -> None:
    assert describe_char(ch) == shown


# -- description (R7.2: max 500; control characters except line breaks and tabs) -----------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", None),
        ("x" * DESCRIPTION_MAX, None),
        (
            "x" * (DESCRIPTION_MAX + 1),
            "Description must be at most 500 characters (this one has 501).",
        ),
        ("First line\nSecond line", None),
        ("Column\tcolumn", None),
        ("Punctuation, [markup] & emoji 😀 are fine here.", None),
        ("Red \x1b[31malert", "Description can't contain ESC."),
        ("Windows\r\nline", "Description can't contain a carriage return."),
        ("Bell\x07", "Description can't contain control character U+0007."),
        ("Delete\x7f", "Description can't contain control character U+007F."),
        ("CSI\x9b31m", "Description can't contain control character U+009B."),
    ],
)
def test_description_rules(text: str, message: str | None) -> None:
    assert description_error(text) == message


# -- tags (R7.2: "alphanumeric", max 30 chars, max 10, no duplicates in any case) ---------


@pytest.mark.parametrize(
    ("tag", "existing", "message"),
    [
        ("", [], "Type a tag first."),
        ("   ", [], "Type a tag first."),
        ("a" * TAG_MAX, [], None),
        ("a" * (TAG_MAX + 1), [], "A tag must be at most 30 characters (this one has 31)."),
        ("Q1 2024", [], None),  # inner spaces, as in the R8 sample tags
        ("High Value", ["Enterprise"], None),
        ("  Enterprise  ", [], None),  # trimmed before checking
        ("Re-engagement", [], TAG_ONLY + "“-”."),
        ("#vip", [], TAG_ONLY + "“#”."),
        ("\x1b[1m", [], TAG_ONLY + "ESC."),
        ("😀", [], TAG_ONLY + "“😀”."),
        ("Клиенты", [], None),
        # Duplicates are refused whatever their case (and outer spaces).
        ("enterprise", ["Enterprise"], "The tag “enterprise” is already added."),
        (" ENTERPRISE ", ["Enterprise"], "The tag “ENTERPRISE” is already added."),
        # At most 10 tags: the 10th is fine, the 11th is refused.
        ("Tag 10", [f"Tag {i}" for i in range(1, TAGS_MAX)], None),
        ("Tag 11", [f"Tag {i}" for i in range(1, TAGS_MAX + 1)],
         "A segment can have at most 10 tags."),
        # A duplicate is reported as a duplicate even when the list is full.
        ("tag 1", [f"Tag {i}" for i in range(1, TAGS_MAX + 1)],
         "The tag “tag 1” is already added."),
    ],
)
def test_tag_rules(tag: str, existing: list[str], message: str | None) -> None:
    assert tag_error(tag, existing) == message


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ((), None),
        (("Enterprise", "Q1 2024", "High Value"), None),
        (tuple(f"Tag {i}" for i in range(1, TAGS_MAX + 1)), None),
        (tuple(f"Tag {i}" for i in range(1, TAGS_MAX + 2)), "A segment can have at most 10 tags."),
        (("VIP", "vip"), "The tag “vip” is already added."),
        (("VIP", " Vip "), "The tag “Vip” is already added."),
        (("Good", "Bad!"), TAG_ONLY + "“!”."),
        (("Good", ""), "Type a tag first."),
    ],
)
def test_tags_list(tags: tuple[str, ...], message: str | None) -> None:
    assert tags_error(tags) == message


# -- SegmentDraft ---------------------------------------------------------------------------


def test_draft_normalised_trims_everything() -> None:
    draft = SegmentDraft("  Café Clients ", "  Our best clients.\n", (" VIP ", "Q1 2024  "),
                         SegmentStatus.ACTIVE)
    assert draft.normalised() == SegmentDraft(
        "Café Clients", "Our best clients.", ("VIP", "Q1 2024"), SegmentStatus.ACTIVE
    )


def test_draft_defaults_to_draft_status() -> None:
    """R7.2: a new segment starts as a Draft unless the user picks another status."""
    assert SegmentDraft("New").status is SegmentStatus.DRAFT
    assert SegmentDraft("New").errors() == []


def test_draft_errors_name_each_field() -> None:
    draft = SegmentDraft("   ", "bad \x1b", ("ok", "OK"))
    assert draft.errors() == [
        FieldError("name", "Segment name is required."),
        FieldError("description", "Description can't contain ESC."),
        FieldError("tags", "The tag “OK” is already added."),
    ]


def test_draft_errors_only_for_bad_fields() -> None:
    assert SegmentDraft("Good name", "x" * 501).errors() == [
        FieldError("description", "Description must be at most 500 characters (this one has 501).")
    ]
    assert SegmentDraft("Good name", tags=("a" * 31,)).errors() == [
        FieldError("tags", "A tag must be at most 30 characters (this one has 31).")
    ]
    assert SegmentDraft("Good: name").errors() == [FieldError("name", ONLY + "“:”.")]


def test_draft_description_is_checked_after_trimming() -> None:
    """Outer whitespace is dropped when saving, so it doesn't count towards the 500."""
    draft = SegmentDraft("Name", "x" * DESCRIPTION_MAX + "\n\n  ")
    assert draft.errors() == []
    assert len(draft.normalised().description) == DESCRIPTION_MAX


# -- ContactSelection: the user's actions, newest first decides ---------------------------

HOT = ContactFilter(status=LeadStatus.HOT_LEAD)
TECHCORP = ContactFilter(search="techcorp")


def test_empty_selection() -> None:
    selection = ContactSelection()
    assert selection.is_empty
    assert selection.actions == ()
    assert selection.single_select_all() is None


def test_toggling_twice_unticks() -> None:
    on = ContactSelection().toggled(7, True)
    assert not on.is_empty
    off = on.toggled(7, False)
    assert off.is_empty
    # Consecutive toggles merge into one action holding each contact's latest state.
    assert off.actions == (Toggles(((7, False),)),)


def test_toggles_keep_the_latest_state_per_contact() -> None:
    selection = ContactSelection().toggled(1, True).toggled(2, True).toggled(1, False)
    [toggles] = selection.actions
    assert isinstance(toggles, Toggles)
    assert toggles.states == ((2, True), (1, False))
    assert (toggles.get(1), toggles.get(2), toggles.get(3)) == (False, True, None)
    assert not selection.is_empty  # contact 2 is still ticked


def test_select_all_then_untick_one() -> None:
    selection = ContactSelection().with_all(HOT, True).toggled(5, False)
    assert selection.actions == (SelectAll(HOT, True), Toggles(((5, False),)))
    assert not selection.is_empty
    # No longer exactly "all matching": the count needs the database.
    assert selection.single_select_all() is None


def test_single_select_all() -> None:
    assert ContactSelection().with_all(HOT, True).single_select_all() == HOT
    # A lone "deselect all" of a narrower filter selects nothing.
    lone_off = ContactSelection().with_all(HOT, False)
    assert lone_off.single_select_all() is None
    assert lone_off.is_empty


def test_deselect_all_under_the_cleared_filter_starts_over() -> None:
    selection = ContactSelection().toggled(1, True).with_all(HOT, True).toggled(9, True)
    assert selection.with_all(HOT.cleared(), False) == ContactSelection()
    assert selection.with_all(ContactFilter(), False).is_empty


def test_select_all_under_the_cleared_filter_replaces_history() -> None:
    selection = ContactSelection().toggled(1, False).with_all(HOT, False)
    assert selection.with_all(ContactFilter(), True).actions == (
        SelectAll(ContactFilter(), True),
    )


def test_cleared_keeps_the_add_contacts_base() -> None:
    """R7.3, R7.11: the picker shows contacts not already in the segment; clearing the
    user's filters keeps that base, and "deselect all" under it starts over."""
    flt = ContactFilter(search="x", status=LeadStatus.COLD, city="Boston", state="MA",
                        score=(10, 20), not_in_segment=3,
                        segment=Choice(key="1", label="Enterprise Prospects"))
    assert flt.cleared() == ContactFilter(not_in_segment=3)
    base = ContactFilter(not_in_segment=3)
    selection = ContactSelection().with_all(base.cleared(), True)
    assert selection.single_select_all() == base
    assert selection.toggled(4, True).with_all(base, False) == ContactSelection()


def test_narrower_deselect_after_broader_select_is_recorded() -> None:
    selection = ContactSelection().with_all(ContactFilter(), True).with_all(TECHCORP, False)
    assert selection.actions == (SelectAll(ContactFilter(), True), SelectAll(TECHCORP, False))
    assert selection.single_select_all() is None


def test_is_empty_is_conservative_for_select_all() -> None:
    """is_empty only says whether some action selects; whether that leaves anyone selected
    is for the database (selecting then deselecting the same filter selects nobody, and a
    deselect-all must also drop earlier picks, so it is recorded, not undone)."""
    selection = ContactSelection().with_all(HOT, True).with_all(HOT, False)
    assert not selection.is_empty
