"""The dashboard's search bar: words, or a rule after "?" (D1.2).

Words search segment names, tags and member companies. "?" and a rule in the query
language (`?status = "Hot Lead"`) lists the segments with a member the rule matches: the
rule is parsed as typed, checked and counted against the database (in a worker), and the
line under the bar says how many contacts match, or what is wrong with the rule. Enter on
a checked rule offers to create a dynamic segment from it.

Typing is debounced (widgets/debounce.py). The bar tells its screen what to search with
`SearchBar.Changed(text, rule)`, and what enter means with `SearchBar.Submitted(rule)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label

from segtui.core.formatting import plural
from segtui.core.rules.language import RuleSyntaxError, format_rule, parse
from segtui.core.rules.tree import Group, Node, RuleIssue
from segtui.widgets.debounce import Debouncer
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

RULE_PREFIX = "?"  # a search starting with this is a rule in the query language


class _RuleCounterRules(Protocol):
    def check_rule(self, rule: Node, segment_id: int | None = ...
                   ) -> tuple[Node, list[RuleIssue]]: ...

    def rule_count(self, rule: Node) -> int: ...


class RuleCounter(Protocol):
    """What the bar asks about a "?rule" (the Store satisfies it)."""

    @property
    def rules(self) -> _RuleCounterRules: ...


class SearchBar(Vertical):
    """The search box (#search) with `buttons` beside it (#toolbar; their presses go to
    the screen), and the rule's line under them (#rule-hint, shown only for a "?rule")."""

    DEFAULT_CSS = """
    SearchBar { height: auto; }
    """

    @dataclass
    class Changed(Message):
        """Search for `text`, or (text "") for segments with a member `rule` matches (a
        "?rule" the database accepted)."""

        text: str
        rule: Node | None

    @dataclass
    class Submitted(Message):
        """Enter in the box: `rule` is the checked rule while the box holds a "?rule"."""

        rule: Group | None

    def __init__(self, store: RuleCounter, *buttons: Widget) -> None:
        super().__init__()
        self.store = store
        self.buttons = buttons
        self.rule: Node | None = None  # the last "?rule" the database accepted
        self._debounce = Debouncer(self, self._search, group="search")

    def compose(self) -> ComposeResult:
        with Horizontal(id="toolbar"):
            yield Input(placeholder="Search segments, tags, companies…  (/)", id="search")
            yield from self.buttons
        yield Label("", id="rule-hint")

    def on_mount(self) -> None:
        self.query_one("#rule-hint").display = False

    def focus_box(self) -> None:
        self.query_one("#search", Input).focus()

    def clear(self) -> None:
        """Empty the box (its change then searches for everything)."""
        self.query_one("#search", Input).value = ""

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._debounce(event.value)

    @on(Input.Submitted, "#search")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        rule = self.rule if event.value.lstrip().startswith(RULE_PREFIX) else None
        assert rule is None or isinstance(rule, Group)
        self.post_message(self.Submitted(rule))

    def _search(self, text: str) -> None:
        stripped = text.lstrip()
        if not stripped.startswith(RULE_PREFIX):
            self._hint("")
            self.rule = None
            self.post_message(self.Changed(text, None))
            return
        offset = len(text) - len(stripped) + 1  # columns are counted in the whole box
        try:
            tree = parse(stripped[1:])
        except RuleSyntaxError as exc:
            self._hint(f"Rule: {exc.message} (column {exc.column + offset})", error=True)
            return
        self._hint("Checking the rule…")
        self._check(tree)

    @in_thread("rule-search")
    def _check(self, tree: Group) -> None:
        checked, issues = self.store.rules.check_rule(tree)
        if issues:
            deliver(self, self._hint, "Rule: " + "; ".join(i.message for i in issues), True)
            return
        deliver(self, self._checked, checked, self.store.rules.rule_count(checked))

    def _checked(self, rule: Node, count: int) -> None:
        self._hint(f"{plural(count, 'contact')} match {format_rule(rule)} · segments with "
                   "such members are listed · enter: create a dynamic segment from this rule")
        self.rule = rule
        self.post_message(self.Changed("", rule))

    def _hint(self, message: str, error: bool = False) -> None:
        hint = self.query_one("#rule-hint", Label)
        hint.update(user_text(message))
        hint.display = bool(message)
        hint.set_class(error, "error")
