"""The rule builder's tree: the rule as an indented list, edited from the keyboard.

    a  add a condition        g  add a group       enter  edit
    n  negate (not)           o  switch and/or     delete remove
    ctrl+up / ctrl+down  move among its siblings

The tree only draws the rule and says which key was pressed (`RuleTree.EditWanted`); the
builder (widgets/rule_builder.py) owns the rule and changes it with the pure edits below.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from segtui.core.rules.language import format_rule
from segtui.core.rules.tree import (
    Condition,
    Group,
    Joiner,
    Node,
    Path,
    insert_at,
    negate,
    node_at,
    replace_at,
)
from segtui.core.text import printable
from segtui.widgets.badges import badge
from segtui.widgets.palette import Hue


def tree_rows(root: Group) -> list[tuple[Path, int, Node]]:
    """(path, depth, node) for every node, in reading order."""
    rows: list[tuple[Path, int, Node]] = []

    def visit(node: Node, path: Path) -> None:
        rows.append((path, len(path), node))
        if isinstance(node, Group):
            for i, child in enumerate(node.children):
                visit(child, (*path, i))

    visit(root, ())
    return rows


def row_label(node: Node, depth: int) -> Text:
    # Tree guides, not spaces: the option list drops an unstyled row's leading whitespace.
    indent = "│ " * depth
    if isinstance(node, Group):
        word = "ALL of" if node.joiner is Joiner.AND else "ANY of"
        text = Text(indent, style="dim")
        if node.negated:
            # A badge, not red text: the row may be the highlighted one.
            text.append_text(badge("NOT", Hue.RED))
            text.append(" ")
        text.append(f"{word} ({node.joiner.value})", style="bold")
        if not node.children:
            text.append("  — empty: press a to add a condition", style="dim")
        return text
    # Text(), not markup: a value like "[bold]" shows literally (printable() also replaces
    # control characters).
    return Text.assemble((indent, "dim"), "• ", printable(format_rule(Group(children=(node,)))))


# -- edits that need no dialog: (the new rule, the row to highlight), or None --------------

def rearranged(root: Group, path: Path, what: str) -> tuple[Node, Path] | None:
    """The rule after `what` ("negate", "joiner", "remove", "up", "down") at the row at
    `path`; None when it changes nothing (moving the first sibling up)."""
    node = node_at(root, path)
    if what == "negate":
        return replace_at(root, path, negate(node)), path
    if what == "joiner":
        group_path = path if isinstance(node, Group) else path[:-1]
        group = node_at(root, group_path)
        assert isinstance(group, Group)
        flipped = Joiner.OR if group.joiner is Joiner.AND else Joiner.AND
        return replace_at(root, group_path, replace(group, joiner=flipped)), path
    if what == "remove":
        if not path:
            return Group(joiner=root.joiner), ()
        return replace_at(root, path, None), path[:-1]
    if what in ("up", "down") and path:
        parent = node_at(root, path[:-1])
        assert isinstance(parent, Group)
        index = path[-1]
        target = index - 1 if what == "up" else index + 1
        if 0 <= target < len(parent.children):
            children = list(parent.children)
            children[index], children[target] = children[target], children[index]
            return (replace_at(root, path[:-1], replace(parent, children=tuple(children))),
                    (*path[:-1], target))
    return None


def inserted(root: Group, path: Path, condition: Condition, *,
             group: bool) -> tuple[Node, Path]:
    """The rule with `condition` added after the row at `path` (inside it, for a group),
    alone in a new group if `group`."""
    node = node_at(root, path)
    if isinstance(node, Group):
        parent, index = path, len(node.children)
    else:
        parent, index = path[:-1], path[-1] + 1
    container = node_at(root, parent)
    assert isinstance(container, Group)
    new: Node = condition
    if group:
        # A new group starts with the other joiner: nesting "or" inside "and" (or the
        # reverse) is what groups are for.
        other = Joiner.OR if container.joiner is Joiner.AND else Joiner.AND
        new = Group(other, (condition,))
    return insert_at(root, parent, index, new), (*parent, index)


class RuleTree(OptionList):
    """The rule as an indented list; its keys ask the builder for an edit (see the
    module's docstring)."""

    KEYS_TITLE = "Rule tree (Dynamic segments)"  # its section of a dialog's help
    # The builder's own line (#rule-keys) names these under the tree at all times, so the
    # dialog's key line leaves them out.
    # The ids are for users' keymaps. a, n, o and enter mean something else on screens
    # (tests/ui/test_keys.py, TWO_MEANINGS): in the dialog the tree's keys are its own.
    BINDINGS = [
        Binding("a", "builder('add')", "Add condition", show=False,
                id="rule-tree.add-condition"),
        Binding("g", "builder('group')", "Add group", show=False, id="rule-tree.add-group"),
        Binding("enter", "select", "Edit condition (on a group: switch and/or)", show=False,
                id="rule-tree.edit"),
        Binding("n", "builder('negate')", "Not (negate)", show=False, id="rule-tree.negate"),
        Binding("o", "builder('joiner')", "And/or", show=False, id="rule-tree.and-or"),
        Binding("delete,backspace", "builder('remove')", "Remove", show=False,
                id="rule-tree.remove"),
        Binding("ctrl+up", "builder('up')", "Move up", show=False, id="rule-tree.move-up"),
        Binding("ctrl+down", "builder('down')", "Move down", show=False,
                id="rule-tree.move-down"),
    ]

    @dataclass
    class EditWanted(Message):
        """A key asked for `what` at the highlighted row ("add", "group", "edit", or one
        of `rearranged`'s)."""

        what: str

    def action_builder(self, what: str) -> None:
        self.post_message(self.EditWanted(what))

    def show(self, root: Group, select: Path | None = None) -> None:
        """Draw `root`; highlight the row at `select`, else keep the highlighted row."""
        highlighted = self.highlighted
        rows = tree_rows(root)
        self.clear_options()
        self.add_options([Option(row_label(node, depth), id="/".join(map(str, path)) or "root")
                          for path, depth, node in rows])
        if select is not None:
            paths = [p for p, _, _ in rows]
            self.highlighted = paths.index(select) if select in paths else 0
        elif highlighted is not None:
            self.highlighted = min(highlighted, len(rows) - 1)

    def selected_path(self, root: Group) -> Path:
        """The path of the highlighted row of `root` (as drawn)."""
        rows = tree_rows(root)
        index = self.highlighted if self.highlighted is not None else 0
        return rows[min(index, len(rows) - 1)][0]
