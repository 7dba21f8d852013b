#!/usr/bin/env python3
"""Cite docs/requirements.md's numbers instead of sources the repository does not hold.

Code, tests and docs used to point at the product specification ("spec 7.5"), its seeds
("seed 001"), the design notes ("DESIGN.md, Layers") and the issues that built segtui
("issue 16 §1", "issue 17 §4"). None of them is in the repository; docs/requirements.md
restates them with numbers. This script rewrites every such citation into the number of
the requirement that carries it: "(spec 7.5)" -> "(R7.5)", "issue 16 §1" -> "I16.1",
"issue 17 §4" -> "P12", "acceptance criteria 2-5" -> "AC2-AC5".

It is meant to be run again on any checkout (files move, text is merged from other
branches): it finds files by walking the tree, decides by the words around a citation,
never by a file's path, and changes nothing in a tree it already rewrote.
docs/requirements.md, "How the numbers are formed", states the rules;
tests/test_requirement_refs.py fails on a citation left in an old form and on a number
requirements.md does not define.

    python tools/cite_requirements.py             # rewrite the tree this file is in
    python tools/cite_requirements.py --check     # change nothing; exit 1 if it would
    python tools/cite_requirements.py --root DIR  # another checkout
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = "docs/requirements.md"
BENCHMARKS_LOG = "docs/benchmarks.md"

# Where citations are looked for: the package, its tests, benchmarks, tools and docs.
TOP_DIRS = ("segtui", "tests", "benchmarks", "tools", "docs", ".ci")
TOP_FILES = ("README.md", "pyproject.toml")
SUFFIXES = {".py", ".md", ".tcss", ".toml", ".txt", ".cfg", ".ini", ".sh", ".yml", ".yaml"}
SKIP_DIRS = {"__pycache__", ".git", ".venv", "node_modules"}
SKIP_PATHS = {"tests/files", "benchmarks/data"}  # data: CSV fixtures, datasets
# Files that quote the old forms on purpose: this script and its test.
SELF = ("tools/cite_requirements.py", "tests/test_requirement_refs.py")

# Between two words of a citation: a space, or a line break inside a comment or a docstring.
WS = r"(?:[ \t]*\n[ \t]*(?:#+[ \t]*)?|[ \t]+)"

# A citation of a source the repository does not hold. Other projects' issues ("Textual
# issue 3966") have more digits than this project's ever had.
OLD_FORM = re.compile(
    r"\b(?:spec(?:ification)?(?:" + WS + r"section)?" + WS + r"\d"
    r"|seeds?" + WS + r"00\d|issues?" + WS + r"\d{1,2}\b(?!-)"
    r"|acceptance(?:" + WS + r"criteri(?:on|a))?" + WS + r"\d|criteri(?:on|a)" + WS + r"\d"
    r"|AC \d|DESIGN\.md)",
    re.IGNORECASE)

# Issues still open are the project's to-do list, not lost sources: docs/requirements.md
# names them where it says what will build a part not built yet.
OPEN_ISSUES = range(18, 23)


def _is_external(text: str, start: int) -> bool:
    """'Textual issue 3966' and the like: another project's issue, not a source."""
    return bool(re.search(r"(?:Textual|Rich|SQLAlchemy|GitHub|psycopg|pytest)\s+$",
                          text[max(0, start - 20):start]))


# -- number groups -----------------------------------------------------------------------------

# An issue's sections, as docs/requirements.md numbers them ("How the numbers are formed").
ISSUE_SECTIONS: dict[int, dict[int, str]] = {
    2: {1: "F2.1", 2: "F2.2", 3: "R8", 4: "R7.1", 5: "P", 6: "T"},
    5: {1: "D1.1", 2: "D1.2", 3: "D1.3", 4: "D1.4", 5: "D1.5", 6: "P4"},
    6: {1: "I6.1", 2: "I6.2", 3: "I6.3", 4: "Q6.4", 5: "P11"},
    # Issue 17 is the P group: each of its points is the budget item that carries it.
    17: {1: "P", 2: "P6, P7", 3: "P14", 4: "P12", 5: "P5", 6: "P9", 7: "P12", 8: "P8",
         9: "P14"},
    18: {1: "A1", 2: "A", 3: "A4", 4: "A", 5: "docs/requirements.md", 6: "T6"},
}
ISSUE_PREFIX = {15: "U15", 16: "I16"}  # numbered by the point: issue 16 §8 is I16.8
ISSUE_GROUP = {2: "F2", 3: "R7.2", 4: "R7.5", 5: "D1", 6: "I6", 15: "U15", 16: "I16",
               17: "P", 18: "A"}
