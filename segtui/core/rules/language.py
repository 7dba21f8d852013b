"""The one-line query language for dynamic-segment rules, equivalent to the tree both ways.

    status = "Hot Lead" and (score > 70 or tag = Enterprise) and not in segment "Churned"
    opened within 30d >= 1 and last_activity older than 90d and spent between 50 and 200

Grammar (keywords ignore case; `not` binds tighter than `and`, `and` tighter than `or`):

    rule      := and_list ("or" and_list)*
    and_list  := unary ("and" unary)*
    unary     := "not" unary | "(" rule ")" | condition
    condition := "in" "segment" VALUE
               | FIELD ("=" | "!=" | ">" | "<" | ">=" | "<=") VALUE
               | FIELD "contains" VALUE | FIELD "not" "contains" VALUE
               | FIELD "starts" "with" VALUE | FIELD "in" "(" VALUE ("," VALUE)* ")"
               | FIELD "is" ["not"] "empty" | FIELD "between" VALUE "and" VALUE
               | FIELD ("before" | "after") DATE
               | FIELD "within" DAYS | FIELD "older" "than" DAYS     (date fields)
               | EVENT ["within" DAYS] COMPARISON COUNT                (opened, clicked, ...)
    VALUE     := "double-quoted text" (\\" and \\\\ escape) | a bare word
    DAYS      := 30d | 30

`format_rule(parse(text))` is canonical text; `parse(format_rule(tree))` gives the tree back
(tests/core/test_rule_language.py proves both with hypothesis). A mistake raises
`RuleSyntaxError` with the 1-based column it was found at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from segtui.core.rules.fields import FieldType, RuleField, field_named
from segtui.core.rules.tree import (
    Condition,
    EventCount,
    Group,
    Joiner,
    Node,
    Op,
    SegmentRef,
    Value,
)
from segtui.core.text import quoted

COMPARISONS = {"=": Op.EQ, "==": Op.EQ, "!=": Op.NE, "<>": Op.NE, ">": Op.GT, "<": Op.LT,
               ">=": Op.GE, "<=": Op.LE}
KEYWORDS = frozenset({"and", "or", "not", "in", "segment", "contains", "starts", "with",
                      "is", "empty", "between", "before", "after", "within", "older", "than"})
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<unclosed>"(?:[^"\\]|\\.)*\\?)
  | (?P<punct>[(),])
  | (?P<cmp>>=|<=|!=|<>|==|=|>|<)
  | (?P<word>[^\s(),"=<>!]+|!)
""", re.VERBOSE)
_BARE = re.compile(r"^[A-Za-z0-9_.@$:+\-/]+$")
_DAYS = re.compile(r"^(\d{1,6})d?$", re.IGNORECASE)
MAX_NESTING = 50  # parentheses and 'not's within each other (each is a Python stack frame)


