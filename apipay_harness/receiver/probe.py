"""The optional probe: an endpoint of the receiver that says how often it processed one event.

Answers alone cannot show idempotency: a receiver can answer 2xx to a duplicate and still fulfil the order twice.
With ``--probe-url`` the judge asks after each story::

    GET <probe-url>?event=invoice.status_changed&invoice_id=42&status=paid
    200 {"processed": 1}

``processed`` is how many times the receiver acted on that event's de-duplication key, as the spec names it:
(invoice id, status) as above, or, where the spec keys an event by its refund (``refund.id``, ``refund.status``),
``refund_id`` added and ``status`` the refund's. ``event`` is given too for receivers that key by it.
A receiver that hands work to a queue counts when it decides to enqueue. The judge requires at most 1 for every
delivery it signed correctly (exactly 1 for each of two distinct refunds) and 0 for every forged one. A probe
that breaks this contract makes the run incomplete (exit 2), never passed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from apipay_harness.receiver.exchange import USER_AGENT, exchange

__all__ = ["PROBE_DEADLINE", "Probe", "ProbeReading"]

PROBE_DEADLINE = 5.0
"""Seconds one probe query may take."""

_FIELD = "processed"


def _query_name(path: str) -> str:
    """The probe's query parameter for a key's field path: ``refund.id`` → ``refund_id``, ``*.status`` → ``status``."""
    owner, _, name = path.rpartition(".")
    if name == "status" or not owner:
        return name
    return f"{owner.replace('.', '_')}_{name}"


@dataclass(frozen=True, slots=True)
class ProbeReading:
    """What the probe said about one (event, invoice id, status), or why it said nothing usable."""

    query: str
    processed: int | None
    problem: str = ""


class Probe:
    """Queries the receiver's probe endpoint."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(PROBE_DEADLINE),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        )

    async def aclose(self) -> None:
        """Close the probe's connections."""
        await self._client.aclose()

    async def processed(self, *, event: str, invoice_id: int, key: Mapping[str, Any]) -> ProbeReading:
        """How often the receiver processed the event of de-duplication ``key`` (path → value), read in time."""
        params = {"event": event, "invoice_id": str(invoice_id)}
        for path, value in key.items():
            if value is not None and not isinstance(value, (dict, list)):
                params[_query_name(path)] = str(value)
        request = self._client.build_request("GET", self.url, params=params)
        query = str(request.url)
        done = await exchange(self._client, request, deadline=PROBE_DEADLINE)
        if done.status is None:
            return ProbeReading(query, None, f"the probe gave no answer: {done.problem}")
        if done.status != 200:
            return ProbeReading(query, None, f"the probe {done.describe()}, expected 200")
        try:
            value = json.loads(done.excerpt).get(_FIELD)
        except (ValueError, AttributeError):
            value = None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return ProbeReading(query, None, f'the probe answered {done.excerpt[:120]!r}, expected {{"{_FIELD}": n}}')
        return ProbeReading(query, value)
