"""C21.3.5: what a delivery's last attempt got, as the delivery log (app and
`segtui webhooks log`) says it."""

from __future__ import annotations

from datetime import datetime

from segtui.core.enums import DeliveryStatus
from segtui.core.webhooks import DeliveryRow

AT = datetime(2024, 2, 26, 12)


def row(status: DeliveryStatus, last_status: int | None, last_error: str | None
        ) -> DeliveryRow:
    return DeliveryRow(1, "entered", 7, AT, status, 2, None, AT, last_status, last_error,
                       AT if status is DeliveryStatus.DELIVERED else None)


def test_a_delivery_that_failed_then_succeeded_shows_its_success_first() -> None:
    # It showed "HTTP 500 Internal Server Error" alone, as if the delivery had failed.
    done = row(DeliveryStatus.DELIVERED, 200, "HTTP 500 Internal Server Error")
    assert done.last_answer == "200 (after HTTP 500 Internal Server Error)"
    assert row(DeliveryStatus.DELIVERED, 204, None).last_answer == "204"


def test_a_pending_or_dead_delivery_shows_its_last_failure() -> None:
    assert row(DeliveryStatus.PENDING, 500, "HTTP 500 Internal Server Error").last_answer \
        == "HTTP 500 Internal Server Error"
    assert row(DeliveryStatus.DEAD, None, "timed out after 10 s").last_answer == \
        "timed out after 10 s"
    assert row(DeliveryStatus.PENDING, None, None).last_answer == ""