SPEC_SECTIONS = {"2": "R2", "8": "R8", "9": "AC"}
DESIGN_SECTIONS = {"layers": "A1", "safety rules": "S", "keys": "K", "scale budgets": "P",
                   "tests": "T"}

# Where one source point is carried by several items, the words around the citation say
# which: (pattern, number), first match wins, case ignored; no match: the defaults above.
ContextRules = list[tuple[str, str]]
ISSUE_CONTEXT: dict[tuple[int, int | None], ContextRules] = {
    (17, None): [
        (r"memory|\bmap\b|unmap|resident|\brss\b|4\.9 gb", "P12"),
        (r"\bcards?\b|contact_figures|halves", "P6"),
        (r"member list|\bpages?\b|paging|one_line_cell|name index|sort key", "P5"),
        (r"cancel|quit|interrupt", "P12"),
        (r"start-up|scripted|read command|sqlalchemy\.orm|alembic|annotations|\borm\b",
         "P12"),
        (r"refresh|re-evaluation", "P9"),
        (r"\bimports?\b|\bcopy\b|bulk|dataset|vacuum|rows/s", "P11"),
        (r"\brules?\b|\blike\b|predicate|city = boston|opened = 0", "P8"),
        (r"\btabs?\b|insights|performance|analytics|lookalike|shared|engagement trend"
         r"|members|\bjit\b|chains|windows?|sends|spilled|aside|statement", "P7"),
    ],
    (17, 2): [(r"\bcards?\b", "P6"), (r"\btabs?\b", "P7")],
    (17, 3): [(r"dataset|demo|build|rows are written", "P1")],
    (17, 8): [(r"\bimports?\b|placeholders|staging|\bcopy\b|per new contact|rows/s", "P11")],
    (17, 9): [(r"\bplans?\b", "P13")],
    (5, None): [
        (r"nested|six conditions|6-condition", "P4"),
        (r"template", "D1.4"),
        (r"rule language|one-line|query language|segments count", "D1.2"),
        (r"builder", "D1.3"),
        (r"rollups?|spent|purchases", "D1.1.7"),
        (r"validat|check\(", "D1.1.8"),
    ],
    (4, None): [
        (r"filled_fields|completeness", "R7.5.5"),
        (r"conversion rate", "R7.5.4"),
        (r"rollups?|last_engaged_at", "R7.5.3"),
        (r"ai insights", "R7.5.10"),
        (r"300 ms|100,000 members", "P6"),
    ],
    (3, None): [(r"select-all|100,000|under a second", "P10"), (r"picker", "R7.2.5")],
    (2, None): [(r"migration|schema|store", "F2.2"), (r"command|package", "F2.1"),
                (r"demo", "R8")],
    (6, None): [(r"quality", "Q6.4")],
    (15, None): [(r"colou?r|contrast", "U15.4"), (r"chart|axis", "U15.8")],
    (16, None): [(r"\bemail", "I16.1"), (r"viewer|user name|a name", "I16.6"),
                 (r"crm|excel", "I16.13")],
}
SEED_CONTEXT: ContextRules = [
    (r"segment types", "D1.1.1"),
    (r"lifecycle stage|source channel", "D1.1.3"),
    (r"strateg|template|tiers", "D1.4.1"),
    (r"total spent|purchase count|last active|automatically update", "D1.1.7"),
]
DESIGN_CONTEXT: dict[str, ContextRules] = {
    "layers": [(r"thread worker", "A3")],
    "scale budgets": [(r"\bpaged?\b|\brows?\b", "A5"), (r"dataset", "P1")],
    "safety rules": [(r"csv|spreadsheet", "S2"), (r"screen|user data", "S1")],
    "tests": [(r"snapshot", "T3"), (r"hostile", "T4"), (r"cores|xdist|parallel", "T6")],
}

