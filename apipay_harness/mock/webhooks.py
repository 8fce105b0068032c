"""Webhook deliveries: signed, sent in the background with a timeout, never retried, every attempt recorded."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

import httpx
import msgspec

from apipay_harness.mock.faults import Faults

__all__ = ["DELIVERY_TIMEOUT", "Dispatcher", "sign"]

DELIVERY_TIMEOUT = 5.0


def sign(secret: str, body: bytes) -> str:
    """The ``X-Webhook-Signature`` value: ``sha256=`` and the hex HMAC of the exact bytes."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Dispatcher:
    """Sends webhook events and keeps the record of every attempt."""

    def __init__(self, *, faults: Faults, timeout: float = DELIVERY_TIMEOUT) -> None:
        self.deliveries: list[dict[str, Any]] = []
        self._faults = faults
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def send(self, *, url: str, secret: str, payload: dict[str, Any]) -> None:
        """Record a delivery and send it in the background (no-op recording if no loop runs)."""
        body = msgspec.json.encode(payload)
        signed = body
        if self._faults.on("webhook_signature_wrong"):
            signed = json.dumps(payload).encode()
        record: dict[str, Any] = {
            "event": payload["event"],
            "url": url,
            "status_code": None,
            "body": body.decode(),
            "signature": sign(secret, signed),
            "invoice_id": payload.get("invoice", {}).get("id"),
            "error": None,
        }
        self.deliveries.append(record)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            record["error"] = "no event loop"
            return
        task = loop.create_task(self._deliver(record, body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, record: dict[str, Any], body: bytes) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        headers = {"Content-Type": "application/json", "X-Webhook-Signature": record["signature"]}
        try:
            response = await self._client.post(record["url"], content=body, headers=headers)
        except (httpx.HTTPError, OSError, ValueError) as exc:
            record["error"] = f"{type(exc).__name__}: {exc}"[:300]
        else:
            record["status_code"] = response.status_code

    def clear(self) -> None:
        """Forget the recorded deliveries."""
        self.deliveries.clear()

    async def aclose(self) -> None:
        """Cancel deliveries still in flight and close the client."""
        for task in list(self._tasks):
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
