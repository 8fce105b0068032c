"""Handlers of the invoice endpoints whose 2.1 answers differ from the seed's.

Create, get, cancel, the status check and the sandbox's simulate-status.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from apipay_harness.mock.context import Validators, body_of, organization, path_id, store_of
from apipay_harness.mock.errors import ValidationFailed
from apipay_harness.mock.jsonio import JSONResponse, read_json_object
from apipay_harness.mock.router import route
from apipay_harness.mock.v21 import variants as v21
from apipay_harness.mock.v21.models import Invoice21
from apipay_harness.mock.v21.store import Store21
from apipay_harness.mock.validation import Errors

__all__ = ["ROUTES"]


def _store(request: Request) -> Store21:
    store = store_of(request)
    assert isinstance(store, Store21)
    return store


def _invoice(request: Request) -> Invoice21:
    invoice = _store(request).invoice_of(organization(request), path_id(request))
    assert isinstance(invoice, Invoice21)
    return invoice


async def _create_invoice(request: Request) -> JSONResponse:
    """Create an invoice: 201 ``processing``; a fractional amount is refused before any other bound."""
    org = organization(request)
    store = _store(request)
    body: dict[str, Any] = await read_json_object(request, required=True) or {}
    checked = store.whole_tenge(body)
    validators: Validators = request.app.state.validators
    errors: Errors = {}
    validators.bodies["createInvoice"](checked, "", errors)
    if errors:
        raise ValidationFailed(errors)
    invoice = store.create_invoice(org, body)
    assert isinstance(invoice, Invoice21)
    phone_key = "phone_number" if store.variants21.on(v21.CREATE_ANSWER_PHONE_NUMBER) else "phone"
    return JSONResponse(invoice.render_created(phone_key=phone_key), status_code=201)


async def _get_invoice(request: Request) -> JSONResponse:
    """One invoice, as the 2.1 ``Invoice`` schema shows it."""
    return JSONResponse(_invoice(request).render())


async def _cancel_invoice(request: Request) -> JSONResponse:
    """Cancel a ``pending`` or ``processing`` invoice: the sandbox cancels at once (200 with the invoice)."""
    invoice = _invoice(request)
    if not _store(request).cancel(invoice):
        return JSONResponse({"message": "Invoice cancellation queued", "invoice_id": invoice.id}, status_code=202)
    return JSONResponse({"message": "Invoice cancelled", "invoice": invoice.render()})


async def _check_statuses(request: Request) -> JSONResponse:
    """The current status of each listed invoice of the organization."""
    org = organization(request)
    body = await body_of(request, "checkInvoiceStatuses")
    assert body is not None
    return JSONResponse({"invoices": _store(request).check_listed(org, [int(i) for i in body["invoice_ids"]])})


async def _simulate_status(request: Request) -> JSONResponse:
    """Move a ``pending`` sandbox invoice to the status asked for, as Kaspi would, with its webhook."""
    invoice = _invoice(request)
    body = await body_of(request, "simulateInvoiceStatus")
    assert body is not None
    _store(request).simulate(invoice, body)
    return JSONResponse({"message": "Invoice status simulated", "invoice": invoice.render()})


ROUTES = [
    route("/invoices", post=_create_invoice),
    route("/invoices/status/check", post=_check_statuses),
    route("/invoices/{id:int}", get=_get_invoice),
    route("/invoices/{id:int}/cancel", post=_cancel_invoice),
    route("/invoices/{id:int}/simulate-status", post=_simulate_status),
]
"""The 2.1 handlers; a path listed both here and among the seed's routes takes these handlers for its methods."""
