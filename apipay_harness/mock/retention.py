"""How much the store keeps, and what happens past it: the oldest settled invoices are forgotten, else 429.

Every invoice, refund and cart line costs memory for as long as the mock runs, and a soak at full speed
would grow it until the out-of-memory killer ends it. The store therefore holds at most ``max_invoices``
invoices, as many refunds, and ``LINES_PER_INVOICE`` cart lines per invoice on average. When a create
would pass a bound, the invoices that settled longest ago (``cancelled``, ``expired``, ``refunded``: no
status change can come to them) are forgotten with their refunds, cart lines and queued work, a batch at
a time so that the lists to rebuild are rebuilt rarely. When nothing settled is left to forget, the create
is refused with ``429`` (documented for both creates) and a ``retry_after`` that says when the clock next
settles work (an expiry or a cancellation), the only way room appears without a client acting.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from apipay_harness.mock.clock import Clock, WorkQueue
from apipay_harness.mock.errors import ApiError
from apipay_harness.mock.limits import LINES_PER_INVOICE
from apipay_harness.mock.models import Invoice, Refund

__all__ = ["Retention", "RetentionStats", "SETTLED", "StoreFull"]

SETTLED = frozenset({"cancelled", "expired", "refunded"})
"""Statuses no transition leaves: an invoice in one can be forgotten without changing what a client can do."""
_BATCH_SHARE = 100
"""Forget at least 1/100 of the cap at a time: each round rebuilds the organizations' lists once."""
_NO_DUE_WORK_RETRY = 60


class StoreFull(ApiError):
    """429: the store is at its bound and holds nothing settled to forget."""

    def __init__(self, what: str, bound: int, retry_after: int) -> None:
        super().__init__(
            429,
            f"The mock holds its maximum of {bound} {what} and none of its invoices is settled "
            f"(cancelled, expired or refunded) to make room. Please retry after {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after

    def body(self) -> dict[str, object]:
        """The documented 429 body: ``message`` and ``retry_after``."""
        return {"message": self.message, "retry_after": self.retry_after}


@dataclass
class RetentionStats:
    """What the store holds against its bounds, and what it forgot or refused (``GET /_control/stats``)."""

    evicted_invoices: int = 0
    evicted_refunds: int = 0
    refused_creates: int = 0


class Retention:
    """Keeps the store's invoices, refunds and cart lines within their bounds (the store calls it)."""

    def __init__(
        self,
        max_invoices: int,
        *,
        invoices: dict[int, Invoice],
        by_org: dict[int, list[Invoice]],
        refunds: dict[int, Refund],
        queue: WorkQueue,
        clock: Clock,
    ) -> None:
        if max_invoices < 1:
            raise ValueError("max_invoices must be at least 1")
        self.max_invoices = max_invoices
        self.max_lines = max_invoices * LINES_PER_INVOICE
        self.lines = 0
        self.stats = RetentionStats()
        self._invoices = invoices
        self._by_org = by_org
        self._refunds = refunds
        self._queue = queue
        self._clock = clock
        self._settled: deque[Invoice] = deque()
        self._forgotten: set[int] = set()
        self._batch = max(1, max_invoices // _BATCH_SHARE)

    def room_for_invoice(self, lines: int) -> None:
        """Make room for one invoice with ``lines`` cart lines, or raise ``StoreFull``."""

        def short() -> bool:
            return len(self._invoices) >= self.max_invoices or self.lines + lines > self.max_lines

        if not short():
            return
        self._forget_settled(short, keep=None)
        if len(self._invoices) >= self.max_invoices:
            self._refuse("invoices", self.max_invoices)
        if self.lines + lines > self.max_lines:
            self._refuse("cart lines", self.max_lines)

    def room_for_refund(self, invoice: Invoice) -> None:
        """Make room for one refund of ``invoice`` (never forgotten for it), or raise ``StoreFull``."""

        def short() -> bool:
            return len(self._refunds) >= self.max_invoices

        if not short():
            return
        self._forget_settled(short, keep=invoice)
        if short():
            self._refuse("refunds", self.max_invoices)

    def stored(self, invoice: Invoice) -> None:
        """Count a new invoice's cart lines."""
        self.lines += len(invoice.items)

    def status_changed(self, invoice: Invoice) -> None:
        """Note an invoice that reached a settled status: the oldest of these are forgotten first."""
        if invoice.status in SETTLED:
            self._settled.append(invoice)

    def reset(self) -> None:
        """The store forgot everything: start counting again."""
        self.lines = 0
        self.stats = RetentionStats()
        self._settled.clear()
        self._forgotten.clear()

    def _forget_settled(self, short: Callable[[], bool], *, keep: Invoice | None) -> None:
        """Forget settled invoices, oldest first, until there is room and a batch is done (or none is left)."""
        forgotten = 0
        organizations: set[int] = set()
        kept: list[Invoice] = []
        while self._settled and (forgotten < self._batch or short()):
            invoice = self._settled.popleft()
            if self._invoices.get(invoice.id) is not invoice or invoice.status not in SETTLED:
                continue  # already forgotten, or settled twice (a fault moved it between settled statuses)
            if invoice is keep:
                kept.append(invoice)
                continue
            del self._invoices[invoice.id]
            for refund_id in invoice.refunds:
                if self._refunds.pop(refund_id, None) is not None:
                    self.stats.evicted_refunds += 1
            self.lines -= len(invoice.items)
            self._forgotten.add(invoice.id)
            organizations.add(invoice.organization)
            forgotten += 1
        self._settled.extendleft(kept)
        self.stats.evicted_invoices += forgotten
        for organization in organizations:
            rows = self._by_org.get(organization, [])
            rows[:] = [inv for inv in rows if self._invoices.get(inv.id) is inv]
        if 2 * len(self._forgotten) >= len(self._queue):
            # Queued work holds its invoice: drop it once half the queue may be about forgotten invoices,
            # so each purge's pass over the queue is paid for by as many forgettings.
            self._queue.purge(self._forgotten)
            self._forgotten.clear()

    def _refuse(self, what: str, bound: int) -> None:
        self.stats.refused_creates += 1
        due = self._queue.next_due()
        wait = _NO_DUE_WORK_RETRY if due is None else math.ceil(due - self._clock.timestamp())
        raise StoreFull(what, bound, max(1, wait))
