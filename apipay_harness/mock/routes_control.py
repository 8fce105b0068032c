"""The control API: test helpers that drive payments, expiry, the clock and webhooks (a fixed interface)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request

from apipay_harness.mock.connections import CONNECTIONS_SCOPE
from apipay_harness.mock.context import organization, path_id, store_of
from apipay_harness.mock.errors import ApiError, ValidationFailed
from apipay_harness.mock.jsonio import JSONResponse, read_json_object
from apipay_harness.mock.limits import MAX_CLIENT_NAME, MAX_WEBHOOK_SECRET, MAX_WEBHOOK_URL, MAX_WEBHOOKS
from apipay_harness.mock.models import Invoice
from apipay_harness.mock.router import route
from apipay_harness.mock.validation import is_number

__all__ = ["ROUTES"]

_MAX_ADVANCE = Decimal(10 * 365 * 86400)


async def _optional_body(request: Request) -> dict[str, Any]:
    return await read_json_object(request, required=False) or {}


async def reset(request: Request) -> JSONResponse:
    """Forget invoices, refunds and deliveries; clock back to real time.

    Rate-limit counts go too: they belong to clock minutes, and with the clock set back a count from a
    minute the clock had been moved to would apply again when the clock reaches that minute a second time.
    """
    store_of(request).reset()
    request.app.state.rate_windows.clear()
    return JSONResponse({"message": "reset"})


async def pay(request: Request) -> JSONResponse:
    """The customer pays a pending invoice."""
    store = store_of(request)
    body = await _optional_body(request)
    client_name = body.get("client_name")
    if client_name is not None and not isinstance(client_name, str):
        raise ValidationFailed.one("client_name", "The client name field must be a string.")
    if client_name is not None and len(client_name) > MAX_CLIENT_NAME:
        raise ValidationFailed.one(
            "client_name", f"The client name field must not be greater than {MAX_CLIENT_NAME} characters."
        )
    invoice = _invoice(request)
    store.pay(invoice, client_name)
    return JSONResponse(invoice.render())


async def expire(request: Request) -> JSONResponse:
    """A pending invoice times out."""
    invoice = _invoice(request)
    store_of(request).expire(invoice)
    return JSONResponse(invoice.render())


def _invoice(request: Request) -> Invoice:
    invoice = store_of(request).invoices.get(path_id(request))
    if invoice is None:
        raise ApiError(404, "Invoice not found")
    return invoice


async def advance_clock(request: Request) -> JSONResponse:
    """Move the clock on and settle all work now due, in order."""
    body = await read_json_object(request, required=True) or {}
    seconds: Any = body.get("seconds")
    if not is_number(seconds) or not 0 <= seconds <= _MAX_ADVANCE:
        raise ValidationFailed.one("seconds", "The seconds field must be a number from 0 to ten years.")
    store = store_of(request)
    now = store.advance(float(seconds))
    return JSONResponse({"now": store.stamp(now)})


async def get_clock(request: Request) -> JSONResponse:
    """The mock's current time."""
    store = store_of(request)
    return JSONResponse({"now": store.stamp(store.clock.timestamp())})


async def register_webhook(request: Request) -> JSONResponse:
    """Register a webhook for the organization of the ``X-API-Key``."""
    org = organization(request)
    body = await read_json_object(request, required=True) or {}
    longest = {"url": MAX_WEBHOOK_URL, "secret": MAX_WEBHOOK_SECRET}
    errors = {
        name: [f"The {name} field must be a non-empty string of at most {bound} characters."]
        for name, bound in longest.items()
        if not isinstance(body.get(name), str) or not 0 < len(body[name]) <= bound
    }
    if not errors and not str(body["url"]).startswith(("http://", "https://")):
        errors["url"] = ["The url field must be an http(s) URL."]
    if errors:
        raise ValidationFailed(errors)
    store = store_of(request)
    own = [hook.id for hook in store.webhooks.values() if hook.organization == org.id]
    for forgotten in own[: max(0, len(own) - MAX_WEBHOOKS + 1)]:
        del store.webhooks[forgotten]  # registrations stay across resets: keep each organization's latest
    hook = store.register_webhook(org, body["url"], body["secret"])
    return JSONResponse({"id": hook.id}, status_code=201)


async def deliveries(request: Request) -> JSONResponse:
    """The latest webhook deliveries attempted (up to the dispatcher's bound), oldest first."""
    return JSONResponse(list(store_of(request).dispatcher.deliveries))


async def stats(request: Request) -> JSONResponse:
    """What the mock holds against each of its bounds, and what it forgot, dropped or refused to stay within them."""
    store = store_of(request)
    retention = store.retention
    dispatcher = store.dispatcher
    answer: dict[str, Any] = {
        "invoices": len(store.invoices),
        "refunds": len(store.refunds),
        "cart_lines": retention.lines,
        "max_invoices": retention.max_invoices,
        "max_refunds": retention.max_invoices,
        "max_cart_lines": retention.max_lines,
        "evicted_invoices": retention.stats.evicted_invoices,
        "evicted_refunds": retention.stats.evicted_refunds,
        "refused_creates": retention.stats.refused_creates,
        "queued_work": len(store.queue),
        "deliveries": len(dispatcher.deliveries),
        "max_deliveries": dispatcher.deliveries.maxlen,
        "dropped_deliveries": dispatcher.dropped,
        "rate_limit_keys": len(request.app.state.rate_windows),
    }
    connections = request.scope.get(CONNECTIONS_SCOPE)
    if connections is not None:
        answer["connections"] = connections.stats()
    return JSONResponse(answer)


ROUTES = [
    route("/reset", post=reset),
    route("/invoices/{id}/pay", post=pay),
    route("/invoices/{id}/expire", post=expire),
    route("/clock/advance", post=advance_clock),
    route("/clock", get=get_clock),
    route("/webhooks", post=register_webhook),
    route("/webhooks/deliveries", get=deliveries),
    route("/stats", get=stats),
]
