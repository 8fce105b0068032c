"""The mock's state and its rules: invoices, refunds, catalog, webhooks, all on the mock's clock.

One ``Store`` lives on ``app.state``. Its methods are synchronous, so between two
``await``s nothing else can interleave: a check and the write it guards are atomic
(except where a fault deliberately awaits in between).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apipay_harness.mock import variants as v
from apipay_harness.mock.clock import Clock, WorkQueue, format_time, format_time_long
from apipay_harness.mock.errors import ApiError, ValidationFailed, invoice_not_found
from apipay_harness.mock.faults import (
    CANCEL_STUCK_CANCELLING,
    CART_AMOUNT_IGNORES_COUNT,
    FULL_REFUND_STATUS_PARTIAL,
    REFUND_ROUNDING_TRUNCATED,
    REFUND_SUM_UNCHECKED,
    SERVER_ERROR_ON_NUL_BYTE,
    TENANT_LEAK_CART_ITEM,
    TENANT_LEAK_STATUS_CHECK,
    TENANT_LEAK_WEBHOOK_ID,
    WEBHOOK_MISSING_ON_CANCEL,
    WEBHOOK_ON_REFUSED_CANCEL,
    WEBHOOK_REFUND_TOTAL_STALE,
    Faults,
    transition_fault,
)
from apipay_harness.mock.fixtures import Fixtures, Organization
from apipay_harness.mock.limits import DEFAULT_MAX_INVOICES
from apipay_harness.mock.models import CatalogItem, Invoice, InvoiceItem, Refund, Webhook
from apipay_harness.mock.money import money, to_kopecks, total
from apipay_harness.mock.retention import Retention
from apipay_harness.mock.rules import CANCEL, EXPIRE, PAY, REFUND_FULL, REFUND_PARTIAL, REFUNDABLE, Action
from apipay_harness.mock.variants import Variants
from apipay_harness.mock.webhooks import Dispatcher

__all__ = ["DEFAULT_CANCEL_DELAY", "DEFAULT_EXPIRE_AFTER", "DEFAULT_REFUND_DELAY", "IdCounters", "Settings", "Store"]

DEFAULT_CANCEL_DELAY = 2.0
DEFAULT_REFUND_DELAY = 5.0
DEFAULT_EXPIRE_AFTER = 3600.0

_SPARSE_START = 5_000_000_000
_SPARSE_STEP = 500_009
_SPARSE_SPAN = 1_000_003
"""``ids_sparse_unordered``: ids are START + (n × STEP mod SPAN), a prime SPAN, so none repeats within SPAN ids."""
_CANCEL_DELAYS = (0.0, 1.0, 45.0)
"""``cancel_delays_vary``: clock seconds a queued cancel takes, picked by invoice (all inside the suites' 60 s)."""
_REFUND_DELAYS = (0.0, 1.0, 45.0, 7200.0)
"""``refund_delays_vary``: clock seconds a refund stays pending, picked by refund."""
_SOONER_EXPIRY = 300.0
_WEBHOOK_DELAY_STEP = 0.5
"""``webhooks_delayed``: real seconds of delay per step; an invoice's deliveries wait 0 to 3 steps."""
_DUPLICATE_DELAYS = (0.4, 0.8, 1.2)
"""``webhook_duplicates``: real seconds after which the second copy of an event goes out, picked by invoice."""


def _id_sequence(counter: Iterator[int], *, sparse: bool) -> Iterator[int]:
    """The counter's 1, 2, 3 ... or, with ``ids_sparse_unordered``, large ids in no order (a bijection of it)."""
    if not sparse:
        return counter
    return (_SPARSE_START + (n * _SPARSE_STEP) % _SPARSE_SPAN for n in counter)


@dataclass(frozen=True, slots=True)
class Settings:
    """How the mock behaves where the docs leave a choice."""

    cancel_mode: str = "async"
    cancel_delay: float = DEFAULT_CANCEL_DELAY
    refund_delay: float = DEFAULT_REFUND_DELAY
    expire_after: float = DEFAULT_EXPIRE_AFTER
    rate_limit: int | None = None
    max_invoices: int = DEFAULT_MAX_INVOICES


class IdCounters:
    """The id sequences a store hands out; stores that replace one another share one, so no id is ever reused."""

    def __init__(self) -> None:
        self.invoices = itertools.count(1)
        self.refunds = itertools.count(1)
        self.items = itertools.count(1)
        self.webhooks = itertools.count(1)
        self.catalog_items = itertools.count(0)
        """Counts from the store's first free catalog id."""


class Store:
    """All the mock's data, the clock that times it and the queue of work due later."""

    def __init__(
        self,
        *,
        fixtures: Fixtures,
        settings: Settings,
        faults: Faults,
        variants: Variants | None = None,
        clock: Clock | None = None,
        max_amount: Decimal = Decimal("99999999.99"),
        min_amount: Decimal = Decimal("0.01"),
        ids: IdCounters | None = None,
    ) -> None:
        self.max_amount = max_amount
        self.min_amount = min_amount
        self.fixtures = fixtures
        self.settings = settings
        self.faults = faults
        self.variants = variants or Variants()
        self.webhook_shaper: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        """Reshapes a webhook payload before it is signed (the ``extra_properties`` variant), when set."""
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
        ids = ids or IdCounters()
        sparse = self.variants.on(v.IDS_SPARSE_UNORDERED)
        self._invoice_ids = _id_sequence(ids.invoices, sparse=sparse)
        self._refund_ids = _id_sequence(ids.refunds, sparse=sparse)
        self._item_ids = _id_sequence(ids.items, sparse=sparse)
        self._webhook_ids = ids.webhooks
        first_catalog_id = max(self.catalog, default=0) + 1000
        self._catalog_ids = (first_catalog_id + n for n in ids.catalog_items)
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

    def stamp(self, ts: float) -> str:
        """A clock time as the API writes it (``Z`` and whole seconds, or the ``timestamps_long_form`` variant's)."""
        return format_time_long(ts) if self.variants.on(v.TIMESTAMPS_LONG_FORM) else format_time(ts)

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
            foreign = hook is not None and hook.organization != org.id and not self.faults.on(TENANT_LEAK_WEBHOOK_ID)
            if hook is None or foreign:
                raise ValidationFailed.one("webhook_id", "The selected webhook id is invalid.")
        cart = body.get("cart_items")
        if cart and body.get("amount") is not None:
            if self.variants.on(v.CART_AMOUNT_VALIDATED) or self.variants.on(v.AMOUNT_WINS_OVER_CART):
                self._check_amount(body["amount"])
            if self.variants.on(v.AMOUNT_WINS_OVER_CART):
                cart = None
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
        if cart and self.faults.on(CART_AMOUNT_IGNORES_COUNT):
            amount = sum((item.price for item in items), Decimal(0))
        for text in (body.get("description"), body.get("external_order_id")):
            if text and "\x00" in text and self.faults.on(SERVER_ERROR_ON_NUL_BYTE):
                raise ApiError(500, "Server Error")
        invoice = Invoice(
            **self._created_fields(body, org, invoice_id=invoice_id, amount=amount, now=now, items=items),
            webhook_id=None if webhook_id is None else int(webhook_id),
            available_before_payment=self.variants.on(v.AVAILABLE_BEFORE_PAYMENT),
        )
        self.invoices[invoice_id] = invoice
        self._by_org.setdefault(org.id, []).append(invoice)
        self.retention.stored(invoice)
        expire_after = _SOONER_EXPIRY if self.variants.on(v.INVOICES_EXPIRE_SOONER) else self.settings.expire_after
        self.queue.schedule(now + expire_after, lambda: self._expire_if_pending(invoice), key=invoice_id)
        return invoice

    def _created_fields(
        self,
        body: dict[str, Any],
        org: Organization,
        *,
        invoice_id: int,
        amount: Decimal,
        now: float,
        items: tuple[Any, ...],
    ) -> dict[str, Any]:
        """What every version's invoice takes from its create request and the moment it was made."""
        return {
            "id": invoice_id,
            "organization": org.id,
            "amount": amount,
            "phone_number": body["phone_number"],
            "description": body.get("description"),
            "external_order_id": body.get("external_order_id"),
            "created_at": now,
            "created_at_text": self.stamp(now),
            "updated_at": now,
            "items": items,
        }

    def _check_amount(self, raw: Any) -> None:
        """An amount held to AmountInput's bounds, as a flat invoice's is (422 outside them)."""
        amount = Decimal(raw)
        if amount < self.min_amount:
            raise ValidationFailed.one("amount", f"The amount field must be at least {self.min_amount}.")
        if amount > self.max_amount:
            raise ValidationFailed.one("amount", f"The amount field must not be greater than {self.max_amount}.")

    def _cart_lines(self, org: Organization, cart: list[dict[str, Any]]) -> list[tuple[CatalogItem, int]]:
        if not org.catalog:
            raise ApiError(400, "The catalog is not enabled for this organization")
        errors: dict[str, list[str]] = {}
        found: list[tuple[CatalogItem, int]] = []
        for index, line in enumerate(cart):
            item = self.catalog.get(int(line["catalog_item_id"]))
            foreign = item is not None and item.organization != org.id and not self.faults.on(TENANT_LEAK_CART_ITEM)
            if item is None or foreign:
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

    def lets(self, action: Action, invoice: Invoice) -> bool:
        """Whether ``action`` may go ahead from the invoice's status (the rules', or a fault that lets it through)."""
        status = invoice.status
        return status in action.allowed_from or self.faults.on(transition_fault(action, status))

    def cancel(self, invoice: Invoice) -> bool:
        """Cancel a pending invoice; True when it is already cancelled (sync), False when queued."""
        if not self.lets(CANCEL, invoice):
            if self.faults.on(WEBHOOK_ON_REFUSED_CANCEL):
                self._notify(invoice, "invoice.status_changed", status="cancelled")
            raise ApiError(400, f"Only pending invoices can be cancelled (this one is {invoice.status})")
        if self.settings.cancel_mode == "sync" or self.variants.on(v.CANCEL_SYNCHRONOUS):
            self._set_status(invoice, "cancelled")
            return True
        self._set_status(invoice, "cancelling")
        delay = self.settings.cancel_delay
        if self.variants.on(v.CANCEL_DELAYS_VARY):
            delay = _CANCEL_DELAYS[invoice.id % len(_CANCEL_DELAYS)]
        due = self.clock.timestamp() + delay
        if not self.faults.on(CANCEL_STUCK_CANCELLING):
            self.queue.schedule(due, lambda: self._set_status(invoice, "cancelled"), key=invoice.id)
        return False

    def pay(self, invoice: Invoice, client_name: str | None) -> None:
        """The customer pays a pending invoice (control API); 409 from any other status."""
        if not self.lets(PAY, invoice):
            raise ApiError(409, f"Only pending invoices can be paid (this one is {invoice.status})")
        invoice.client_name = client_name
        invoice.paid_at = self.stamp(self.clock.timestamp())
        self._set_status(invoice, "paid")

    def expire(self, invoice: Invoice) -> None:
        """A pending invoice times out (control API); 409 from any other status."""
        if not self.lets(EXPIRE, invoice):
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
        if self.variants.on(v.STATUS_CHECK_LISTS_NONE):
            return []
        leak = self.faults.on(TENANT_LEAK_STATUS_CHECK)
        checked = [
            {
                "id": inv.id,
                "status": inv.status,
                "amount": money(inv.amount),
                "kaspi_invoice_id": inv.kaspi_invoice_id,
                "updated_at": self.stamp(inv.updated_at),
            }
            for inv in (self.invoices.values() if leak else self.invoices_of(org.id))
            if inv.status in ("pending", "cancelling")
        ]
        return checked[::-1] if self.variants.on(v.UNSTATED_ORDERS_REVERSED) else checked

    # -- refunds ----------------------------------------------------------------------------------------

    def check_refund(self, invoice: Invoice, amount: Decimal | None) -> Decimal:
        """The amount a refund will take, or 400/422 when the invoice or the amount does not allow it."""
        if not self.lets(REFUND_FULL if amount is None else REFUND_PARTIAL, invoice):
            raise ApiError(
                400, f"Only paid or partially refunded invoices can be refunded (this one is {invoice.status})"
            )
        available = invoice.available_for_refund
        if invoice.status not in REFUNDABLE:  # a fault let it through: refund what is left, or all of it again
            left = invoice.amount - invoice.total_refunded
            available = left if left > 0 else invoice.amount
        if amount is None:
            return available
        amount = to_kopecks(amount)
        if self.faults.on(REFUND_ROUNDING_TRUNCATED):
            amount = Decimal(int(amount))
        if amount > available and not self.faults.on(REFUND_SUM_UNCHECKED):
            message = f"The amount field must not be greater than the available {available} for refund."
            if self.variants.on(v.OVER_REFUND_REFUSED_400):
                raise ApiError(400, message)
            raise ValidationFailed.one("amount", message)
        return amount

    def new_refund(self, invoice: Invoice, amount: Decimal, reason: str | None) -> Refund:
        """A refund of ``invoice`` made now and kept (room made for it first), before any version's bookkeeping."""
        self.retention.room_for_refund(invoice)
        now = self.clock.timestamp()
        refund = Refund(next(self._refund_ids), invoice.id, invoice.organization, amount, reason, now, self.stamp(now))
        self.refunds[refund.id] = refund
        invoice.refunds.append(refund.id)
        return refund

    def record_refund(self, invoice: Invoice, amount: Decimal, reason: str | None) -> Refund:
        """Record a checked refund and move the invoice on."""
        refund = self.new_refund(invoice, amount, reason)
        now = refund.created_at
        invoice.total_refunded += amount
        full = invoice.total_refunded >= invoice.amount and not self.faults.on(FULL_REFUND_STATUS_PARTIAL)
        self._set_status(invoice, "refunded" if full else "partially_refunded")
        delay = self.settings.refund_delay
        if self.variants.on(v.REFUND_DELAYS_VARY):
            delay = _REFUND_DELAYS[refund.id % len(_REFUND_DELAYS)]
        if self.variants.on(v.REFUNDS_PASS_THROUGH_PROCESSING):
            self.queue.schedule(now + delay / 2, lambda: self._process(refund), key=invoice.id)
        self.queue.schedule(now + delay, lambda: self._complete(refund), key=invoice.id)
        return refund

    def _process(self, refund: Refund) -> None:
        if refund.status == "pending" and self.refunds.get(refund.id) is refund:
            refund.status = "processing"

    def _complete(self, refund: Refund) -> None:
        if refund.status in ("pending", "processing") and self.refunds.get(refund.id) is refund:
            refund.status = "failed" if self._fails(refund) else "completed"

    def _fails(self, refund: Refund) -> bool:
        """Whether the refund fails (``refunds_sometimes_fail``): its invoice's first, still partially refunded.

        A failed refund gives its amount back to the invoice unless ``failed_refunds_still_count`` is on; the
        invoice's status stays as it is either way (the transitions have no way back).
        """
        counted = self.variants.on(v.FAILED_REFUNDS_STILL_COUNT)
        if not (counted or self.variants.on(v.REFUNDS_SOMETIMES_FAIL)):
            return False
        invoice = self.invoices.get(refund.invoice_id)
        if invoice is None or invoice.refunds[:1] != [refund.id] or invoice.status != "partially_refunded":
            return False
        if not counted:
            invoice.total_refunded -= refund.amount
        return True

    # -- webhooks ---------------------------------------------------------------------------------------

    def register_webhook(self, org: Organization, url: str, secret: str) -> Webhook:
        """Register a webhook for the organization (control API)."""
        hook = Webhook(next(self._webhook_ids), org.id, url, secret)
        self.webhooks[hook.id] = hook
        return hook

    def _notify(self, invoice: Invoice, event: str, *, status: str | None = None) -> None:
        """Send ``event`` about the invoice (``status``: what the payload says, when not the invoice's own)."""
        if invoice.status == "cancelled" and self.faults.on(WEBHOOK_MISSING_ON_CANCEL):
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
                "status": status or invoice.status,
                "description": invoice.description,
                "client_name": invoice.client_name,
                "paid_at": invoice.paid_at,
            }
            source = "api" if self.variants.on(v.WEBHOOK_SOURCE_API) else "kaspi"
        else:
            body = {
                "id": invoice.id,
                "amount": money(invoice.amount),
                "status": invoice.status,
                "total_refunded": money(invoice.total_refunded),
                "external_order_id": invoice.external_order_id,
            }
            source = "api"
        if event == "invoice.refunded" and invoice.refunds and self.faults.on(WEBHOOK_REFUND_TOTAL_STALE):
            body["total_refunded"] = money(invoice.total_refunded - self.refunds[invoice.refunds[-1]].amount)
        payload = {"event": event, "invoice": body, "source": source, "timestamp": self.stamp(self.clock.timestamp())}
        if self.webhook_shaper is not None:
            payload = self.webhook_shaper(payload)
        delay = _WEBHOOK_DELAY_STEP * (invoice.id % 4) if self.variants.on(v.WEBHOOKS_DELAYED) else 0.0
        self.dispatcher.send(url=hook.url, secret=hook.secret, payload=payload, delay=delay)
        if self.variants.on(v.WEBHOOK_DUPLICATES):
            again = delay + _DUPLICATE_DELAYS[invoice.id % len(_DUPLICATE_DELAYS)]
            self.dispatcher.send(url=hook.url, secret=hook.secret, payload=payload, delay=again)
