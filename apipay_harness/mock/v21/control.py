"""The control API's 2.1 additions: settle a ``processing`` invoice (or reconcile an ``error``), finish a refund."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from apipay_harness.mock.context import path_id, store_of
from apipay_harness.mock.errors import ApiError, ValidationFailed
from apipay_harness.mock.jsonio import JSONResponse, read_json_object
from apipay_harness.mock.limits import MAX_CLIENT_NAME
from apipay_harness.mock.router import route
from apipay_harness.mock.v21.store import Store21

__all__ = ["ROUTES"]

_OUTCOMES = ("pending", "error")
_REFUND_OUTCOMES = ("completed", "failed")


async def _outcome(request: Request, outcomes: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    """The optional body and the outcome it asks for (the first of ``outcomes`` when it names none), or 422."""
    body = await read_json_object(request, required=False) or {}
    status = body.get("status", outcomes[0])
    if status not in outcomes:
        raise ValidationFailed.one("status", f"The status field must be one of {', '.join(outcomes)}.")
    return body, str(status)


async def _settle(request: Request) -> JSONResponse:
    """Kaspi answers the delivery now: ``{"status": "pending"}`` (the default) or ``"error"`` with a message."""
    store = store_of(request)
    assert isinstance(store, Store21)
    body, status = await _outcome(request, _OUTCOMES)
    message = body.get("error_message")
    if message is not None and (not isinstance(message, str) or len(message) > MAX_CLIENT_NAME):
        raise ValidationFailed.one("error_message", f"The error message must be a string of at most {MAX_CLIENT_NAME}.")
    invoice = store.invoices.get(path_id(request))
    if invoice is None:
        raise ApiError(404, "Invoice not found")
    store.settle_invoice(invoice, status, message)
    return JSONResponse(invoice.render())


async def _finish_refund(request: Request) -> JSONResponse:
    """Kaspi answers a queued refund now: ``{"status": "completed"}`` (the default) or ``"failed"``."""
    store = store_of(request)
    assert isinstance(store, Store21)
    _, status = await _outcome(request, _REFUND_OUTCOMES)
    refund = store.refunds.get(path_id(request, not_found="Refund not found"))
    if refund is None:
        raise ApiError(404, "Refund not found")
    if refund.status not in ("pending", "processing"):
        raise ApiError(409, f"The refund is already {refund.status}")
    store.finish_refund(refund, status)
    return JSONResponse({"id": refund.id, "status": refund.status})


ROUTES = [
    route("/invoices/{id}/settle", post=_settle),
    route("/refunds/{id}/finish", post=_finish_refund),
]
