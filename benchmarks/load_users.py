"""C19.7: several people on one database at once. N simulated users, each a thread with a
Store of its own (its own connections, as its own process would have), work for a while:
reads (the dashboard's page and cards, a segment's header and cards, a member page),
edits of their own segment and of one segment everybody edits, contacts added by hand,
notes, a refresh of every dynamic segment and a small import now and then.

It reports each operation's count, p50 and p95, the conflicts detected (a save over a
version someone else saved meanwhile: refused, re-read, saved again), the errors (must be
0) and the lost updates (must be 0), checked at the end against what each user believes
it wrote: every note it added is there, every contact it added is a member of its
segment, its segment's description is its last one, and the shared segment's
description is the one saved with the highest version.

    python benchmarks/load_users.py --db URL [--users 10] [--seconds 60]
        (it writes: give it a copy of the demo; `segtui demo --build-only --db URL`)
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import URL

T = TypeVar("T")

ADMIN = "James Carter"  # the demo's CRM Administrator: gives the load users their role
SHARED = "Load shared"


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Belief:
    """What one user believes it wrote."""

    notes: list[str] = field(default_factory=list)
    added: set[int] = field(default_factory=set)
    description: str = ""
    shared: dict[int, str] = field(default_factory=dict)  # version saved -> description


def run_user(url: URL, n: int, segment_id: int, shared_id: int, contacts: list[int],
             until: float, tally: Tally, belief: Belief, lock: threading.Lock,
             seed: int) -> None:
    from segtui.core import clock
    from segtui.core.contacts import ContactFilter, ContactSelection
    from segtui.core.metrics import last_days
    from segtui.core.records import Choice, SegmentFilter, SegmentSort
    from segtui.core.segments import SegmentConflict
    from segtui.data.store import Store
    from segtui.transfer.imports import ImportKind, ImportRequest, import_file

    rng = random.Random(seed)
    store = Store.open(url)
    user = store.users.current_user(f"Load User {n}")
    step = 0

    def timed(name: str, call: Callable[..., T], *args: object) -> T:
        started = time.perf_counter()
        result = call(*args)
        with lock:
            tally.times[name].append(time.perf_counter() - started)
        return result

    def save_description(target: int, text: str) -> int:
        """Save `text` as the segment's description; a conflict re-reads and saves again.
        Returns the version saved."""
        while True:
            details = store.segments.segment_details(target)
            assert details is not None
            try:
                store.segments.update_segment(target, details.version,
                                              replace(details.as_draft(), description=text),
                                              ContactSelection(), user)
                return details.version + 1
            except SegmentConflict:
                with lock:
                    tally.conflicts += 1

    try:
        while time.monotonic() < until:
            step += 1
            roll = rng.random()
            try:
                if roll < 0.40:
                    timed("read dashboard", lambda: (
                        store.segments.segment_page(SegmentFilter(), SegmentSort(), limit=40),
                        store.segments.dashboard_metrics()))
                elif roll < 0.55:
                    timed("read segment", lambda: store.metrics.segment_summary(
                        rng.choice([segment_id, shared_id]), last_days(clock.today())))
                elif roll < 0.62:
                    timed("read members", lambda: store.contacts.contact_page(
                        ContactFilter(segment=Choice(str(segment_id), "own")),
                        ContactSelection(), limit=40))
                elif roll < 0.72:
                    text = f"user {n} edit {step}"
                    timed("edit own segment", save_description, segment_id, text)
                    belief.description = text
                elif roll < 0.80:
                    text = f"user {n} shared edit {step}"
                    version = timed("edit shared segment", save_description, shared_id, text)
                    belief.shared[version] = text
                elif roll < 0.88:
                    contact = rng.choice(contacts)
                    timed("add a contact", store.members.add_members, segment_id,
                          ContactSelection().toggled(contact, True), user)
                    belief.added.add(contact)
                elif roll < 0.97:
                    text = f"user {n} note {step}"
                    timed("add a note", store.activity.add_note, segment_id, text, user)
                    belief.notes.append(text)
                elif roll < 0.985:
                    timed("refresh every rule", store.rules.refresh_segments, None, user)
                else:
                    with tempfile.TemporaryDirectory() as folder:
                        path = Path(folder) / "load.csv"
                        path.write_text("Name,Email\n" + "".join(
                            f"Load {n}-{step}-{i},load{n}.{step}.{i}@example.com\n"
                            for i in range(20)), encoding="utf-8")
                        timed("import 20 contacts", import_file, store,
                              ImportRequest(ImportKind.CONTACTS, path))
            except Exception as exc:  # counted and shown: the run must have none
                with lock:
                    tally.errors.append(f"user {n}: {type(exc).__name__}: {exc}")
    finally:
        store.close()


def lost_updates(url: URL, beliefs: dict[int, Belief], segments: dict[int, int],
                 shared_id: int) -> list[str]:
    from sqlalchemy import select

    from segtui.data.db.tables import Note
    from segtui.data.store import Store

    store = Store.open(url)
    lost: list[str] = []
    try:
        with store.reading() as conn:
            notes = set(conn.execute(select(Note.body)).scalars())
        shared_wanted = {}
        for n, belief in beliefs.items():
            lost += [f"user {n}: note {t!r} missing" for t in belief.notes if t not in notes]
            members = store.members.current_members(segments[n], belief.added)
            lost += [f"user {n}: contact {c} not a member" for c in belief.added - members]
            details = store.segments.segment_details(segments[n])
            if belief.description and details and details.description != belief.description:
                lost.append(f"user {n}: description {details.description!r}, "
                            f"not its last {belief.description!r}")
            shared_wanted.update(belief.shared)
        shared = store.segments.segment_details(shared_id)
        if shared_wanted and shared is not None:
            newest = shared_wanted[max(shared_wanted)]
            if shared.description != newest:
                lost.append(f"shared: {shared.description!r}, not the newest save {newest!r}")
    finally:
        store.close()
    return lost


def prepare(url: URL, users: int) -> tuple[dict[int, int], int, list[int]]:
    """The load users (Marketing Managers), a segment each and the shared one."""
    from sqlalchemy import select

    from segtui.core.contacts import ContactSelection
    from segtui.core.enums import UserRole
    from segtui.core.segments import SegmentDraft
    from segtui.data.db.tables import Contact
    from segtui.data.store import Store

    store = Store.open(url)
    try:
        admin = store.users.current_user(ADMIN)
        known = {u.name for u in store.users.all_users()}
        for n in range(1, users + 1):
            name = f"Load User {n}"
            if name not in known:
                store.users.add_user(name, UserRole.MARKETING_MANAGER, admin)
        stamp = time.strftime("%H%M%S")
        segments = {n: store.segments.create_segment(
            SegmentDraft(f"Load {n} {stamp}"), ContactSelection(), admin)
            for n in range(1, users + 1)}
        shared = store.segments.create_segment(SegmentDraft(f"{SHARED} {stamp}"),
                                               ContactSelection(), admin)
        with store.reading() as conn:
            contacts = list(conn.execute(select(Contact.id).limit(5000)).scalars())
        return segments, shared, contacts
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database URL (it is written)")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    from segtui.data.db.engine import resolve_url

    url = resolve_url(args.db)
    segments, shared, contacts = prepare(url, args.users)
    tally, lock = Tally(), threading.Lock()
    beliefs = {n: Belief() for n in segments}
    until = time.monotonic() + args.seconds
    threads = [threading.Thread(target=run_user, args=(
        url, n, segments[n], shared, contacts, until, tally, beliefs[n], lock, n))
        for n in segments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lost = lost_updates(url, beliefs, segments, shared)
    print(f"{args.users} users, {args.seconds:g} s, {url.get_backend_name()}")
    print(f"{'operation':<22} {'count':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for name, times in sorted(tally.times.items()):
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(f"{name:<22} {len(times):>6} {statistics.median(times) * 1000:>8.1f} "
              f"{p95 * 1000:>8.1f}")
    print(f"conflicts detected: {tally.conflicts}")
    print(f"errors: {len(tally.errors)}")
    for error in tally.errors[:20]:
        print(f"  {error}")
    print(f"lost updates: {len(lost)}")
    for item in lost[:20]:
        print(f"  {item}")
    if tally.errors or lost:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
