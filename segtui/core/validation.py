"""Rules for what users type into segments (R7.2 and R7.3; docs/segments.md).

Each rule returns a message that names the field and the rule, or None. The UI shows the
message under the field; the Store checks the same rules again before writing, so the CLI
and any other caller get the same answers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

NAME_MAX = 100
USER_NAME_MAX = 100  # the users.name column
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


def word_chars_error(what: str, text: str) -> str | None:
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


# Characters a user name may not hold because they show as nothing (or not at all) and so
# make "Alex Kim" and "Alex\u200bKim" look the same: controls, format characters (zero
# width space and joiners, bidi controls, soft hyphen, BOM), separators other than the
# space, private and unassigned code points, and the letters that draw as blanks.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in _INVISIBLE_CATEGORIES or ch in _BLANK_LETTERS


def normalise_user_name(text: str) -> str:
    """A user name as segtui stores and compares it (I16.6): every run of white
    space (tabs, no-break and ideographic spaces included) becomes one space, outer space
    goes, and accents are composed (NFC), so "Alex  Kim" and "Alex Kim" are one user.
    Check it with `user_name_error`."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def user_name_error(name: str) -> str | None:
    """Why `name` (normalised) can't be a user's name, or None: empty, too long, or
    holding a character that can't be seen (docs/segments.md, "Who may do what")."""
    if not name:
        return "a user name can't be empty"
    if len(name) > USER_NAME_MAX:
        return f"a user name must be at most {USER_NAME_MAX} characters (this one has " \
               f"{len(name)})"
    for ch in name:
        if _invisible(ch):
            # Control characters (ESC, a tab) have no Unicode name either: say what they are.
            what = unicodedata.name(ch, "") or (
                "a control character" if unicodedata.category(ch) == "Cc"
                else "an unassigned character")
            return f"a user name can't contain invisible characters ({name!r} holds " \
                   f"U+{ord(ch):04X} {what})"
    return None


def name_skeleton(name: str) -> str:
    """What a name looks like with accents, punctuation, spaces and case taken away:
    "Alex Kím", "alex kim." and "Alex Kim" share "alexkim". Names that share a skeleton
    are look-alikes (the command line says "did you mean ..." when one is refused)."""
    decomposed = unicodedata.normalize("NFKD", name).casefold()
    return "".join(ch for ch in decomposed if ch.isalnum())


def segment_name_error(name: str) -> str | None:
    return word_name_error("Segment name", name)


def word_name_error(label: str, name: str) -> str | None:
    """Why `name` can't be a name of letters (any alphabet), digits and spaces, at most
    NAME_MAX characters once its spaces are normalised, or None; `label` says whose
    ("Segment name", "A token's name")."""
    name = normalise_name(name)
    if not name:
        return f"{label} is required."
    if len(name) > NAME_MAX:
        return f"{label} must be at most {NAME_MAX} characters (this one has {len(name)})."
    return word_chars_error(label, name)


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
        problem = word_chars_error("A tag", tag)
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
