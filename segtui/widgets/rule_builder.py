"""The dynamic-segment rule builder, part of the Create and Edit forms (D1.3).

Two views of one rule, kept in sync: the query-language line (for typing) and the tree
(widgets/rule_tree.py, for building from the keyboard). A condition is written in the
condition dialog, which the builder asks the app for (`ConditionWanted`).

While the rule is edited, a worker (debounced, cancelled by the next edit, never blocking
typing) checks it against the database (segment names, cycles) and shows how many contacts
match now, with a few of their names; editing an existing dynamic segment, the same worker
then says who would enter and who would leave its members (widgets/rule_diff.py, C20.6).
"""

from __future__ import annotations

from typing import Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Select
from textual.worker import get_current_worker

from segtui.core.formatting import plural
from segtui.core.records import Choice, ChoiceKind
from segtui.core.rules.diff import RuleDiff
from segtui.core.rules.language import RuleSyntaxError, format_rule, parse
from segtui.core.rules.templates import TEMPLATES
from segtui.core.rules.tree import Condition, Group, Node, Path, RuleIssue, node_at, replace_at
from segtui.core.validation import FieldError
from segtui.widgets.asking import ConditionWanted
from segtui.widgets.debounce import Debouncer
from segtui.widgets.rule_diff import COMPARING, RuleDiffLines, diff_of
from segtui.widgets.rule_tree import RuleTree, inserted, rearranged
from segtui.widgets.text import RULE_KEPT, FieldText, user_text
from segtui.widgets.workers import deliver, in_thread

SAMPLE_SIZE = 3
KNOWN_VALUES = 500  # suggestions per field
KNOWN_VALUE_FIELDS = {"segment": ChoiceKind.SEGMENT, "city": ChoiceKind.CITY,
                      "state": ChoiceKind.STATE, "company": ChoiceKind.COMPANY}
# A count costs more than a search: the builder waits twice the typing pause.
COUNT_PAUSE_FACTOR = 2


class _RuleSourceRules(Protocol):
    def check_rule(self, rule: Node, segment_id: int | None = ...
                   ) -> tuple[Node, list[RuleIssue]]: ...

    def rule_count(self, rule: Node) -> int: ...

    def rule_sample(self, rule: Node, limit: int = ...) -> list[tuple[int, str]]: ...

    def rule_diff(self, segment_id: int, rule: Node) -> RuleDiff: ...


class _RuleSourceMembers(Protocol):
    def rule_overrides(self, segment_id: int) -> tuple[int, int]: ...


class _RuleSourceContacts(Protocol):
    def choices(self, kind: ChoiceKind, text: str = ..., limit: int = ...) -> list[Choice]: ...


class RuleSource(Protocol):
    """What the builder reads (the Store satisfies it)."""

    @property
    def rules(self) -> _RuleSourceRules: ...

    @property
    def members(self) -> _RuleSourceMembers: ...

    @property
    def contacts(self) -> _RuleSourceContacts: ...


