"""Handlers of ``/status`` and ``/invoices``: create, list, get, cancel, status check."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from apipay_harness.mock import variants as v
from apipay_harness.mock.clock import DAY, day_number
from apipay_harness.mock.context import body_of, organization, path_id, query_of, store_of
from apipay_harness.mock.errors import ApiError, ValidationFailed
from apipay_harness.mock.faults import (
    LIST_DATE_TO_EXCLUSIVE,
    LIST_LAST_PAGE_OFF_BY_ONE,
    LIST_SEARCH_IGNORES_ORDER_ID,
    LIST_SORT_AMOUNT_AS_TEXT,
    LIST_STATUS_FILTER_IGNORED,
    SERVER_ERROR_PAST_LAST_PAGE,
    TENANT_LEAK_CANCEL,
    TENANT_LEAK_GET,
    TENANT_LEAK_LIST,
)
from apipay_harness.mock.jsonio import JSONResponse
from apipay_harness.mock.models import Invoice
from apipay_harness.mock.router import route
from apipay_harness.mock.store import Store

__all__ = ["ALMATY_OFFSET", "ROUTES", "date_range", "page_of"]


async def get_status(request: Request) -> JSONResponse:
    """Health check; needs no key."""
    store = store_of(request)
    return JSONResponse({"status": "ok", "timestamp": store.stamp(store.clock.timestamp())})


async def create_invoice(request: Request) -> JSONResponse:
    """Create a flat-amount or cart invoice."""
    org = organization(request)
    body = await body_of(request, "createInvoice")
    assert body is not None
    store = store_of(request)
    invoice = store.create_invoice(org, body)
    return JSONResponse(_summary(invoice, store.variants.on(v.CREATE_ANSWER_OMITS_UNSET)), status_code=201)


def _summary(invoice: Invoice, omit_unset: bool) -> dict[str, Any]:
    """An invoice as the create answer and list rows show it (``create_answer_omits_unset`` drops unset texts)."""
    body = invoice.render()
    if omit_unset:
        for name in ("description", "external_order_id"):
            if body[name] is None:
                del body[name]
    return body


ALMATY_OFFSET = 5 * 3600
"""Seconds Asia/Almaty is ahead of UTC (no daylight saving), the zone of the ``dates_in_almaty`` variant's days."""


def date_range(store: Store, query: dict[str, Any]) -> tuple[float | None, float | None]:
    """Inclusive ``date_from``/``date_to`` as timestamps; 422 when the end is before the start.

    The days are UTC calendar days, or Asia/Almaty ones with ``dates_in_almaty``. Day numbers, not
    ``date`` arithmetic: the day after 9999-12-31 must be a bound, not an overflow.
    """
    start = day_number(query["date_from"]) if query.get("date_from") else None
    end = day_number(query["date_to"]) if query.get("date_to") else None
    if start is not None and end is not None and end < start:
        raise ValidationFailed.one("date_to", "The date to field must be a date after or equal to date from.")
    shift = ALMATY_OFFSET if store.variants.on(v.DATES_IN_ALMATY) else 0
    low = float(start * DAY - shift) if start is not None else None
    high = float((end + 1) * DAY - shift) if end is not None else None
    return low, high


