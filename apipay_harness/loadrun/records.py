"""What load users did to each invoice, as plain events that travel from workers to the master.

An event is written BEFORE a mutating request is sent (``attempt``) and again when its answer is
seen (``settled``), so a request cut off mid-flight (a stopped user, a dropped connection, a 5xx)
leaves an unsettled attempt and the audit knows that invoice's outcome is uncertain.

    created    the server answered 201 with the invoice (amount as it said)
    paid       the control API answered 200 to a payment
    refund     the server accepted a refund (201) of ``amount`` (``key``: the refund's id, when it has one)
    refund_completed  a queued refund ``key`` completed (the control API finished it, or it was read completed)
    refund_failed     a queued refund ``key`` failed: it never counts
    cancel     the server accepted a cancel: 202 (queued) or 200 (synchronous)
    expired    the control API answered 200 to an expiry
    attempt    a mutating request is about to be sent (``key`` pairs it with its ``settled``)
    settled    the answer to attempt ``key`` was seen and is definitive (2xx or 4xx)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

__all__ = ["EVENT_KINDS", "Event", "EventKind", "Ledger", "build_ledgers"]

EventKind = Literal[
    "created", "paid", "refund", "refund_completed", "refund_failed", "cancel", "expired", "attempt", "settled"
]
EVENT_KINDS: tuple[EventKind, ...] = (
    "created", "paid", "refund", "refund_completed", "refund_failed", "cancel", "expired", "attempt", "settled"
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Event:
    """One thing a load user saw happen to one invoice."""

    invoice_id: int
    kind: EventKind
    at: float
    """Wall-clock seconds (``time.time()``) on the worker that saw it."""
    amount: Decimal | None = None
    key: str = ""
    """Pairs an ``attempt`` with its ``settled``; for ``cancel``, ``sync`` or ``queued``; for refunds, the refund id."""

    def to_wire(self) -> dict[str, Any]:
        """Plain JSON-safe form (money as a string) for worker reports and the run file."""
        wire: dict[str, Any] = {"invoice_id": self.invoice_id, "kind": self.kind, "at": self.at}
        if self.amount is not None:
            wire["amount"] = str(self.amount)
        if self.key:
            wire["key"] = self.key
        return wire

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Event:
        """Rebuild an event from its wire form; raise ``ValueError`` on anything malformed."""
        kind = data.get("kind")
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        invoice_id = data.get("invoice_id")
        if not isinstance(invoice_id, int) or isinstance(invoice_id, bool):
            raise ValueError(f"invoice_id must be an integer, got {invoice_id!r}")
        amount = data.get("amount")
        return cls(
            invoice_id=invoice_id,
            kind=kind,
            at=float(data.get("at", 0.0)),
            amount=Decimal(str(amount)) if amount is not None else None,
            key=str(data.get("key", "")),
        )


@dataclass(slots=True)
class Ledger:
    """Everything the load users know happened to one invoice."""

    invoice_id: int
    amount: Decimal | None = None
    created_at: float | None = None
    paid: bool = False
    refunds: list[Decimal] = field(default_factory=list)
    """Every refund the server accepted, in the order seen."""
    refund_ids: list[str] = field(default_factory=list)
    """The id of each accepted refund (``""`` when the answer gave none), beside ``refunds``."""
    outcomes: dict[str, str] = field(default_factory=dict)
    """Queued refunds' outcomes by refund id: ``completed`` or ``failed``."""
    cancelled_at: float | None = None
    cancel_queued: bool = False
    expired: bool = False
    unsettled: int = 0
    """Requests sent whose outcome was never seen: the invoice's exact state is uncertain."""

    @property
    def refunded(self) -> Decimal:
        """The sum of the refunds the server accepted."""
        return sum(self.refunds, Decimal("0"))

    @property
    def uncertain(self) -> bool:
        """Whether some request's outcome was never seen, so only invariants can be checked."""
        return self.unsettled > 0

    def expected_status(self) -> str:
        """The status the accepted answers imply (``refunded`` for an over-refund too)."""
        if self.expired:
            return "expired"
        if self.cancelled_at is not None:
            return "cancelled"
        if self.paid:
            if not self.refunds:
                return "paid"
            if self.amount is not None and self.refunded < self.amount:
                return "partially_refunded"
            return "refunded"
        return "pending"


def build_ledgers(events: Iterable[Event]) -> dict[int, Ledger]:
    """Fold events from every worker, in any order, into one ledger per invoice."""
    ledgers: dict[int, Ledger] = {}
    open_attempts: dict[tuple[int, str], int] = {}
    for event in events:
        ledger = ledgers.setdefault(event.invoice_id, Ledger(invoice_id=event.invoice_id))
        match event.kind:
            case "created":
                ledger.amount = event.amount
                ledger.created_at = event.at
            case "paid":
                ledger.paid = True
            case "refund":
                ledger.refunds.append(event.amount if event.amount is not None else Decimal("0"))
                ledger.refund_ids.append(event.key)
            case "refund_completed":
                ledger.outcomes[event.key] = "completed"
            case "refund_failed":
                ledger.outcomes[event.key] = "failed"
            case "cancel":
                ledger.cancelled_at = event.at
                ledger.cancel_queued = event.key == "queued"
            case "expired":
                ledger.expired = True
            case "attempt":
                slot = (event.invoice_id, event.key)
                open_attempts[slot] = open_attempts.get(slot, 0) + 1
            case "settled":
                slot = (event.invoice_id, event.key)
                open_attempts[slot] = open_attempts.get(slot, 0) - 1
    for (invoice_id, _key), count in open_attempts.items():
        if count > 0:
            ledgers[invoice_id].unsettled += count
    return ledgers