class RuleBuilder(Vertical):
    DEFAULT_CSS = """
    RuleBuilder { height: auto; }
    RuleBuilder .rule-row { height: 1; }
    RuleBuilder .rule-label { width: 14; color: $text-muted; }
    RuleBuilder #rule-text { width: 1fr; }
    RuleBuilder #rule-template { width: 1fr; }
    RuleBuilder #rule-problem { color: $error; width: 1fr; height: auto; padding-left: 14; }
    RuleBuilder #rule-problem:disabled { display: none; }
    RuleBuilder #rule-note { padding-left: 14; }
    RuleBuilder #rule-tree { height: auto; max-height: 8; border: none; padding: 0; }
    RuleBuilder #rule-count { color: $text-muted; height: auto; }
    RuleBuilder #rule-overrides { color: $warning; height: auto; }
    RuleBuilder #rule-keys { color: $text-muted; height: 1; }
    """

    class Changed(Message):
        """The rule changed and was checked: `rule` is the valid rule or None, `count` the
        contacts it matches now (None while unknown or invalid)."""

        def __init__(self, builder: RuleBuilder, rule: Group | None, count: int | None,
                     problems: list[str]) -> None:
            super().__init__()
            self.builder = builder
            self.rule = rule
            self.count = count
            self.problems = problems

        @property
        def control(self) -> RuleBuilder:
            return self.builder

    def __init__(self, store: RuleSource, rule: Node | None = None,
                 segment_id: int | None = None, *, diff: bool = False) -> None:
        """`diff`: the rule is `segment_id`'s, a saved dynamic segment's: show who would
        enter and leave its members (C20.6.3)."""
        super().__init__()
        self.store = store
        self.segment_id = segment_id
        self.diff_against = segment_id if diff else None
        self.root: Group = rule if isinstance(rule, Group) else Group(
            children=() if rule is None else (rule,))
        self.checked: Group | None = None  # the last rule the database accepted
        self.problems: list[str] = []
        self.count: int | None = None
        self.syntax_error = ""  # the text's parse error, if it does not parse
        self.known_values: dict[str, list[str]] = {}  # field key -> suggestions
        # The text the tree last wrote into the line (first: the initial rule's).
        self._written: str | None = format_rule(self.root) if self.root.children else ""
        # The line holds it with invisible characters as stand-ins (I16.8).
        self.rule_text = FieldText(self._written or "", consequence=RULE_KEPT)
        self._count_later = Debouncer(self, self._check_and_count, group="rule-count-wait",
                                      factor=COUNT_PAUSE_FACTOR)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="rule-row"):
            yield Label("Template", classes="rule-label")
            yield Select([(t.name, t.name) for t in TEMPLATES], prompt="Start from a template…",
                         compact=True, id="rule-template")
        with Horizontal(classes="rule-row"):
            yield Label("Rule", classes="rule-label")
            yield Input(self.rule_text.shown,
                        placeholder='e.g. status = "Hot Lead" and opened within 30d >= 1',
                        compact=True, id="rule-text")
        yield Label("", id="rule-note", classes="field-note")
        yield Label("", id="rule-problem", disabled=True)
        yield RuleTree(id="rule-tree")
        yield Label("a add · g group · enter edit · n not · o and/or · del remove · "
                    "ctrl+↑↓ move", id="rule-keys")
        yield Label("", id="rule-count")
        if self.diff_against is not None:
            yield RuleDiffLines(id="rule-diff")
        yield Label("", id="rule-overrides")

    def on_mount(self) -> None:
        self._show_note()
        self._show_tree()
        self._recheck()
        self.query_one("#rule-overrides").display = False
        self._load_known_values()
        if self.segment_id is not None:
            self._load_overrides(self.segment_id)

    @in_thread("rule-overrides")
    def _load_overrides(self, segment_id: int) -> None:
        by_hand, kept_out = self.store.members.rule_overrides(segment_id)
        if by_hand or kept_out:
            deliver(self, self._show_overrides, by_hand, kept_out)

    def _show_overrides(self, by_hand: int, kept_out: int) -> None:
        """Manual overrides of the rule are kept by every refresh; say so (D1.3)."""
        label = self.query_one("#rule-overrides", Label)
        label.update(Text(f"Kept by hand whatever the rule says: {by_hand:,} added, "
                          f"{kept_out:,} removed"))
        label.display = True

    # -- the tree ---------------------------------------------------------------------------

    def _show_tree(self, select: Path | None = None) -> None:
        self.query_one(RuleTree).show(self.root, select)

    @in_thread("rule-known-values")
    def _load_known_values(self) -> None:
        """Values the condition dialog suggests as you type (segment names, cities, states,
        companies), read once in a worker: the UI thread never waits on SQL."""
        known = {field: [c.label for c in self.store.contacts.choices(kind, "", KNOWN_VALUES)]
                 for field, kind in KNOWN_VALUE_FIELDS.items()}
        deliver(self, setattr, self, "known_values", known)

    @on(RuleTree.EditWanted)
    def _edit_wanted(self, event: RuleTree.EditWanted) -> None:
        event.stop()
        self.edit(event.what)

    def edit(self, what: str) -> None:
        """One keyboard edit of the tree at the highlighted node (widgets/rule_tree.py)."""
        path = self.query_one(RuleTree).selected_path(self.root)
        node = node_at(self.root, path)
        if what in ("add", "group"):
            self.post_message(ConditionWanted(None, self.known_values,
                                              lambda c: self._insert(path, c, what)))
        elif what == "edit" and isinstance(node, Condition):
            self.post_message(ConditionWanted(node, self.known_values,
                                              lambda c: self._replace(path, c)))
        elif (edited := rearranged(self.root, path,
                                   "joiner" if what == "edit" else what)) is not None:
            self._set_root(*edited)

    def _insert(self, path: Path, condition: Condition | None, what: str) -> None:
        if condition is not None:
            self._set_root(*inserted(self.root, path, condition, group=what == "group"))

    def _replace(self, path: Path, condition: Condition | None) -> None:
        if condition is not None:
            self._set_root(replace_at(self.root, path, condition), path)

    def _set_root(self, root: Node, select: Path) -> None:
        self.root = root if isinstance(root, Group) else Group(children=(root,))
        # Input.Changed arrives later, as a message: remember the text we wrote so the
        # handler knows it is ours (re-parsing it would lose a one-child group's "or").
        self._written = format_rule(self.root) if self.root.children else ""
        self.rule_text = FieldText(self._written, consequence=RULE_KEPT)
        self.query_one("#rule-text", Input).value = self.rule_text.shown
        self._show_note()
        self.syntax_error = ""
        self._problem("")
        self._show_tree(select)
        self._recheck()

    def rule_for_save(self) -> Group | None:
        """The rule as shown, if it can be sent to be saved (the save checks it against the
        database again); None while the text does not parse or holds no condition."""
        if self.syntax_error or not self.root.children:
            return None
        return self.root

    def not_saveable(self) -> str:
        """Why `rule_for_save()` is None, as the modals show it."""
        return f"Fix the rule first: {self.syntax_error or 'add at least one condition'}"

    def use_template(self, text: str) -> None:
        self._set_root(parse(text), ())

    # -- the text ---------------------------------------------------------------------------

    def _show_note(self) -> None:
        """Under the line: the invisible characters the rule's values hold, if any."""
        note = self.rule_text.note(self.query_one("#rule-text", Input).value)
        label = self.query_one("#rule-note", Label)
        label.update(note)
        label.display = bool(note.plain)

    @on(Input.Changed, "#rule-text")
    def _text_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show_note()
        if self._written is not None and event.value == self.rule_text.shown:
            return
        self._written = None
        text = self.rule_text.read(event.value)
        self.syntax_error = ""
        if not text.strip():
            self.root = Group(joiner=self.root.joiner)
            self._problem("")
            self._show_tree(())
            self._recheck()
            return
        try:
            root = parse(text)
        except RuleSyntaxError as exc:
            self.syntax_error = f"{exc.message} (column {exc.column})"
            self._problem(self.syntax_error)
            self.count = None
            self.query_one("#rule-count", Label).update(
                "The tree shows the last rule that parsed; fix the line to count again.")
            self.checked = None
            self._show_diff(None)
            self._report(None, [exc.message])
            return
        self.root = root
        self._problem("")
        self._show_tree()
        self._recheck()

    @on(Select.Changed, "#rule-template")
    def _template_chosen(self, event: Select.Changed) -> None:
        event.stop()
        chosen = next((t for t in TEMPLATES if t.name == event.value), None)
        if chosen is not None:
            self.use_template(chosen.rule)

    @on(OptionList.OptionSelected, "#rule-tree")
    def _row_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.edit("edit")

    def _problem(self, message: str) -> None:
        label = self.query_one("#rule-problem", Label)
        label.update(user_text(message))
        label.disabled = not message

    # -- checking and counting --------------------------------------------------------------

    def _recheck(self) -> None:
        self.count = None
        self.query_one("#rule-count", Label).update(
            "Add a condition to see who matches." if not self.root.children else "Counting…")
        if self.root.children:
            self._count_later(self.root)  # a burst of keys costs one count, for its last rule
            self._show_diff(COMPARING)
        else:
            self.checked = None
            self._show_diff(None)
            self._report(None, ["a dynamic segment needs at least one condition"])

    @in_thread("rule-count")
    def _check_and_count(self, root: Group) -> None:
        worker = get_current_worker()
        checked, issues = self.store.rules.check_rule(root, self.segment_id)
        if issues:
            deliver(self, self._checked, root, None, None, [], [i.message for i in issues])
            return
        assert isinstance(checked, Group)
        try:
            count = self.store.rules.rule_count(checked)
            if worker.is_cancelled:
                return
            sample = [name for _, name in self.store.rules.rule_sample(checked, SAMPLE_SIZE)]
        except Exception as exc:
            # Said where the count goes, as a problem of the rule (not handed on to
            # in_thread's toast): never "Counting…" for ever (I16.9).
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
            deliver(self, self._checked, root, None, None, [],
                    [f"the database could not count this rule ({reason})"])
            return
        deliver(self, self._checked, root, checked, count, sample, [])
        if self.diff_against is not None and not worker.is_cancelled:
            deliver(self, self._diffed, root,
                    diff_of(self.store.rules, self.diff_against, checked))

    def _diffed(self, root: Group, diff: RuleDiff | str) -> None:
        if root == self.root and self.checked is not None:  # else a newer edit's is coming
            self._show_diff(diff)

    def _show_diff(self, diff: RuleDiff | str | None) -> None:
        if self.diff_against is not None:
            self.query_one(RuleDiffLines).show(diff)

    def _checked(self, root: Group, checked: Group | None, count: int | None,
                 sample: list[str], problems: list[str]) -> None:
        if root != self.root:  # the rule changed since; its own check is on the way
            return
        self.checked = checked
        label = self.query_one("#rule-count", Label)
        if checked is None:
            self._problem("; ".join(problems))
            label.update("")
            self._show_diff(None)
        else:
            names = ", ".join(sample) + (", …" if count and count > len(sample) else "")
            assert count is not None  # a checked rule was counted
            verb = "matches" if count == 1 else "match"
            label.update(user_text(f"{plural(count, 'contact')} {verb} now"
                                   + (f": {names}" if names else "")))
        self.count = count
        self._report(checked, problems)

    def _report(self, rule: Group | None, problems: list[str]) -> None:
        self.problems = problems
        self.post_message(self.Changed(self, rule, self.count, problems))


def rule_errors(errors: list[FieldError]) -> str:
    """The rule's part of a refused save ("" if the rule was fine), as the modals show it."""
    messages = [e.message for e in errors if e.field == "rule"]
    return "Rule: " + "; ".join(messages) if messages else ""
