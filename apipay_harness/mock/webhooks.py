"""Webhook deliveries: signed, sent in the background with a timeout, never retried, every attempt recorded.

A receiver is a party the mock cannot trust: its answer is read to at most ``ANSWER_LIMIT`` bytes within
``DELIVERY_TIMEOUT`` seconds in all, then the connection is closed. The record of attempts keeps the latest
``MAX_DELIVERIES`` and at most ``MAX_IN_FLIGHT`` deliveries are under way at once, so neither a huge or slow
receiver nor a flood of events grows the mock without bound.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections import deque
from typing import Any

import httpx
import msgspec

from apipay_harness.mock.faults import WEBHOOK_SIGNATURE_WRONG, Faults
from apipay_harness.mock.limits import ANSWER_LIMIT, DELIVERY_TIMEOUT, MAX_DELIVERIES, MAX_IN_FLIGHT

__all__ = ["Dispatcher", "sign"]


def sign(secret: str, body: bytes) -> str:
    """The ``X-Webhook-Signature`` value: ``sha256=`` and the hex HMAC of the exact bytes."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Dispatcher:
    """Sends webhook events and keeps the record of every attempt."""

    def __init__(
        self,
        *,
        faults: Faults,
        timeout: float = DELIVERY_TIMEOUT,
        max_deliveries: int = MAX_DELIVERIES,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self.deliveries: deque[dict[str, Any]] = deque(maxlen=max_deliveries)
        self.dropped = 0
        """Records dropped from the front of ``deliveries`` to keep it at its bound."""
        self._faults = faults
        self._timeout = timeout
        self._max_in_flight = max_in_flight
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def send(self, *, url: str, secret: str, payload: dict[str, Any], delay: float = 0.0) -> dict[str, Any]:
        """Record a delivery and send it in the background ``delay`` real seconds later (without a loop: record it).

        Returns the delivery's record, which the attempt fills in (``status_code`` or ``error``).
        """
        body = msgspec.json.encode(payload)
        signed = body
        if self._faults.on(WEBHOOK_SIGNATURE_WRONG):
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
        if len(self.deliveries) == self.deliveries.maxlen:
            self.dropped += 1
        self.deliveries.append(record)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            record["error"] = "no event loop"
            return record
        if len(self._tasks) >= self._max_in_flight:
            record["error"] = f"not sent: {self._max_in_flight} deliveries were already under way"
            return record
        task = loop.create_task(self._deliver(record, body, delay))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return record

    async def _deliver(self, record: dict[str, Any], body: bytes, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)  # a late delivery, as a busy sender's queue makes it
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        headers = {"Content-Type": "application/json", "X-Webhook-Signature": record["signature"]}
        try:
            async with asyncio.timeout(self._timeout):
                async with self._client.stream("POST", record["url"], content=body, headers=headers) as response:
                    record["status_code"] = response.status_code
                    read = 0
                    async for chunk in response.aiter_raw():
                        read += len(chunk)
                        if read > ANSWER_LIMIT:
                            break  # leaving the block closes the connection: the rest is never read
        except TimeoutError:
            record["error"] = f"TimeoutError: no whole answer within {self._timeout:g}s"
        except (httpx.HTTPError, OSError, ValueError) as exc:
            record["error"] = f"{type(exc).__name__}: {exc}"[:300]

    def clear(self) -> None:
        """Forget the recorded deliveries."""
        self.deliveries.clear()
        self.dropped = 0

    async def aclose(self) -> None:
        """Cancel deliveries still in flight and close the client."""
        for task in list(self._tasks):
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
