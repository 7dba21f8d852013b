"""The Store API: everything the UI and the CLI may ask of the database.

Methods are synchronous and thread-safe (each call takes its own pooled connection); the UI
calls them from worker threads. They return the frozen records of `segtui.core.records`,
never ORM objects, so nothing lazy-loads on the UI thread.

Imports (issue 17 §4): a scripted `segtui segments list` or `segments count` opens a Store
and makes a few reads, and should not wait for the whole app's query code to load. So this
module imports at its top only what opening a database uses and what the dynamic segments
are owed (every read asks). Every query module (the segment list, rules and the dynamic
segments, their whole refresh, dashboard, detail screen, contacts, segment changes,
timeline, analytics, imports, exports, quality, users) is imported inside the methods that
call it, and the records they return are named for the type checker only: `segments
count` loads no list code, `segments list` no rule code. The queries are written on the
Core tables of data/tables.py, so nothing here loads `sqlalchemy.orm` (only
`orm_session()`, for the tests' objects).
tests/test_cli_start.py checks which modules a read command loads.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from segtui.core import clock
from segtui.core.busy import DatabaseBusy
from segtui.core.cancel import Scope
from segtui.core.contact_keys import MatchKey
from segtui.core.refresh import Owed
from segtui.data import pending, schema_version
from segtui.data.engine import WRITE_OPTION, is_busy, make_engine
from segtui.data.running import Running
from segtui.data.sql import storable_text
from segtui.data.tables import Contact, Segment, Setting, name_key

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from segtui.core.activities import ActivityFilter, ActivityRow, NoteRow
    from segtui.core.analytics import AnalyticsReport, PerformanceReport
    from segtui.core.contacts import ContactFilter, ContactRow, ContactSelection
    from segtui.core.enums import UserRole
    from segtui.core.event_import import EventIn
    from segtui.core.exporting import MemberRecord
    from segtui.core.importing import ContactIn, Field, RowProblem
    from segtui.core.insights import Insight
    from segtui.core.metrics import CampaignPerformance, SegmentCards, Window
    from segtui.core.permissions import CurrentUser, Permission
    from segtui.core.quality import MergeResult, QualityReport
    from segtui.core.records import (
        Choice,
        ChoiceKind,
        DashboardMetrics,
        Keyset,
        Page,
        SegmentFilter,
        SegmentRow,
        SegmentSort,
    )
    from segtui.core.refresh import Explanation, RefreshResult
    from segtui.core.rules import Node, RuleIssue
    from segtui.core.segments import DeletePreview, SegmentDetails, SegmentDraft
    from segtui.data import importer, segment_metrics, whole_refresh
    from segtui.data.scripting import ContactDetails
    from segtui.data.sql import Aside

PAGE_SIZE = 200
# Threads for the reads the detail tabs start beside their own (Store._aside): one per tab
# that has them (Performance, Analytics, Insights), and one for a tab reloaded while its
# previous load still runs.
TAB_HELPERS = 4
FIXED_TODAY_SETTING = "clock.today"


T = TypeVar("T")


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(**{WRITE_OPTION: True})
        # Two more readers for statements worth splitting (segment_summary); made when
        # first needed. An in-memory database is one shared connection: never split.
        self._helper: ThreadPoolExecutor | None = None
        self._tab_helper: ThreadPoolExecutor | None = None
        self._can_split = not isinstance(engine.pool, StaticPool)
        self._running = Running(engine)

    @classmethod
    def open(cls, url: URL, *, upgrade: bool = True) -> Store:
        """Connect to `url`, creating and migrating the schema unless told not to (a
        database already at the newest revision costs one SELECT: data/schema_version.py)."""
        store = cls(make_engine(url))
        if upgrade:
            schema_version.upgrade_if_needed(store.engine)
        return store

    def close(self) -> None:
        """Stop whatever still runs (cancel_all) and let go of the database, without
        waiting for the helper threads: their statements end at the interrupt."""
        self.cancel_all()
        for helper in (self._helper, self._tab_helper):
            if helper is not None:
                helper.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()

    def cancel(self, scope: Scope) -> None:
        """Interrupt the reads running on behalf of `scope` (core/cancel.py: a screen the
        user left) and refuse its later ones: each ends with Cancelled. Its writes run
        on: the user asked for them. Returns at once (data/running.py)."""
        self._running.cancel(scope)

    def cancel_all(self) -> None:
        """Interrupt every statement running, writes too (each write transaction is
        rolled back whole), and refuse every later one: the app is quitting."""
        self._running.cancel_all()

    @property
    def url(self) -> URL:
        return self.engine.url

    # -- plumbing ------------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One read transaction: the queries inside see one consistent snapshot.
        Cancelled when its scope is cancelled (Store.cancel)."""
        with _busy_is_clear(), self.engine.connect() as conn, conn.begin(), \
                self._running.track(conn, writing=False):
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite); commits on success.
        DatabaseBusy when another process held SQLite's write lock past the busy timeout;
        Cancelled (rolled back) when the Store is stopped (Store.cancel_all)."""
        with _busy_is_clear(), self._writer.connect() as conn, conn.begin(), \
                self._running.track(conn, writing=True):
            yield conn

    @contextmanager
    def orm_session(self) -> Iterator[Session]:
        """A write transaction as `writing()`'s, through an ORM Session, for code that
        builds rows as objects (data/models.py): the tests' fixtures. The app writes the
        Core tables and never loads the ORM (data/tables.py)."""
        from sqlalchemy.orm import Session

        with _busy_is_clear(), Session(self._writer, expire_on_commit=False) as session, \
                session.begin(), self._running.track(session.connection(), writing=True):
            yield session

    # -- who is working --------------------------------------------------------------------

    def current_user(self, name: str | None = None) -> CurrentUser:
        """--user, SEGTUI_USER, the database's default user, or the OS login, normalised;
        a name seen for the first time is recorded as a Viewer (the database's very first
        user as a CRM Administrator). InvalidUserName for a name with invisible
        characters (data/users.py)."""
        from segtui.data import users

        with self.writing() as conn:
            return users.resolve(conn, name)

    def may(self, user: CurrentUser, permission: Permission) -> bool:
        """Whether `user` may do what `permission` covers, in this database."""
        from segtui.data import users

        with self.reading() as conn:
            return users.may(conn, user, permission)

    def look_alikes(self, name: str) -> list[str]:
        """Users whose names look like `name` but are not it ("Alex Kim" for "Alex Kím")."""
        from segtui.data import users

        with self.reading() as conn:
            return users.look_alikes(conn, name)

    def add_user(self, name: str, role: UserRole, acting: CurrentUser) -> CurrentUser:
        """Record a new user with a role (administrators only: NotAllowed)."""
        from segtui.data import users

        with self.writing() as conn:
            return users.set_role(conn, name, role, acting, new=True)

    def set_user_role(self, name: str, role: UserRole, acting: CurrentUser) -> CurrentUser:
        """Give an existing user another role (administrators only: NotAllowed)."""
        from segtui.data import users

        with self.writing() as conn:
            return users.set_role(conn, name, role, acting, new=False)

    # -- the database itself -------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when the database holds no contacts and no segments."""
        with self.reading() as conn:
            contacts = conn.execute(select(func.count()).select_from(Contact)).scalar_one()
            segments = conn.execute(select(func.count()).select_from(Segment)).scalar_one()
        return contacts == 0 and segments == 0

    def fixed_today(self) -> date | None:
        """The date this database's data is anchored to, if it has one (demo databases)."""
        with self.reading() as conn:
            value = conn.execute(
                select(Setting.value).where(Setting.key == FIXED_TODAY_SETTING)
            ).scalar_one_or_none()
        return date.fromisoformat(value) if value else None

    # -- dashboard -----------------------------------------------------------------------

    def dashboard_metrics(self) -> DashboardMetrics:
        from segtui.data import dashboard

        with self.reading() as conn:
            return dashboard.dashboard_metrics(conn)

    def segment_count(self, flt: SegmentFilter) -> int:
        from segtui.data import segment_list

        with self.reading() as conn:
            return segment_list.count_segments(conn, flt)

    def segment_page(
        self,
        flt: SegmentFilter,
        sort: SegmentSort,
        *,
        after: Keyset | None = None,
        before: Keyset | None = None,
        at_end: bool = False,
        starting_at: int | None = None,
        limit: int = PAGE_SIZE,
    ) -> Page[SegmentRow]:
        from segtui.data import segment_list

        with self.reading() as conn:
            return segment_list.fetch_page(
                conn, flt, sort, after=after, before=before, at_end=at_end,
                starting_at=starting_at, limit=limit,
            )

    def iter_segments(self, flt: SegmentFilter, sort: SegmentSort) -> Iterator[SegmentRow]:
        """Every segment matching `flt` in `sort` order, fetched a page at a time."""
        after: Keyset | None = None
        while True:
            page = self.segment_page(flt, sort, after=after)
            yield from page.rows
            if not page.has_after:
                return
            after = page.last

    def choices(self, kind: ChoiceKind, text: str = "", limit: int = 50) -> list[Choice]:
        from segtui.data import choices

        with self.reading() as conn:
            return choices.search_choices(conn, kind, text, limit)

    # -- one segment -----------------------------------------------------------------------

    def segment_cards(self, segment_id: int, window: Window) -> SegmentCards:
        """The detail screen's six cards (spec 7.5; formulas in docs/metrics.md)."""
        return self._summary(segment_id, window, with_details=False)[1]

    def segment_summary(self, segment_id: int, window: Window
                        ) -> tuple[SegmentDetails, SegmentCards] | None:
        """The detail screen's header and cards, read together: the header's statement
        runs alongside the cards' rather than before them. None: no such segment."""
        details, cards = self._summary(segment_id, window, with_details=True)
        return None if details is None else (details, cards)

    def _summary(self, segment_id: int, window: Window, *, with_details: bool
                 ) -> tuple[SegmentDetails | None, SegmentCards]:
        """Three reads at once, on three connections: the header and the figures that
        are not a pass over the members (the whole base's conversion baseline the
        largest), and the pass over the members in two halves (sql.in_half), which the
        two cores share (both engines' drivers release the GIL while a statement runs).
        None waits for another: the halves are a fixed partition of the contact ids, so
        no statement has to find a split point first (a count and a walk to the middle
        member, two round trips that each waited their turn for the interpreter while
        the screen is built, issue 17). Each statement is its own consistent snapshot;
        a change committed between them is in the next reload, which every change
        triggers. The header's member count is the cards' (the same current stays),
        counted once."""
        from segtui.data import segment_metrics, segment_writes

        with self.reading() as conn:
            if not self._can_split:  # one shared connection
                cards = segment_metrics.segment_cards(conn, segment_id, window)
                return (segment_writes.details(conn, segment_id, members=cards.metrics.members)
                        if with_details else None, cards)
            if self._helper is None:
                self._helper = ThreadPoolExecutor(max_workers=2,
                                                  thread_name_prefix="segtui-reader")
            rest = self._helper.submit(_in_this_context(self._on_own_connection),
                                       _header_and_side_figures, segment_id, with_details)
            upper = self._helper.submit(_in_this_context(self._on_own_connection),
                                        segment_metrics.member_sums, segment_id, window,
                                        half=1)
            sums = (segment_metrics.member_sums(conn, segment_id, window, half=0)
                    + upper.result())
            details, side = rest.result()
            cards = segment_metrics.cards_from(sums, side)
            if details is not None:
                details = dataclasses.replace(details, members=cards.metrics.members)
            return details, cards

    def _on_own_connection(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.reading() as conn:
            return query(conn, *args, **kwargs)

    def campaign_performance(self, segment_id: int) -> list[CampaignPerformance]:
        from segtui.data import segment_metrics

        with self.reading() as conn:
            return segment_metrics.campaign_performance(conn, segment_id)

    def segment_id_named(self, name: str) -> int | None:
        """The segment called `name` (ignoring case and surrounding spaces), if any."""
        if not storable_text(name):  # a NUL or undecodable bytes: no segment's name
            return None
        with self.reading() as conn:
            found = conn.execute(
                select(Segment.id).where(Segment.name_key == name_key(name))
            ).scalar_one_or_none()
            return None if found is None else int(found)

    def segment_row(self, segment_id: int) -> SegmentRow | None:
        from segtui.data import segment_list

        with self.reading() as conn:
            return segment_list.row_by_id(conn, segment_id)

    def segment_rules(self, segment_ids: Sequence[int]) -> dict[int, Node | None]:
        """Each segment's rule (None for a static segment): `segments list` shows them."""
        from segtui.data import segment_list

        with self.reading() as conn:
            return segment_list.segment_rules(conn, segment_ids)

    # -- contacts ------------------------------------------------------------------------

    def contact_page(
        self,
        flt: ContactFilter,
        selection: ContactSelection,
        *,
        after: Keyset | None = None,
        before: Keyset | None = None,
        at_end: bool = False,
        limit: int = PAGE_SIZE,
    ) -> Page[ContactRow]:
        from segtui.data import contact_list

        with self.reading() as conn:
            return contact_list.fetch_page(conn, flt, selection, after=after, before=before,
                                           at_end=at_end, limit=limit)

    def contact_count(self, flt: ContactFilter) -> int:
        from segtui.data import contact_list

        with self.reading() as conn:
            return contact_list.count_contacts(conn, flt)

    def selection_count(self, selection: ContactSelection) -> int:
        from segtui.data import contact_list

        with self.reading() as conn:
            return contact_list.count_selected(conn, selection)

    # The command line names contacts by email or id (docs/cli.md; data/scripting.py).

    def contacts_by_email(self, emails: Iterable[str]) -> dict[str, list[int]]:
        """The contact holding each email (case and surrounding spaces ignored); an email
        several contacts written without its key share lists them all."""
        from segtui.data import scripting

        with self.reading() as conn:
            return scripting.contacts_by_email(conn, emails)

    def existing_contacts(self, contact_ids: Iterable[int]) -> set[int]:
        """Those of `contact_ids` that are contacts."""
        from segtui.data import scripting

        with self.reading() as conn:
            return scripting.existing_contacts(conn, contact_ids)

    def contact_details(self, contact_id: int) -> ContactDetails | None:
        """Every field of one contact, and the segments it is in now."""
        from segtui.data import scripting

        with self.reading() as conn:
            return scripting.contact_details(conn, contact_id)

    def current_members(self, segment_id: int, contact_ids: Iterable[int]) -> set[int]:
        """Those of `contact_ids` that are members of the segment now."""
        from segtui.data import scripting

        with self.reading() as conn:
            return scripting.current_members(conn, segment_id, contact_ids)

    # -- writing segments ------------------------------------------------------------------
    # Each call is one transaction; errors are the SegmentError family of core/segments.py.

    def create_segment(
        self, draft: SegmentDraft, selection: ContactSelection, user: CurrentUser
    ) -> int:
        from segtui.data import segment_writes

        with self.writing() as conn:
            return segment_writes.create_segment(conn, draft, selection, user)

    def duplicate_segment(self, segment_id: int, user: CurrentUser) -> int:
        from segtui.data import segment_writes

        with self.writing() as conn:
            return segment_writes.duplicate_segment(conn, segment_id, user)

    def segment_details(self, segment_id: int) -> SegmentDetails | None:
        from segtui.data import segment_writes

        with self.reading() as conn:
            return segment_writes.details(conn, segment_id)

    def update_segment(
        self,
        segment_id: int,
        expected_version: int,
        draft: SegmentDraft,
        selection: ContactSelection,
        user: CurrentUser,
    ) -> int:
        from segtui.data import segment_writes

        with self.writing() as conn:
            return segment_writes.update_segment(conn, segment_id, expected_version, draft,
                                                 selection, user)

    def add_members(
        self, segment_id: int, selection: ContactSelection, user: CurrentUser
    ) -> int:
        from segtui.data import segment_writes

        with self.writing() as conn:
            return segment_writes.add_members(conn, segment_id, selection, user)

    def delete_preview(self, segment_id: int) -> DeletePreview | None:
        from segtui.data import segment_writes

        with self.reading() as conn:
            return segment_writes.delete_preview(conn, segment_id)

    def delete_segment(self, segment_id: int, user: CurrentUser) -> None:
        from segtui.data import segment_writes

        with self.writing() as conn:
            segment_writes.delete_segment(conn, segment_id, user)

    def pause_campaigns(
        self, segment_id: int, campaign_ids: list[int], user: CurrentUser
    ) -> int:
        from segtui.data import segment_writes

        with self.writing() as conn:
            return segment_writes.pause_campaigns(conn, segment_id, campaign_ids, user)

    # -- a segment's members, timeline and notes -------------------------------------------

    def remove_member(self, segment_id: int, contact_id: int, user: CurrentUser) -> bool:
        from segtui.data import timeline

        with self.writing() as conn:
            return timeline.remove_member(conn, segment_id, contact_id, user)

    def activity_page(
        self, segment_id: int, flt: ActivityFilter, *, after: Keyset | None = None,
        before: Keyset | None = None, at_end: bool = False, limit: int = PAGE_SIZE,
    ) -> Page[ActivityRow]:
        from segtui.data import timeline
        from segtui.data.keyset import Window as PageWindow

        with self.reading() as conn:
            return timeline.activity_page(conn, segment_id, flt,
                                          PageWindow(after, before, at_end), limit)

    def activity_count(self, segment_id: int, flt: ActivityFilter) -> int:
        from segtui.data import timeline

        with self.reading() as conn:
            return timeline.count_activities(conn, segment_id, flt)

    def add_activity(
        self, segment_id: int, kind: str, description: str, details: str,
        performer: CurrentUser, user: CurrentUser,
    ) -> None:
        from segtui.data import timeline

        with self.writing() as conn:
            timeline.add_activity(conn, segment_id, kind, description, details, performer, user)

    def edit_activity(
        self, activity_id: int, expected_version: int, description: str, details: str,
        user: CurrentUser,
    ) -> None:
        from segtui.data import timeline

        with self.writing() as conn:
            timeline.edit_activity(conn, activity_id, expected_version, description, details,
                                   user)

    def notes_page(
        self, segment_id: int, *, after: Keyset | None = None, before: Keyset | None = None,
        at_end: bool = False, limit: int = PAGE_SIZE,
    ) -> Page[NoteRow]:
        from segtui.data import timeline
        from segtui.data.keyset import Window as PageWindow

        with self.reading() as conn:
            return timeline.notes_page(conn, segment_id, PageWindow(after, before, at_end),
                                       limit)

    def add_note(self, segment_id: int, body: str, user: CurrentUser) -> int:
        from segtui.data import timeline

        with self.writing() as conn:
            return timeline.add_note(conn, segment_id, body, user)

    def users(self) -> list[CurrentUser]:
        """Everyone who can be named as an activity's performer."""
        from segtui.data import users

        with self.reading() as conn:
            return users.all_users(conn)

    def performance_report(self, segment_id: int) -> PerformanceReport:
        """The Performance tab (spec 7.7) at the clock's today."""
        from segtui.data import segment_analytics

        with self.reading() as conn:
            return segment_analytics.performance_report(conn, segment_id, clock.today(),
                                                        self._aside())

    def analytics_report(self, segment_id: int) -> AnalyticsReport:
        """The Analytics tab (spec 7.8) at the clock's today."""
        from segtui.data import segment_analytics

        with self.reading() as conn:
            return segment_analytics.analytics_report(conn, segment_id, clock.today(),
                                                      self._aside())

    def insights(self, segment_id: int) -> list[Insight]:
        """The AI Insights tab: deterministic findings (segtui.core.insights)."""
        from segtui.data import insights

        with self.reading() as conn:
            return insights.segment_insights(conn, segment_id, clock.today(), self._aside())

    def _aside(self) -> Aside | None:
        """Reads a tab starts beside its own, each on a connection of its own (issue 17): a
        pool apart from the cards' helpers, with room for every tab at once, so a slow tab
        never holds up the cards or another tab. None for an in-memory database (one
        shared connection)."""
        if not self._can_split:
            return None
        if self._tab_helper is None:
            self._tab_helper = ThreadPoolExecutor(max_workers=TAB_HELPERS,
                                                  thread_name_prefix="segtui-tab")
        pool = self._tab_helper

        def start(query: Callable[[Connection], T], /) -> Callable[[], T]:
            return pool.submit(_in_this_context(self._on_own_connection), query).result

        return start

    # -- dynamic segments (issue 5) ---------------------------------------------------------

    def check_rule(self, rule: Node, segment_id: int | None = None
                   ) -> tuple[Node, list[RuleIssue]]:
        """The rule in canonical form (segment names resolved) and its problems; a rule for
        `segment_id` may not depend on that segment."""
        from segtui.core.rule_check import check
        from segtui.data import dynamic

        with self.reading() as conn:
            return check(rule, dynamic.segment_lookup(conn), segment_id)

    def rule_count(self, rule: Node) -> int:
        """How many contacts a (checked) rule matches today: the builder's live count."""
        from segtui.data import dynamic

        with self.reading() as conn:
            return dynamic.count_matching(conn, rule, clock.today())

    def rule_sample(self, rule: Node, limit: int = 5) -> list[tuple[int, str]]:
        from segtui.data import dynamic

        with self.reading() as conn:
            return dynamic.sample_matching(conn, rule, clock.today(), limit)

    def refresh_segments(self, segment_ids: Sequence[int] | None = None,
                         user: CurrentUser | None = None) -> list[RefreshResult]:
        """Re-evaluate these dynamic segments (all of them when None) and the segments whose
        rules use them, each after the segments its rule uses. With `user` (someone asked
        for it: `r` in the app, `segtui segments refresh`), each segment whose members
        changed logs "Members Refreshed" by that user, in the same transaction.

        Each segment is its own short write transaction: refreshing a thousand segments
        takes minutes, and SQLite has one writer at a time, so one long transaction would
        make every other save wait (and time out). Each segment is always consistent, and
        its transaction clears what it was owed (data/pending.py). Contacts owed a
        re-evaluation are done first (all segments: already covered by a whole one)."""
        from segtui.data import dynamic

        with self.reading() as conn:
            owed = pending.owed(conn)
            done_up_to = pending.last_id(conn)
            lookup = dynamic.segment_lookup(conn)
            every = dynamic.dynamic_ids(conn)
        if segment_ids is None:
            ids = every
        else:
            if owed.contacts:
                self._finish_contacts()
            ids = [*segment_ids,
                   *(d for s in segment_ids for d in dynamic.dependents(lookup, every, s))]
        results = self._refresh_in_order(ids, user)
        if segment_ids is None and owed.contacts:
            with self.writing() as conn:  # every segment was evaluated whole since
                pending.drop_contacts_up_to(conn, done_up_to)
        return results

    def _refresh_in_order(self, ids: Sequence[int], user: CurrentUser | None = None
                          ) -> list[RefreshResult]:
        """Refresh these segments whole, each after the segments its rule uses, in the
        batches of data/whole_refresh.py: one transaction each, all or nothing."""
        from segtui.data import dynamic, whole_refresh

        today = clock.today()
        with self.reading() as conn:
            batches = dynamic.whole_batches(conn, ids, today)
        results = []
        # One connection for the run: its temporary lists serve batch after batch while
        # nothing changed (whole_refresh.SharedLists); each batch is its own transaction.
        with self._writer.connect() as conn:
            lists = whole_refresh.SharedLists(conn)
            try:
                for batch in batches:
                    results += self._refresh_batch(conn, batch, lists, today, user)
            finally:
                with suppress(SQLAlchemyError):  # a connection already broken has none
                    lists.drop()
                    conn.commit()
        from segtui.data import bulk

        if sum(r.entered + r.left for r in results) >= bulk.ANALYZE_AFTER_ROWS:
            # The next run plans its counts of each segment's stays from these.
            bulk.refresh_statistics(self.engine, ("memberships",))
        return results

    def _refresh_batch(self, conn: Connection, batch: whole_refresh.Batch,
                       lists: whole_refresh.SharedLists, today: date,
                       user: CurrentUser | None) -> list[RefreshResult]:
        """One batch, one write transaction: its results once committed. `today`: the
        run's, so a run crossing midnight evaluates every batch on the same day."""
        from segtui.data import dynamic, segment_writes, whole_refresh

        with _busy_is_clear(), conn.begin(), self._running.track(conn, writing=True):
            pending.serialise_refreshes(conn)
            lists.start_batch()
            done = []
            with whole_refresh.SharedReads(conn, today, lists).active(batch) as shared:
                for segment_id in batch.segment_ids:
                    pending.claim_segment(conn, segment_id)
                    result = dynamic.refresh_segment(conn, segment_id, now=clock.now(),
                                                     today=today, shared=shared)
                    if result is not None and user is not None:
                        segment_writes.log_refresh(conn, result, user, clock.now(),
                                                   "on request")
                    if result is not None:
                        done.append(result)
        return done

    def contacts_changed(self, contact_ids: Sequence[int]) -> list[RefreshResult]:
        """After these contacts or their events changed: re-evaluate every dynamic segment
        for them only (incremental), in one transaction. Returns the segments that changed."""
        from segtui.data import dynamic

        with self.writing() as conn:
            pending.serialise_refreshes(conn)
            return dynamic.refresh_contacts(conn, contact_ids, now=clock.now(),
                                            today=clock.today())

    def owed(self) -> Owed:
        """What the dynamic segments are still owed (data/pending.py): nothing, unless a
        change's process ended before re-evaluating them, or one is doing it now."""
        with self.reading() as conn:
            return pending.owed(conn)

    def finish_pending(self, segment_ids: Sequence[int] | None = None
                       ) -> list[RefreshResult]:
        """Do what the dynamic segments are owed (issue 16 §4): every contact changed since
        its re-evaluation (one incremental pass), then the segments owed a whole one: all
        of them, or, given `segment_ids`, those of them these segments' rules depend on
        (and these). Costs one read when nothing is owed. Returns the segments re-evaluated.
        DatabaseBusy when another process holds SQLite for writing: the caller says the
        segments may be out of date."""
        from segtui.data import dynamic

        with self.reading() as conn:
            owed = pending.owed(conn)
            lookup = dynamic.segment_lookup(conn) if owed.segments else None
        if not owed:
            return []
        results = self._finish_contacts() if owed.contacts else []
        wanted = list(self.owed().segments)
        if segment_ids is not None and lookup is not None:
            needed = dynamic.used_by_closure(lookup, segment_ids)
            wanted = [s for s in wanted if s in needed]
        if wanted:
            results += self.refresh_segments(wanted)
        return results

    def bring_up_to_date(self, segment_ids: Sequence[int] | None = None) -> Owed:
        """finish_pending for a reader about to show members: what is still owed afterwards
        (nothing, unless another process held SQLite for writing meanwhile: then the
        reader says the members may be out of date, Owed.out_of_date)."""
        try:
            self.finish_pending(segment_ids)
        except DatabaseBusy:
            return self.owed()
        return Owed(0, ())

    def _finish_contacts(self) -> list[RefreshResult]:
        """Claim the owed contacts and re-evaluate every dynamic segment for them, in one
        transaction; beyond INCREMENTAL_LIMIT of them, owe every segment a whole one."""
        from segtui.data import dynamic

        with self.writing() as conn:
            pending.serialise_refreshes(conn)
            ids = pending.claim_contacts(conn)
            if len(ids) > INCREMENTAL_LIMIT:
                pending.owe_segments(conn, dynamic.dynamic_ids(conn), clock.now())
                return []
            return dynamic.refresh_contacts(conn, ids, now=clock.now(), today=clock.today())

    def refresh_stale(self) -> list[RefreshResult]:
        """What the dynamic segments are owed (finish_pending), then the ones not evaluated
        yet today (the app does this when it starts, so rules with time windows follow the
        calendar)."""
        from segtui.data import dynamic

        results = self.finish_pending()
        with self.reading() as conn:
            stale = dynamic.stale_ids(conn, clock.today())
        return results + (self.refresh_segments(stale) if stale else [])

    def explain_membership(self, segment_id: int, contact_id: int) -> Explanation:
        from segtui.data import dynamic

        with self.reading() as conn:
            return dynamic.explain(conn, segment_id, contact_id, clock.today())

    def rule_overrides(self, segment_id: int) -> tuple[int, int]:
        """(members added by hand, contacts kept out by hand) of a segment."""
        from segtui.data import dynamic

        with self.reading() as conn:
            return dynamic.overrides(conn, segment_id)

    def segments_using(self, segment_id: int) -> list[str]:
        """Names of the dynamic segments whose rules use this segment."""
        from segtui.data import dynamic

        with self.reading() as conn:
            return dynamic.uses_of(conn, segment_id)

    # -- import and export (issue 6) --------------------------------------------------------

    def import_contacts(
        self,
        rows: Iterable[ContactIn | list[RowProblem]],
        on_duplicate: importer.OnDuplicate,
        *,
        match: MatchKey = MatchKey.EMAIL,
        headers: Mapping[Field, str] | None = None,
        dry_run: bool = False,
        on_reject: Callable[[list[RowProblem]], None] | None = None,
        on_batch: Callable[[importer.ImportReport], None] | None = None,
    ) -> importer.ImportReport:
        """Import contacts, merged by email or by the `match` key (docs/import-export.md);
        `headers` names each field's column in messages."""
        from segtui.data import importer

        return self._import(lambda conn: importer.import_contacts(
            conn, rows, on_duplicate, clock.now(), match=match, headers=headers,
            on_reject=on_reject, on_batch=on_batch, list_limit=INCREMENTAL_LIMIT), dry_run)

    def import_events(
        self,
        rows: Iterable[list[EventIn] | list[RowProblem]],
        *,
        link_segment: int | None = None,
        email_column: str = "Email",
        dry_run: bool = False,
        on_reject: Callable[[list[RowProblem]], None] | None = None,
        on_batch: Callable[[importer.ImportReport], None] | None = None,
    ) -> importer.ImportReport:
        """Import engagement events or campaign results (docs/import-export.md)."""
        from segtui.data import event_importer

        return self._import(lambda conn: event_importer.import_events(
            conn, rows, clock.now(), link_segment=link_segment, email_column=email_column,
            on_reject=on_reject,
            on_batch=on_batch, list_limit=INCREMENTAL_LIMIT), dry_run)

    def _import(self, run: Callable[[Connection], importer.ImportReport],
                dry_run: bool) -> importer.ImportReport:
        """Run an import in ONE write transaction: if anything fails or the user stops it,
        nothing is written. A dry run does everything, then rolls back. After the commit
        the dynamic segments follow: incrementally for up to INCREMENTAL_LIMIT changed
        contacts, else by re-evaluating every rule."""
        try:
            with self.writing() as conn:
                report = run(conn)
                if dry_run:
                    raise _RolledBack(report)
                # Owed in the import's own transaction: a process killed after the commit
                # leaves the to-do for the next reader (issue 16 §4).
                pending.owe_contacts(conn, report.changed_ids, clock.now())
        except _RolledBack as rolled_back:
            return rolled_back.report
        from segtui.data import bulk

        if report.added + report.updated >= bulk.ANALYZE_AFTER_ROWS:
            bulk.refresh_statistics(self.engine, ("contacts", "events", "companies"))
        try:
            report.refreshed = self.finish_pending()
        except DatabaseBusy:  # committed; another process writes now: the next reader will
            report.left_owed = self.owed()
        return report

    def quality_report(self) -> QualityReport:
        """The data quality report (issue 6; definitions in segtui/core/quality.py)."""
        from segtui.data import quality

        with self.reading() as conn:
            return quality.quality_report(conn, clock.today())

    def merge_contacts(self, keep: int, others: Sequence[int], user: CurrentUser
                       ) -> MergeResult:
        """Merge duplicate contacts into `keep` in one transaction, then bring the dynamic
        segments up to date for it."""
        from segtui.data import quality

        with self.writing() as conn:
            result = quality.merge_contacts(conn, keep, others, user, clock.now())
            pending.owe_contacts(conn, [keep], clock.now())
        self.bring_up_to_date()  # or, another process writing, the next reader will
        return result

    @contextmanager
    def member_export(self, segment_id: int) -> Iterator[Iterator[MemberRecord]]:
        """A segment's members with every contact field, streamed from one read snapshot."""
        from segtui.data import exporter

        with self.reading() as conn:
            yield exporter.member_records(conn, segment_id)


INCREMENTAL_LIMIT = 20_000  # changed contacts re-evaluated one by one; more: every rule


class _RolledBack(Exception):
    """Carries a dry run's report out of the transaction it rolls back."""

    def __init__(self, report: importer.ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


@contextmanager
def _busy_is_clear() -> Iterator[None]:
    """SQLite's "database is locked" (another process kept the write lock past the busy
    timeout) becomes DatabaseBusy with how long we waited: the one place that turns it
    into words a user can act on (issue 16 §12). Any other error passes unchanged."""
    started = time.monotonic()
    try:
        yield
    except OperationalError as exc:
        if is_busy(exc):
            raise DatabaseBusy(time.monotonic() - started) from None
        raise


def _in_this_context(function: Callable[..., T]) -> Callable[..., T]:
    """`function`, to run in another thread in the caller's context: a read started on a
    helper thread acts for the caller's scope, and is cancelled with it (core/cancel.py)."""
    return functools.partial(contextvars.copy_context().run, function)


def _header_and_side_figures(conn: Connection, segment_id: int, with_details: bool
                             ) -> tuple[SegmentDetails | None, segment_metrics.SideFigures]:
    from segtui.data import segment_metrics, segment_writes

    # The members are counted by the cards' pass (Store._summary).
    return (segment_writes.details(conn, segment_id, members=0) if with_details else None,
            segment_metrics.side_figures(conn, segment_id))