# Exact text -> its rewrite, applied before the generic rewrites, in any file: citations
# whose number depends on more than their words, or whose sentence reads better said
# another way. No value holds an old form, so a second run finds nothing to do.
PHRASES: list[tuple[str, str]] = [
    # Sentences about the sources themselves, or two citations of one thing.
    ('Issue 2 §4: the Segments dashboard driven from the keyboard (spec 7.1; acceptance 1, 6, 7,'
     '\n17, 18).', 'The Segments dashboard driven from the keyboard (R7.1; AC1, AC6, AC7, AC17,'
     '\nAC18).'),
    ('Issue 4: the segment detail screen driven from the keyboard (spec 7.5-7.10; acceptance\n'
     'criteria 8-15, 19, 20).', 'The segment detail screen driven from the keyboard (R7.5-R7.10;'
     ' AC8-AC15,\nAC19, AC20).'),
    ('Issue 3: Create, Edit, Delete and Add Contacts modals, driven from the keyboard\n'
     '(spec 7.2, 7.3, 7.4, 7.11; acceptance criteria 2-5, 16).',
     'Create, Edit, Delete and Add Contacts modals, driven from the keyboard\n'
     '(R7.2, R7.3, R7.4, R7.11; AC2-AC5, AC16).'),
    ('Issue 2 §4: search, filters, sort and keyset paging of the dashboard list (spec 7.1).',
     'Search, filters, sort and keyset paging of the dashboard list (R7.1).'),
    ('Issue 2 §3: the demo reproduces spec section 8 from generated facts',
     'R8: the demo reproduces the sample data from generated facts'),
    ('Spec 5 step 1 / acceptance 1:', 'R7.1.1 / AC1:'),
    ('(spec 9, criterion 19)', '(AC19)'),
    ('(spec 7.2 Create Segment,\n7.3 Edit Segment, 7.4 Delete Segment, 7.11 Add Contacts)',
     '(R7.2 Create Segment,\nR7.3 Edit Segment, R7.4 Delete Segment, R7.11 Add Contacts)'),
    ('(spec 7.2 Create Segment, 7.3 Edit Segment) and contact selections\n'
     '(spec 7.2 contact picker, 7.11 Add Contacts)',
     '(R7.2 Create Segment, R7.3 Edit Segment) and contact selections\n'
     '(R7.2.5 contact picker, R7.11 Add Contacts)'),
    ('of the segment detail screen (issue 4), through the Store',
     'of the segment detail screen, through the Store'),
    ('Issue 15 §9, §10 and the dialog parts of §13:',
     'U15.9, U15.10 and the dialog parts of U15.13:'),
    ('Issue 15 §9, §10 and §13 (the dialog parts; requirements U15.9, U15.10, U15.13).',
     'U15.9, U15.10 and the dialog parts of U15.13.'),
    ('belong to another branch of issue 15:', 'were built on another branch (U15.9):'),
    ('Issue 15 §12 (`m` was "menu" on two screens and "merge" on the quality screen) and\n'
     '    DESIGN.md (every binding has an id, so users can remap keys).',
     'U15.12 (`m` was "menu" on two screens and "merge" on the quality screen) and\n'
     '    U15.12.3 (every binding has an id, so users can remap keys).'),
    ('Issues 5 and 4: the per-contact rollups', 'D1.1.7 and R7.5.3: the per-contact rollups'),
    ('(docs/benchmarks.md, issues 4 and 17)', '(docs/benchmarks.md; P6)'),
    ('(`Store._aside`, a pool apart, issue 17)', '(`Store._aside`, a pool apart, P7)'),
    ('(issue 5, docs/rules.md)', '(D1, docs/rules.md)'),
    ('as one made before issue 4\'s rollups', 'as one made before the rollups of R7.5.3'),
    ('issue 4\'s 300 ms budget at 100,000 members', 'P6\'s 300 ms budget at 100,000 members'),
    ('Issue 5 and 17 §6: refreshing', 'D1.5 and P9: refreshing'),
    ('(issue 5 §5; issue 17, docs/requirements.md P9)', '(D1.5, P9)'),
    ('(issue 5, §5)', '(D1.5)'),
    ('(issue 5: 626 ms -> ~140 ms', '(P4: 626 ms -> ~140 ms'),
    ('"""Issue 4: the detail screen of a ~100,000-member segment',
     '"""P6, P7: the detail screen of a ~100,000-member segment'),
    ('(issue 17 measured the 1M\n    dataset\'s, 101,291 members)',
     '(P6 and P7 are measured on\n    the 1M dataset\'s, 101,291 members)'),
    ('(issue 17 measured the dataset\'s largest, 101,291 members)',
     '(P6 and P7 are measured on the dataset\'s largest, 101,291 members)'),
    ('(a timeline of the main thread\'s CPU, issue 17)', '(a timeline of the main thread\'s'
     ' CPU, P7)'),
    ('and halved with the other sessions\' load (issue 17).', 'and halved with the other '
     'sessions\' load (P6, P7).'),
    ('on the reference dataset of DESIGN.md\n(1,000,000 contacts',
     'on the reference dataset of P1\n(1,000,000 contacts'),
    ('their ratio, and the budget from\nDESIGN.md. The dataset is built by `segtui demo '
     '--contacts N --segments M` if missing (a', 'their ratio, and the budget\n'
     '(docs/requirements.md, P). The dataset is built by `segtui demo --contacts N --segments'
     ' M`\nif missing (a'),
    ('# DESIGN.md "Scale budgets", in milliseconds.', '# The budgets of P2-P12, in '
     'milliseconds.'),
    ('help="full: the reference dataset of DESIGN.md (1M contacts); "',
     'help="full: the reference dataset of P1 (1M contacts); "'),
    ('Budgets from DESIGN.md.', 'Budgets from docs/requirements.md, P.'),
    ('(issue 17 measured\nthe old code at', '(P1 and P11 started from\nthe old code at'),
    ('the three issue 17 named', 'the three P8 names'),
    ('in issue 17\'s own measurement', 'in the measurement P4 started from'),
    ('left for a decision with issue 8\'s import budget', 'left for a decision with the '
     'import budget (P11)'),
    ('Since issue 16, `uq_contacts_email_key`', 'Since I16.1, `uq_contacts_email_key`'),
    ('segtui follows `DESIGN.md` (the team\'s design notes). This page says where things are '
     'and\nwhy;', 'segtui follows the team\'s design rules (requirements.md, A-T). This page says\n'
     'where things are and why;'),
    ('as before\nissue 17. Email tests', 'as before\nP8. Email tests'),
    ('(`not`). Seed 001\'s web tool only allows OR-of-ANDs; segtui does not restrict the '
     'shape.', '(`not`). segtui does not restrict the shape to OR-of-ANDs as the web tools'
     ' do (D1.1.2).'),
    ('This departs\nfrom DESIGN.md\'s "metrics are never stored as numbers" on purpose: '
     'seed 001 defines these\nas contact fields that "automatically update"',
     'This departs\nfrom "metrics are never stored as numbers" (F2.2.4) on purpose: D1.1.7 '
     'defines these\nas contact fields that "automatically update"'),
    ('- **Template**: seed 001\'s strategies', '- **Template**: the strategies of D1.4.1'),
    ('Seed 001\'s "50\n  segments per creator" and "dynamic segments update once daily" are'
     ' web-tool limits that\n  segtui does not copy: segtui\'s refresh is immediate.',
     'The web tools\'\n  "50 segments per creator" and "dynamic segments update once daily" '
     'are limits\n  segtui does not copy: segtui\'s refresh is immediate (D1.5.2).'),
    ('Issue 5. Sources: seed 001 (condition fields, operators, AND/OR, nested segments, time\n'
     'windows, segmentation strategies, limits), seed 003 (segments from attributes, events, '
     'tags\nand lists), seed 000 ("intuitive segment builder", "real-time contact count '
     'updates",\n"template-based creation").',
     'Requirements D1 (docs/requirements.md): condition fields, operators, AND/OR, nested\n'
     'segments, time windows, segmentation strategies and limits; segments from attributes,\n'
     'events, tags and lists; an intuitive builder, real-time contact counts and templates.'),
    ('| choice | seed 001 lifecycle stage (New,', '| choice | lifecycle stage, D1.1.3 (New,'),
    ('| choice | seed 001 source channel (subscription,',
     '| choice | source channel, D1.1.3 (subscription,'),
    ('Seed 000 §4 asks for "CSV export functionality for external analysis" and "integration\n'
     'with campaign management systems"; seed 002 stories 3 and 7 ask for syncing with '
     'marketing\nautomation and the sales CRM. This page describes what is built: importing '
     'contacts,', 'I6 asks for CSV export for external analysis, integration with campaign '
     'management\nsystems, and syncing with marketing automation and the sales CRM. This page '
     'describes\nwhat is built: importing contacts,'),
    ('Sources: seed 001 ("Dynamic Segment Condition Setup", "Nested Segments", "Time Window\n'
     'Conditions"), seed 003 (segments from attributes, events, tags and lists).',
     'Requirements D1.1 (docs/requirements.md): conditions, nested segments, time windows,\n'
     'segments from attributes, events, tags and lists.'),
    ('Seed 001 lists lifecycle stage, total spent, purchase count, source channel and last '
     'active\ndays; issue 5 adds every contact attribute,',
     'D1.1.3: lifecycle stage, total spent, purchase count, source channel and last active\n'
     'days, and every contact attribute,'),
    ('"seed 001 lifecycle stage"', '"the contact\'s lifecycle stage"'),
    ('Seed 001 defines Total Spent, Purchase Count and Last Active',
     'D1.1.7 defines Total Spent, Purchase Count and Last Active'),
    ('These are not stored metrics in DESIGN.md\'s sense', 'These are not stored metrics in '
     'F2.2.4\'s sense'),
    ('not stored metrics in DESIGN.md\'s sense', 'not stored metrics in F2.2.4\'s sense'),
    ('"""Ready-made rules to start a dynamic segment from (seed 001, "Segmentation Strategies\n'
     'and Examples", plus a few for the demo data).',
     '"""Ready-made rules to start a dynamic segment from (D1.4.1: the strategies of the\n'
     'sources, plus a few for the demo data).'),
    ('"Seed 001', '"D1.4.1'),  # the templates taken from the sources, and their test
    ('the templates taken from seed 001 ("Segmentation Strategies',
     'the templates taken from D1.4.1 ("Segmentation Strategies'),
    ('# Seed 001\'s strategies as trees', '# The strategies of D1.4.1 as trees'),
    ('(DESIGN.md "Layers": the scripting commands must not import Textual; issue 17 §4:',
     '(A1: the scripting commands must not import Textual; P12:'),
    ('"""DESIGN.md "Layers": core and data never import Textual;',
     '"""A1: core and data never import Textual;'),
    ('(DESIGN.md "Layers", like tests/test_boundary.py)', '(A1, like tests/test_boundary.py)'),
    ('Enter in most terminals and tmux (DESIGN.md, Keys).',
     'Enter in most terminals and tmux (K3).'),
    ('segtui reads no\nkeymap file: issue 18 §3). Across the app, its screens and the widgets '
     'on them a key has\none meaning:', 'segtui reads no\nkeymap file yet: docs/requirements.md, '
     '"Not implemented (yet)"). Across the app,\nits screens and the widgets on them a key has '
     'one meaning:'),
    ('# Both cores (DESIGN.md "Tests"):', '# Both cores (T6):'),
    ('Before issue 16 it became a\n  Marketing Manager', 'Before I16.6 it became a\n  '
     'Marketing Manager'),
    ('(issue 17 §6, P9)', '(P9)'),
    ('AI Insights shared-email check became a 400 s per-row search, issue 17)',
     'AI Insights shared-email check became a 400 s per-row search, P7)'),
    ('    (issue 17)."""\n    c = Contact', '    (P7)."""\n    c = Contact'),
    ('(issue 17 P9', '(P9'),
    ('(segtui/data/incremental.py, issue\n17, docs/requirements.md P9)',
     '(segtui/data/incremental.py,\nP9)'),
    ('`data/incremental.py`, issue 17 P9)', '`data/incremental.py`, P9)'),
]

