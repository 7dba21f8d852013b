"""Contacts tab (R7.6): the segment's members, searchable, paged from SQL."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Label

from segtui.core.contacts import ContactFilter, ContactRow, ContactSelection
from segtui.core.formatting import plural, relative_days, stars, whole
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.records import Choice, Page
from segtui.data.store import Store
from segtui.screens.detail.base import DetailTab
from segtui.screens.history.screen import HistoryScreen
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.contact_details import ContactDetails
from segtui.screens.modals.export_contact_data import ExportContactDataModal
from segtui.screens.modals.row_menu import ActionMenu
from segtui.screens.modals.why_member import WhyMember
from segtui.widgets.badges import lead_status_badge
from segtui.widgets.debounce import Debouncer
from segtui.widgets.paged_table import Column, PagedTable, PageRequest
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

EMPTY = "No members yet — a: add contacts"


def initials(name: str) -> Text:
    """R7.6 "Avatar shows initials when no photo available"."""
    letters = "".join(part[0] for part in name.split()[:2] if part and part[0].isalnum())
    return user_text(f" {letters.upper() or '?':<2} ", "bold reverse")


# R7.6's fields. At 80 columns the table keeps who the member is and how they stand
# (avatar, name, company, status, quality); title, email, phone, tags and the last contact
# move to the detail line under it, for the highlighted member (U15.7).
MEMBER_COLUMNS: list[Column[ContactRow]] = [
    Column("avatar", "", lambda r: initials(r.name), width=4, detail="never"),
    Column("name", "Name", lambda r: user_text(r.name, "bold")),
    Column("title", "Title", lambda r: user_text(r.title), min_table_width=100),
    Column("company", "Company", lambda r: user_text(r.company)),
    Column("email", "Email", lambda r: user_text(r.email), min_table_width=110),
    Column("phone", "Phone", lambda r: user_text(r.phone), width=18, min_table_width=130),
    Column("tags", "Tags", lambda r: user_text(", ".join(r.tags)), min_table_width=120),
    Column("status", "Status", lambda r: lead_status_badge(r.status), width=11),
    # No colour of its own: in a row, colour comes only with a background (a badge), so the
    # stars read on the highlighted row in both themes (widgets/palette.py).
    Column("quality", "Quality", lambda r: Text(stars(r.quality_score)), width=7),
    Column("last", "Last contact", lambda r: Text(relative_days(r.last_contacted_at)),
           width=12, min_table_width=90),
    Column("actions", "⋯", lambda r: Text("⋯", style="bold"), width=1, menu=True,
           detail="never"),
]


# The member menu: (id, label, key). d removes, as d deletes on the dashboard; r is refresh.
MEMBER_ACTIONS = [("view", "View details", "v"), ("why", "Why is this contact here?", "w"),
                  ("history", "History in this segment", "h"),
                  ("remove", "Remove from segment", "d"), ("copy", "Copy email", "c")]
# An administrator's, last: privacy requests (C19.5).
PRIVACY_ACTIONS = [("data", "Export everything stored about them (privacy request)", "e"),
                   ("erase", "Erase contact everywhere (privacy request)", "x")]


class ContactsTab(DetailTab):
    HELP = ("Contacts: the segment's current members. / searches name, email or company "
            "(c clears the search); enter or m opens the member's menu: v view details, "
            "w why is this contact here, h their history in it, d remove from the segment, "
            "c copy the email (and, "
            "for an administrator, e export everything stored about them and x erase them "
            "everywhere, at their request). The "
            "fields the table has no room for show under it for the highlighted member.")
    BINDINGS = [
        Binding("slash", "search", "Search", id="contacts.search"),
        Binding("m", "menu", "Menu", id="contacts.menu"),
        Binding("c", "clear_search", "Clear search", show=False, id="contacts.clear-filters"),
    ]

    def compose(self) -> ComposeResult:
        from textual.containers import Horizontal

        with Horizontal(classes="tab-head"):
            yield Label("Segment Contacts (…)", id="members-title")
            yield Input(placeholder="Search contacts… (/)", compact=True, id="members-search")
        table = PagedTable(MEMBER_COLUMNS, row_key=lambda r: r.id, id="members")
        yield table
        yield table.detail_line(max_lines=2, id="member-preview")

    def __init__(self, store: Store, user: CurrentUser, segment_id: int, name: str) -> None:
        super().__init__(store, user, segment_id, name)
        self.filter = ContactFilter(segment=Choice(str(segment_id), name))
        self._loaded_filter: ContactFilter | None = None
        self._debounce = Debouncer(self, self._search_for, group="members-search")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        flt, store = self.filter, self.store

        def fetch(request: PageRequest, limit: int) -> Page[ContactRow]:
            return store.contacts.contact_page(flt, ContactSelection(), after=request.after,
                                               before=request.before, at_end=request.at_end,
                                               limit=limit)

        table = self.query_one(PagedTable)
        table.set_empty_text(user_text(f"No members match “{flt.search}” — c: clear the search")
                             if flt.search else EMPTY)
        if table.rows_on_page and flt == self._loaded_filter:
            table.reload()
        else:
            table.load(fetch, lambda: store.contacts.contact_count(flt))
        self._loaded_filter = flt

    @on(PagedTable.Loaded, "#members")
    def _loaded(self, event: PagedTable.Loaded) -> None:
        total = "…" if event.window.total is None else whole(event.window.total)
        self.query_one("#members-title", Label).update(Text(f"Segment Contacts ({total})"))

    def focus_default(self) -> None:
        self.query_one(PagedTable).focus_when_ready()

    def action_search(self) -> None:
        self.query_one("#members-search", Input).focus()

    def action_clear_search(self) -> None:
        """c: every member again (what an empty search result offers); the search box's
        change reloads the list."""
        self.query_one("#members-search", Input).value = ""

    @on(Input.Changed, "#members-search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._debounce(event.value)

    def _search_for(self, text: str) -> None:
        self.filter = replace(self.filter, search=text)
        self.reload()

    @on(Input.Submitted, "#members-search")
    def _searched(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(PagedTable).focus_when_ready()

    @on(DataTable.RowSelected, "#members")
    @on(PagedTable.MenuRequested, "#members")
    def action_menu(self) -> None:
        row = self.query_one(PagedTable).current_row
        if row is None:
            return
        options = [option for option in MEMBER_ACTIONS if row.email or option[0] != "copy"]
        if not self.user.may(Permission.EDIT_SEGMENTS):  # a Viewer: nothing to confirm
            options = [option for option in options if option[0] != "remove"]
        if self.user.may(Permission.PRIVACY_REQUESTS):
            options.extend(PRIVACY_ACTIONS)

        def chosen(action: str | None) -> None:
            if action == "view":
                self.app.push_screen(ContactDetails(row))
            elif action == "why":
                self._explain(row)
            elif action == "history":  # C20.2.3
                self.app.push_screen(HistoryScreen(self.store, self.user, self.segment_id,
                                                   self.segment_name, (row.id, row.name)))
            elif action == "remove":
                self._confirm_remove(row)
            elif action == "erase":
                self._confirm_erase(row)
            elif action == "data":
                self.app.push_screen(ExportContactDataModal(self.store, self.user, row.id,
                                                            row.name))
            elif action == "copy":
                self.app.copy_to_clipboard(row.email)
                self.notify(f"Copied {row.email} to the clipboard", markup=False)

        self.app.push_screen(ActionMenu(row.name, options), chosen)

    @in_thread("members-why")
    def _explain(self, row: ContactRow) -> None:
        why = self.store.members.explain_membership(self.segment_id, row.id)
        deliver(self, self.app.push_screen,
                                  WhyMember(row.name, self.segment_name, why))

    def _confirm_remove(self, row: ContactRow) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self._remove(row)

        self.app.push_screen(
            Confirm("Remove from segment",
                    f"Remove {row.name} from {self.segment_name}? The contact itself stays, "
                    "and the segment's history keeps the stay.", "Remove"),
            confirmed,
        )

    def _confirm_erase(self, row: ContactRow) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self._erase(row)

        self.app.push_screen(
            Confirm("Erase contact",
                    f"Erase {row.name} everywhere, at their request? The contact, its events, "
                    "tags and stays in every segment are deleted for good; the audit log "
                    f"keeps only that contact {row.id} was erased.", "Erase"),
            confirmed,
        )

    @in_thread("members-write", notify_failed=True)
    def _erase(self, row: ContactRow) -> None:
        erased = self.store.contacts.erase_contact(row.id, self.user)
        notes = (f"; {plural(erased.notes_mentioning, 'note')} still name them"
                 if erased.notes_mentioning else "")
        where = plural(len(erased.segments), "segment")
        deliver(self.app, self.app.notify,
                f"Erased contact {erased.contact_id} from {where}{notes}", markup=False)
        deliver(self, self.post_message, self.Changed())

    @in_thread("members-write", notify_failed=True)
    def _remove(self, row: ContactRow) -> None:
        removed = self.store.members.remove_member(self.segment_id, row.id, self.user)
        message = (f"Removed {row.name} from {self.segment_name}" if removed
                   else f"{row.name} was no longer a member")
        deliver(self.app, self.app.notify, message, markup=False)
        deliver(self, self.post_message, self.Changed())
