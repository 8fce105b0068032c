"""The 2.1 store: the seed's store under the 2.1 lifecycle, with idempotent creates and simulate-status.

``processing`` settles on the clock, the re-opening transitions are allowed, there is no ``refunded``,
amounts are whole tenge and the sandbox cancels at once.

Every rule it applies comes from ``Rules21`` (read from the 2.1 spec); what stays as the seed's mock does it
(ids, retention, the clock, the refund queue) is inherited unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import ROUND_CEILING, Decimal
from typing import Any

from apipay_harness.mock.errors import ApiError, ValidationFailed
from apipay_harness.mock.fixtures import Organization
from apipay_harness.mock.models import CatalogItem, Invoice, InvoiceItem, Refund
from apipay_harness.mock.money import ZERO, money, to_kopecks, total
from apipay_harness.mock.store import Store
from apipay_harness.mock.v21 import faults as f21
from apipay_harness.mock.v21 import variants as v21
from apipay_harness.mock.v21.delivery import DeliveryPolicy, Record, RetryingDispatcher
from apipay_harness.mock.v21.faults import Faults21
from apipay_harness.mock.v21.models import CatalogItem21, Invoice21, money_number
from apipay_harness.mock.v21.rules import Rules21
from apipay_harness.mock.v21.variants import Variants21

__all__ = ["DEFAULT_ERROR_MESSAGE", "LOCAL_OFFSET", "format_offset", "SETTLE_DELAY", "InvoiceItem21", "Store21"]

SETTLE_DELAY = 2.0
"""Clock seconds a new invoice stays ``processing`` before it reaches Kaspi and turns ``pending``.