# docs/requirements.md names its sources; only these, its pointers to other items, change.
REQUIREMENTS_PHRASES: list[tuple[str, str]] = [
    ('(issue 16 §5; docs/cli.md, "Who may do what")', '(I16.5; docs/cli.md, "Who may do what")'),
    ('until issue 16 §6 a new name became', 'until I16.6 a new name became'),
    ('Enter in most terminals and tmux (DESIGN.md, Keys).',
     'Enter in most terminals and tmux (K3).'),
    ('without loading Alembic (issue 17 §4).', 'without loading Alembic (P12).'),
    ('(issue 17 P9; docs/rules.md', '(P9; docs/rules.md'),
    ('leaves a column out (issue 16 §13).', 'leaves a column out (I16.13).'),
    ('for `--map` (issue 16 §14).', 'for `--map` (I16.14).'),
    ('Original Row (issue 16 §3);', 'Original Row (I16.3);'),
    ('crash (issue 16 §11).', 'crash (I16.11).'),
    ('(issue 16 §11, §15)', '(I16.11, I16.15)'),
    ('each column\'s field (issue 16 §13).', 'each column\'s field (I16.13).'),
    ('import as they are (issue 16 §13):', 'import as they are (I16.13):'),
    ('not imported (issue 16 §14;', 'not imported (I16.14;'),
    ('nothing is imported, exit 1 (issue 16 §2).', 'nothing is imported, exit 1 (I16.2).'),
    ('a pipe gets the bytes (issue 16 §7).', 'a pipe gets the bytes (I16.7).'),
    ('on both engines (issue 16\n  §10)', 'on both engines\n  (I16.10)'),
    ('no other CLI module prints (issue 16 §7).', 'no other CLI module prints (I16.7).'),
    ('(`ctrl+o`, issue 16 §13), added while', '(`ctrl+o`, I16.13), added while'),
]


