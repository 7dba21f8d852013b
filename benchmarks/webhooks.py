"""Sending 10,000 membership changes to a local webhook receiver (C21.3.6): a subscription
on a new segment, 10,000 contacts entering it in one transaction (10,000 deliveries
written by the outbox's triggers), then the sender (`store.webhooks.send_due`, its
default settings: batches of 500, 8 connections kept open) until every one is
delivered to a receiver on loopback (http.server, HTTP/1.1 keep-alive, in this process),
which checks each signature. Prints JSON. Budget: 10 s.

    python benchmarks/webhooks.py                   # a new SQLite database of 10,000 contacts
    python benchmarks/webhooks.py --db URL          # an empty PostgreSQL database to fill

The database is made with `segtui demo --contacts N --segments 10 --build-only`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `tests.` below

BUDGET_S = 10.0
SECRET = "whsec_benchmark-secret-0123456789"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an empty database's URL (default: a new SQLite file)")
    parser.add_argument("--changes", type=int, default=10_000)
    args = parser.parse_args()

    from segtui.core.contacts import ContactFilter, ContactSelection
    from segtui.core.enums import WebhookEvents
    from segtui.core.segments import SegmentDraft
    from segtui.data.db.engine import resolve_url
    from segtui.data.store import Store
    from tests.webhook_receiver import receiving

    with tempfile.TemporaryDirectory() as scratch:
        db = args.db or str(Path(scratch) / "webhooks.db")
        subprocess.run([sys.executable, "-m", "segtui", "--db", db, "demo", "--contacts",
                        str(args.changes), "--segments", "10", "--build-only"],
                       check=True, cwd=ROOT, capture_output=True)
        store = Store.open(resolve_url(db))
        try:
            admin = store.users.current_user("James Carter")
            with receiving(SECRET) as receiver:
                segment = store.segments.create_segment(
                    SegmentDraft("Webhook benchmark"), ContactSelection(), admin)
                store.webhooks.add(segment, receiver.url, WebhookEvents.BOTH, SECRET, admin)
                started = time.perf_counter()
                changes = store.members.add_members(
                    segment, ContactSelection().with_all(ContactFilter(), True), admin)
                written = time.perf_counter() - started
                started = time.perf_counter()
                report = store.webhooks.send_due()
                sent = time.perf_counter() - started
                keys = set(receiver.keys())
                signed = all(r.signed for r in receiver.received)
            row = store.webhooks.subscriptions()[0]
        finally:
            store.close()
    print(json.dumps({
        "engine": "postgresql" if "://" in db and db.startswith("postgresql") else "sqlite",
        "changes": changes,
        "membership_change_with_outbox_s": round(written, 2),
        "send_s": round(sent, 2),
        "per_second": round(report.delivered / sent) if sent else None,
        "delivered": report.delivered, "failed": report.failed, "dead": report.dead,
        "received_keys": len(keys), "all_signed": signed,
        "marked_delivered": row.delivered,
        "budget_s": BUDGET_S, "met": sent <= BUDGET_S and row.delivered == changes,
    }, indent=2))


if __name__ == "__main__":
    main()
