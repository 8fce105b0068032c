"""The mock's state and its rules: invoices, refunds, catalog, webhooks, all on the mock's clock.

One ``Store`` lives on ``app.state``. Its methods are synchronous, so between two
``await``s nothing else can interleave: a check and the write it guards are atomic
(except where a fault deliberately awaits in between).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apipay_harness.mock.clock import Clock, WorkQueue, format_time
from apipay_harness.mock.errors import ApiError, ValidationFailed, invoice_not_found
from apipay_harness.mock.faults import Faults
from apipay_harness.mock.fixtures import Fixtures, Organization
from apipay_harness.mock.models import REFUNDABLE, CatalogItem, Invoice, InvoiceItem, Refund, Webhook
from apipay_harness.mock.money import money, to_kopecks, total
from apipay_harness.mock.retention import Retention
from apipay_harness.mock.webhooks import Dispatcher
from apipay_harness.mock_limits import DEFAULT_MAX_INVOICES

__all__ = ["DEFAULT_CANCEL_DELAY", "DEFAULT_EXPIRE_AFTER", "DEFAULT_REFUND_DELAY", "Settings", "Store"]

DEFAULT_CANCEL_DELAY = 2.0
DEFAULT_REFUND_DELAY = 5.0
DEFAULT_EXPIRE_AFTER = 3600.0


@dataclass(frozen=True, slots=True)
class Settings:
    """How the mock behaves where the docs leave a choice."""

    cancel_mode: str = "async"
    cancel_delay: float = DEFAULT_CANCEL_DELAY
    refund_delay: float = DEFAULT_REFUND_DELAY
    expire_after: float = DEFAULT_EXPIRE_AFTER
    rate_limit: int | None = None
    max_invoices: int = DEFAULT_MAX_INVOICES


class Store:
    """All the mock's data, the clock that times it and the queue of work due later."""

    def __init__(
        self,
        *,
        fixtures: Fixtures,
        settings: Settings,
        faults: Faults,
        clock: Clock | None = None,
        max_amount: Decimal = Decimal("99999999.99"),
    ) -> None:
        self.max_amount = max_amount
        self.fixtures = fixtures
        self.settings = settings
        self.faults = faults
        self.clock = clock or Clock()
        self.queue = WorkQueue()
        self.dispatcher = Dispatcher(faults=faults)
        self.keys: dict[str, Organization] = {o.key: o for o in fixtures.organizations}
        self.keys_raw: dict[bytes, Organization] = {o.key.encode("latin-1"): o for o in fixtures.organizations}
        self.units = {u.id: u for u in fixtures.units}
        self.catalog: dict[int, CatalogItem] = {
            c.id: CatalogItem(c.id, c.organization, c.name, c.selling_price, c.unit_id, None, c.barcode)
            for c in fixtures.catalog
        }
        self.webhooks: dict[int, Webhook] = {}
        self.invoices: dict[int, Invoice] = {}
        self._by_org: dict[int, list[Invoice]] = {}
        self.refunds: dict[int, Refund] = {}
        self._invoice_ids = itertools.count(1)
        self._refund_ids = itertools.count(1)
        self._item_ids = itertools.count(1)
        self._webhook_ids = itertools.count(1)
        self._catalog_ids = itertools.count(max(self.catalog, default=0) + 1000)
        self.retention = Retention(
            settings.max_invoices,
            invoices=self.invoices,
            by_org=self._by_org,
            refunds=self.refunds,
            queue=self.queue,
            clock=self.clock,
        )

    def next_catalog_id(self) -> int:
        """A fresh catalog item id."""
        return next(self._catalog_ids)

    # -- time -------------------------------------------------------------------------------------------

    def settle(self) -> None:
        """Run all delayed work now due on the clock, in order."""
        self.queue.settle(self.clock.timestamp())

    def advance(self, seconds: float) -> float:
        """Move the clock on, stopping at each due time so that work runs (and is stamped) when it fell due."""
        target = self.clock.timestamp() + seconds
        while (due := self.queue.next_due()) is not None and due <= target:
            self.clock.advance(max(0.0, due - self.clock.timestamp()))
            self.queue.settle(due)
        self.clock.advance(max(0.0, target - self.clock.timestamp()))
        return target

    def reset(self) -> None:
        """Forget invoices, refunds, deliveries and queued work; real time again. Ids keep counting."""
        self.invoices.clear()
        self._by_org.clear()
        self.refunds.clear()
        self.queue.clear()
        self.dispatcher.clear()
        self.clock.reset()
        self.retention.reset()

    # -- invoices ---------------------------------------------------------------------------------------

    def create_invoice(self, org: Organization, body: dict[str, Any]) -> Invoice:
        """Create a flat or cart invoice (the body is already schema-valid)."""
        webhook_id = body.get("webhook_id")
        if webhook_id is not None:
            hook = self.webhooks.get(int(webhook_id))
            if hook is None or hook.organization != org.id:
                raise ValidationFailed.one("webhook_id", "The selected webhook id is invalid.")
        cart = body.get("cart_items")
        now = self.clock.timestamp()
        lines = self._cart_lines(org, cart) if cart else []
        if cart:
            amount = total((item.selling_price, count) for item, count in lines)
            if amount > self.max_amount:
                raise ValidationFailed.one(
                    "cart_items", f"The cart total {money(amount)} must not be greater than {self.max_amount}."
                )
        else:
            amount = to_kopecks(body["amount"])
        self.retention.room_for_invoice(len(lines))
        invoice_id = next(self._invoice_ids)
        items = tuple(
            InvoiceItem(next(self._item_ids), invoice_id, item.id, item.name, item.selling_price, count, item.unit_id)
            for item, count in lines
        )
        if cart and self.faults.on("cart_amount_ignores_count"):
            amount = sum((item.price for item in items), Decimal(0))
        for text in (body.get("description"), body.get("external_order_id")):
            if text and "\x00" in text and self.faults.on("server_error_on_nul_byte"):
                raise ApiError(500, "Server Error")
        invoice = Invoice(
            id=invoice_id,
            organization=org.id,
            amount=amount,
            phone_number=body["phone_number"],
            description=body.get("description"),
            external_order_id=body.get("external_order_id"),
            created_at=now,
            created_at_text=format_time(now),
            webhook_id=None if webhook_id is None else int(webhook_id),
            updated_at=now,
            items=items,
        )
        self.invoices[invoice_id] = invoice
        self._by_org.setdefault(org.id, []).append(invoice)
        self.retention.stored(invoice)
        self.queue.schedule(now + self.settings.expire_after, lambda: self._expire_if_pending(invoice), key=invoice_id)
        return invoice

    def _cart_lines(self, org: Organization, cart: list[dict[str, Any]]) -> list[tuple[CatalogItem, int]]:
        if not org.catalog:
            raise ApiError(400, "The catalog is not enabled for this organization")
        errors: dict[str, list[str]] = {}
        found: list[tuple[CatalogItem, int]] = []
        for index, line in enumerate(cart):
            item = self.catalog.get(int(line["catalog_item_id"]))
            if item is None or item.organization != org.id:
                errors[f"cart_items.{index}.catalog_item_id"] = ["The selected catalog item id is invalid."]
            else:
                found.append((item, int(line["count"])))
        if errors:
            raise ValidationFailed(errors)
        return found

    def invoices_of(self, organization: int) -> list[Invoice]:
        """The organization's invoices in id (= creation) order."""
        return self._by_org.get(organization, [])

    def invoice_of(self, org: Organization, invoice_id: int, *, tenancy_checked: bool = True) -> Invoice:
        """The organization's invoice, or 404 (another organization's invoice is not found either)."""
        invoice = self.invoices.get(invoice_id)
        if invoice is None or (tenancy_checked and invoice.organization != org.id):
            raise invoice_not_found()
        return invoice

    def cancel(self, invoice: Invoice) -> bool:
        """Cancel a pending invoice; True when it is already cancelled (sync), False when queued."""
        faulty = {
            "paid": "cancel_paid_allowed",
            "expired": "cancel_expired_allowed",
            "cancelling": "cancel_cancelling_requeued",
        }
        if invoice.status != "pending" and not self.faults.on(faulty.get(invoice.status, "")):
            raise ApiError(400, f"Only pending invoices can be cancelled (this one is {invoice.status})")
        if self.settings.cancel_mode == "sync":
            self._set_status(invoice, "cancelled")
            return True
        self._set_status(invoice, "cancelling")
        due = self.clock.timestamp() + self.settings.cancel_delay
        if not self.faults.on("cancel_stuck_cancelling"):
            self.queue.schedule(due, lambda: self._set_status(invoice, "cancelled"), key=invoice.id)
        return False

    def pay(self, invoice: Invoice, client_name: str | None) -> None:
        """The customer pays a pending invoice (control API); 409 from any other status."""
        if invoice.status != "pending":
            raise ApiError(409, f"Only pending invoices can be paid (this one is {invoice.status})")
        invoice.client_name = client_name
        invoice.paid_at = format_time(self.clock.timestamp())
        self._set_status(invoice, "paid")

    def expire(self, invoice: Invoice) -> None:
        """A pending invoice times out (control API); 409 from any other status."""
        if invoice.status != "pending":
            raise ApiError(409, f"Only pending invoices can expire (this one is {invoice.status})")
        self._set_status(invoice, "expired")

    def _expire_if_pending(self, invoice: Invoice) -> None:
        if invoice.status == "pending" and self.invoices.get(invoice.id) is invoice:
            self._set_status(invoice, "expired")

    def _set_status(self, invoice: Invoice, status: str) -> None:
        invoice.status = status
        invoice.updated_at = self.clock.timestamp()
        self.retention.status_changed(invoice)
        if status in ("paid", "cancelled", "expired"):
            self._notify(invoice, "invoice.status_changed")
        elif status in ("partially_refunded", "refunded"):
            self._notify(invoice, "invoice.refunded")

    def check_statuses(self, org: Organization) -> list[dict[str, Any]]:
        """The organization's pending invoices, as ``status/check`` reports them."""
        return [
            {
                "id": inv.id,
                "status": inv.status,
                "amount": money(inv.amount),
                "kaspi_invoice_id": inv.kaspi_invoice_id,
                "updated_at": format_time(inv.updated_at),
            }
            for inv in self.invoices.values()
            if inv.organization == org.id and inv.status in ("pending", "cancelling")
        ]

    # -- refunds ----------------------------------------------------------------------------------------

    def check_refund(self, invoice: Invoice, amount: Decimal | None) -> Decimal:
        """The amount a refund will take, or 400/422 when the invoice or the amount does not allow it."""
        unpaid_refund = invoice.status == "pending" and self.faults.on("refund_unpaid_allowed")
        if invoice.status not in REFUNDABLE and not unpaid_refund:
            raise ApiError(
                400, f"Only paid or partially refunded invoices can be refunded (this one is {invoice.status})"
            )
        available = invoice.amount - invoice.total_refunded if unpaid_refund else invoice.available_for_refund
        if amount is None:
            return available
        amount = to_kopecks(amount)
        if self.faults.on("refund_rounding_truncated"):
            amount = Decimal(int(amount))
        if amount > available and not self.faults.on("refund_sum_unchecked"):
            raise ValidationFailed.one(
                "amount", f"The amount field must not be greater than the available {available} for refund."
            )
        return amount

    def record_refund(self, invoice: Invoice, amount: Decimal, reason: str | None) -> Refund:
        """Record a checked refund and move the invoice on."""
        self.retention.room_for_refund(invoice)
        now = self.clock.timestamp()
        refund = Refund(next(self._refund_ids), invoice.id, invoice.organization, amount, reason, now, format_time(now))
        self.refunds[refund.id] = refund
        invoice.refunds.append(refund.id)
        invoice.total_refunded += amount
        full = invoice.total_refunded >= invoice.amount and not self.faults.on("full_refund_status_partial")
        self._set_status(invoice, "refunded" if full else "partially_refunded")
        self.queue.schedule(now + self.settings.refund_delay, lambda: self._complete(refund), key=invoice.id)
        return refund

    def _complete(self, refund: Refund) -> None:
        if refund.status == "pending" and self.refunds.get(refund.id) is refund:
            refund.status = "completed"

    # -- webhooks ---------------------------------------------------------------------------------------

    def register_webhook(self, org: Organization, url: str, secret: str) -> Webhook:
        """Register a webhook for the organization (control API)."""
        hook = Webhook(next(self._webhook_ids), org.id, url, secret)
        self.webhooks[hook.id] = hook
        return hook

    def _notify(self, invoice: Invoice, event: str) -> None:
        if invoice.status == "cancelled" and self.faults.on("webhook_missing_on_cancel"):
            return
        hook = self.webhooks.get(invoice.webhook_id) if invoice.webhook_id is not None else None
        if hook is None:
            hook = next((h for h in reversed(self.webhooks.values()) if h.organization == invoice.organization), None)
        if hook is None:
            return
        if event == "invoice.status_changed":
            body: dict[str, Any] = {
                "id": invoice.id,
                "external_order_id": invoice.external_order_id,
                "amount": money(invoice.amount),
                "status": invoice.status,
                "description": invoice.description,
                "client_name": invoice.client_name,
                "paid_at": invoice.paid_at,
            }
            source = "kaspi"
        else:
            body = {
                "id": invoice.id,
                "amount": money(invoice.amount),
                "status": invoice.status,
                "total_refunded": money(invoice.total_refunded),
                "external_order_id": invoice.external_order_id,
            }
            source = "api"
        if event == "invoice.refunded" and invoice.refunds and self.faults.on("webhook_refund_total_stale"):
            body["total_refunded"] = money(invoice.total_refunded - self.refunds[invoice.refunds[-1]].amount)
        payload = {"event": event, "invoice": body, "source": source, "timestamp": format_time(self.clock.timestamp())}
        self.dispatcher.send(url=hook.url, secret=hook.secret, payload=payload)
        if invoice.status == "paid" and self.faults.on("webhook_duplicate_paid"):
            self.dispatcher.send(url=hook.url, secret=hook.secret, payload=payload)
