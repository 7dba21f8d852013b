"""Keep a cluster as a segment (C22.4.10-C22.4.12): `k` on the Discover screen.

- Static: the cluster's members now, a new static segment (`store.discover.keep_static`).
- Dynamic: a rule that approximates the cluster, in the app's rule builder
  (widgets/rule_builder.py, as in Create New Segment), starting from the suggested rule.
  Under it, how well the rule as shown fits the cluster: precision, recall, the contacts
  it matches and how many of them are in the cluster, counted again by
  `store.discover.rule_fit` after each edit (in a worker, the newest edit's answer
  shown), so the marketer sees what they keep before saving (`keep_dynamic`).

The name starts as the cluster's; ctrl+s (or Keep) saves in a worker. A refusal (a name
taken or not a segment's, the user's segment limit, a bad rule) is said under the form,
which stays as typed: nothing was written.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, ContentSwitcher, Input, Label, Select

from segtui.core.discover.export import kept_description
from segtui.core.discover.model import (
    DiscoverError,
    Discovery,
    SuggestedRule,
    segment_name,
)
from segtui.core.enums import SegmentKind
from segtui.core.formatting import plural, whole
from segtui.core.permissions import CurrentUser
from segtui.core.rules.language import RuleSyntaxError, format_rule, parse
from segtui.core.rules.tree import Group
from segtui.core.segments import InvalidSegment, SegmentError
from segtui.data.store import Store
from segtui.screens.modals.dialog import Dialog
from segtui.widgets.buttons import LiveButton
from segtui.widgets.key_line import KeyLine
from segtui.widgets.rule_builder import RuleBuilder
from segtui.widgets.text import FieldText, user_text
from segtui.widgets.workers import deliver, in_thread

KEEP_HELP = (
    "Keep the cluster as a new segment. Static keeps its members now: they stay whatever "
    "their data later says. Dynamic keeps the contacts matching a rule, now and later: "
    "it starts from the rule suggested for the cluster, which you may change (type it, "
    "or build it on the tree: a adds a condition, enter edits one). Under the rule: its "
    "precision (of the contacts it matches, the share in the cluster) and recall (of the "
    "cluster, the share it matches), counted again after each change. ctrl+s keeps it; "
    "escape asks before throwing away what you changed."
)


@dataclass(frozen=True)
class Kept:
    """The segment a cluster was kept as."""

    segment_id: int
    name: str
    kind: SegmentKind
    members: int | None  # a static segment's; None for a dynamic one (its rule decides)

    def summary(self) -> str:
        if self.kind is SegmentKind.STATIC and self.members is not None:
            return (f"Kept “{self.name}” as a static segment of "
                    f"{plural(self.members, 'member')}.")
        return f"Kept “{self.name}” as a dynamic segment kept to its rule."


def percent(rate: float | None) -> str:
    """A 0..1 rate as the screen and this dialog show it, as `segtui discover` prints it:
    "91.0%", "24.6%"; "—" for none (a retention with nobody engaged before)."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def fit_text(fit: SuggestedRule) -> Text:
    """How well a rule fits a cluster, on its card and here (C22.4.8, C22.4.11):
    "precision 92.0% · recall 85.0% (matches 13,400; 11,200 of them in the cluster)"."""
    return Text(f"precision {percent(fit.precision)} · recall {percent(fit.recall)} "
                f"(matches {plural(fit.matches, 'contact')}; {whole(fit.in_cluster)} of "
                "them in the cluster)")


def starting_rule(suggested: SuggestedRule | None) -> Group | None:
    if suggested is None:
        return None
    try:
        return parse(suggested.rule)
    except RuleSyntaxError:  # the engine's rule always parses; if not, start empty
        return None


