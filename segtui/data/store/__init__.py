"""The Store API: everything the UI and the CLI may ask of the database.

A Store is a Database (database.py: open, close, cancel, reading, writing) holding one facet
per subject, each a module here and an attribute of the Store: segments, metrics, contacts,
members, activity, rules, transfer, quality, users, changes, audit,
compare, history, campaigns, tokens, webhooks and discover
(`store.segments.segment_page(...)`, `store.rules.refresh_segments(...)`). Their methods
are synchronous and thread-safe (each call takes its own pooled connection); the UI calls
them from worker threads. They return the frozen records of `segtui.core`, never ORM
objects, so nothing lazy-loads on the UI thread.

Imports (P12): a scripted `segtui segments list` or `segments count` opens a Store
and makes a few reads, and should not wait for the whole app's query code to load. So the
facets import at their top only what opening a database uses and what the dynamic segments
are owed (every read asks); every query module is imported inside the methods that call
it, and the records they return are named for the type checker only. The queries are
written on the Core tables of data/db/tables/, so nothing here loads `sqlalchemy.orm`
(only `Database.orm_session()`, for the tests' objects). tests/test_cli_start.py checks
which modules a read command loads.
"""

from __future__ import annotations

from sqlalchemy import Engine

from segtui.data.store.activity import Activity
from segtui.data.store.audit import Audit
from segtui.data.store.campaigns import Campaigns
from segtui.data.store.changes import Changes
from segtui.data.store.compare import Compare
from segtui.data.store.contacts import Contacts
from segtui.data.store.database import Database
from segtui.data.store.discover import Discover
from segtui.data.store.history import History
from segtui.data.store.members import Members
from segtui.data.store.metrics import Metrics
from segtui.data.store.quality import Quality
from segtui.data.store.rules import Rules
from segtui.data.store.segments import Segments
from segtui.data.store.tokens import Tokens
from segtui.data.store.transfer import Transfer
from segtui.data.store.users import Users
from segtui.data.store.webhooks import Webhooks


class Store(Database):
    """A database and everything that may be asked of it, by subject."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.users = Users(self)
        self.segments = Segments(self)
        self.metrics = Metrics(self)
        self.contacts = Contacts(self)
        self.members = Members(self)
        self.activity = Activity(self)
        self.rules = Rules(self)
        self.transfer = Transfer(self, self.rules)
        self.quality = Quality(self, self.rules)
        self.changes = Changes(self)
        self.audit = Audit(self)
        self.compare = Compare(self)
        self.history = History(self)
        self.campaigns = Campaigns(self)
        self.tokens = Tokens(self)
        self.webhooks = Webhooks(self)
        self.discover = Discover(self)
