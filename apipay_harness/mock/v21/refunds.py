"""The refund endpoints under 2.1: queued refunds (``RefundShort``), totals as numbers, the refunds' own shapes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request

from apipay_harness.mock.context import body_of, organization, path_id, store_of
from apipay_harness.mock.errors import ValidationFailed
from apipay_harness.mock.jsonio import JSONResponse
from apipay_harness.mock.models import Invoice, Refund
from apipay_harness.mock.money import ZERO, money, to_kopecks
from apipay_harness.mock.router import route
from apipay_harness.mock.v21 import faults as f21
from apipay_harness.mock.v21.models import Invoice21, money_number
from apipay_harness.mock.v21.store import Store21

__all__ = ["ROUTES", "render_refund", "render_with_invoice", "returned_amount"]


def _kaspi_refund_id(refund: Refund) -> str | None:
    """The sandbox's Kaspi id of a completed refund; none before, nor for a failed one."""
    return f"SBX-R{refund.id}" if refund.status == "completed" else None


def _render_short(refund: Refund) -> dict[str, Any]:
    """The ``RefundShort`` schema (the create answer)."""
    return {
        "id": refund.id,
        "invoice_id": refund.invoice_id,
        "amount": money(refund.amount),
        "reason": refund.reason,
        "status": refund.status,
        "created_at": refund.created_at_text,
    }


def render_refund(refund: Refund) -> dict[str, Any]:
    """The ``Refund`` schema (an invoice's refund list)."""
    return {
        **_render_short(refund),
        "kaspi_refund_id": _kaspi_refund_id(refund),
        "error_message": "The refund failed" if refund.status == "failed" else None,
        "items": [],
    }


def render_with_invoice(refund: Refund, invoice: Invoice) -> dict[str, Any]:
    """The ``RefundWithInvoice`` schema (``GET /refunds``)."""
    return {
        **render_refund(refund),
        "kaspi_status": refund.status if refund.status in ("completed", "failed") else None,
        "initiated_by": "api",
        "invoice": {
            "id": invoice.id,
            "external_order_id": invoice.external_order_id,
            "amount": money(invoice.amount),
            "status": invoice.status,
            "kaspi_invoice_id": invoice.kaspi_invoice_id,
        },
    }


def returned_amount(invoice: Invoice21, lines: list[dict[str, Any]]) -> Decimal:
    """What ``return_items`` are worth; an item not in the invoice's cart, or more pieces than it holds, is 422.

    Per item its ``amount``, or ``count`` pieces at the line's price after its discount. With
    ``return_items`` the refund is for their worth (an ``amount`` beside them is not read).
    """
    cart = {item.catalog_item_id: item for item in invoice.items}
    errors: dict[str, list[str]] = {}
    worth = ZERO
    for index, line in enumerate(lines):
        item = cart.get(int(line["catalog_item_id"]))
        if item is None:
            errors[f"return_items.{index}.catalog_item_id"] = ["The item is not in this invoice's cart."]
            continue
        if line.get("amount") is not None:
            worth += to_kopecks(Decimal(line["amount"]))
            continue
        count = int(line["count"])
        if count > item.count:
            errors[f"return_items.{index}.count"] = [f"The cart holds {item.count} of this item."]
            continue
        discount = getattr(item, "discount", None) or ZERO
        worth += to_kopecks((item.price * item.count - discount) * count / item.count)
    if errors:
        raise ValidationFailed(errors)
    return worth


async def _refund_invoice(request: Request) -> JSONResponse:
    """Queue a refund of part or all of a paid invoice: 201 ``pending``, the outcome comes by webhook."""
    org = organization(request)
    store = store_of(request)
    invoice = store.invoice_of(org, path_id(request))
    assert isinstance(invoice, Invoice21)
    body = await body_of(request, "refundInvoice", required=False) or {}
    raw = body.get("amount")
    if body.get("return_items"):
        raw = returned_amount(invoice, body["return_items"])
    amount = store.check_refund(invoice, None if raw is None else Decimal(raw))
    refund = store.record_refund(invoice, amount, body.get("reason"))
    as_text = isinstance(store, Store21) and store.faults21.on(f21.REFUND_TOTALS_AS_STRINGS)
    number = money if as_text else money_number
    totals = {
        "id": invoice.id,
        "amount": money(invoice.amount),
        "total_refunded": money(invoice.total_refunded),
        "available_for_refund": number(invoice.available_for_refund),
        "pending_refund_amount": number(invoice.pending_refunds),
    }
    answer = {"message": "Refund queued for processing", "refund": _render_short(refund), "invoice": totals}
    return JSONResponse(answer, status_code=201)


async def _list_invoice_refunds(request: Request) -> JSONResponse:
    """One invoice's refund totals, its refunds (oldest first) and their count."""
    org = organization(request)
    store = store_of(request)
    invoice = store.invoice_of(org, path_id(request))
    assert isinstance(invoice, Invoice21)
    refunds = [render_refund(store.refunds[rid]) for rid in invoice.refunds if rid in store.refunds]
    return JSONResponse({"invoice": invoice.render_refund_totals(), "refunds": refunds, "total": len(refunds)})


ROUTES = [
    route("/invoices/{id:int}/refund", post=_refund_invoice),
    route("/invoices/{id:int}/refunds", get=_list_invoice_refunds),
]
