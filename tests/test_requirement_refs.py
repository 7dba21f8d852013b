"""Code, tests, benchmarks and docs cite docs/requirements.md's numbers, never the sources
the repository does not hold (requirements.md, "Citing a number"), and every number they
cite is a heading or an item there. tools/cite_requirements.py rewrites the old forms; these
tests run over every file it reads, so a file added or moved is checked too."""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "docs" / "requirements.md"

# A requirement number as cited: R7.5.3, AC19, F2.1, D1.2.3, I6.1, Q6.4.2, U15.12.3, I16.8,
# and the single-letter groups' A3, S1, K2, P12, T6. Not part of a longer word or path.
CITED = re.compile(r"(?<![\w.\-/+#])((?:R\d+|AC\d+|F2|D1|I6|I16|Q6|U15)(?:\.\d+)*|[ASKPT]\d+)"
                   r"(?!\w|\.\w)")


@cache
def tool() -> ModuleType:
    """tools/cite_requirements.py, which is a script, not a package module."""
    spec = importlib.util.spec_from_file_location(
        "cite_requirements", ROOT / "tools" / "cite_requirements.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def defined() -> frozenset[str]:
    """The numbers requirements.md defines: its items (**R7.5.3**), its headings
    (## R7.5 ..., ## P ...) and the numbers its tables start a row with (| AC19 |, | R12 |)."""
    text = REQUIREMENTS.read_text(encoding="utf-8")
    found = set(re.findall(r"\*\*([A-Z]+\d+(?:\.\d+)*)\*\*", text))
    found |= set(re.findall(r"(?m)^#{2,3} ([A-Z]+\d*(?:\.\d+)*) ", text))
    found |= set(re.findall(r"(?m)^\| ([A-Z]+\d+) \|", text))
    return frozenset(found)


def texts() -> list[tuple[str, str]]:
    """(path from the root, content) of every file the tool reads, requirements.md too."""
    module = tool()
    return [(module.relative(ROOT, path), path.read_text(encoding="utf-8"))
            for path in module.files(ROOT)]


def unknown_numbers(text: str) -> list[tuple[int, str]]:
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in CITED.finditer(text)
            if m.group(1) not in defined()]


def test_every_cited_number_is_a_requirement() -> None:
    unknown = [f"{name}:{line}: {number}" for name, text in texts()
               if name not in tool().SELF for line, number in unknown_numbers(text)]
    assert unknown == [], "cited, but not in docs/requirements.md:\n" + "\n".join(unknown)


def test_no_source_is_cited_in_an_old_form() -> None:
    old = [f"{name}:{line}: {citation}" for name, text in texts()
           for line, citation in tool().old_citations(name, text)]
    assert old == [], ("cite the requirement's number (docs/requirements.md, \"Citing a "
                       "number\"); python tools/cite_requirements.py rewrites these:\n"
                       + "\n".join(old))


def test_the_rewrite_finds_nothing_left_to_do() -> None:
    """Run again on this tree, the tool changes nothing (it is what the merger re-runs)."""
    changed = [name for name, text in texts() if tool().rewrite(name, text) != text]
    assert changed == []


@pytest.mark.parametrize(("old", "new"), [
    ("the detail tab last shown (spec 7.5).", "the detail tab last shown (R7.5)."),
    ("One contact per email (issue 16 §1): the key", "One contact per email (I16.1): the key"),
    ("# a refresh's, not a rule count's (issue 17 §4)", "# a refresh's, not a rule count's (P12)"),
    ("Issue 15 §9, §10 and §13: dialogs", "U15.9, U15.10 and U15.13: dialogs"),
    ("(spec 7.2-7.4, 7.11)", "(R7.2-R7.4, R7.11)"),
    ("(spec 7.5; acceptance criteria 8-10, 19)", "(R7.5; AC8-AC10, AC19)"),
    ("Issue 6 part 3: the scriptable CLI", "I6.3: the scriptable CLI"),
    ("(issue 15, point 8)", "(U15.8)"),
    ("(issue 6 §4; docs/quality.md)", "(Q6.4; docs/quality.md)"),
    ("Issue 5 §6: a nested rule", "P4: a nested rule"),
    # One source point, two items: the sentence says which.
    ("PostgreSQL imports write with COPY (issue 17 §8).", "PostgreSQL imports write with "
     "COPY (P11)."),
    ("every rule within 1.5x (issue 17 §8)", "every rule within 1.5x (P8)"),
    ("the cards' statements (issue 17 §2)", "the cards' statements (P6)"),
    ("(DESIGN.md, \"Safety rules\"): CSV cells", "(S2): CSV cells"),
    # A citation broken over two lines still breaks the line after it.
    ("    # placeholders (issue 17\n    # §8). The index", "    # placeholders (P11).\n"
     "    # The index"),
    # Not a source: another project's issue, an open issue, a branch name.
    ("long as it ran (Textual issue 3966).", "long as it ran (Textual issue 3966)."),
    ("branch issue17-pgcards", "branch issue17-pgcards"),
])
def test_citations_become_numbers(old: str, new: str) -> None:
    assert tool().rewrite("segtui/example.py", old) == new
    assert tool().rewrite("segtui/example.py", new) == new  # a second run changes nothing
    assert unknown_numbers(new) == []


def test_benchmark_titles_name_the_issue_they_were_measured_for() -> None:
    log = "## Lists page in ≤ 50 ms (issue 17 §5), 2026-12-06\n\nAs issue 17 §5 asks.\n"
    assert tool().rewrite("docs/benchmarks.md", log) == (
        "## Lists page in ≤ 50 ms (issue 17 §5), 2026-12-06\n\nAs P5 asks.\n")


def test_every_number_the_tool_writes_is_a_requirement() -> None:
    module = tool()
    written = {number for sections in module.ISSUE_SECTIONS.values()
               for number in sections.values()}
    written |= set(module.ISSUE_GROUP.values()) | set(module.SPEC_SECTIONS.values())
    written |= set(module.DESIGN_SECTIONS.values())
    written |= {n for rules in module.ISSUE_CONTEXT.values() for _, n in rules}
    written |= {n for _, n in module.SEED_CONTEXT}
    written |= {n for rules in module.DESIGN_CONTEXT.values() for _, n in rules}
    parts = {part for number in written for part in number.split(", ")
             if not part.startswith("docs/")}
    assert parts - defined() == set()
