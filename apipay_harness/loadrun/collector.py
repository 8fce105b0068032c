"""What one Locust process gathers for the audit, its share of the request cap, and the messages that move records.

How records survive several worker processes (and machines): each worker keeps the events its
users record in an outbox and ships them with every stats report (``report_to_master``, under
``REPORT_KEY``). When the master stops, it asks every worker to stop its users and flush what is
left (``FLUSH``) and waits for each answer (``FLUSHED``) before it quits, so no accepted refund is
lost between the last report and the end. A worker that spent its share of the cap says ``CAP``.
Nothing here imports locust or gevent: the Locust side is ``apipay_harness.loadrun.locust_plugin``.
"""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from typing import Any

from apipay_harness.loadrun.records import Event, EventKind

__all__ = ["CAP", "FLUSH", "FLUSHED", "REPORT_KEY", "Collector", "cap_share"]

REPORT_KEY = "apipay_events"
"""Where a worker's events ride in its stats report to the master."""
FLUSH = "apipay_flush"
"""Master → worker: stop your users and send what is left."""
FLUSHED = "apipay_flushed"
"""Worker → master: the last events; nothing more will come."""
CAP = "apipay_cap"
"""Worker → master: this worker spent its share of the request cap."""


class Collector:
    """Per-process store of what the users recorded, how many requests they sent, and what the master gathered."""

    def __init__(self) -> None:
        self.outbox: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.sent = 0
        self.cap_reached = False
        self.flushed: set[str] = set()
        self.capped_workers: set[str] = set()

    def record(self, invoice_id: int, kind: EventKind, *, amount: Decimal | None = None, key: str = "") -> None:
        """Keep one event for the audit, in the shared record format."""
        self.outbox.append(Event(invoice_id=invoice_id, kind=kind, at=time.time(), amount=amount, key=key).to_wire())

    def attempt(self, invoice_id: int | None) -> str:
        """Record that a request about to be sent may change ``invoice_id``; the key pairs it with ``settle``."""
        if invoice_id is None:
            return ""
        key = uuid.uuid4().hex
        self.record(invoice_id, "attempt", key=key)
        return key

    def settle(self, invoice_id: int | None, key: str, status: int) -> None:
        """Record that the attempt ``key`` got a definitive answer (2xx–4xx); anything else leaves it uncertain."""
        if invoice_id is not None and 0 < status < 500:
            self.record(invoice_id, "settled", key=key)

    def drain(self) -> list[dict[str, Any]]:
        """Take every event not yet shipped."""
        batch, self.outbox = self.outbox, []
        return batch

    def take(self, share: int | None) -> bool:
        """Count one request against ``share`` (``None``: no cap); ``False``, counting nothing, once it is spent."""
        if share is not None and self.sent >= share:
            return False
        self.sent += 1
        return True


def cap_share(cap: int, *, processes: int, index: int) -> int | None:
    """The part of a request cap one of ``processes`` may send (``None`` without a cap); the parts add up to the cap."""
    if cap <= 0:
        return None
    processes = max(1, processes)
    index %= processes
    return cap // processes + (1 if index < cap % processes else 0)