def page_of(rows: list[Any], query: dict[str, Any]) -> tuple[list[Any], dict[str, int]]:
    """Slice one page and its ``meta``."""
    per_page = int(query["per_page"])
    page = int(query["page"])
    total = len(rows)
    last_page = max(1, -(-total // per_page))
    start = (page - 1) * per_page
    return rows[start : start + per_page], {
        "current_page": page,
        "last_page": last_page,
        "per_page": per_page,
        "total": total,
    }


_SORT_KEYS = {
    "id": lambda inv: inv.id,
    "amount": lambda inv: (inv.amount, inv.id),
    "client_name": lambda inv: (inv.client_name is not None, inv.client_name or "", inv.id),
    "status": lambda inv: (inv.status, inv.id),
    "created_at": lambda inv: (inv.created_at, inv.id),
    "amount_as_text": lambda inv: (str(inv.amount), inv.id),
}
_FIELD_KEYS = {
    "id": lambda inv: inv.id,
    "amount": lambda inv: inv.amount,
    "client_name": lambda inv: (inv.client_name is not None, inv.client_name or ""),
    "status": lambda inv: inv.status,
    "amount_as_text": lambda inv: str(inv.amount),
}
"""The sort keys without the id that breaks ties (``unstated_orders_reversed`` orders ties newest first)."""


async def list_invoices(request: Request) -> JSONResponse:
    """The organization's invoices, filtered, sorted and paginated."""
    org = organization(request)
    store = store_of(request)
    query = query_of(request, "listInvoices")
    low, high = date_range(store, query)
    if high is not None and store.faults.on(LIST_DATE_TO_EXCLUSIVE):
        high -= 86400
    statuses = query.get("status[]")
    if store.faults.on(LIST_STATUS_FILTER_IGNORED):
        statuses = None
    case_sensitive = store.variants.on(v.SEARCH_CASE_SENSITIVE)
    search = query.get("search") or ""
    search = search if case_sensitive else search.casefold()
    search_order_id = not store.faults.on(LIST_SEARCH_IGNORES_ORDER_ID)
    search_id = store.variants.on(v.SEARCH_MATCHES_IDS)

    def text(value: str | None) -> str:
        return (value or "") if case_sensitive else (value or "").casefold()

    rows: list[Invoice] = []
    source = store.invoices.values() if store.faults.on(TENANT_LEAK_LIST) else store.invoices_of(org.id)
    for inv in source:
        if statuses and inv.status not in statuses:
            continue
        if low is not None and inv.created_at < low:
            continue
        if high is not None and inv.created_at >= high:
            continue
        if (
            search
            and search not in text(inv.description)
            and (not search_order_id or search not in text(inv.external_order_id))
            and (not search_id or search not in str(inv.id))
        ):
            continue
        rows.append(inv)
    sort_by = query["sort_by"]
    if sort_by == "amount" and store.faults.on(LIST_SORT_AMOUNT_AS_TEXT):
        sort_by = "amount_as_text"
    descending = query["sort_order"] == "desc"
    sparse_ids = store.variants.on(v.IDS_SPARSE_UNORDERED)
    if sort_by == "created_at" or (sort_by == "id" and not sparse_ids):
        if descending:
            rows.reverse()  # already in creation order, which is created_at order (the clock only moves forward)
    elif store.variants.on(v.UNSTATED_ORDERS_REVERSED):
        rows.reverse()  # ties (equal values) come newest first, whichever way the field is sorted
        rows.sort(key=_FIELD_KEYS[sort_by], reverse=descending)
    else:
        rows.sort(key=_SORT_KEYS[sort_by], reverse=descending)
    page, meta = page_of(rows, query)
    if meta["current_page"] > meta["last_page"] and store.faults.on(SERVER_ERROR_PAST_LAST_PAGE):
        raise ApiError(500, "Server Error")
    if store.faults.on(LIST_LAST_PAGE_OFF_BY_ONE):
        meta["last_page"] = meta["total"] // meta["per_page"] + 1
    omit_unset = store.variants.on(v.CREATE_ANSWER_OMITS_UNSET)
    return JSONResponse({"data": [_summary(inv, omit_unset) for inv in page], "meta": meta})


async def get_invoice(request: Request) -> JSONResponse:
    """One invoice with its items snapshot."""
    org = organization(request)
    store = store_of(request)
    invoice = store.invoice_of(org, path_id(request), tenancy_checked=not store.faults.on(TENANT_LEAK_GET))
    prices = {item.id: item.selling_price for item in store.catalog.values()}
    return JSONResponse(store.faults.reshape(invoice.render(), prices=prices))


async def cancel_invoice(request: Request) -> JSONResponse:
    """Cancel a pending invoice: 200 cancelled (sync) or 202 queued (async)."""
    org = organization(request)
    store = store_of(request)
    invoice = store.invoice_of(org, path_id(request), tenancy_checked=not store.faults.on(TENANT_LEAK_CANCEL))
    if store.cancel(invoice):
        return JSONResponse(invoice.render())
    return JSONResponse({"message": "Invoice cancellation queued", "invoice_id": invoice.id}, status_code=202)


async def check_statuses(request: Request) -> JSONResponse:
    """Report every pending invoice of the organization."""
    org = organization(request)
    return JSONResponse({"invoices": store_of(request).check_statuses(org)})


ROUTES = [
    route("/status", get=get_status),
    route("/invoices", get=list_invoices, post=create_invoice),
    route("/invoices/status/check", post=check_statuses),
    route("/invoices/{id:int}", get=get_invoice),
    route("/invoices/{id:int}/cancel", post=cancel_invoice),
]
