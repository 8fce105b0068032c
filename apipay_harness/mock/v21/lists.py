"""``GET /invoices`` and ``GET /refunds`` under 2.1: flat pages ``{current_page, data, total}``, the 2.1 filters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from starlette.requests import Request

from apipay_harness.mock.context import organization, query_of, store_of
from apipay_harness.mock.errors import ValidationFailed
from apipay_harness.mock.jsonio import JSONResponse
from apipay_harness.mock.router import route
from apipay_harness.mock.store import Store
from apipay_harness.mock.v21 import faults as f21
from apipay_harness.mock.v21.models import Invoice21
from apipay_harness.mock.v21.refunds import render_with_invoice
from apipay_harness.mock.v21.store import Store21
from apipay_harness.mock.v21.window import window

__all__ = ["ROUTES", "SEARCH_FIELDS", "SORT_KEYS", "flat_page"]

T = TypeVar("T")

SEARCH_FIELDS: tuple[Callable[[Invoice21], str | None], ...] = (
    lambda inv: inv.description,
    lambda inv: inv.phone_number,
    lambda inv: inv.external_order_id,
)
"""What ``search`` looks in: the fields the 2.1.0 spec names (description, phone, external_order_id)."""
_NEVER = float("-inf")
SORT_KEYS: dict[str, Callable[[Invoice21], Any]] = {
    "id": lambda inv: inv.id,
    "amount": lambda inv: (inv.amount, inv.id),
    "client_name": lambda inv: (inv.client_name is not None, inv.client_name or "", inv.id),
    "status": lambda inv: (inv.status, inv.id),
    "created_at": lambda inv: (inv.created_at, inv.id),
    "paid_at": lambda inv: (_NEVER if inv.paid_ts is None else inv.paid_ts, inv.id),
}
"""The sort fields the spec's examples name; any other ``sort_by`` sorts by ``created_at``, as the spec says."""


def flat_page(
    rows: Sequence[T], query: dict[str, Any], render: Callable[[T], dict[str, Any]], *, store: Store
) -> dict[str, Any]:
    """One page, flat; a page before the first is the first (the spec sets no minimum)."""
    page = max(1, int(query["page"]))
    per_page = int(query["per_page"])
    start = (page - 1) * per_page
    data = [render(row) for row in rows[start : start + per_page]]
    if isinstance(store, Store21) and store.faults21.on(f21.LIST_NESTED_META):
        last = max(1, -(-len(rows) // per_page))
        meta = {"current_page": page, "last_page": last, "per_page": per_page, "total": len(rows)}
        return {"data": data, "meta": meta}
    return {"current_page": page, "data": data, "total": len(rows)}


async def _list_invoices(request: Request) -> JSONResponse:
    """The organization's invoices: ``status[]``, ``search``, the window on ``date_field``, ``sort_by``."""
    org = organization(request)
    store = store_of(request)
    query = query_of(request, "listInvoices")
    span = window(query.get("date_from"), query.get("date_to"))
    by_paid = query["date_field"] == "paid_at"
    statuses = query.get("status[]")
    search = (query.get("search") or "").casefold()
    rows: list[Invoice21] = []
    for inv in store.invoices_of(org.id):
        assert isinstance(inv, Invoice21)
        if statuses and inv.status not in statuses:
            continue
        if not span.holds(inv.paid_ts if by_paid else inv.created_at):
            continue
        if search and not any(search in (field(inv) or "").casefold() for field in SEARCH_FIELDS):
            continue
        rows.append(inv)
    rows.sort(key=SORT_KEYS.get(query["sort_by"], SORT_KEYS["created_at"]), reverse=query["sort_order"] == "desc")
    return JSONResponse(flat_page(rows, query, Invoice21.render_listed, store=store))


async def _list_refunds(request: Request) -> JSONResponse:
    """The organization's refunds, newest first: ``status[]``, ``invoice_id`` (which must exist), the window."""
    org = organization(request)
    store = store_of(request)
    query = query_of(request, "listRefunds")
    span = window(query.get("date_from"), query.get("date_to"))
    invoice_id = query.get("invoice_id")
    if invoice_id is not None:
        owner = store.invoices.get(invoice_id)
        if owner is None or owner.organization != org.id:
            raise ValidationFailed.one("invoice_id", "The selected invoice id is invalid.")
    statuses = query.get("status[]")
    rows = [
        r
        for r in store.refunds.values()
        if r.organization == org.id
        and (not statuses or r.status in statuses)
        and (invoice_id is None or r.invoice_id == invoice_id)
        and span.holds(r.created_at)
    ]
    rows.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    return JSONResponse(
        flat_page(rows, query, lambda r: render_with_invoice(r, store.invoices[r.invoice_id]), store=store)
    )


ROUTES = [route("/invoices", get=_list_invoices), route("/refunds", get=_list_refunds)]