class RuleSyntaxError(ValueError):
    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Token:
    kind: str  # string, punct, cmp, word, end
    text: str
    column: int

    def keyword(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        assert match is not None  # the word pattern accepts any other character
        kind = match.lastgroup or "word"
        if kind == "unclosed":
            raise RuleSyntaxError("this text has no closing quote", position + 1)
        if kind == "string":
            tokens.append(Token("string", _unescape(match.group()[1:-1]), position + 1))
        elif kind != "space":
            tokens.append(Token(kind, match.group(), position + 1))
        position = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", r"\1", body)


def parse(text: str) -> Group:
    """The rule tree of `text`; the root is always a group."""
    if len(text) > 10_000:
        raise RuleSyntaxError("the rule is longer than 10,000 characters", 1)
    parser = _Parser(tokenize(text))
    if parser.peek().kind == "end":
        raise RuleSyntaxError("the rule is empty: write a condition such as score > 70", 1)
    node = parser.rule()
    end = parser.peek()
    if end.kind != "end":
        if end.text == ")":
            raise RuleSyntaxError("this ')' has no matching '('", end.column)
        raise RuleSyntaxError(f"expected 'and', 'or' or the end, found {quoted(end.text)}",
                              end.column)
    return _as_group(node)


def _as_group(node: Node) -> Group:
    return node if isinstance(node, Group) else Group(Joiner.AND, (node,))


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.nesting = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def expect_keyword(self, word: str, why: str) -> Token:
        token = self.take()
        if not token.keyword(word):
            raise RuleSyntaxError(f"expected '{word}' {why}, found {_shown(token)}",
                                  token.column)
        return token

    def rule(self) -> Node:
        parts = [self.and_list()]
        while self.peek().keyword("or"):
            self.take()
            parts.append(self.and_list())
        return parts[0] if len(parts) == 1 else Group(Joiner.OR, tuple(parts))

    def and_list(self) -> Node:
        parts = [self.unary()]
        while self.peek().keyword("and"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else Group(Joiner.AND, tuple(parts))

    def unary(self) -> Node:
        token = self.peek()
        if token.keyword("not") or (token.text == "(" and token.kind == "punct"):
            self.nesting += 1
            if self.nesting > MAX_NESTING:
                raise RuleSyntaxError(f"the rule nests more than {MAX_NESTING} levels deep ("
                                      "parentheses and 'not')", token.column)
        if token.keyword("not"):
            self.take()
            inner = self.unary()
            self.nesting -= 1
            return Group(inner.joiner, inner.children, not inner.negated) \
                if isinstance(inner, Group) else \
                Condition(inner.field, inner.op, inner.value, not inner.negated)
        if token.text == "(" and token.kind == "punct":
            self.take()
            if self.peek().text == ")":
                raise RuleSyntaxError("empty parentheses: put a condition inside",
                                      self.peek().column)
            inner = self.rule()
            closing = self.take()
            if closing.text != ")":
                raise RuleSyntaxError(f"expected ')' to close the '(' at column "
                                      f"{token.column}, found {_shown(closing)}",
                                      closing.column)
            self.nesting -= 1
            return _as_group(inner)
        return self.condition()

    def condition(self) -> Condition:
        start = self.take()
        if start.keyword("in"):
            self.expect_keyword("segment", "after 'in'")
            name = self.value_token("a segment name")
            return Condition("segment", Op.IN_SEGMENT, SegmentRef(name.text))
        if start.kind != "word" or (start.text.lower() in KEYWORDS
                                    and field_named(start.text) is None):  # 'segment' is both
            raise RuleSyntaxError(f"expected a field name, found {_shown(start)}",
                                  start.column)
        field = field_named(start.text)
        if field is None:
            raise RuleSyntaxError(f"unknown field {quoted(start.text)}", start.column)
        if field.type is FieldType.SEGMENT:
            raise RuleSyntaxError("write segment membership as: in segment \"Name\"",
                                  start.column)
        if field.type is FieldType.EVENT:
            return self.event_condition(field)
        return self.field_condition(field)

    def event_condition(self, field: RuleField) -> Condition:
        days: int | None = None
        if self.peek().keyword("within"):
            self.take()
            days = self.days()
        op_token = self.take()
        if op_token.kind != "cmp":
            raise RuleSyntaxError(
                f"expected a comparison such as '>= 1' after {field.key!r}, found "
                f"{_shown(op_token)}", op_token.column)
        count_token = self.value_token("a count")
        if not count_token.text.isdecimal() or len(count_token.text) > 9:
            raise RuleSyntaxError(f"{quoted(count_token.text)} is not a whole number of times",
                                  count_token.column)
        return Condition(field.key, COMPARISONS[op_token.text],
                         EventCount(int(count_token.text), days))

    def days(self) -> int:
        token = self.value_token("a number of days such as 30d")
        match = _DAYS.match(token.text)
        if match is None:
            raise RuleSyntaxError(f"{quoted(token.text)} is not a number of days (write 30d)",
                                  token.column)
        return int(match.group(1))

    def field_condition(self, field: RuleField) -> Condition:
        token = self.take()
        op: Op
        if token.kind == "cmp":
            op = COMPARISONS[token.text]
        elif token.keyword("contains"):
            op = Op.CONTAINS
        elif token.keyword("not"):
            self.expect_keyword("contains", "after 'not' (or put 'not' before the field)")
            op = Op.NOT_CONTAINS
        elif token.keyword("starts"):
            self.expect_keyword("with", "after 'starts'")
            op = Op.STARTS_WITH
        elif token.keyword("is"):
            negative = self.peek().keyword("not")
            if negative:
                self.take()
            self.expect_keyword("empty", "after 'is'")
            return self.checked(field, Op.NOT_EMPTY if negative else Op.EMPTY, None, token)
        elif token.keyword("in"):
            return self.checked(field, Op.ONE_OF, self.value_list(), token)
        elif token.keyword("between"):
            low = self.value_token("the low end")
            self.expect_keyword("and", "between the two ends")
            high = self.value_token("the high end")
            return self.checked(field, Op.BETWEEN, (low.text, high.text), low, token)
        elif token.keyword("before", "after"):
            op = Op.BEFORE if token.keyword("before") else Op.AFTER
        elif token.keyword("within"):
            return self.checked(field, Op.WITHIN, Decimal(self.days()), token)
        elif token.keyword("older"):
            self.expect_keyword("than", "after 'older'")
            return self.checked(field, Op.OLDER, Decimal(self.days()), token)
        else:
            raise RuleSyntaxError(f"expected an operator after {field.key!r} (such as =, >, "
                                  f"contains, in, between), found {_shown(token)}",
                                  token.column)
        value = self.value_token("a value")
        return self.checked(field, op, value.text, value, token)

    def checked(self, field: RuleField, op: Op, value: Value, at: Token,
                op_at: Token | None = None) -> Condition:
        """The condition with its values converted to the field's type: a wrong type is a
        syntax error at the value's column, so 'score > abc' points at 'abc'; an operator
        the field does not have, at the operator (`op_at`, when it is not `at`)."""
        # Parsing's, not formatting's: `segtui segments list` formats rules only (P12).
        from segtui.core.rules.check import coerce_scalar

        if op not in field.operators:
            raise RuleSyntaxError(f"{op.value!r} does not apply to {field.key!r} (a "
                                  f"{field.type.value} field)", (op_at or at).column)
        try:
            if isinstance(value, tuple):
                value = tuple(coerce_scalar(field, op, v) for v in value)
            elif value is not None:
                value = coerce_scalar(field, op, value)
        except ValueError as exc:
            raise RuleSyntaxError(str(exc), at.column) from None
        return Condition(field.key, op, value)

    def value_token(self, what: str) -> Token:
        token = self.take()
        if token.kind == "string" or (token.kind == "word"
                                      and token.text.lower() not in ("and", "or")):
            return token
        raise RuleSyntaxError(f"expected {what}, found {_shown(token)}", token.column)

    def value_list(self) -> tuple[str, ...]:
        opening = self.take()
        if opening.text != "(":
            raise RuleSyntaxError(f"expected '(' to start the list, found {_shown(opening)}",
                                  opening.column)
        values = [self.value_token("a value").text]
        while self.peek().text == ",":
            self.take()
            values.append(self.value_token("a value").text)
        closing = self.take()
        if closing.text != ")":
            raise RuleSyntaxError(f"expected ',' or ')' in the list, found {_shown(closing)}",
                                  closing.column)
        return tuple(values)


def _shown(token: Token) -> str:
    return "the end" if token.kind == "end" else repr(token.text)


# -- writing -------------------------------------------------------------------------------


def format_rule(root: Node) -> str:
    """Canonical text of a tree. Nested groups are always parenthesised, so the text parses
    back to the same nesting."""
    if isinstance(root, Group) and not root.negated:
        return _join(root)
    return _format(root)


def _join(group: Group) -> str:
    return f" {group.joiner.value} ".join(_format(c) for c in group.children)


def _format(node: Node) -> str:
    text = f"({_join(node)})" if isinstance(node, Group) else _condition(node)
    return f"not {text}" if node.negated else text


def _condition(cond: Condition) -> str:
    op, value = cond.op, cond.value
    if op is Op.IN_SEGMENT:
        assert isinstance(value, SegmentRef)
        return f"in segment {quote(value.name, always=True)}"
    if isinstance(value, EventCount):
        window = f" within {value.days}d" if value.days is not None else ""
        return f"{cond.field}{window} {op.value} {value.count}"
    if op in (Op.EMPTY, Op.NOT_EMPTY):
        return f"{cond.field} {op.value}"
    if op is Op.ONE_OF:
        assert isinstance(value, tuple)
        return f"{cond.field} in ({', '.join(_value(v) for v in value)})"
    if op is Op.BETWEEN:
        assert isinstance(value, tuple)
        return f"{cond.field} between {_value(value[0])} and {_value(value[1])}"
    if op in (Op.WITHIN, Op.OLDER):
        assert isinstance(value, Decimal)
        return f"{cond.field} {op.value} {int(value)}d"
    return f"{cond.field} {op.value} {_value(value)}"


def _value(value: Value) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return quote(str(value))


def quote(text: str, *, always: bool = False) -> str:
    """Bare when it is one plain word that cannot be taken for a keyword, else quoted."""
    if not always and _BARE.match(text) and text.lower() not in KEYWORDS:
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
