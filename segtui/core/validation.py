"""Rules for what users type into segments (spec 7.2 and 7.3; docs/segments.md).

Each rule returns a message that names the field and the rule, or None. The UI shows the
message under the field; the Store checks the same rules again before writing, so the CLI
and any other caller get the same answers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

NAME_MAX = 100
DESCRIPTION_MAX = 500
TAG_MAX = 30
TAGS_MAX = 10


@dataclass(frozen=True)
class FieldError:
    field: str  # "name", "description", "tags"
    message: str


def describe_char(ch: str) -> str:
    """A character as a user can recognise it in a message (control characters by name)."""
    if ch == " ":
        return "a space"
    if unicodedata.category(ch).startswith("C"):
        name = {"\x1b": "ESC", "\t": "TAB", "\n": "a line break", "\r": "a carriage return"}
        return name.get(ch, f"control character U+{ord(ch):04X}")
    return f"“{ch}”"


def _word_chars_error(what: str, text: str) -> str | None:
    """Letters of any alphabet (with their combining marks, as in decomposed "é" or
    Devanagari), digits and spaces only."""
    for ch in text:
        if not (ch.isalnum() or ch == " " or unicodedata.category(ch).startswith("M")):
            return f"{what} may contain only letters, digits and spaces, not {describe_char(ch)}."
    return None


def normalise_name(text: str) -> str:
    """Outer spaces go and inner runs of spaces become one, so "Enterprise  Prospects" is
    the same name as "Enterprise Prospects"."""
    return " ".join(part for part in text.strip().split(" ") if part)


def segment_name_error(name: str) -> str | None:
    name = normalise_name(name)
    if not name:
        return "Segment name is required."
    if len(name) > NAME_MAX:
        return f"Segment name must be at most {NAME_MAX} characters (this one has {len(name)})."
    return _word_chars_error("Segment name", name)


def description_error(text: str) -> str | None:
    if len(text) > DESCRIPTION_MAX:
        return (
            f"Description must be at most {DESCRIPTION_MAX} characters "
            f"(this one has {len(text)})."
        )
    for ch in text:
        if ch not in "\n\t" and unicodedata.category(ch) == "Cc":
            return f"Description can't contain {describe_char(ch)}."
    return None


def tag_error(tag: str, existing: Sequence[str], *, kept: Sequence[str] = ()) -> str | None:
    """Why `tag` can't be added next to `existing` tags, or None.

    Tags in `kept` were already on the segment (e.g. imported before these rules, like the
    demo's "Re-engagement"): they are not re-judged, so editing a description is never
    blocked by a tag the user didn't touch. Count and duplicates still apply.
    """
    tag = normalise_name(tag)
    if not tag:
        return "Type a tag first."
    if tag not in kept:
        if len(tag) > TAG_MAX:
            return f"A tag must be at most {TAG_MAX} characters (this one has {len(tag)})."
        problem = _word_chars_error("A tag", tag)
        if problem:
            return problem
    if tag.casefold() in {t.casefold() for t in existing}:
        return f"The tag “{tag}” is already added."
    if len(existing) >= TAGS_MAX:
        return f"A segment can have at most {TAGS_MAX} tags."
    return None


def tags_error(tags: Sequence[str], *, kept: Sequence[str] = ()) -> str | None:
    """Checks a whole list of tags (the Store's check; the form adds them one by one)."""
    accepted: list[str] = []
    for tag in tags:
        problem = tag_error(tag, accepted, kept=kept)
        if problem:
            return problem
        accepted.append(normalise_name(tag))
    return None