The provider states no delay (the answer comes "later", by webhook or polling); two clock seconds make
``processing`` visible to a client that polls at once, and ``POST /_control/clock/advance`` moves past it.
"""
DEFAULT_ERROR_MESSAGE = "Simulated error (sandbox)."
"""The ``error_message`` of a simulated ``error`` when the request gives none (the provider's default text)."""
LOCAL_OFFSET = 6 * 3600
"""The offset the April documents' status check writes ``updated_at`` with (``+06:00``)."""
SANDBOX_CLIENT = "Sandbox Client"
"""The payer's name a simulated payment shows (the spec's example)."""


def format_offset(ts: float, offset: int) -> str:
    """A clock time written at a fixed UTC offset, whole seconds (``2026-02-26T10:30:00+06:00``)."""
    return datetime.fromtimestamp(int(ts), tz=timezone(timedelta(seconds=offset))).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class InvoiceItem21(InvoiceItem):
    """A cart line of a 2.1 invoice: its price may be the request's, and it carries its share of the discount."""

    discount: Decimal | None = None

    def render(self) -> dict[str, Any]:
        """The ``InvoiceItem`` schema of 2.1."""
        body = InvoiceItem.render(self)
        if self.discount is not None:
            body["discount"] = money(self.discount)
        return body


class Store21(Store):
    """The mock's state under the 2.1 rules."""

    def __init__(
        self,
        *,
        rules: Rules21,
        delivery: DeliveryPolicy,
        faults21: Faults21,
        variants21: Variants21,
        simulate_kaspi_types: tuple[Sequence[str], Sequence[str]],
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.rules = rules
        self.faults21 = faults21
        self.variants21 = variants21
        self.dispatcher: RetryingDispatcher = RetryingDispatcher(faults=self.faults, policy=delivery)
        self._kaspi_types = simulate_kaspi_types
        self._keys: dict[tuple[int, str], Invoice21] = {}
        """Live idempotency keys by (organization, key); pruned of forgotten invoices as it grows."""
        self.catalog_keys: dict[tuple[int, str], tuple[bytes, bytes]] = {}
        """Catalog creates' idempotency keys by (organization, key): the body's fingerprint and the answer."""
        now = self.clock.timestamp()
        for item_id, item in list(self.catalog.items()):  # the seed catalog, every item active
            self.catalog[item_id] = CatalogItem21(
                item.id, item.organization, item.name, item.selling_price, item.unit_id, item.image_id, item.barcode,
                created_at=self.stamp(now), updated_at=now,
            )  # fmt: skip

    def reset(self) -> None:
        """Forget everything, idempotency keys too."""
        super().reset()
        self._keys.clear()
        self.catalog_keys.clear()

    # -- create -----------------------------------------------------------------------------------------

    def whole_tenge(self, body: dict[str, Any]) -> dict[str, Any]:
        """422 ``amount_must_be_whole_tenge`` for a flat amount with a fraction (checked before the schema's bounds).

        Returns the body the schema then checks: ``body`` itself (under a fault, its amount rounded up).
        """
        amount = body.get("amount")
        if body.get("cart_items") or isinstance(amount, bool) or not isinstance(amount, int | Decimal):
            return body
        if Decimal(amount) != Decimal(amount).to_integral_value():
            if self.faults21.on(f21.AMOUNT_FRACTION_ACCEPTED):
                return {**body, "amount": Decimal(amount).to_integral_value(ROUND_CEILING)}
            raise self._not_whole()
        return body

    def _not_whole(self) -> ApiError:
        return ApiError(422, "The amount of a phone invoice must be whole tenge.", code=self.rules.whole_tenge_code)

    def create_invoice(self, org: Organization, body: dict[str, Any]) -> Invoice:
        """Create a flat or cart invoice (schema-valid body): ``processing``, settling to ``pending`` on the clock."""
        key = body.get("external_order_id_idempotency") or None
        if key is not None and not self.faults21.on(f21.IDEMPOTENCY_KEY_IGNORED):
            live = self._keys.get((org.id, key))
            freed = frozenset() if self.faults21.on(f21.IDEMPOTENCY_KEY_NEVER_FREED) else self.rules.reissue_after
            if live is not None and self.invoices.get(live.id) is live and live.status not in freed:
                raise ApiError(
                    409,
                    "An invoice with this idempotency key already exists",
                    code="duplicate_idempotency_key",
                    extra={"invoice_id": live.id, "status": live.status},
                )
        cart = body.get("cart_items")
        percent = body.get("discount_percentage")
        lines = self._priced_lines(org, cart, percent) if cart else []
        if cart:
            subtotal = total((price, count) for _, price, count, _ in lines)
            discount = sum((d for *_, d in lines if d is not None), ZERO)
            amount = subtotal - discount
            if amount != amount.to_integral_value() or amount < self.rules.min_amount:
                raise self._not_whole()
            if amount > self.rules.max_amount:
                raise ValidationFailed.one(
                    "cart_items", f"The cart total {money(amount)} must not be greater than {self.rules.max_amount}."
                )
        else:
            amount = to_kopecks(body["amount"])
        self.retention.room_for_invoice(len(lines))
        now = self.clock.timestamp()
        invoice_id = next(self._invoice_ids)
        items = tuple(
            InvoiceItem21(next(self._item_ids), invoice_id, item.id, item.name, price, count, item.unit_id, discount)
            for item, price, count, discount in lines
        )
        invoice = Invoice21(
            **self._created_fields(body, org, invoice_id=invoice_id, amount=amount, now=now, items=items),
            status=self.rules.initial,
            internal_comment=body.get("internal_comment"),
            idempotency_key=key,
            source=f"API key of organization {org.id}",
            refundable=self.rules.refundable,
        )
        if cart:
            invoice.subtotal = subtotal
            invoice.discount_sum = discount
            invoice.discount_percentage = None if percent is None else int(percent)
        self.invoices[invoice_id] = invoice
        self._by_org.setdefault(org.id, []).append(invoice)
        self.retention.stored(invoice)
        if key is not None:
            self._remember_key(org.id, key, invoice)
        if self.faults21.on(f21.WEBHOOK_ON_PROCESSING):
            self._notify(invoice, "invoice.status_changed")
        if self.faults21.on(f21.CREATE_ANSWERS_PENDING):
            invoice.status = "processing"
            invoice.delivered = True
            self._set_status(invoice, "pending")
        else:
            self.queue.schedule(now + SETTLE_DELAY, lambda: self._deliver(invoice), key=invoice_id)
        return invoice

    def _remember_key(self, organization: int, key: str, invoice: Invoice21) -> None:
        self._keys[(organization, key)] = invoice
        if len(self._keys) > 2 * len(self.invoices) + 64:
            self._keys = {k: inv for k, inv in self._keys.items() if self.invoices.get(inv.id) is inv}

    def _priced_lines(
        self, org: Organization, cart: list[dict[str, Any]], percent: Any
    ) -> list[tuple[CatalogItem, Decimal, int, Decimal | None]]:
        """Each line's item, unit price (the request's or the catalog's), count and share of the discount."""
        if not org.catalog:
            raise ApiError(422, "The catalog is not enabled for this organization.", code="catalog_not_supported")
        found = self._cart_lines(org, cart)
        gone = [
            f"cart_items.{index}.catalog_item_id"
            for index, (item, _) in enumerate(found)
            if isinstance(item, CatalogItem21) and item.status != "active"
        ]
        if gone:
            raise ValidationFailed({field: ["The selected catalog item id is invalid."] for field in gone})
        priced = []
        for (item, count), line in zip(found, cart, strict=True):
            price = to_kopecks(Decimal(line["price"])) if line.get("price") is not None else item.selling_price
            gross = total([(price, count)])
            discount = None if percent is None else to_kopecks(gross * Decimal(percent) / 100)
            priced.append((item, price, count, discount))
        return priced

    # -- status -----------------------------------------------------------------------------------------

    def _deliver(self, invoice: Invoice21) -> None:
        """The queued delivery to Kaspi: a still-``processing`` invoice turns ``pending``."""
        if invoice.status == "processing" and self.invoices.get(invoice.id) is invoice:
            self.settle_invoice(invoice, "pending")

    def settle_invoice(self, invoice: Invoice, status: str, error_message: str | None = None) -> None:
        """Kaspi's answer to a delivery (or a reconciliation of an ``error``): ``pending`` or ``error``; else 409."""
        assert isinstance(invoice, Invoice21)
        if invoice.status not in ("processing", "error") or not self.rules.may(invoice.status, status):
            raise ApiError(409, f"A {invoice.status} invoice cannot settle to {status}")
        if status == "error":
            invoice.error_message = error_message or "Delivery to Kaspi failed"
            invoice.error_code = "unknown_error"
        else:
            invoice.delivered = True
            invoice.error_message = invoice.error_code = None
        if status == "pending" and self.faults21.on(f21.PROCESSING_SETTLES_TO_PAID):
            status = "paid"
        self._set_status(invoice, status)

    def _set_status(self, invoice: Invoice, status: str, *, notify: bool = True) -> None:
        """Enter ``status``: stamp it, start a ``pending`` invoice's expiry, send the webhook the spec names."""
        assert isinstance(invoice, Invoice21)
        invoice.status = status
        now = self.clock.timestamp()
        invoice.updated_at = now
        invoice.stamp(status, self.stamp(now))
        self.retention.status_changed(invoice)
        if status == "pending":
            due = now + self.rules.expires_after
            self.queue.schedule(due, lambda: self._expire_if_pending(invoice), key=invoice.id)
        if status in self.rules.notified and notify:
            self._notify(invoice, "invoice.status_changed")

    def _guard(self, invoice: Invoice, target: str, verb: str) -> None:
        if not self.rules.may(invoice.status, target):
            allowed = " or ".join(self.rules.allowed_from(target))
            raise ApiError(409, f"Only {allowed} invoices can be {verb} (this one is {invoice.status})")

    def cancel(self, invoice: Invoice) -> bool:
        """Cancel a ``pending`` or ``processing`` invoice: at once (True), as the sandbox does, or queued (False).

        Queued is production's answer (the ``cancel_queued_cancelling`` variant) for an invoice Kaspi knows;
        400 from any other status.
        """
        refused = invoice.status == "processing" and self.faults21.on(f21.CANCEL_PROCESSING_REFUSED)
        if invoice.status not in self.rules.cancellable or refused:
            allowed = " or ".join(s for s in self.rules.successors if s in self.rules.cancellable)
            raise ApiError(
                400, f"Only {allowed} invoices can be cancelled.", extra={"error": "Invoice cannot be cancelled"}
            )
        if self.variants21.on(v21.CANCEL_QUEUED_CANCELLING) and invoice.kaspi_invoice_id is not None:
            self._set_status(invoice, "cancelling")  # production: queued with Kaspi, no webhook yet
            due = self.clock.timestamp() + self.settings.cancel_delay
            self.queue.schedule(due, lambda: self._cancelled_if_cancelling(invoice), key=invoice.id)
            return False
        self._set_status(invoice, "cancelled")
        return True

    def _cancelled_if_cancelling(self, invoice: Invoice) -> None:
        if invoice.status == "cancelling" and self.invoices.get(invoice.id) is invoice:
            self._set_status(invoice, "cancelled")

    def pay(self, invoice: Invoice, client_name: str | None) -> None:
        """The customer pays (control API): from ``pending``, and late from ``cancelled`` or ``expired``; else 409."""
        self._guard(invoice, "paid", "paid")
        assert isinstance(invoice, Invoice21)
        if invoice.status != "pending" and self.faults21.on(f21.LATE_PAYMENT_REFUSED):
            raise ApiError(409, f"A {invoice.status} invoice cannot be paid")
        invoice.client_name = client_name
        self._paid_now(invoice)
        self._set_status(invoice, "paid")

    def _paid_now(self, invoice: Invoice21) -> None:
        now = self.clock.timestamp()
        invoice.paid_ts = now
        invoice.paid_at = self.stamp(now)

    def expire(self, invoice: Invoice) -> None:
        """A ``pending`` invoice times out (control API); 409 from any other status."""
        self._guard(invoice, "expired", "expired")
        self._set_status(invoice, "expired")

    def simulate(self, invoice: Invoice, body: dict[str, Any]) -> None:
        """``POST /invoices/{id}/simulate-status``: the sandbox moves a ``pending`` invoice as Kaspi would."""
        assert isinstance(invoice, Invoice21)
        wanted = body["status"]
        if invoice.status not in self.rules.simulate_from and not self.faults21.on(f21.SIMULATE_STATUS_FROM_ANY_STATUS):
            allowed = sorted(self.rules.simulate_from)
            raise ApiError(
                400,
                f"Only {' or '.join(allowed)} invoices can be simulated.",
                code="invalid_status_transition",
                extra={"current_status": invoice.status, "allowed_from": allowed},
            )
        target = self.rules.simulate_to[wanted]
        if wanted == "qr_scanned":
            raise ApiError(400, "qr_scanned applies to QR invoices only.", code="not_qr_invoice")
        if target == "paid":
            sources, sales = self._kaspi_types
            invoice.kaspi_source_type = body.get("kaspi_source_type") or sources[invoice.id % len(sources)]
            invoice.kaspi_sale_type = body.get("kaspi_sale_type") or sales[invoice.id % len(sales)]
            invoice.client_name = SANDBOX_CLIENT
            self._paid_now(invoice)
        code = self.rules.simulate_error_codes.get(wanted)
        if code is not None:
            invoice.error_code = code
            invoice.error_message = body.get("error_message") or DEFAULT_ERROR_MESSAGE
        self._set_status(invoice, target, notify=not self.faults21.on(f21.SIMULATE_SENDS_NO_WEBHOOK))

    def check_listed(self, org: Organization, ids: list[int]) -> list[dict[str, Any]]:
        """``POST /invoices/status/check``: each listed invoice of the organization once, unknown ids left out."""
        rows = []
        for invoice_id in dict.fromkeys(ids):
            invoice = self.invoices.get(invoice_id)
            foreign = self.faults21.on(f21.STATUS_CHECK_SHOWS_FOREIGN)
            if isinstance(invoice, Invoice21) and (invoice.organization == org.id or foreign):
                local = self.variants21.on(v21.STATUS_CHECK_LOCAL_OFFSET)
                updated = format_offset(invoice.updated_at, LOCAL_OFFSET) if local else self.stamp(invoice.updated_at)
                rows.append(invoice.render_checked(updated))
        return rows

    # -- refunds ----------------------------------------------------------------------------------------

    def check_refund(self, invoice: Invoice, amount: Decimal | None) -> Decimal:
        """The amount a refund takes, or 400 when the invoice is not refundable or the amount exceeds what is left."""
        available = invoice.available_for_refund
        if invoice.status not in self.rules.refundable or available <= ZERO:
            raise ApiError(
                400,
                "Only a paid, not fully refunded invoice can be refunded.",
                extra={"error": "Invoice is not refundable"},
            )
        if amount is None:
            return available
        amount = to_kopecks(amount)
        if amount > available:
            raise ApiError(
                400,
                f"The amount must not be greater than the available {money(available)} for refund.",
                code="refund_amount_exceeds_available",
            )
        return amount

    def record_refund(self, invoice: Invoice, amount: Decimal, reason: str | None) -> Refund:
        """Queue a checked refund (``pending``): it counts as ``pending_refund_amount`` until it completes or fails."""
        assert isinstance(invoice, Invoice21)
        refund = self.new_refund(invoice, amount, reason)
        if self.faults21.on(f21.REFUND_COUNTED_AT_ONCE):
            invoice.total_refunded += amount  # counted now; its outcome below neither adds nor holds it again
        else:
            invoice.pending_refunds += amount
        done_at = refund.created_at + self.settings.refund_delay
        self.queue.schedule(done_at, lambda: self.finish_refund(refund), key=invoice.id)
        return refund

    def finish_refund(self, refund: Refund, status: str = "completed") -> None:
        """A queued refund completes (or fails): totals, the first partial refund's status, ``invoice.refunded``.

        A refund that completes the amount leaves the status as it is (``is_fully_refunded`` says it); one
        that fails gives its amount back to what may be refunded and changes nothing else.
        """
        invoice = self.invoices.get(refund.invoice_id)
        if refund.status not in ("pending", "processing") or not isinstance(invoice, Invoice21):
            return
        if self.refunds.get(refund.id) is not refund:
            return
        refund.status = status
        at_once = self.faults21.on(f21.REFUND_COUNTED_AT_ONCE)
        if not at_once and not (status == "failed" and self.faults21.on(f21.FAILED_REFUND_KEEPS_COUNTING)):
            invoice.pending_refunds -= refund.amount
        if at_once and status == "failed":
            invoice.total_refunded -= refund.amount
        if status == "completed":
            invoice.total_refunded += ZERO if at_once else refund.amount
            keeps_paid = self.faults21.on(f21.PARTIAL_REFUND_KEEPS_PAID)
            if invoice.status == "paid" and not invoice.is_fully_refunded and not keeps_paid:
                self._set_status(invoice, "partially_refunded")
            elif invoice.is_fully_refunded and self.faults21.on(f21.FULL_REFUND_SETS_REFUNDED):
                self._set_status(invoice, "refunded")
        self._notify(invoice, "invoice.refunded", refund=refund)

    # -- webhooks ---------------------------------------------------------------------------------------

    def _notify(self, invoice: Invoice, event: str, *, status: str | None = None, refund: Refund | None = None) -> None:
        """Send ``event`` about the invoice to its organization's latest webhook, in the 2.1 payload."""
        assert isinstance(invoice, Invoice21)
        hook = next((h for h in reversed(self.webhooks.values()) if h.organization == invoice.organization), None)
        if hook is None:
            return
        payload: dict[str, Any] = {"event": event}
        if refund is not None:
            payload["refund"] = {
                "id": refund.id,
                "amount": money(refund.amount),
                "status": refund.status,
                "kaspi_refund_id": None if refund.status == "failed" else f"SBX-R{refund.id}",
                "reason": refund.reason,
                "created_at": refund.created_at_text,
            }
            payload["invoice"] = {
                "id": invoice.id,
                "external_order_id": invoice.external_order_id,
                "amount": money(invoice.amount),
                "total_refunded": money(invoice.total_refunded),
                "available_for_refund": (
                    money(invoice.available_for_refund)
                    if self.variants21.on(v21.REFUND_WEBHOOK_AVAILABLE_AS_STRING)
                    else money_number(invoice.available_for_refund)
                ),
                "is_fully_refunded": invoice.is_fully_refunded,
                "status": invoice.status,
                "kaspi_invoice_id": invoice.kaspi_invoice_id,
                "is_sandbox": True,
            }
        else:
            payload["invoice"] = invoice.render_webhook(
                discount_as_text=self.variants21.on(v21.WEBHOOK_DISCOUNT_AS_STRING)
            )
        if refund is not None and self.faults21.on(f21.REFUND_EVENT_WITHOUT_REFUND):
            del payload["refund"]
        payload["source"] = invoice.source
        payload["timestamp"] = self.stamp(self.clock.timestamp())
        delays = self.dispatcher.policy.delays_for(event, sandbox=True)
        self._attempt(hook.url, hook.secret, payload, delays, 1, invoice.id)

    def _attempt(
        self, url: str, secret: str, payload: dict[str, Any], delays: tuple[float, ...], attempt: int, key: int
    ) -> None:
        """Send one attempt; when it fails and retries are left, queue the next on the clock."""

        def ended(record: Record) -> None:
            if attempt > len(delays) or not self.dispatcher.policy.failed(record):
                return
            if self.faults21.on(f21.WEBHOOK_NOT_RETRIED_AFTER_500):
                return
            due = self.clock.timestamp() + delays[attempt - 1]
            self.queue.schedule(due, lambda: self._attempt(url, secret, payload, delays, attempt + 1, key), key=key)

        self.dispatcher.attempt(url=url, secret=secret, payload=payload, attempt=attempt, ended=ended)