def _by_context(rules: ContextRules, context: str) -> str | None:
    for pattern, number in rules:
        if re.search(pattern, context, re.IGNORECASE):
            return number
    return None


def _context(text: str, start: int, end: int) -> str:
    """The sentence a citation is in (bounded, and without code's import lines)."""
    before = text[max(0, start - 300):start]
    after = text[end:end + 200]
    for stop in ('."', ". ", ".\n", '"""', "\n\n", "*/"):
        cut = before.rfind(stop)
        if cut >= 0:
            before = before[cut + len(stop):]
    ends = [i for i in (after.find(s) for s in (". ", ".\n", '"""', "\n\n", "*/")) if i >= 0]
    after = after[:min(ends)] if ends else after
    sentence = before + text[start:end] + after
    return "\n".join(line for line in sentence.splitlines()
                     if not re.match(r"\s*(?:from \S+ )?import \w", line))


def issue_number(issue: int, section: int | None, context: str) -> str:
    """The requirement number that carries an issue's section (None: the whole issue)."""
    rules = ISSUE_CONTEXT.get((issue, section))
    chosen = _by_context(rules, context) if rules else None
    if chosen:
        return chosen
    if section is None:
        return ISSUE_GROUP[issue]
    if issue in ISSUE_PREFIX:
        return f"{ISSUE_PREFIX[issue]}.{section}"
    return ISSUE_SECTIONS.get(issue, {}).get(section, ISSUE_GROUP[issue])


