"""The Textual application: screens, global keys, theme. Thin by design; handlers live on the
screens that own the widgets."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import ClassVar

from rich.console import RenderableType
from textual import events, on
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import SystemModalScreen
from textual.widgets import Input, TextArea
from textual.worker import Worker, WorkerState

from segtui import __version__
from segtui.commands import OpenSegment, ScreenActions
from segtui.core.administration import SEEN_EVERY_SECONDS
from segtui.core.busy import DatabaseBusy, busy_message
from segtui.core.cancel import Cancelled
from segtui.core.changes import ChangesSince
from segtui.core.crash_log import write_crash_log
from segtui.core.permissions import CurrentUser, UserDeactivated
from segtui.core.text import printable
from segtui.data.store import Store
from segtui.keymap import load_keymap, taken_keys
from segtui.screens.dashboard import HELP_INTRO, DashboardScreen
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.screens.modals.condition_dialog import ConditionDialog
from segtui.screens.modals.help import HelpScreen, screen_keys, widget_sections
from segtui.widgets.asking import ChoiceWanted, ConditionWanted
from segtui.widgets.key_names import user_keymap
from segtui.widgets.live_changes import LiveChanges, OthersChanged
from segtui.widgets.themes import DEFAULT_THEME, THEMES
from segtui.widgets.workers import deliver, run_in_thread, scope_of


def tune_runtime() -> None:
    """Called once before the app runs (the CLI and the benchmark do).

    - The UI thread and the database workers share the GIL. A worker returning from
      SQLite (which releases the GIL) waits up to the switch interval for the UI thread
      to let go; at the default 5 ms, a card query making a dozen such returns while the
      screen renders lost 50-70 ms. 1 ms cuts that to 10-20 ms.
    - The modules imported so far (Textual, Rich, SQLAlchemy...) live as long as the
      process: freezing them keeps them out of the cycle collector's full passes, which
      otherwise stall the UI thread and every worker for 80-120 ms at a time.
    Measured with benchmarks/bench.py --only detail (docs/benchmarks.md)."""
    sys.setswitchinterval(0.001)
    gc.freeze()


FRESH_SECONDS = 60  # how often an open app brings the dynamic segments up to date


class SegtuiApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "segtui"
    COMMANDS = App.COMMANDS | {ScreenActions, OpenSegment}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        # Priority: a dialog's bindings stop at the dialog (Textual's modal binding chain),
        # and these must work in every dialog too (U15.9). f1 is never typed, so it
        # works everywhere; ? is a character, so check_action leaves it to a text field
        # that has the focus.
        Binding("f1", "help", "Help", priority=True, id="app.help"),
        Binding("question_mark", "help_unless_typing", "Help", show=False, priority=True,
                id="app.help-key"),
        Binding("ctrl+p", "command_palette", "Commands", id="app.commands"),
    ]

    def __init__(
        self, store: Store, user: CurrentUser | None = None, *, cursor_blink: bool = True,
        live: bool = True,
    ) -> None:
        super().__init__()
        self.store = store
        self.user = user or store.users.current_user()
        store.act_for(self.user)  # the Store reads what this user sees (C19.3.2)
        # The detail tab last shown per segment, while the app runs (R7.5).
        self.remembered_tabs: dict[int, str] = {}  # segment id -> detail tab last shown
        self.note_drafts: dict[int, str] = {}  # segment id -> unsaved note text
        self.sub_title = f"v{__version__}"
        # A blinking cursor redraws twice a second: noise on a slow SSH link, and it makes
        # screenshots depend on timing. Off applies to every text field as it gets focus.
        self.cursor_blink = cursor_blink
        self.crash: Exception | None = None  # the first unhandled error, if any
        self.crash_log: Path | None = None  # where its traceback was written
        # Others' changes reach every open screen (C19.1); off for tests that don't ask.
        self.live = LiveChanges(self, store.changes, self._others_changed) if live else None
        self._use_segtui_themes()

    def _use_segtui_themes(self) -> None:
        """Only segtui's themes: their colours are checked at every colour depth
        (widgets/themes.py); Textual's own are not, so the theme picker doesn't offer them."""
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = DEFAULT_THEME
        for name in list(self.available_themes):
            if name not in THEMES:
                self.unregister_theme(name)

    # -- user text never reaches the screen as markup (U15.1) -----------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast shows its text literally: messages quote names, file paths and
        error text, so `markup` is ignored and control characters are made visible."""
        super().notify(printable(message, single_line=False), title=printable(title),
                       severity=severity, timeout=timeout, markup=False)

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header shows a segment's name as its sub title: no escapes reach the terminal."""
        return super().format_title(printable(title), printable(sub_title))

    # -- leaving: nobody waits for the statements started for what is left (P12) ----------

    def pop_screen(self) -> AwaitComplete:
        """Leaving a screen (escape, a dialog's dismiss) cancels the reads its workers
        are running, so they stop on the database instead of finishing for nobody."""
        leaving = self.screen_stack[-1] if len(self.screen_stack) > 1 else None
        popped = super().pop_screen()
        if leaving is not None:
            self.store.cancel(scope_of(leaving))
        return popped

    def exit(self, result: None = None, return_code: int = 0,
             message: RenderableType | None = None) -> None:
        """Quitting interrupts every running statement, writes too (rolled back whole):
        Python joins the worker threads before the process ends, so a statement left
        running would hold `q` for as long as it runs (seconds; minutes on PostgreSQL)."""
        if self.live is not None:
            self.live.stop()
        self.store.cancel_all()
        super().exit(result, return_code, message)

    # -- errors --------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """An error nobody handled: Textual ends the app with return code 1; the traceback
        also goes to a log file the CLI names (core/crash_log.py). Textual has no public
        hook for this; the override is covered by tests/ui/test_crash.py."""
        if self.crash is None:
            self.crash = error
            self.crash_log = write_crash_log(error)
        self.store.cancel_all()  # the app ends: nothing may hold the exit
        super()._handle_exception(error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app's own workers (Textual's, e.g. the command palette's) end here; a screen's
        # or widget's never do (the message does not bubble): widgets.workers.in_thread
        # reports theirs. Either way a failure is shown, never swallowed.
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            if isinstance(error, Cancelled):  # its screen was left, or the app quits
                return
            self.log.error(error)
            if isinstance(error, DatabaseBusy):  # another process's write: say so plainly
                self.notify(busy_message(error), severity="error", timeout=10)
                return
            self.notify(f"Something went wrong: {error}", severity="error", timeout=10)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    def on_mount(self) -> None:
        self._use_user_keymap()
        self.push_screen(DashboardScreen(self.store, self.user))
        if self.live is not None:
            self.live.start()
        self.set_interval(FRESH_SECONDS, self.keep_fresh)
        self.set_interval(SEEN_EVERY_SECONDS, self.keep_seen)

    def keep_seen(self) -> None:
        """While the app is open, its user is seen (C19.3.5); one an administrator
        deactivated meanwhile is told (C19.3.4)."""
        def look() -> None:
            if self.store.users.seen(self.user) is False:
                deliver(self, self.notify, str(UserDeactivated(self.user.name)),
                        severity="error", timeout=60)

        run_in_thread(self, "seen", look)

    def keep_fresh(self) -> None:
        """While the app is open, the dynamic segments stay current (C19.6): what they
        are owed, and the day's re-evaluation once the date changes, as at start."""
        dashboard = next((s for s in self.screen_stack if isinstance(s, DashboardScreen)),
                         None)
        busy = any(w.group == "reevaluate" and w.is_running and w.node is dashboard
                   for w in self.workers)
        if dashboard is not None and not busy:
            dashboard.segments.reevaluate_stale()

    def _others_changed(self, found: ChangesSince) -> None:
        """Every screen open hears it (one under a dialog shows through it); each
        reloads what concerns it (widgets/live_changes.py)."""
        for screen in self.screen_stack:
            screen.post_message(OthersChanged(found))

    # -- dialogs a widget asks for (widgets import no screens: widgets/asking.py) ----------

    @on(ChoiceWanted)
    def _pick_choice(self, wanted: ChoiceWanted) -> None:
        self.push_screen(ChoicePicker.asked(wanted), wanted.answer)

    @on(ConditionWanted)
    def _write_condition(self, wanted: ConditionWanted) -> None:
        self.push_screen(ConditionDialog(wanted.condition, wanted.known_values), wanted.answer)

    # -- keys and help -------------------------------------------------------------------

    def _use_user_keymap(self) -> None:
        """The user's own keys (keymap.toml, docs/keys.md "Your own keys"). A file with a
        mistake is not used at all, and the message says what to fix."""
        keymap = load_keymap()
        if keymap is None:
            return
        if keymap.problems:
            self.notify(keymap.message(), title="Your keymap has a mistake",
                        severity="error", timeout=30)
            return
        self.set_keymap(keymap.keys)
        taken = taken_keys(user_keymap(self))  # normalised: "?" is question_mark
        if taken:
            self.notify("Your keymap takes keys other bindings had: " + "; ".join(taken) + ".",
                        title="Keymap", severity="warning", timeout=15)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "help_unless_typing":
            # False lets ? go on to the focused text field, which types it.
            return not self._typing()
        return True

    def _typing(self) -> bool:
        """A text field that types what it is given has the focus."""
        focused = self.focused
        return isinstance(focused, Input) or (
            isinstance(focused, TextArea) and not focused.read_only)

    def action_help_unless_typing(self) -> None:
        self.action_help()

    def action_help(self) -> None:
        """Open the help of the screen or dialog shown; close it if it is the help."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            screen.dismiss(None)
            return
        if isinstance(screen, SystemModalScreen):  # the command palette has its own keys
            return
        # A screen whose help depends on its state (the detail screen's current tab)
        # defines help_text(); dialogs and screens set Textual's HELP.
        dynamic = getattr(screen, "help_text", None)
        # The dashboard's words are no help in a dialog that has none of its own.
        fallback = "The keys that work here:" if screen.is_modal else HELP_INTRO
        intro = (dynamic() if callable(dynamic) else None) or screen.HELP or fallback
        # A dialog names itself with title_text; a screen with its sub title.
        name = getattr(screen, "title_text", "") or screen.sub_title or "segtui"
        self.push_screen(HelpScreen(f"Help — {name}", intro, screen_keys(self, screen),
                                    widget_sections(screen)))
