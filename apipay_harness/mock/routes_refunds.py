"""Handlers of the refund endpoints: refund an invoice, list its refunds, list all refunds."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from starlette.requests import Request

from apipay_harness.mock import variants as v
from apipay_harness.mock.context import body_of, organization, path_id, query_of, store_of
from apipay_harness.mock.faults import (
    AVAILABLE_FOR_REFUND_STALE,
    REFUND_LIST_INVOICE_FILTER_IGNORED,
    REFUND_RACE_DOUBLE_REFUND,
    TENANT_LEAK_REFUND,
    TENANT_LEAK_REFUND_LIST,
    TENANT_LEAK_REFUND_TOTALS,
)
from apipay_harness.mock.jsonio import JSONResponse
from apipay_harness.mock.money import money
from apipay_harness.mock.router import route
from apipay_harness.mock.routes_invoices import date_range, page_of

__all__ = ["KASPI_CALL_SECONDS", "ROUTES"]

KASPI_CALL_SECONDS = 0.02
"""How long the simulated Kaspi call of the ``refund_race_double_refund`` fault takes."""


async def refund_invoice(request: Request) -> JSONResponse:
    """Refund part or all of a paid invoice."""
    org = organization(request)
    store = store_of(request)
    invoice = store.invoice_of(org, path_id(request), tenancy_checked=not store.faults.on(TENANT_LEAK_REFUND))
    body = await body_of(request, "refundInvoice", required=False) or {}
    raw_amount = body.get("amount")
    amount = store.check_refund(invoice, None if raw_amount is None else Decimal(raw_amount))
    if store.faults.on(REFUND_RACE_DOUBLE_REFUND):
        await asyncio.sleep(KASPI_CALL_SECONDS)
    refund = store.record_refund(invoice, amount, body.get("reason"))
    totals = invoice.render_totals()
    if store.faults.on(AVAILABLE_FOR_REFUND_STALE):
        totals["available_for_refund"] = money(invoice.amount - invoice.total_refunded + amount)
    return JSONResponse(
        {"message": "Refund initiated successfully", "refund": refund.render(), "invoice": totals},
        status_code=201,
    )


async def list_invoice_refunds(request: Request) -> JSONResponse:
    """One invoice's refund totals and its refunds."""
    org = organization(request)
    store = store_of(request)
    invoice = store.invoice_of(org, path_id(request), tenancy_checked=not store.faults.on(TENANT_LEAK_REFUND_TOTALS))
    refunds = [store.refunds[rid].render() for rid in invoice.refunds if rid in store.refunds]
    if store.variants.on(v.UNSTATED_ORDERS_REVERSED):
        refunds.reverse()
    return JSONResponse({"invoice": invoice.render_totals(), "refunds": refunds})


async def list_refunds(request: Request) -> JSONResponse:
    """The organization's refunds, filtered and paginated, newest first."""
    org = organization(request)
    store = store_of(request)
    query = query_of(request, "listRefunds")
    low, high = date_range(store, query)
    statuses = query.get("status[]")
    invoice_id = None if store.faults.on(REFUND_LIST_INVOICE_FILTER_IGNORED) else query.get("invoice_id")
    rows = [
        r
        for r in store.refunds.values()
        if (r.organization == org.id or store.faults.on(TENANT_LEAK_REFUND_LIST))
        and (not statuses or r.status in statuses)
        and (invoice_id is None or r.invoice_id == invoice_id)
        and (low is None or r.created_at >= low)
        and (high is None or r.created_at < high)
    ]
    oldest_first = store.variants.on(v.UNSTATED_ORDERS_REVERSED)
    rows.sort(key=lambda r: (r.created_at, r.id), reverse=not oldest_first)
    page, meta = page_of(rows, query)
    return JSONResponse({"data": [r.render() for r in page], "meta": meta})


ROUTES = [
    route("/invoices/{id:int}/refund", post=refund_invoice),
    route("/invoices/{id:int}/refunds", get=list_invoice_refunds),
    route("/refunds", get=list_refunds),
]
