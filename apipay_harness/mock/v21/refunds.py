"""The refund endpoints under 2.1: queued refunds (``RefundShort``), totals as numbers, the refunds' own shapes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request

from apipay_harness.mock.context import body_of, organization, path_id, store_of
from apipay_harness.mock.jsonio import JSONResponse
from apipay_harness.mock.models import Invoice, Refund
from apipay_harness.mock.money import money
from apipay_harness.mock.router import route
from apipay_harness.mock.v21.models import Invoice21, money_number

__all__ = ["ROUTES", "render_refund", "render_with_invoice"]


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


async def _refund_invoice(request: Request) -> JSONResponse:
    """Queue a refund of part or all of a paid invoice: 201 ``pending``, the outcome comes by webhook."""
    org = organization(request)
    store = store_of(request)
    invoice = store.invoice_of(org, path_id(request))
    assert isinstance(invoice, Invoice21)
    body = await body_of(request, "refundInvoice", required=False) or {}
    raw = body.get("amount")
    amount = store.check_refund(invoice, None if raw is None else Decimal(raw))
    refund = store.record_refund(invoice, amount, body.get("reason"))
    totals = {
        "id": invoice.id,
        "amount": money(invoice.amount),
        "total_refunded": money(invoice.total_refunded),
        "available_for_refund": money_number(invoice.available_for_refund),
        "pending_refund_amount": money_number(invoice.pending_refunds),
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