# -- the generic rewrites ----------------------------------------------------------------------

ISSUE = re.compile(
    r"\b(?P<word>[Ii]ssue)" + WS + r"(?P<n>\d{1,2})(?![\d-])"
    r"(?P<tail>"
    r"(?:,?" + WS + r"?§ ?\d+(?:-\d+)?(?:(?:, | and |, and )(?:§ ?)?\d+(?:-\d+)?)*)"
    r"|(?:" + WS + r"(?:section|part|point)s?" + WS + r"\d+(?:(?:, | and )\d+)*)"
    r"|(?:, (?:point|part) \d+)"
    r"|(?:\.\d+(?!\d))"
    r"|(?: P\d+)"
    r")?")
SPEC = re.compile(
    r"\b[Ss]pec(?:ification)?(?:" + WS + r"section)?" + WS + r"(?P<secs>\d+(?:\.\d+)?"
    r"(?:(?:-|, | and |/| / )\d+\.\d+)*)(?!\.?\d)")
ACCEPTANCE = re.compile(
    r"\b(?:[Aa]cceptance(?:" + WS + r"criteri(?:on|a))?|AC|[Cc]riteri(?:on|a))" + WS
    + r"?(?P<list>\d+(?:(?:-|, | and )\d+)*)(?!\d)")
