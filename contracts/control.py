"""Driving what a customer, Kaspi or time would do: the mock-style control API, or the sandbox's simulate-status.

``Control`` is the mock-style control API (``/_control``): pay, expire, settle a delivery, finish a refund and
move time on a target that offers it. ``Sandbox`` is the provider's own ``POST /invoices/{id}/simulate-status``
(``--control sandbox``): what it may do is read from the spec's ``x-status-effect``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from apipay_harness.core.http import DEFAULT_BOUNDS, BoundedClient, Bounds, Tripwire
from apipay_harness.core.spec import SIMULATE_STATUS_PATH
from contracts.client import ApiClient, send_or_give_up

__all__ = ["SETTLES_FROM", "Control", "ControlError", "Sandbox"]

SETTLES_FROM = frozenset({"processing", "error"})
"""The statuses the control API's settle acts on: a delivery Kaspi answers, or an ``error`` reconciled.

Its outcome is ``pending`` (the default) or ``error``; from any other status it answers 409 (docs/mock.md).
"""


class ControlError(AssertionError):
    """The control API answered something its documented answers do not allow; the suite cannot go on."""


class Control:
    """Drives what a real customer, Kaspi or the passing of time would (``control_url`` ends in ``/_control``).

    Its answers are read within ``bounds`` like the API's (an answer out of bounds ends the run with exit 2);
    ``redact`` removes the run's secrets from answer text before a message quotes a piece of it.
    """

    def __init__(
        self,
        *,
        control_url: str,
        bounds: Bounds = DEFAULT_BOUNDS,
        tripwire: Tripwire | None = None,
        on_secret: Callable[[str], None] | None = None,
        redact: Callable[[str], str] | None = None,
    ) -> None:
        self.control_url = control_url.rstrip("/")
        self._client = BoundedClient(base_url=self.control_url, bounds=bounds, tripwire=tripwire or Tripwire())
        self._on_secret = on_secret
        self._redact = redact or (lambda text: text)

    def __repr__(self) -> str:
        return f"Control({self.control_url!r})"

    def reset(self) -> None:
        """Forget all invoices, refunds and deliveries and put the clock back to real time."""
        self._expect(self._send("POST", "/reset"), 200, 204)

    def pay(self, invoice_id: int, client_name: str | None = None) -> httpx.Response:
        """Have the customer pay ``invoice_id``; the answer is returned as is (200, 409 or 404)."""
        body = {"client_name": client_name} if client_name is not None else None
        return self._send("POST", f"/invoices/{invoice_id}/pay", json=body)

    def expire(self, invoice_id: int) -> httpx.Response:
        """Let ``invoice_id`` time out; the answer is returned as is (200, 409 or 404)."""
        return self._send("POST", f"/invoices/{invoice_id}/expire")

    def settle(self, invoice_id: int, status: str = "pending") -> httpx.Response:
        """Have Kaspi answer ``invoice_id``'s delivery now with ``status``; the answer is returned as is (200, 409)."""
        return self._send("POST", f"/invoices/{invoice_id}/settle", json={"status": status})

    def finish_refund(self, refund_id: int, status: str = "completed") -> httpx.Response:
        """Have Kaspi finish a queued refund now (``completed`` or ``failed``); returned as is (200, 409, 404)."""
        return self._send("POST", f"/refunds/{refund_id}/finish", json={"status": status})

    def advance(self, seconds: float) -> str:
        """Move the target's clock on by ``seconds`` and settle what is due; returns the new time."""
        response = self._expect(self._send("POST", "/clock/advance", json={"seconds": seconds}), 200)
        return str(response.json()["now"])

    def now(self) -> str:
        """The target's current clock time (ISO 8601)."""
        response = self._expect(self._send("GET", "/clock"), 200)
        return str(response.json()["now"])

    def register_webhook(self, *, url: str, secret: str, api_key: str) -> int:
        """Register a webhook receiver for ``api_key``'s organization; returns its id (``secret`` is redacted)."""
        if self._on_secret is not None:
            self._on_secret(secret)
        response = self._send("POST", "/webhooks", json={"url": url, "secret": secret}, headers={"X-API-Key": api_key})
        return int(self._expect(response, 200, 201).json()["id"])

    def deliveries(self) -> list[dict[str, Any]]:
        """Every webhook delivery the target attempted so far."""
        body = self._expect(self._send("GET", "/webhooks/deliveries"), 200).json()
        if not isinstance(body, list):
            raise ControlError(f"GET /_control/webhooks/deliveries answered {type(body).__name__}, not a JSON array")
        return body

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return send_or_give_up(self._client, self._client.build_request(method, path, **kwargs))

    def _expect(self, response: httpx.Response, *statuses: int) -> httpx.Response:
        if response.status_code not in statuses:
            request = response.request
            excerpt = self._redact(response.text)[:200]  # redacted first: a cut could split a secret
            raise ControlError(
                f"control API {request.method} {request.url.path} answered {response.status_code}, "
                f"expected {' or '.join(map(str, statuses))}: {excerpt}"
            )
        return response


class Sandbox:
    """The provider's sandbox simulation: a ``pending`` invoice paid, cancelled, expired or failed on request.

    Which statuses it acts on and what each request leads to are the spec's ``x-status-effect`` of
    simulate-status; a target without the operation has no sandbox to drive.
    """

    def __init__(self, api: ApiClient, spec: dict[str, Any]) -> None:
        operation = (spec.get("paths") or {}).get(SIMULATE_STATUS_PATH, {}).get("post")
        if not isinstance(operation, dict) or "x-status-effect" not in operation:
            raise LookupError(f"the spec has no POST {SIMULATE_STATUS_PATH} with x-status-effect")
        effect = operation["x-status-effect"]
        self.api = api
        self.path = SIMULATE_STATUS_PATH
        self.acts_on: frozenset[str] = frozenset(effect["from"])
        """The statuses simulate-status moves an invoice from (any other is refused)."""
        self.leads_to: dict[str, str] = {str(k): str(v) for k, v in effect["to"].items()}
        """Each status a request may ask for, and the status the invoice then takes."""

    def __repr__(self) -> str:
        return f"Sandbox({self.api!r})"

    def simulate(self, invoice_id: int, status: str) -> httpx.Response:
        """Ask the sandbox to move ``invoice_id`` as if Kaspi reported ``status``; the answer is returned as is."""
        return self.api.post(self.path.format(id=invoice_id), json={"status": status})
