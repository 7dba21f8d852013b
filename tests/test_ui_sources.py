"""Rules the UI's source keeps, checked over every module (not a sample), U15.1-U15.2.

- Worker results reach widgets only through `widgets.workers.deliver`, which drops a result
  whose widget or screen is gone: no module calls `call_from_thread` itself, and no screen
  or widget awaits `asyncio.to_thread` (whose result would land on a removed widget).
- Thread workers start with `widgets.workers.in_thread`, which shows their failures to the
  user (Textual's own `@work(thread=True)` keeps a widget's failure to the widget).
- Text that is not a plain literal reaches a widget as a `rich.text.Text` (made by
  `widgets.text.user_text` or `Text(...)`), never as a string Textual would parse as
  markup: an f-string or a variable holding a name like "50% off [/] deal" crashed the
  command palette. Literal strings are the code's own words and may stay strings.
- Text a field shows and the user edits (an Input's value, a TextArea's text) is a literal
  or a `widgets.text.FieldText`'s `shown`: a field puts its text on the terminal as it
  is, so stored text holding an ESC or a bidi override must reach it as stand-ins
  (I16.8). The few fields filled with text that can't come from the database are
  listed, with the reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "segtui"
UI_MODULES = sorted(
    [*ROOT.joinpath("screens").rglob("*.py"), *ROOT.joinpath("widgets").rglob("*.py"),
     ROOT / "app.py", ROOT / "commands.py"]
)

# Widgets and calls whose first argument Textual parses as markup when it is a str.
MARKUP_CONSTRUCTORS = {"Label", "Static", "Button", "Option", "Hit", "DiscoveryHit",
                       "TabPane", "Checkbox", "RadioButton", "Collapsible", "Tab"}
MARKUP_METHODS = {"update", "add_option"}
MARKUP_ATTRIBUTES = {"label", "tooltip", "border_title", "border_subtitle"}
# Calls that return safe renderables.
SAFE_CALLS = {"user_text", "highlighted", "Text", "assemble", "Content", "Table", "grid",
              "insight_text", "explanation_text", "row_label", "segment_stats",
              "CampaignTable", "initials", "segment_status_badge", "lead_status_badge",
              "campaign_status_badge", "escaped_markup", "Option", "values_table",
              "tab_label", "note"}  # note: FieldText.note, a Text


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


SAFE_ANNOTATIONS = {"Text", "Content", "Table", "RenderableType", "VisualType"}

# Editable fields and the attribute holding the text they show.
FIELD_TEXT = {"Input": "value", "TextArea": "text"}
# (module, the text given to the field) -> why it can't hold stored text.
NOT_STORED_TEXT = {
    ("export_members.py", "self._default"):
        "a file name made of the segment name's letters, digits and '-' "
        "(core.exporting.members_export_filename)",
    ("export_contact_data.py", "self._default"):
        "contact-<id>-data-<date>.json: digits and '-' only (contact_data_filename)",
    ("export_audit.py", "self._default"):
        "a file name made of the date (core.formats.audit_export.audit_export_filename)",
    ("import_file.py", "self.initial_path"): "a path its caller passes, never stored text",
    ("condition_dialog.py", "days"): "a whole number of days, written by str(int)",
}


class _Scope:
    """What each local name of one function was assigned, to tell a `Text` variable from a
    `str` one without running the code."""

    def __init__(self, function: ast.AST | None) -> None:
        self.assigned: dict[str, list[ast.expr | None]] = {}
        for node in ast.walk(function) if function is not None else ():
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.assigned.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                safe = _name(node.annotation) in SAFE_ANNOTATIONS or (
                    isinstance(node.annotation, ast.Subscript)
                    and _name(node.annotation.value) in SAFE_ANNOTATIONS)
                self.assigned.setdefault(node.target.id, []).append(
                    None if safe else node.value)

    def unsafe(self, arg: ast.expr, depth: int = 0) -> bool:
        """A str that is not a plain literal: an f-string, a concatenation, an attribute, a
        name bound to any of those (or to nothing this function shows)."""
        if isinstance(arg, ast.Constant):
            return False
        if isinstance(arg, ast.Call):
            return _name(arg.func) not in SAFE_CALLS
        if isinstance(arg, ast.IfExp):
            return self.unsafe(arg.body, depth) or self.unsafe(arg.orelse, depth)
        if isinstance(arg, ast.Name):
            values = self.assigned.get(arg.id)
            if not values or depth > 5:
                return True
            return any(v is not None and self.unsafe(v, depth + 1) for v in values)
        return isinstance(arg, ast.JoinedStr | ast.BinOp | ast.Attribute | ast.Subscript)


def _display_arg(node: ast.Call, name: str) -> ast.expr | None:
    """The argument Textual shows: a palette Hit's is the second (the first is a score)."""
    index = 1 if name == "Hit" else 0
    return node.args[index] if len(node.args) > index else None