class KeepClusterModal(Dialog[Kept | None]):
    """Returns what was kept, or None when closed without keeping."""

    HELP = KEEP_HELP
    BINDINGS = [
        Binding("ctrl+s", "save", "Keep", tooltip="Keep the cluster (from any field)",
                id="keep-cluster.save"),
        Binding("escape", "cancel", "Cancel", id="keep-cluster.cancel"),
    ]
    AUTO_FOCUS = "#keep-name"

    def __init__(self, store: Store, user: CurrentUser, discovery: Discovery, index: int,
                 within: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.discovery = discovery
        self.index = index
        self.cluster = discovery.cluster(index)
        self.within = within
        self.title_text = f"Keep “{self.cluster.name}”"
        # A segment's name holds letters, digits and spaces: "SMB · quiet" offers
        # "SMB quiet" (the engine's segment_name), which the user may change.
        self.name_field = FieldText(segment_name(self.cluster.name))
        self.rule: Group | None = starting_rule(self.cluster.suggested)
        self.saving = False
        self.rule_refused = False  # the error under the form is the rule's (save refused)
        # Each rule text's fit, as counted: the suggested one's came with the discovery.
        self.fits: dict[str, SuggestedRule] = {}
        if self.cluster.suggested is not None and self.rule is not None:
            self.fits[format_rule(self.rule)] = self.cluster.suggested

    def compose(self) -> ComposeResult:
        size = plural(self.cluster.size, "member")
        with Vertical(classes="modal-box keep-cluster-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            with Horizontal(classes="form-row"):
                yield Label("Name", classes="form-label")
                yield Input(self.name_field.shown, compact=True, id="keep-name")
            with Horizontal(classes="form-row"):
                yield Label("Keep as", classes="form-label")
                yield Select([(f"Static: its {size} now", SegmentKind.STATIC.value),
                              ("Dynamic: the contacts matching a rule",
                               SegmentKind.DYNAMIC.value)],
                             value=SegmentKind.STATIC.value, allow_blank=False,
                             compact=True, id="keep-kind")
            with ContentSwitcher(initial="keep-static", id="keep-content"):
                yield Label(Text(f"Its {size} now, kept as a new static segment: they "
                                 "stay members whatever their data later says."),
                            id="keep-static")
                with Vertical(id="keep-dynamic"):
                    yield RuleBuilder(self.store, self.rule)
                    within: Text = self._within_note()
                    yield Label(within, id="keep-within")
                    yield Label("", id="keep-fit")
            with Vertical(classes="modal-foot"):
                yield Label("", id="save-error", classes="save-error")
                with Horizontal(classes="modal-buttons"):
                    yield Button("Cancel", compact=True, id="keep-cancel")
                    yield LiveButton("Keep", variant="primary", compact=True,
                                     id="keep-save")
                yield KeyLine()

    def _within_note(self) -> Text:
        if self.within is None:
            return Text("")
        return Text.assemble("Counted among the members of ", user_text(self.within),
                             ", and kept within them.")

    def on_mount(self) -> None:  # Dialog's own on_mount runs too (Textual calls each)
        self.show_error("")
        self.query_one("#keep-within").display = self.within is not None
        self._show_fit(self.cluster.suggested if self.rule is not None else None,
                       "" if self.rule is not None else "Write a rule: a adds a condition.")

    def draft(self) -> Hashable | None:
        shown = self.query_one(RuleBuilder).root  # the tree as edited, checked or not
        return (self.query_one("#keep-name", Input).value, self.kind,
                format_rule(shown) if shown.children else "")

    # -- static or dynamic ---------------------------------------------------------------

    @property
    def kind(self) -> SegmentKind:
        """Static or dynamic, as chosen in "Keep as"."""
        return SegmentKind(str(self.query_one("#keep-kind", Select).value))

    @on(Select.Changed, "#keep-kind")
    def _kind_chosen(self) -> None:
        self.query_one(ContentSwitcher).current = (
            "keep-dynamic" if self.kind is SegmentKind.DYNAMIC else "keep-static")

    # -- the rule's fit (C22.4.11) -------------------------------------------------------

    @on(RuleBuilder.Changed)
    def _rule_changed(self, event: RuleBuilder.Changed) -> None:
        event.stop()
        self.rule = event.rule  # None while the rule does not parse or check
        if event.rule is None:
            # The builder says what is wrong under the rule's line: said once, there.
            said = bool(event.builder.syntax_error or event.problems)
            self._show_fit(None, "" if said else "Add a condition to see how well it fits "
                           "the cluster.")
            return
        if self.rule_refused:  # the rule is valid now: its error under the form is stale
            self.rule_refused = False
            self.show_error("")
        text = format_rule(event.rule)
        known = self.fits.get(text)
        if known is not None:
            self._show_fit(known)
            return
        self._show_fit(None, "Counting how well it fits the cluster…")
        self._fit(text)

    @in_thread("keep-fit")
    def _fit(self, text: str) -> None:
        try:
            fit = self.store.discover.rule_fit(self.discovery, self.index, text)
        except DiscoverError as refused:  # RuleError: said where the fit goes
            deliver(self, self._fitted, text, None, str(refused))
            return
        deliver(self, self._fitted, text, fit, "")

    def _fitted(self, text: str, fit: SuggestedRule | None, problem: str) -> None:
        if fit is not None:
            self.fits[text] = fit
        rule = self.rule
        if rule is not None and format_rule(rule) == text:  # else a newer edit's comes
            self._show_fit(fit, problem)

    def _show_fit(self, fit: SuggestedRule | None, note: str = "") -> None:
        label = self.query_one("#keep-fit", Label)
        if fit is None:
            label.update(user_text(note, multiline=True))
            return
        label.update(Text.assemble(("Against the cluster: ", "bold"), fit_text(fit)))

    # -- saving --------------------------------------------------------------------------

    @on(Button.Pressed, "#keep-save")
    def action_save(self) -> None:
        if self.saving:
            return
        name = self.name_field.read(self.query_one("#keep-name", Input).value)
        rule_text: str | None = None
        if self.kind is SegmentKind.DYNAMIC:
            builder = self.query_one(RuleBuilder)
            rule = builder.rule_for_save()
            if rule is None:
                # A syntax error is already said under the rule: point at it, not again.
                self.show_error("Fix the rule above first." if builder.syntax_error
                                else builder.not_saveable())
                self.rule_refused = True
                return
            rule_text = format_rule(rule)
        self.saving = True
        self.rule_refused = False
        self.show_error("")
        self._keep(name, rule_text)

    @in_thread("keep")
    def _keep(self, name: str, rule: str | None) -> None:
        description = kept_description(self.discovery, self.index)
        try:
            if rule is None:
                segment_id = self.store.discover.keep_static(
                    self.discovery, self.index, name, self.user, description)
            else:
                segment_id = self.store.discover.keep_dynamic(
                    self.discovery, self.index, name, rule, self.user, description)
        except InvalidSegment as refused:
            deliver(self, self._refused, " ".join(e.message for e in refused.errors))
        except (SegmentError, DiscoverError) as refused:  # taken, the limit, a bad rule
            deliver(self, self._refused, str(refused))
        except Exception as error:  # the database refused: the write rolled back whole
            deliver(self, self._refused, f"Nothing was kept: {error}")
        else:
            kind = SegmentKind.STATIC if rule is None else SegmentKind.DYNAMIC
            deliver(self, self.dismiss, Kept(segment_id, name, kind,
                                             self.cluster.size if rule is None else None))

    def _refused(self, message: str) -> None:
        self.saving = False
        self.show_error(message)

    @on(Button.Pressed, "#keep-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
