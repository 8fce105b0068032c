"""The oracle: an independent model of invoices and refunds that the suites judge a target against.

It shares no code with ``apipay_harness.mock``: a bug in shared code would be in both and so invisible.
Which status may follow which, what may be cancelled or refunded and which webhook each
transition sends are read from the spec's ``x-status-transitions``; the only facts written
here are which action leads to which status (pay → ``paid``, cancel → ``cancelling`` or
``cancelled``, refund → ``partially_refunded`` or ``refunded``, a settled delivery → ``pending`` or
``error``). Which transitions a server makes on its own (a payment timeout, queued work completing),
whether a refund counts at once or once it completes, and what a full refund does to the status are
prose rules of each API version (``contracts.dialect``). Money is ``Decimal`` throughout.

Where a version's docs do not say whether a ``failed`` refund still counts against
``available_for_refund`` (``COUNTED``) or gives its amount back (``RELEASED``), and a refund may fail
on the server's clock before the model sees it, the oracle keeps every reading the documents allow and
the target's answers still fit (``Oracle.readings``) and, under ``RELEASED``, every total the refunds
whose fate is unknown allow; an answer that fits one reading only holds the target to it from then on.
Where refunds are queued (``Dialect.refunds_queued``) a refund counts in ``total_refunded`` only once it
completed, and the invoice's status follows its outcome, not its acceptance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from contracts.dialect import COUNTED, READINGS, RELEASED, Dialect, dialect
from contracts.model_transitions import TransitionTable

__all__ = [
    "CENT",
    "COUNTED",
    "ENTERED_BY",
    "READINGS",
    "REFUND_RULE",
    "RELEASED",
    "ExpectedEvent",
    "Expectation",
    "ModelInvoice",
    "ModelItem",
    "ModelRefund",
    "Oracle",
    "RefundWorld",
    "Totals",
    "StatusMismatch",
    "money",
]

CENT = Decimal("0.01")
REFUND_RULE = "#/paths/~1invoices~1{id}~1refund/post/description"
"""Where the spec says refunds add up to at most the amount and never exceed ``available_for_refund``."""

_PAID, _CANCELLING, _CANCELLED, _EXPIRED = "paid", "cancelling", "cancelled", "expired"
_PARTIALLY_REFUNDED, _REFUNDED = "partially_refunded", "refunded"
_PENDING, _ERROR = "pending", "error"
_REFUND_FAILED = "failed"
_MAX_EXACT = 4096
"""Past this many possible totals (refunds whose fate is unknown) a reading accepts any total between its ends."""
ENTERED_BY: Mapping[str, str] = MappingProxyType(
    {
        _PAID: "pay",
        _CANCELLING: "cancel",
        _CANCELLED: "cancel",
        _EXPIRED: "expire",
        _PARTIALLY_REFUNDED: "refund_partial",
        _REFUNDED: "refund_full",
        _PENDING: "settle",
        _ERROR: "settle_error",
    }
)
"""The action that leads into each status (a queued cancel also completes on the server's clock).

``settle`` and ``settle_error`` are Kaspi's answer to an invoice's delivery (or the reconciliation of an
``error``), ``pending`` or ``error``; only a table where another status leads into them has them.
"""


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


@dataclass(frozen=True, slots=True)
class Totals:
    """The ``total_refunded`` values one reading allows: exact values, or every kopeck between two ends."""

    values: frozenset[Decimal]
    span: tuple[Decimal, Decimal] | None = None
    """Set instead of exact values when too many refunds' fate is unknown to list every sum."""

    def __contains__(self, total: object) -> bool:
        if not isinstance(total, Decimal):
            return False
        if self.span is not None:
            return self.span[0] <= total <= self.span[1] and total == total.quantize(CENT)
        return total in self.values

    def ends(self) -> tuple[Decimal, ...]:
        """The exact values, or the two ends of the span, in order."""
        return self.span if self.span is not None else tuple(sorted(self.values))


def _subset_sums(amounts: Iterable[Decimal]) -> frozenset[Decimal] | None:
    """Every sum of a subset of ``amounts`` (None past ``_MAX_EXACT`` of them)."""
    sums = {Decimal("0.00")}
    for amount in amounts:
        sums |= {s + amount for s in sums}
        if len(sums) > _MAX_EXACT:
            return None
    return frozenset(sums)


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
        """The sum of the refunds not known to have failed (what is left to refund is judged by ``Oracle.totals``)."""
        return sum((r.amount for r in self.refunds if r.status != _REFUND_FAILED), Decimal("0.00"))

    def completed(self, final: frozenset[str]) -> list[ModelRefund]:
        """The refunds known to have ended in a final status other than ``failed``."""
        return [r for r in self.refunds if r.status in final and r.status != _REFUND_FAILED]

    @property
    def available_for_refund(self) -> Decimal:
        """The amount less ``total_refunded``: a refund to try, not the only value a target may show."""
        return self.amount - self.total_refunded

    @property
    def is_fully_refunded(self) -> bool:
        """Whether ``total_refunded`` is the whole amount."""
        return self.total_refunded == self.amount

    def totals(self, reading: str, *, may_fail: frozenset[str]) -> Totals:
        """The ``total_refunded`` values ``reading`` allows now (``may_fail``: refund statuses that can still fail).

        Under ``COUNTED`` every accepted refund counts, failed or not. Under ``RELEASED`` the failed ones
        do not, and any refund still in a status that can fail may have failed unseen.
        """
        everything = sum((r.amount for r in self.refunds), Decimal("0.00"))
        if reading == COUNTED:
            return Totals(frozenset({everything}))
        failed = sum((r.amount for r in self.refunds if r.status == _REFUND_FAILED), Decimal("0.00"))
        unknown = [r.amount for r in self.refunds if r.status in may_fail]
        sums = _subset_sums(unknown)
        if sums is None:
            return Totals(frozenset(), span=(everything - failed - sum(unknown, Decimal("0.00")), everything - failed))
        return Totals(frozenset(everything - failed - s for s in sums))


@dataclass(frozen=True, slots=True)
class ExpectedEvent:
    """A webhook the target must send at least once (a receiver must handle duplicates, so more are no fault)."""

    event: str
    invoice_id: int
    status: str
    totals: tuple[tuple[str, Decimal], ...] = ()
    """For ``invoice.refunded``: the (reading, ``total_refunded``) pairs the payload may carry."""

    def allowed_totals(self, readings: Iterable[str]) -> frozenset[Decimal] | None:
        """The ``total_refunded`` values the payload may carry under ``readings`` (None: the event carries none)."""
        if not self.totals:
            return None
        wanted = set(readings)
        return frozenset(total for reading, total in self.totals if reading in wanted)


@dataclass(frozen=True, slots=True)
class RefundWorld:
    """One way things may stand when a refund is asked for: a reading, what is available, and what must follow."""

    reading: str
    available: Decimal | None
    """What is available for refund (None: some kopeck value between the reading's ends, too many to list)."""
    amount: Decimal
    """What the refund takes in this world."""
    accepted: bool
    statuses: frozenset[str] = frozenset()
    """The statuses the invoice may show after an accepted refund."""


@dataclass(frozen=True, slots=True)
class Expectation:
    """What the target must answer to one step: accept it (moving to one of ``statuses``) or refuse it.

    A refund carries its ``worlds``: where they disagree the step is ``open`` (accepting and refusing are
    both allowed), and the answer tells which reading the target follows.
    """

    allowed: bool
    rule: str
    reason: str
    statuses: frozenset[str] = frozenset()
    amount: Decimal | None = None
    worlds: tuple[RefundWorld, ...] = ()

    @property
    def open(self) -> bool:
        """Whether the documents let the target both accept and refuse the step."""
        return not self.allowed and any(w.accepted for w in self.worlds)


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

    def __init__(self, *, invoices: TransitionTable, refunds: TransitionTable, rules: Dialect | None = None) -> None:
        self.table = invoices
        self.refund_table = refunds
        self.rules = rules or dialect()
        """The version's prose rules: what moves on its own, whether refunds are queued, what a full refund does."""
        self.invoices: dict[int, ModelInvoice] = {}
        self.events: list[ExpectedEvent] = []
        self.readings: frozenset[str] = frozenset(r for r in READINGS if r in self.rules.failed_refund_readings)
        """The readings of a failed refund the target's answers still allow (one, once an answer told)."""
        self.may_fail = self._may_fail(refunds)
        """Refund statuses from which a refund can still end ``failed``."""
        self.final_refund = frozenset(s for s, rule in refunds.statuses.items() if not rule.successors)
        """Refund statuses no other follows: the refund's outcome is known."""

    @staticmethod
    def _may_fail(table: TransitionTable) -> frozenset[str]:
        found: set[str] = set()
        changed = True
        while changed:
            changed = False
            for status, rule in table.statuses.items():
                if status not in found and rule.successors & (found | {_REFUND_FAILED}):
                    found.add(status)
                    changed = True
        return frozenset(found)

    @classmethod
    def from_spec(cls, spec: dict[str, Any], rules: Dialect | None = None) -> Oracle:
        """An empty model with the spec's invoice and refund transition tables (and the run's prose rules)."""
        return cls(
            invoices=TransitionTable.from_spec(spec, "InvoiceStatus"),
            refunds=TransitionTable.from_spec(spec, "RefundStatus"),
            rules=rules,
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

    def expect_move(self, invoice_id: int, new: str) -> Expectation:
        """Whether a move the target is asked for (simulated by a sandbox, say) may lead to ``new`` now."""
        return self._expect_move(invoice_id, new, f"a move to {new}")

    def moved(self, invoice_id: int, new: str) -> None:
        """A move the target was asked for landed: the invoice is now ``new`` (with the webhook it sends)."""
        self._move(invoice_id, new)

    def expect_pay(self, invoice_id: int) -> Expectation:
        """Whether a customer's payment can land now."""
        return self._expect_move(invoice_id, _PAID, "payment")

    def expect_expire(self, invoice_id: int) -> Expectation:
        """Whether the invoice can time out now."""
        return self._expect_move(invoice_id, _EXPIRED, "expiry")

    def expect_settle(self, invoice_id: int, new: str, *, settles_from: frozenset[str]) -> Expectation:
        """Whether Kaspi's answer to a delivery (or a reconciliation) can move the invoice to ``new`` now.

        ``settles_from`` are the statuses the means of settling acts on (the control API's settle); the move
        must also be one the server makes on its own by the version's rules, and one the table allows.
        """
        invoice = self.invoices[invoice_id]
        own = self.rules.settles.get(invoice.status, frozenset()) | self.rules.drifts.get(invoice.status, frozenset())
        allowed = invoice.status in settles_from and new in own and new in self.table.rule(invoice.status).successors
        return Expectation(
            allowed=allowed,
            rule=self.table.pointer("statuses", invoice.status, "successors"),
            reason=f"settling invoice {invoice.id} ({invoice.status}) to {new}",
            statuses=frozenset({new}) if allowed else frozenset(),
        )

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
        worlds = tuple(self._refund_worlds(invoice, amount))
        accepted = [w for w in worlds if w.accepted]
        availables = sorted({w.available for w in worlds if w.available is not None})
        shown = " or ".join(map(str, availables)) or "an open amount"
        wanted = amount if amount is not None else (accepted[0].amount if accepted else worlds[0].amount)
        allowed = len(accepted) == len(worlds)
        moved = frozenset().union(*(w.statuses for w in accepted)) if accepted else frozenset()
        forbidden = [s for s in moved if not self.table.allows(invoice.status, s)]
        if forbidden:
            return Expectation(
                allowed=False,
                rule=self.table.pointer("statuses", invoice.status, "successors"),
                reason=f"refund of {wanted} on invoice {invoice.id} with {shown} available",
                amount=wanted,
            )
        return Expectation(
            allowed=allowed,
            rule=REFUND_RULE,
            reason=f"refund of {wanted} on invoice {invoice.id} with {shown} available",
            statuses=moved,
            amount=wanted,
            worlds=worlds,
        )

    def _refund_worlds(self, invoice: ModelInvoice, amount: Decimal | None) -> list[RefundWorld]:
        """Each reading still allowed, with each amount it may leave available, and what a refund must do there."""
        worlds = []
        for reading in READINGS:
            if reading not in self.readings:
                continue
            totals = invoice.totals(reading, may_fail=self.may_fail)
            for total in sorted(totals.ends(), reverse=True):  # first: no refund failed unseen
                available = invoice.amount - total  # queued refunds not known to have failed are in the total
                wanted = available if amount is None else amount
                accepted = 0 < wanted <= available
                statuses = {self._refund_status(wanted == available)} if accepted else set()
                if totals.span is not None and accepted:  # some sum between the ends may leave exactly this much
                    statuses = {self._refund_status(True), self._refund_status(False)}
                if self.rules.refunds_queued and accepted:  # the status follows the outcome, not the acceptance
                    statuses = {invoice.status}
                exact = available if totals.span is None else None
                worlds.append(RefundWorld(reading, exact, wanted, accepted, frozenset(statuses)))
        return worlds

    def _refund_status(self, full: bool) -> str:
        """The status a refund that is accepted (or, queued, completes) leads to: full or partial."""
        if full and self.rules.full_refund_status is not None:
            return self.rules.full_refund_status
        return _PARTIALLY_REFUNDED

    def queued(self, invoice: ModelInvoice) -> Decimal:
        """What the invoice's refunds whose outcome is not known yet add up to (``pending_refund_amount``)."""
        return sum((r.amount for r in invoice.refunds if r.status not in self.final_refund), Decimal("0.00"))

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

    def refunded(
        self,
        invoice_id: int,
        *,
        refund_id: int,
        amount: Decimal,
        reason: str | None = None,
        status: str | None = None,
        worlds: Iterable[RefundWorld] = (),
        total_shown: Decimal | None = None,
    ) -> None:
        """The target accepted a refund of ``amount``; it starts in the refund table's initial status.

        ``status`` is the invoice's new status as the answer showed it, ``worlds`` the ones the answer fits
        (by default: every reading still allowed); the webhook it sends may carry the total of any of them
        (``total_shown``, the answer's own, where the world's total is one of too many to list).
        """
        invoice = self.invoices[invoice_id]
        fits = list(worlds) or [w for w in self._refund_worlds(invoice, amount) if w.accepted]
        after = {
            (w.reading, invoice.amount - w.available + amount if w.available is not None else total_shown) for w in fits
        }
        totals = tuple(sorted((reading, total) for reading, total in after if total is not None))
        if self.rules.refunds_queued:  # nothing changes but the queue until the refund's outcome
            invoice.refunds.append(ModelRefund(refund_id, amount, reason, self.refund_table.initial))
            return
        if status is None:
            status = self._refund_status(invoice.amount - invoice.total_refunded == amount)
        invoice.refunds.append(ModelRefund(refund_id, amount, reason, self.refund_table.initial))
        invoice.status = status
        event = self.table.event_for(status)
        if event is not None:
            self.events.append(ExpectedEvent(event, invoice.id, status, totals))

    def refund_ended(self, invoice_id: int, refund_id: int, status: str) -> None:
        """A queued refund reached its final ``status``: a completed one counts, and may move the invoice's status.

        The first completed refund that leaves something to refund moves ``paid`` on (partially refunded); one
        that alone refunds the whole amount leaves the status to the version's rule. Its webhook is the refund
        table's; it carries the total after it.
        """
        invoice = self.invoices[invoice_id]
        refund = next(r for r in invoice.refunds if r.id == refund_id)
        refund.status = status
        if status != _REFUND_FAILED and invoice.status == _PAID:
            completed = invoice.completed(self.final_refund)
            full = len(completed) == 1 and completed[0].amount == invoice.amount
            new = (self.rules.full_refund_status or invoice.status) if full else _PARTIALLY_REFUNDED
            if new != invoice.status and self.table.allows(invoice.status, new):
                self._move(invoice_id, new)
        event = self.refund_table.event_for(status)
        if event is not None:
            total = sum((r.amount for r in invoice.completed(self.final_refund)), Decimal("0.00"))
            self.events.append(ExpectedEvent(event, invoice.id, invoice.status, ((RELEASED, total),)))

    def learn(self, readings: Iterable[str]) -> None:
        """An answer fits only ``readings``: hold the target to them from now on (never to none)."""
        narrowed = self.readings & frozenset(readings)
        if narrowed:
            self.readings = narrowed

    def totals(self, invoice_id: int) -> dict[str, Totals]:
        """The ``total_refunded`` values each reading still allowed accepts for the invoice now."""
        invoice = self.invoices[invoice_id]
        return {r: invoice.totals(r, may_fail=self.may_fail) for r in READINGS if r in self.readings}

    def _move(self, invoice_id: int, new: str) -> None:
        invoice = self.invoices[invoice_id]
        invoice.status = new
        self._emit(invoice, new)

    def _emit(self, invoice: ModelInvoice, status: str) -> None:
        event = self.table.event_for(status)
        if event is not None:
            self.events.append(ExpectedEvent(event, invoice.id, status))

    # -- reconciling what the target shows -----------------------------------------------------------------------------

    def settle(self) -> None:
        """The clock moved past the settle horizon: queued work (a cancellation, a delivery) must now be done."""
        for invoice in self.invoices.values():
            if invoice.status in self.rules.settles:
                invoice.must_settle = True

    def expected_statuses(self, invoice_id: int) -> frozenset[str]:
        """The statuses the target may show now: the model's, or one the server reaches on its own."""
        invoice = self.invoices[invoice_id]
        allowed = self.table.rule(invoice.status).successors
        settling = self.rules.settles.get(invoice.status, frozenset()) & allowed
        drifting = self.rules.drifts.get(invoice.status, frozenset()) & allowed
        if invoice.must_settle and settling:
            return settling
        return settling | drifting | self._refund_may_move(invoice) | {invoice.status}

    def _refund_may_move(self, invoice: ModelInvoice) -> frozenset[str]:
        """Where a queued refund completing unseen may have moved a ``paid`` invoice (a partial one: on)."""
        if not self.rules.refunds_queued or invoice.status != _PAID:
            return frozenset()
        pending = [r for r in invoice.refunds if r.status not in self.final_refund]
        partial = any(r.amount < invoice.amount for r in pending) or bool(invoice.completed(self.final_refund))
        if not pending or not partial or not self.table.allows(_PAID, _PARTIALLY_REFUNDED):
            return frozenset()
        return frozenset({_PARTIALLY_REFUNDED})

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
        if self.rules.refunds_queued and status in self.final_refund and refund.status not in self.final_refund:
            self.refund_ended(invoice_id, refund_id, status)
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