def _field_text_ok(value: ast.expr, filename: str) -> bool:
    """A field's text: a literal, a FieldText's `shown`, or listed in NOT_STORED_TEXT."""
    return (isinstance(value, ast.Constant)
            or (isinstance(value, ast.Attribute) and value.attr == "shown")
            or (filename, ast.unparse(value)) in NOT_STORED_TEXT)


def _queried_field(node: ast.expr) -> str:
    """'Input' for `self.query_one("#x", Input)`, else ''."""
    if (isinstance(node, ast.Call) and _name(node.func) == "query_one"
            and len(node.args) == 2 and _name(node.args[1]) in FIELD_TEXT):
        return _name(node.args[1])
    return ""


def _violations(source: str, where: str, filename: str = "") -> Iterator[str]:
    tree = ast.parse(source)
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef |
                                                            ast.AsyncFunctionDef)]
    owner: dict[ast.AST, ast.AST] = {}
    for function in functions:  # inner functions are walked last and win
        for node in ast.walk(function):
            owner[node] = function
    scopes: dict[ast.AST | None, _Scope] = {}

    def scope(node: ast.AST) -> _Scope:
        function = owner.get(node)
        if function not in scopes:
            scopes[function] = _Scope(function)
        return scopes[function]

    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name == "call_from_thread" and filename != "workers.py":
                found.append((node.lineno, "call_from_thread (use widgets.workers.deliver)"))
            if (name == "work" and filename != "workers.py"
                    and any(k.arg == "thread" for k in node.keywords)):
                found.append((node.lineno, "a thread worker (use widgets.workers.in_thread)"))
            if name == "to_thread" and filename != "commands.py":
                found.append((node.lineno, "asyncio.to_thread (use a thread worker + deliver)"))
            markup_call = (
                (isinstance(node.func, ast.Name) and name in MARKUP_CONSTRUCTORS)
                or (isinstance(node.func, ast.Attribute) and name in MARKUP_METHODS)
            )
            shown = _display_arg(node, name)
            if markup_call and shown is not None and scope(node).unsafe(shown):
                found.append((node.lineno, f"{name}() given a str that may hold markup"))
            if isinstance(node.func, ast.Name) and name in FIELD_TEXT:
                given = [*node.args[:1], *(k.value for k in node.keywords
                                           if k.arg == FIELD_TEXT[name])]
                if any(not _field_text_ok(g, filename) for g in given):
                    found.append((node.lineno, f"{name}() filled with text not made safe "
                                               "(FieldText.shown)"))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                own = isinstance(target, ast.Attribute) and (
                    target.attr in MARKUP_ATTRIBUTES - {"label"}
                    or (target.attr == "label" and _name(target.value) != "self"))
                if own and scope(node).unsafe(node.value):
                    assert isinstance(target, ast.Attribute)
                    found.append((node.lineno, f".{target.attr} = a str that may hold markup"))
                field = _queried_field(target.value) if isinstance(target, ast.Attribute) \
                    else ""
                if (field and isinstance(target, ast.Attribute)
                        and target.attr == FIELD_TEXT[field]
                        and not _field_text_ok(node.value, filename)):
                    found.append((node.lineno, f"{field}.{target.attr} = text not made safe "
                                               "(FieldText.shown)"))
    for line, message in sorted(found):
        yield f"{where}:{line}: {message}"


@pytest.mark.parametrize("path", UI_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_module_keeps_the_rules(path: Path) -> None:
    where = str(path.relative_to(ROOT.parent))
    assert list(_violations(path.read_text(encoding="utf-8"), where, path.name)) == []


def test_the_rules_catch_what_they_are_for() -> None:
    """The checker itself: each forbidden form is caught, the allowed ones are not."""
    sample = (
        "Label(f'Edit {name}')\n"            # 1 an f-string
        "Label(name)\n"                      # 2 a name this code never binds
        "Label('Edit')\n"                    # 3 a literal: fine
        "Label(user_text(name))\n"           # 4 made safe: fine
        "self.app.call_from_thread(f)\n"     # 5 bypasses deliver
        "w.tooltip = help\n"                 # 6 a tooltip from a name
        "w.update(Text(x))\n"                # 7 a Text: fine
        "Option(a if b else c)\n"            # 8 either branch may be a str
        "def f():\n"
        "    t = Text.assemble('a', b)\n"
        "    Static(t)\n"                     # 11 a local Text: fine
        "    s = 'x' + y\n"
        "    Static(s)\n"                     # 13 a local str
        "    Hit(0.5, s, cb)\n"               # 14 a hit's display
        "@work(thread=True)\n"                # 15 a thread worker without in_thread
        "def g(): pass\n"
        "Input(name)\n"                      # 17 stored text straight into a field
        "Input(t.shown, placeholder=p)\n"    # 18 through FieldText: fine
        "TextArea(text=d.details)\n"         # 19
        "q.query_one('#x', Input).value = v\n"  # 20
        "q.query_one('#x', TextArea).text = ''\n"  # 21 a literal: fine
    )
    found = [int(line.split(":")[1]) for line in _violations(sample, "sample")]
    assert found == [1, 2, 5, 6, 8, 13, 14, 15, 17, 19, 20]
