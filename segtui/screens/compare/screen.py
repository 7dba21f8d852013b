"""The compare screen (C20.5), opened with `C` on the dashboard for the 2 to 6 segments
marked there with `space`: their figures side by side, the best of each marked ★, the
members they share (counts and % of the row's segment) and, for 2 or 3 segments, every
region. `x` exports it (CSV and JSON), `r` compares again, escape goes back.

It closes with the marked segments that are gone (deleted, or hidden from the user since
they were marked), by id and name, for the dashboard to say so and unmark them; the
others stay marked.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from segtui.core import clock
from segtui.core.compare import CompareError, Comparison, SegmentsGone
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.data.store import Store
from segtui.screens.compare.tables import HELP, figure_rows, overlap_rows, region_rows
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.live_changes import OthersChanged, announce
from segtui.widgets.palette import theme_colours
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread, run_in_thread

LABEL_WIDTH = 20  # the figures' names


class CompareScreen(Screen[dict[int, str] | None]):
    AUTO_FOCUS = "#compare-figures"
    HELP = HELP
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="compare.back"),
        Binding("x", "export", "Export", id="compare.export"),
        Binding("r", "refresh", "Refresh", id="compare.refresh"),
    ]
    def __init__(self, store: Store, user: CurrentUser, segments: dict[int, str]) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.segments = segments  # id -> name as marked, in the order marked
        self.comparison: Comparison | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with VerticalScroll(id="compare-body"):
            yield Label(Text(f"Comparing {plural(len(self.segments), 'segment')}…"),
                        id="compare-status")
            yield Label("Figures (★ the best)", classes="section-title")
            yield DataTable(id="compare-figures", cursor_type="row", zebra_stripes=True,
                            cursor_foreground_priority="renderable")
            yield Label("Members in both (% of the row's segment)", classes="section-title")
            yield DataTable(id="compare-overlap", cursor_type="row", zebra_stripes=True,
                            cursor_foreground_priority="renderable")
            if len(self.segments) <= 3:
                yield Label("Regions (members in exactly those segments)",
                            classes="section-title")
                yield DataTable(id="compare-regions", cursor_type="row",
                                zebra_stripes=True, cursor_foreground_priority="renderable")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Compare"
        self._load()

    @in_thread("compare")
    def _load(self) -> None:
        try:
            comparison = self.store.compare.compare(list(self.segments))
        except SegmentsGone as gone:
            deliver(self, self.dismiss, {sid: self.segments.get(sid, f"#{sid}")
                                         for sid in gone.segment_ids})
            return
        except CompareError as error:
            deliver(self, self._failed, str(error))
            return
        deliver(self, self._show, comparison)

    def _failed(self, why: str) -> None:
        self.notify(why, title="Compare", severity="warning", markup=False)
        self.dismiss(None)

    def _show(self, comparison: Comparison) -> None:
        self.comparison = comparison
        count = len(comparison.sides)
        # Each segment's column shares what the figures' names leave, 12 to 24 wide (an
        # overlap "1,234 (100.0%)"); 6 segments at 80 columns scroll sideways.
        room = self.app.size.width - LABEL_WIDTH - 6
        width = max(12, min(24, room // count - 2))
        names = [user_text(side.name, "bold") for side in comparison.sides]
        for name in names:  # above their figures, which are right-aligned
            name.justify = "right"
        best = theme_colours(self).style("good", bold=True)
        self._fill("#compare-figures", [(Text("Figure"), LABEL_WIDTH)]
                   + [(n, width) for n in names], figure_rows(comparison, best))
        self._fill("#compare-overlap", [(Text(""), LABEL_WIDTH)]
                   + [(n, width) for n in names], overlap_rows(comparison))
        regions = region_rows(comparison)
        if regions is not None:
            longest = max(row[0].cell_len for row in regions)
            self._fill("#compare-regions",
                       [(Text("Region"), max(LABEL_WIDTH, min(longest, room - 16))),
                        (Text("Members", justify="right"), 9),
                        (Text("Share", justify="right"), 7)], regions)
        self.query_one("#compare-status", Label).update(Text(
            f"{plural(count, 'segment')} compared · members now, at "
            f"{clock.now():%d/%m/%Y %H:%M}"))

    def _fill(self, selector: str, columns: list[tuple[Text, int]],
              rows: list[list[Text]]) -> None:
        table: DataTable[Text] = self.query_one(selector, DataTable)
        table.clear(columns=True)
        for label, width in columns:
            table.add_column(label, width=width)
        table.add_rows(rows)

    def action_refresh(self) -> None:
        self._load()

    @on(OthersChanged)
    def _others_changed(self, event: OthersChanged) -> None:
        """Another segtui changed one of these segments, or contacts and events their
        figures count (C19.1): the comparison reads again, without a key; on top, the
        screen says who."""
        if not event.more and not any(c.concerns(sid) for c in event.changes
                                      for sid in self.segments):
            return
        self._load()
        announce(self, event)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_export(self) -> None:
        """x: the comparison to a CSV and a JSON file in the current folder (C20.5.7)."""
        comparison = self.comparison
        if comparison is None:
            self.notify("Nothing to export yet: still comparing.", severity="warning")
            return
        app = self.app

        def write() -> None:
            try:
                written = export_comparison(comparison, Path.cwd())
            except OSError as error:
                deliver(app, app.notify, f"Export failed: {error}", severity="error",
                        markup=False)
                return
            deliver(app, app.notify, "Exported the comparison to "
                    + " and ".join(str(p) for p in written), title="Export", markup=False)

        run_in_thread(self, "export", write)


def export_comparison(comparison: Comparison, directory: Path) -> list[Path]:
    """The comparison as a formula-safe CSV file and a JSON file (the object of `segtui
    segments compare --json`), each new, in `directory`."""
    from segtui.core.formats.comparison_export import (
        comparison_filename,
        comparison_header,
        comparison_object,
        comparison_rows,
    )
    from segtui.core.formats.csv_safe import atomic_text, free_path, write_csv
    from segtui.core.text import safe_json

    when = clock.now()
    csv_path = free_path(directory, comparison_filename(when, "csv"))
    write_csv(csv_path, comparison_header(comparison), comparison_rows(comparison))
    json_path = free_path(directory, comparison_filename(when, "json"))
    with atomic_text(json_path) as handle:
        handle.write(safe_json(comparison_object(comparison), indent=2) + "\n")
    return [csv_path, json_path]
