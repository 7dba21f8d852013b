"""Add or edit one condition of a dynamic segment's rule: field, operator, value.

The value widgets follow the field: a list of the known values for closed vocabularies, a
days box for time windows, a count and an optional window for engagement facts, two boxes
for "between". What the user picked is written as one line of the query language and
parsed by `core/rules/language.py`, so the dialog and the language accept exactly the same
conditions and report mistakes with the same words.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select

from segtui.core.rules.fields import (
    FIELDS,
    NO_VALUE,
    OPERATOR_LABELS,
    FieldType,
    RuleField,
    field_named,
)
from segtui.core.rules.language import RuleSyntaxError, parse, quote
from segtui.core.rules.tree import Condition, EventCount, Op, SegmentRef
from segtui.core.text import hidden_characters
from segtui.screens.modals.dialog import Dialog
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import RULE_KEPT, FieldText, user_text

CONDITION_HELP = (
    "One condition of the rule: pick the field, then how it compares, then the value "
    "(a list for fields with known values; typing suggests known cities, states, "
    "companies and segment names: → takes the suggestion). The Rule line shows the "
    "condition as the query language writes it (docs/rules.md). enter in a box or ctrl+s "
    "uses it; escape asks before dropping what you changed."
)


def condition_text(field: RuleField, op: Op, value: str, high: str = "", days: str = ""
                   ) -> str:
    """The query-language line for what the dialog holds (parsed to check it)."""
    key = field.key
    if field.type is FieldType.SEGMENT:
        return f"in segment {quote(value, always=True)}"
    if field.type is FieldType.EVENT:
        window = f" within {days.strip()}d" if days.strip() else ""
        return f"{key}{window} {op.value} {value.strip() or '?'}"
    if op in NO_VALUE:
        return f"{key} {op.value}"
    if op is Op.ONE_OF:
        items = [v.strip() for v in value.split(",") if v.strip()]
        return f"{key} in ({', '.join(quote(v) for v in items)})"
    if op is Op.BETWEEN:
        return f"{key} between {quote(value.strip())} and {quote(high.strip())}"
    if op in (Op.WITHIN, Op.OLDER):
        return f"{key} {op.value} {value.strip()}d"
    return f"{key} {op.value} {quote(value.strip())}"


class ConditionDialog(Dialog[Condition | None]):
    HELP = CONDITION_HELP
    BINDINGS = [
        Binding("ctrl+s", "save", "Use", tooltip="Use the condition (enter in a box too)",
                id="condition.save"),
        Binding("escape", "cancel", "Cancel", id="condition.cancel"),
    ]
    AUTO_FOCUS = "#cond-field"

    def __init__(self, condition: Condition | None = None,
                 known_values: dict[str, list[str]] | None = None) -> None:
        """`known_values`: field key -> values to suggest while typing (segment names,
        cities, states, companies)."""
        super().__init__()
        self.initial = condition
        self.title_text = "Edit condition" if condition else "Add condition"
        self.known_values = known_values or {}
        self.field_key = (field_named(condition.field) or FIELDS[0]).key if condition \
            else FIELDS[0].key
        # The value boxes, filled from a stored rule: invisible characters as stand-ins
        # (I16.8).
        self.value_text = FieldText(consequence=RULE_KEPT)
        self.high_text = FieldText(consequence=RULE_KEPT)

    def compose(self) -> ComposeResult:
        start = field_named(self.initial.field) if self.initial else None
        field = start or FIELDS[0]
        with Vertical():
            yield Label(user_text(self.title_text), classes="modal-title")
            with Horizontal(classes="cond-row"):
                yield Label("Field", classes="cond-label")
                yield Select([(f.label, f.key) for f in FIELDS], value=field.key,
                             allow_blank=False, compact=True, id="cond-field")
            with Horizontal(classes="cond-row"):
                yield Label("Operator", classes="cond-label")
                yield Select(self._operator_options(field), allow_blank=False, compact=True,
                             id="cond-op")
            with Horizontal(classes="cond-row", id="row-days"):
                yield Label("Within days", classes="cond-label")
                yield Input(placeholder="blank: ever; 30 = the last 30 days", compact=True,
                            id="cond-days")
            with Horizontal(classes="cond-row", id="row-value"):
                yield Label("Value", classes="cond-label", id="value-label")
                yield Input(compact=True, id="cond-value")
                yield Select(self._choice_options(field), allow_blank=False, compact=True,
                             id="cond-choice")
            with Horizontal(classes="cond-row", id="row-high"):
                yield Label("and", classes="cond-label")
                yield Input(compact=True, id="cond-high")
            yield Label("", id="cond-note", classes="field-note")
            yield Label("", id="cond-preview")
            yield Label("", id="cond-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel", compact=True, id="cancel")
                yield Button("Use Condition", variant="primary", compact=True, id="save")
            yield KeyLine(classes="modal-keys")

    def draft(self) -> str:
        return self._text()

    def on_mount(self) -> None:
        if self.initial is not None:
            self._fill(self.initial)
        self._arrange()

    # -- what the widgets hold ---------------------------------------------------------------

    def _field(self) -> RuleField:
        key = self.query_one("#cond-field", Select).value
        return field_named(str(key)) or FIELDS[0]

    def _op(self) -> Op:
        value = self.query_one("#cond-op", Select).value
        field = self._field()
        try:
            op = Op(str(value))
        except ValueError:
            return field.operators[0]
        return op if op in field.operators else field.operators[0]

    @staticmethod
    def _choice_options(field: RuleField) -> list[tuple[str, str]]:
        # A Select without blank needs an option even when the field has no vocabulary.
        return [(c, c) for c in field.choices] or [("—", "")]

    @staticmethod
    def _operator_options(field: RuleField) -> list[tuple[str, str]]:
        if field.type is FieldType.EVENT:
            labels = {Op.GE: "at least (times)", Op.GT: "more than (times)",
                      Op.EQ: "exactly (times)", Op.NE: "not exactly (times)",
                      Op.LT: "fewer than (times)", Op.LE: "at most (times)"}
            return [(labels[o], o.value) for o in field.operators]
        return [(OPERATOR_LABELS[o], o.value) for o in field.operators]

    def _fill(self, cond: Condition) -> None:
        """Put an existing condition's parts in the widgets."""
        self.query_one("#cond-op", Select).value = cond.op.value
        value, high, days = cond.value, "", ""
        text: str
        if isinstance(value, SegmentRef):
            text = value.name
        elif isinstance(value, EventCount):
            text = str(value.count)
            days = "" if value.days is None else str(value.days)
        elif isinstance(value, tuple) and cond.op is Op.BETWEEN:
            text, high = (format(v, "f") if not isinstance(v, str) else v for v in value)
        elif isinstance(value, tuple):
            text = ", ".join(str(v) for v in value)
        elif value is None:
            text = ""
        else:
            text = format(value, "f") if not isinstance(value, str) else value
            if cond.op in (Op.WITHIN, Op.OLDER):
                text = str(int(value))  # type: ignore[arg-type]
        self.value_text = FieldText(str(text), consequence=RULE_KEPT)
        self.high_text = FieldText(str(high), consequence=RULE_KEPT)
        self.query_one("#cond-value", Input).value = self.value_text.shown
        self.query_one("#cond-high", Input).value = self.high_text.shown
        self.query_one("#cond-days", Input).value = days
        field = field_named(cond.field)
        if field and field.type is FieldType.CHOICE and isinstance(value, str):
            self.query_one("#cond-choice", Select).value = value

    def _arrange(self) -> None:
        """Show the value widgets this field and operator need."""
        field, op = self._field(), self._op()
        choice = field.type is FieldType.CHOICE and op in (Op.EQ, Op.NE)
        value_input = self.query_one("#cond-value", Input)
        chooser = self.query_one("#cond-choice", Select)
        chooser.display = choice
        value_input.display = not choice
        self.query_one("#row-value").display = op not in NO_VALUE
        self.query_one("#row-high").display = op is Op.BETWEEN
        self.query_one("#row-days").display = field.type is FieldType.EVENT
        label, placeholder = self._value_hint(field, op)
        self.query_one("#value-label", Label).update(user_text(label))
        value_input.placeholder = placeholder
        if self.known_values.get(field.key):
            # A suggestion shows in the box as it is: none holding invisible characters.
            known = [v for v in self.known_values[field.key] if not hidden_characters(v)]
            value_input.suggester = SuggestFromList(known, case_sensitive=False)
        elif field.type is FieldType.CHOICE:
            value_input.suggester = SuggestFromList(list(field.choices), case_sensitive=False)
        else:
            value_input.suggester = None
        self._preview()

    @staticmethod
    def _value_hint(field: RuleField, op: Op) -> tuple[str, str]:
        if field.type is FieldType.EVENT:
            return "Times", "a whole number, e.g. 1"
        if field.type is FieldType.SEGMENT:
            return "Segment", "the other segment's name"
        if op in (Op.WITHIN, Op.OLDER):
            return "Days", "e.g. 30"
        if op is Op.ONE_OF:
            return "Values", "comma-separated, e.g. Boston, Chicago"
        if field.type is FieldType.DATE:
            return "Date", "YYYY-MM-DD"
        if field.type is FieldType.MONEY:
            return "Dollars", "e.g. 200 or 49.99"
        if field.type is FieldType.NUMBER:
            return "Value", "a number"
        return "Value", field.help or "text"

    def _text(self) -> str:
        field, op = self._field(), self._op()
        chooser = self.query_one("#cond-choice", Select)
        if chooser.display:
            value = str(chooser.value)
        else:
            value = self.value_text.read(self.query_one("#cond-value", Input).value)
        high = self.high_text.read(self.query_one("#cond-high", Input).value)
        return condition_text(field, op, value, high, self.query_one("#cond-days", Input).value)

    def _condition(self) -> Condition:
        """The condition, or RuleSyntaxError saying what is wrong with it."""
        node = parse(self._text()).children[0]
        assert isinstance(node, Condition)
        if self.initial is not None and self.initial.negated:
            return Condition(node.field, node.op, node.value, True)
        return node

    def _preview(self) -> None:
        self.query_one("#cond-preview", Label).update(user_text(f"Rule: {self._text()}"))
        self.query_one("#cond-error", Label).update("")
        # Under the boxes: the invisible characters a stored value holds, if any.
        value_input = self.query_one("#cond-value", Input)
        note = Text("")
        if self.query_one("#row-value").display and value_input.display:
            note = self.value_text.note(value_input.value)
        if not note.plain and self.query_one("#row-high").display:
            note = self.high_text.note(self.query_one("#cond-high", Input).value)
        label = self.query_one("#cond-note", Label)
        label.update(note)
        label.display = bool(note.plain)

    # -- events ------------------------------------------------------------------------------

    @on(Select.Changed, "#cond-field")
    def _field_changed(self) -> None:
        field = self._field()
        if field.key == self.field_key:  # the initial value announcing itself: keep the rest
            return
        self.field_key = field.key
        self.query_one("#cond-op", Select).set_options(self._operator_options(field))
        self.query_one("#cond-choice", Select).set_options(self._choice_options(field))
        self._arrange()

    @on(Select.Changed, "#cond-op")
    def _op_changed(self) -> None:
        self._arrange()

    @on(Select.Changed, "#cond-choice")
    @on(Input.Changed)
    def _typed(self) -> None:
        self._preview()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        try:
            condition = self._condition()
        except RuleSyntaxError as exc:
            self.query_one("#cond-error", Label).update(user_text(exc.message))
            return
        self.dismiss(condition)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
