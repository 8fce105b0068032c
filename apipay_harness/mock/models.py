"""The mock's records and how each renders as the API shows it (money as two-decimal strings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from apipay_harness.mock.money import ZERO, money
from apipay_harness.mock.rules import REFUNDABLE

__all__ = ["AWAITING_PAYMENT", "REFUNDABLE", "CatalogItem", "Invoice", "InvoiceItem", "Refund", "Webhook"]

AWAITING_PAYMENT = frozenset({"pending", "cancelling"})


@dataclass(slots=True)
class CatalogItem:
    """A catalog item of one organization."""

    id: int
    organization: int
    name: str
    selling_price: Decimal
    unit_id: int
    image_id: str | None = None
    barcode: str | None = None

    def render(self) -> dict[str, Any]:
        """The item as the catalog endpoints show it."""
        return {
            "id": self.id,
            "name": self.name,
            "selling_price": money(self.selling_price),
            "unit_id": self.unit_id,
            "image_id": self.image_id,
            "barcode": self.barcode,
        }


@dataclass(frozen=True, slots=True)
class InvoiceItem:
    """A cart item frozen on an invoice at creation."""

    id: int
    invoice_id: int
    catalog_item_id: int
    name: str
    price: Decimal
    count: int
    unit_id: int

    def render(self) -> dict[str, Any]:
        """The snapshot as ``GET /invoices/{id}`` shows it."""
        return {
            "id": self.id,
            "invoice_id": self.invoice_id,
            "catalog_item_id": self.catalog_item_id,
            "name": self.name,
            "price": money(self.price),
            "count": self.count,
            "unit_id": self.unit_id,
        }


@dataclass(slots=True)
class Invoice:
    """An invoice and its refund totals."""

    id: int
    organization: int
    amount: Decimal
    phone_number: str
    description: str | None
    external_order_id: str | None
    created_at: float
    created_at_text: str
    webhook_id: int | None = None
    status: str = "pending"
    client_name: str | None = None
    client_comment: str | None = None
    total_refunded: Decimal = ZERO
    paid_at: str | None = None
    updated_at: float = 0.0
    items: tuple[InvoiceItem, ...] = ()
    refunds: list[int] = field(default_factory=list)
    available_before_payment: bool = False
    """Whether an unpaid invoice shows its amount as available for refund (``available_for_refund_before_payment``)."""

    @property
    def kaspi_invoice_id(self) -> str:
        """The id Kaspi gave the invoice (derived, not stored)."""
        return f"KSP-{self.id:06d}"

    @property
    def available_for_refund(self) -> Decimal:
        """What may still be refunded: nothing unless the invoice is paid or partially refunded."""
        if self.status in REFUNDABLE:
            return self.amount - self.total_refunded
        return self.amount if self.available_before_payment and self.status in AWAITING_PAYMENT else ZERO

    @property
    def is_fully_refunded(self) -> bool:
        """Whether refunds add up to the whole amount."""
        return self.total_refunded > ZERO and self.total_refunded >= self.amount

    def render(self) -> dict[str, Any]:
        """Every InvoiceDetail field of the spec, plus ``available_for_refund``."""
        return {
            "id": self.id,
            "amount": money(self.amount),
            "status": self.status,
            "description": self.description,
            "external_order_id": self.external_order_id,
            "phone_number": self.phone_number,
            "client_name": self.client_name,
            "client_comment": self.client_comment,
            "is_sandbox": False,
            "total_refunded": money(self.total_refunded),
            "available_for_refund": money(self.available_for_refund),
            "is_fully_refunded": self.is_fully_refunded,
            "kaspi_invoice_id": self.kaspi_invoice_id,
            "paid_at": self.paid_at,
            "items": [item.render() for item in self.items],
            "created_at": self.created_at_text,
        }

    def render_totals(self) -> dict[str, Any]:
        """The refund totals block of the refund answers."""
        return {
            "id": self.id,
            "amount": money(self.amount),
            "status": self.status,
            "total_refunded": money(self.total_refunded),
            "available_for_refund": money(self.available_for_refund),
            "is_fully_refunded": self.is_fully_refunded,
        }


@dataclass(slots=True)
class Refund:
    """A refund of (part of) an invoice."""

    id: int
    invoice_id: int
    organization: int
    amount: Decimal
    reason: str | None
    created_at: float
    created_at_text: str
    status: str = "pending"

    def render(self) -> dict[str, Any]:
        """The refund as the refund endpoints show it."""
        return {
            "id": self.id,
            "invoice_id": self.invoice_id,
            "amount": money(self.amount),
            "status": self.status,
            "reason": self.reason,
            "initiated_by": "api",
            "created_at": self.created_at_text,
        }


@dataclass(frozen=True, slots=True)
class Webhook:
    """A webhook registered through the control API."""

    id: int
    organization: int
    url: str
    secret: str
