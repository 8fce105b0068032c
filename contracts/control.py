"""The mock-style control API (``/_control``): pay, expire and move time on a target that offers it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from apipay_harness.core.http import DEFAULT_BOUNDS, BoundedClient, Bounds, Tripwire
from contracts.client import send_or_give_up

__all__ = ["Control", "ControlError"]


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