SEED = re.compile(r"\b[Ss]eed 001\b")
DESIGN = re.compile(
    r"\bDESIGN\.md(?:'s)?,? \"?(?P<section>Layers|Safety rules|Keys|Scale budgets|Tests)\"?")
NUMBER = r"(?:R|AC|F|D|I|Q|U|[ASKPT])\d+(?:\.\d+)*"


def rewrite_issue(match: re.Match[str], text: str) -> str:
    issue = int(match.group("n"))
    if issue not in ISSUE_GROUP:
        return match.group(0)  # an open issue (docs/requirements.md names it) or unknown
    context = _context(text, match.start(), match.end())
    tail = re.sub(r"[ \t]*\n[ \t]*(?:#+[ \t]*)?", " ", match.group("tail") or "").strip()
    if tail.startswith("P"):
        return tail
    body = re.sub(r"^,?\s*(?:(?:section|part|point)s?\s+)?\.?", "", tail)
    if not body:
        return issue_number(issue, None, context)
    return re.sub(r"§ ?(\d+)|(\d+)", lambda m: issue_number(
        issue, int(m.group(1) or m.group(2)), context), body)


def rewrite_spec(match: re.Match[str], text: str) -> str:
    def one(section: str) -> str:
        return f"R{section}" if section.startswith("7") else SPEC_SECTIONS.get(
            section, f"R{section}")
    secs = re.sub(r" ?/ ?", ", ", match.group("secs"))
    return re.sub(r"\d+(?:\.\d+)?", lambda m: one(m.group(0)), secs)


def rewrite_acceptance(match: re.Match[str], text: str) -> str:
    return re.sub(r"\d+", lambda m: f"AC{m.group(0)}", match.group("list"))


def rewrite_seed(match: re.Match[str], text: str) -> str:
    context = _context(text, match.start(), match.end())
    return _by_context(SEED_CONTEXT, context) or "D1"


def rewrite_design(match: re.Match[str], text: str) -> str:
    section = match.group("section").lower()
    context = _context(text, match.start(), match.end())
    return _by_context(DESIGN_CONTEXT.get(section, []), context) or DESIGN_SECTIONS[section]


Rewrite = Callable[[re.Match[str], str], str]
GENERIC: list[tuple[re.Pattern[str], Rewrite]] = [
    (ISSUE, rewrite_issue),
    (SPEC, rewrite_spec),
    (ACCEPTANCE, rewrite_acceptance),
    (SEED, rewrite_seed),
    (DESIGN, rewrite_design),
]


# -- the rewrite of one file -------------------------------------------------------------------


def kept_spans(path: str, text: str) -> list[tuple[int, int]]:
    """Parts of a file whose citations stay (docs/requirements.md, "How the numbers are
    formed", says why): the titles of docs/benchmarks.md's dated entries name the issue
    they were measured for; docs/requirements.md names its sources."""
    spans: list[tuple[int, int]] = []
    if path == BENCHMARKS_LOG:
        spans += [m.span() for m in re.finditer(r"(?m)^#+ .*\d{4}-\d{2}-\d{2}.*$", text)]
    return spans


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def rewrite(path: str, text: str) -> str:
    """`text`, the content of `path` (relative to the root), with its citations as numbers."""
    if path in SELF:
        return text
    if path == REQUIREMENTS:
        for old, new in REQUIREMENTS_PHRASES:
            text = text.replace(old, new)
        return text
    text = _rewrite_rulers(path, text)
    for old, new in PHRASES:
        text = _replace_outside(text, old, new, kept_spans(path, text))
    for pattern, make in GENERIC:
        text = _sub_outside(path, text, pattern, make)
    # "(data/dynamic.py, P9, P9)": two citations of one item are one.
    return re.sub(rf"\b({NUMBER})(?:, | and |; )\1\b", r"\1", text)


