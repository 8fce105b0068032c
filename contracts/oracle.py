"""The oracle: an independent model of invoices and refunds that the suites judge a target against.

It shares no code with ``apipay_harness.mock`` (DESIGN §2: a bug in shared code would be invisible).
Which status may follow which, what may be cancelled or refunded and which webhook each
transition sends are read from the spec's ``x-status-transitions``; the only facts written
here are which action leads to which status (pay → ``paid``, cancel → ``cancelling`` or
``cancelled``, refund → ``partially_refunded`` or ``refunded``) and which transitions a
server makes on its own (a payment timeout, a queued cancellation completing). Money is
``Decimal`` throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from contracts.model_transitions import TransitionTable

__all__ = [
    "CENT",
    "ENTERED_BY",
    "REFUND_RULE",
    "ExpectedEvent",
    "Expectation",
    "ModelInvoice",
    "ModelItem",
    "ModelRefund",
    "Oracle",
    "StatusMismatch",
    "money",
]

CENT = Decimal("0.01")
REFUND_RULE = "#/paths/~1invoices~1{id}~1refund/post/description"
"""Where the spec says refunds add up to at most the amount and never exceed ``available_for_refund``."""

_PAID, _CANCELLING, _CANCELLED, _EXPIRED = "paid", "cancelling", "cancelled", "expired"
_PARTIALLY_REFUNDED, _REFUNDED = "partially_refunded", "refunded"
_SPONTANEOUS: Mapping[str, frozenset[str]] = {
    "pending": frozenset({_EXPIRED}),
    _CANCELLING: frozenset({_CANCELLED}),
}
"""Transitions a server makes on its own: a payment timeout, and a queued cancellation completing."""
_REFUND_FAILED = "failed"
ENTERED_BY: Mapping[str, str] = MappingProxyType(
    {
        _PAID: "pay",
        _CANCELLING: "cancel",
        _CANCELLED: "cancel",
        _EXPIRED: "expire",
        _PARTIALLY_REFUNDED: "refund_partial",
        _REFUNDED: "refund_full",
    }
)
"""The action that leads into each status (a queued cancel also completes on the server's clock)."""


def money(value: Any) -> Decimal:
    """Parse a money value (a ``"10000.00"`` string or a JSON number read as Decimal) without passing through float."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(f"money must be a string or Decimal, got {value!r}")
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a money value: {value!r}") from None
    if not parsed.is_finite():
        raise ValueError(f"not a money value: {value!r}")
    return parsed


@dataclass(frozen=True, slots=True)
class ModelItem:
    """A cart item as the invoice must keep it: the catalog's name and price at creation, and the count."""

    catalog_item_id: int
    name: str
    price: Decimal
    count: int
    unit_id: int


@dataclass(slots=True)
class ModelRefund:
    """A refund the target accepted."""

    id: int
    amount: Decimal
    reason: str | None
    status: str


@dataclass(slots=True)
class ModelInvoice:
    """What an invoice must look like on the server."""

    id: int
    amount: Decimal
    status: str
    phone_number: str
    description: str | None = None
    external_order_id: str | None = None
    items: tuple[ModelItem, ...] = ()
    refunds: list[ModelRefund] = field(default_factory=list)
    client_name: str | None = None
    must_settle: bool = False
    """Set once the clock moved past the settle horizon: a queued cancellation must have completed."""

    @property
    def total_refunded(self) -> Decimal:
        """The sum of the refunds that did not fail."""
        return sum((r.amount for r in self.refunds if r.status != _REFUND_FAILED), Decimal("0.00"))

    @property
    def available_for_refund(self) -> Decimal:
        """What may still be refunded."""
        return self.amount - self.total_refunded

    @property
    def is_fully_refunded(self) -> bool:
        """Whether the refunds add up to the whole amount."""
        return self.total_refunded == self.amount

    @property
    def totals_open(self) -> bool:
        """Whether the docs leave the totals open (a refund failed: they do not say if it still counts)."""
        return any(r.status == _REFUND_FAILED for r in self.refunds)

    @property
    def refund_readings(self) -> tuple[Decimal, ...]:
        """Every ``total_refunded`` the docs allow: a failed refund not counted, and (once one failed) counted."""
        if not self.totals_open:
            return (self.total_refunded,)
        return (self.total_refunded, sum((r.amount for r in self.refunds), Decimal("0.00")))


@dataclass(frozen=True, slots=True)
class ExpectedEvent:
    """A webhook the target must send exactly once."""

    event: str
    invoice_id: int
    status: str
    total_refunded: Decimal | None = None

    def key(self) -> tuple[str, int, str, Decimal | None]:
        """What identifies this delivery among the others."""
        return (self.event, self.invoice_id, self.status, self.total_refunded)


@dataclass(frozen=True, slots=True)
class Expectation:
    """What the target must answer to one step: accept it (moving to one of ``statuses``) or refuse it."""

    allowed: bool
    rule: str
    reason: str
    statuses: frozenset[str] = frozenset()
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class StatusMismatch:
    """A status the target shows that the model cannot reach."""

    invoice_id: int
    expected: frozenset[str]
    received: str
    rule: str

    @property
    def message(self) -> str:
        """The Expected/Received text of a Violation."""
        wanted = " or ".join(sorted(self.expected))
        return f"Expected: invoice {self.invoice_id} status {wanted}\nReceived: {self.received}"


class Oracle:
    """The model of every invoice a suite created, with the webhooks their transitions must send."""

    def __init__(self, *, invoices: TransitionTable, refunds: TransitionTable) -> None:
        self.table = invoices
        self.refund_table = refunds
        self.invoices: dict[int, ModelInvoice] = {}
        self.events: list[ExpectedEvent] = []

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Oracle:
        """An empty model with the spec's invoice and refund transition tables."""
        return cls(
            invoices=TransitionTable.from_spec(spec, "InvoiceStatus"),
            refunds=TransitionTable.from_spec(spec, "RefundStatus"),
        )

    # -- creation ---------------------------------------------------------------------------------------------------

    @staticmethod
    def cart_amount(items: Iterable[ModelItem]) -> Decimal:
        """A cart invoice's amount: the sum of catalog price × count, in kopecks."""
        return sum((item.price * item.count for item in items), Decimal("0.00")).quantize(CENT)

    def created(
        self,
        *,
        invoice_id: int,
        amount: Decimal,
        phone_number: str,
        description: str | None = None,
        external_order_id: str | None = None,
        items: Iterable[ModelItem] = (),
    ) -> ModelInvoice:
        """Record an invoice the target created; it starts in the spec's initial status."""
        invoice = ModelInvoice(
            id=invoice_id,
            amount=amount.quantize(CENT),
            status=self.table.initial,
            phone_number=phone_number,
            description=description,
            external_order_id=external_order_id,
            items=tuple(items),
        )
        self.invoices[invoice_id] = invoice
        return invoice

    # -- expectations -------------------------------------------------------------------------------------------------

    def expect_cancel(self, invoice_id: int) -> Expectation:
        """Whether cancelling is allowed now, and the statuses it may lead to (queued or synchronous)."""
        invoice = self.invoices[invoice_id]
        rule = self.table.rule(invoice.status)
        reachable = frozenset({_CANCELLING, _CANCELLED} & rule.successors)
        return Expectation(
            allowed=rule.can_cancel and bool(reachable),
            rule=self.table.pointer("statuses", invoice.status, "can_cancel"),
            reason=f"cancel of invoice {invoice.id} ({invoice.status})",
            statuses=reachable,
        )

    def expect_pay(self, invoice_id: int) -> Expectation:
        """Whether a customer's payment can land now."""
        return self._expect_move(invoice_id, _PAID, "payment")

    def expect_expire(self, invoice_id: int) -> Expectation:
        """Whether the invoice can time out now."""
        return self._expect_move(invoice_id, _EXPIRED, "expiry")

    def _expect_move(self, invoice_id: int, new: str, what: str) -> Expectation:
        invoice = self.invoices[invoice_id]
        allowed = new in self.table.rule(invoice.status).successors
        return Expectation(
            allowed=allowed,
            rule=self.table.pointer("statuses", invoice.status, "successors"),
            reason=f"{what} of invoice {invoice.id} ({invoice.status})",
            statuses=frozenset({new}) if allowed else frozenset(),
        )

    def expect_refund(self, invoice_id: int, amount: Decimal | None) -> Expectation:
        """Whether a refund of ``amount`` (``None``: everything still refundable) is allowed, and where it leads."""
        invoice = self.invoices[invoice_id]
        rule = self.table.rule(invoice.status)
        if not rule.can_refund:
            return Expectation(
                allowed=False,
                rule=self.table.pointer("statuses", invoice.status, "can_refund"),
                reason=f"refund of invoice {invoice.id} ({invoice.status})",
            )
        available = invoice.available_for_refund
        wanted = available if amount is None else amount
        if wanted <= 0 or wanted > available:
            return Expectation(
                allowed=False,
                rule=REFUND_RULE,
                reason=f"refund of {wanted} on invoice {invoice.id} with {available} available",
                amount=wanted,
            )
        new = _REFUNDED if wanted == available else _PARTIALLY_REFUNDED
        allowed = self.table.allows(invoice.status, new)
        return Expectation(
            allowed=allowed,
            rule=self.table.pointer("statuses", invoice.status, "successors") if not allowed else REFUND_RULE,
            reason=f"refund of {wanted} on invoice {invoice.id} with {available} available",
            statuses=frozenset({new}) if allowed else frozenset(),
            amount=wanted,
        )

    # -- applying what the target accepted ---------------------------------------------------------------------------

    def cancelled(self, invoice_id: int, *, queued: bool) -> None:
        """The target accepted a cancel: queued (``cancelling``) or done (``cancelled``)."""
        self._move(invoice_id, _CANCELLING if queued else _CANCELLED)

    def paid(self, invoice_id: int, *, client_name: str | None = None) -> None:
        """A payment landed."""
        self._move(invoice_id, _PAID)
        if client_name is not None:
            self.invoices[invoice_id].client_name = client_name

    def expired(self, invoice_id: int) -> None:
        """The invoice timed out."""
        self._move(invoice_id, _EXPIRED)

    def refunded(self, invoice_id: int, *, refund_id: int, amount: Decimal, reason: str | None = None) -> None:
        """The target accepted a refund of ``amount``; it starts in the refund table's initial status."""
        invoice = self.invoices[invoice_id]
        invoice.refunds.append(ModelRefund(refund_id, amount, reason, self.refund_table.initial))
        new = _REFUNDED if invoice.is_fully_refunded else _PARTIALLY_REFUNDED
        invoice.status = new
        self._emit(invoice, new)

    def _move(self, invoice_id: int, new: str) -> None:
        invoice = self.invoices[invoice_id]
        invoice.status = new
        self._emit(invoice, new)

    def _emit(self, invoice: ModelInvoice, status: str) -> None:
        event = self.table.event_for(status)
        if event is None:
            return
        refunds_event = status in (_PARTIALLY_REFUNDED, _REFUNDED)
        total = invoice.total_refunded if refunds_event else None
        self.events.append(ExpectedEvent(event, invoice.id, status, total))

    # -- reconciling what the target shows -----------------------------------------------------------------------------

    def settle(self) -> None:
        """The clock moved past the settle horizon: queued cancellations must now show as completed."""
        for invoice in self.invoices.values():
            if invoice.status == _CANCELLING:
                invoice.must_settle = True

    def expected_statuses(self, invoice_id: int) -> frozenset[str]:
        """The statuses the target may show now: the model's, or one the server reaches on its own."""
        invoice = self.invoices[invoice_id]
        spontaneous = frozenset(
            s for s in _SPONTANEOUS.get(invoice.status, frozenset()) if self.table.allows(invoice.status, s)
        )
        if invoice.must_settle and spontaneous:
            return spontaneous
        return spontaneous | {invoice.status}

    def observe(self, invoice_id: int, status: str) -> StatusMismatch | None:
        """Reconcile the status the target shows; a spontaneous transition is taken into the model."""
        invoice = self.invoices[invoice_id]
        expected = self.expected_statuses(invoice_id)
        if status not in expected:
            part = "successors" if not self.table.allows(invoice.status, status) else ""
            rule = self.table.pointer("statuses", invoice.status, *([part] if part else []))
            return StatusMismatch(invoice_id, expected, status, rule)
        if status != invoice.status:
            invoice.must_settle = False
            self._move(invoice_id, status)
        return None

    def observe_refund(self, invoice_id: int, refund_id: int, status: str) -> StatusMismatch | None:
        """Reconcile a refund's status with the refund table (every refund transition is the server's own)."""
        refund = next(r for r in self.invoices[invoice_id].refunds if r.id == refund_id)
        if not self.refund_table.allows(refund.status, status):
            expected = frozenset({refund.status} | self.refund_table.rule(refund.status).successors)
            return StatusMismatch(invoice_id, expected, status, self.refund_table.pointer("statuses", refund.status))
        refund.status = status
        return None

    def paid_family(self) -> frozenset[str]:
        """The statuses an invoice can only be in after it was paid (``paid`` and what follows it)."""
        seen: set[str] = set()
        todo = [_PAID]
        while todo:
            status = todo.pop()
            if status in seen:
                continue
            seen.add(status)
            todo.extend(self.table.rule(status).successors)
        return frozenset(seen)
