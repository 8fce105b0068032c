"""The 2.1 invoice record and how the 2.1 spec shows it: in full, on create, in the status check and in webhooks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec

from apipay_harness.mock.models import CatalogItem, Invoice
from apipay_harness.mock.money import ZERO, money

__all__ = ["CatalogItem21", "Invoice21", "money_number"]


def money_number(value: Decimal) -> msgspec.Raw:
    """An amount as a JSON number with two decimals (``available_for_refund``), written from the ``Decimal``."""
    return msgspec.Raw(money(value).encode("ascii"))


_STATUS_STAMPS = {"cancelled": "cancelled_at", "expired": "expired_at", "error": "errored_at"}
"""The webhook field stamped when an invoice enters each of these statuses (``paid_at`` is the invoice's own)."""


@dataclass(slots=True)
class Invoice21(Invoice):
    """An invoice with what 2.1 adds: Kaspi delivery, error reason, comment, discount, idempotency key."""

    internal_comment: str | None = None
    idempotency_key: str | None = None
    delivered: bool = False
    """Whether the invoice reached Kaspi (left ``processing`` for ``pending``): only then has it a Kaspi id."""
    error_message: str | None = None
    error_code: str | None = None
    subtotal: Decimal | None = None
    discount_sum: Decimal | None = None
    discount_percentage: int | None = None
    kaspi_source_type: str | None = None
    kaspi_sale_type: str | None = None
    source: str | None = None
    """The name of the API key that created the invoice (the webhooks' ``source``)."""
    stamps: dict[str, str] | None = None
    """``cancelled_at``, ``expired_at``, ``errored_at`` as the status changes stamped them."""
    paid_ts: float | None = None
    """When the invoice was paid, on the clock (the ``date_field=paid_at`` window and ``sort_by=paid_at``)."""
    pending_refunds: Decimal = ZERO
    """Refunds queued and not yet completed or failed (``pending_refund_amount``); not in ``total_refunded``."""
    refundable: frozenset[str] = frozenset()
    """The statuses a refund is allowed from (the 2.1 rules')."""

    @property
    def kaspi_invoice_id(self) -> str | None:  # type: ignore[override]
        """The sandbox's Kaspi id once delivered, else null."""
        return f"SBX-{self.id}" if self.delivered else None

    @property
    def available_for_refund(self) -> Decimal:
        """What a new refund may still take: the amount less completed and queued refunds, when refundable."""
        if self.status not in self.refundable:
            return ZERO
        return max(ZERO, self.amount - self.total_refunded - self.pending_refunds)

    @property
    def is_fully_refunded(self) -> bool:
        """Whether refunds add up to the whole amount."""
        return self.total_refunded > ZERO and self.total_refunded >= self.amount

    def stamp(self, status: str, when: str) -> None:
        """Remember when the invoice entered ``status``, if the webhooks name that moment."""
        name = _STATUS_STAMPS.get(status)
        if name is not None:
            self.stamps = {**(self.stamps or {}), name: when}

    def _cart(self) -> dict[str, Any]:
        if self.subtotal is None:
            return {}
        return {
            "subtotal": money(self.subtotal),
            "discount_sum": money(self.discount_sum or ZERO),
            "discount_percentage": None if self.discount_percentage is None else str(self.discount_percentage),
        }

    def render(self) -> dict[str, Any]:
        """The ``Invoice`` schema (GET /invoices/{id}, cancel, simulate-status, the control API)."""
        body: dict[str, Any] = {
            "id": self.id,
            "amount": money(self.amount),
            "phone_number": self.phone_number,
            "description": self.description,
            "external_order_id": self.external_order_id,
            "status": self.status,
            "client_name": self.client_name,
            "internal_comment": self.internal_comment,
            "is_sandbox": True,
            "total_refunded": money(self.total_refunded),
            "is_fully_refunded": self.is_fully_refunded,
            "kaspi_invoice_id": self.kaspi_invoice_id,
            "kaspi_qr_link": None,
            "error_message": self.error_message,
            "items": [item.render() for item in self.items],
            "paid_at": self.paid_at,
            "created_at": self.created_at_text,
        }
        if self.error_code is not None:
            body["error_code"] = self.error_code
        if self.subtotal is not None:
            cart = self._cart()
            body.update({k: v for k, v in cart.items() if v is not None})
        return body

    def render_listed(self) -> dict[str, Any]:
        """The ``InvoiceListItem`` schema: a row of ``GET /invoices``."""
        cart = self._cart()
        return {
            "id": self.id,
            "amount": money(self.amount),
            "description": self.description,
            "external_order_id": self.external_order_id,
            "status": self.status,
            "kaspi_invoice_id": self.kaspi_invoice_id,
            "kaspi_qr_link": None,
            "phone": self.phone_number,
            "client_name": self.client_name,
            "internal_comment": self.internal_comment,
            "is_sandbox": True,
            "is_recurring": False,
            "subtotal": cart.get("subtotal"),
            "discount_sum": cart.get("discount_sum"),
            "discount_percentage": cart.get("discount_percentage"),
            "total_refunded": money(self.total_refunded),
            "is_fully_refunded": self.is_fully_refunded,
            "error_message": self.error_message,
            "error_code": self.error_code,
            "paid_at": self.paid_at,
            "created_at": self.created_at_text,
            "items": [item.render() for item in self.items],
        }

    def render_refund_totals(self) -> dict[str, Any]:
        """The invoice block of ``GET /invoices/{id}/refunds``."""
        return {
            "id": self.id,
            "amount": money(self.amount),
            "total_refunded": money(self.total_refunded),
            "available_for_refund": money_number(self.available_for_refund),
            "is_fully_refunded": self.is_fully_refunded,
        }

    def render_created(self, *, phone_key: str = "phone") -> dict[str, Any]:
        """The ``InvoiceCreated`` schema: the create answer (optional fields only when they have a value)."""
        body: dict[str, Any] = {
            "id": self.id,
            "amount": money(self.amount),
            "status": self.status,
            "paid_at": None,
            phone_key: self.phone_number,
            "created_at": self.created_at_text,
        }
        body.update({k: v for k, v in self._cart().items() if v is not None})
        return body

    def render_checked(self, updated_at: str) -> dict[str, Any]:
        """One row of ``POST /invoices/status/check``."""
        return {
            "id": self.id,
            "status": self.status,
            "kaspi_invoice_id": self.kaspi_invoice_id,
            "amount": money(self.amount),
            "error_message": self.error_message,
            "updated_at": updated_at,
        }

    def render_webhook(self, *, discount_as_text: bool = False) -> dict[str, Any]:
        """The ``WebhookInvoiceObject`` of ``invoice.status_changed`` (optional fields only with a value).

        ``discount_percentage`` is an integer, or a string with ``discount_as_text`` (as llms.txt writes it).
        """
        body: dict[str, Any] = {
            "id": self.id,
            "external_order_id": self.external_order_id,
            "amount": money(self.amount),
            "status": self.status,
            "description": self.description,
            "kaspi_invoice_id": self.kaspi_invoice_id,
            "client_name": self.client_name,
            "client_phone": self.phone_number,
            "is_sandbox": True,
        }
        optional: dict[str, Any] = {
            "internal_comment": self.internal_comment,
            "kaspi_source_type": self.kaspi_source_type,
            "kaspi_sale_type": self.kaspi_sale_type,
            "paid_at": self.paid_at,
            "error_message": self.error_message,
            "error_code": self.error_code,
            **(self.stamps or {}),
        }
        if self.subtotal is not None:
            optional.update(self._cart())
            percent = self.discount_percentage
            optional["discount_percentage"] = str(percent) if discount_as_text and percent is not None else percent
        body.update({k: v for k, v in optional.items() if v is not None})
        return body


@dataclass(slots=True)
class CatalogItem21(CatalogItem):
    """A catalog item with what 2.1 adds: the national catalog codes, the client's reference and its status."""

    ntin: str | None = None
    gtin: str | None = None
    external_ref: str | None = None
    status: str = "active"
    created_at: str = ""
    updated_at: float = 0.0
    matched_existing: bool = False

    def render(self) -> dict[str, Any]:
        """The 2.1 ``CatalogItem`` schema (``selling_price`` a JSON number)."""
        return {
            "id": self.id,
            "kaspi_item_id": None,
            "name": self.name,
            "unit_id": self.unit_id,
            "selling_price": money_number(self.selling_price),
            "image_url": None,
            "first_char": self.name[:1] or None,
            "barcode": self.barcode,
            "ntin": self.ntin,
            "gtin": self.gtin,
            "unified_goods_id": None,
            "external_ref": self.external_ref,
            "ntin_missing": self.ntin is None,
            "matched_existing": self.matched_existing,
            "status": self.status,
            "sellable": self.status == "active",
            "in_kaspi_catalog": False,
            "operation": None,
            "error_message": None,
            "created_at": self.created_at,
        }