def _rewrite_rulers(path: str, text: str) -> str:
    """A comment ruler ('# -- user text (issue 15 §1) -----') keeps its width."""
    def ruler(match: re.Match[str]) -> str:
        line = match.group(0)
        if not OLD_FORM.search(line):
            return line
        head = rewrite(path + "#ruler", match.group(1)).rstrip()
        return head + " " + "-" * max(3, len(line) - len(head) - 1)
    return re.sub(r"(?m)^(\s*# -- .*?) -{2,}$", ruler, text)


def _replace_outside(text: str, old: str, new: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    start = text.find(old)
    while start >= 0:
        end = start + len(old)
        if not _inside(spans, start, end):
            out += [text[last:start], new]
            last = end
        start = text.find(old, end)
    out.append(text[last:])
    return "".join(out)


def _sub_outside(path: str, text: str, pattern: re.Pattern[str], make: Rewrite) -> str:
    spans = kept_spans(path, text)
    out, last = [], 0
    for match in pattern.finditer(text):
        if match.start() < last or _inside(spans, *match.span()) or _is_external(
                text, match.start()):
            continue
        new, end = make(match, text), match.end()
        wrap = re.search(r"[ \t]*\n[ \t]*(?:#+[ \t]*)?", match.group(0))
        if wrap:
            # The citation was broken over two lines: the line still breaks after it
            # (and the punctuation that follows it), where the next space was.
            word = re.match(r"[^\s]*", text[end:])
            assert word is not None
            end += word.end()
            new += word.group(0)
            if text[end:end + 1] == " ":
                new += "\n" + wrap.group(0).split("\n", 1)[1]
                end += 1
        out += [text[last:match.start()], new]
        last = end
    out.append(text[last:])
    return "".join(out)


def old_citations(path: str, text: str) -> Iterator[tuple[int, str]]:
    """(line, citation) of each old form `text` holds where it should hold a number.
    docs/requirements.md is the page that names the sources: it is not checked."""
    if path in SELF or path == REQUIREMENTS:
        return
    spans = kept_spans(path, text)
    for match in OLD_FORM.finditer(text):
        if _inside(spans, *match.span()) or _is_external(text, match.start()):
            continue
        yield text.count("\n", 0, match.start()) + 1, " ".join(match.group(0).split())


# -- the tree ----------------------------------------------------------------------------------


def files(root: Path) -> Iterator[Path]:
    """Every text file citations may live in, in a stable order."""
    for name in TOP_FILES:
        if (root / name).is_file():
            yield root / name
    for top in TOP_DIRS:
        base = root / top
        if not base.is_dir():
            continue
        for folder, dirs, names in os.walk(base):
            dirs[:] = sorted(
                d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")
                and relative(root, Path(folder) / d) not in SKIP_PATHS)
            for name in sorted(names):
                path = Path(folder) / name
                if path.suffix in SUFFIXES or (top == ".ci" and not path.suffix):
                    yield path


def relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout (default: the one this script is in)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; list what would change, exit 1 if anything")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    changed, left = 0, 0
    for path in files(root):
        name = relative(root, path)
        before = path.read_text(encoding="utf-8")
        after = rewrite(name, before)
        if after != before:
            changed += 1
            print(f"{'would rewrite' if args.check else 'rewrote'} {name}")
            if not args.check:
                path.write_text(after, encoding="utf-8")
        for line, citation in old_citations(name, after):
            left += 1
            print(f"{name}:{line}: '{citation}' has no rewrite: add a phrase to "
                  f"{SELF[0]}", file=sys.stderr)
    return 1 if left or (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
