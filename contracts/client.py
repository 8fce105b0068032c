"""The HTTP client every suite talks to the target with.

It is a thin ``httpx.Client`` bound to one API key that remembers the last exchange,
so the plugin can turn a failing test's last request into a curl reproducer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from apipay_harness.core.http import DEFAULT_BOUNDS, BoundedClient, Bounds, OutOfBounds, Tripwire

__all__ = ["ApiClient", "send_or_give_up"]


def send_or_give_up(client: BoundedClient, request: httpx.Request) -> httpx.Response:
    """Send ``request`` through ``client``; an answer out of bounds or too late ends the run with exit 2.

    A target that breaks a bound once cannot be judged any further (its answers are cut, or never come), so
    the run stops with one line naming the request instead of recording a failure per test.
    """
    try:
        return client.send(request)
    except OutOfBounds as exc:
        reason = str(exc)
    except httpx.TimeoutException as exc:
        where = f"{request.method} {request.url.path}"
        reason = f"the target did not answer {where} within {client.bounds.seconds:g}s ({type(exc).__name__})"
    if client.tripwire is not None:
        client.tripwire.trip(reason)
        reason = client.tripwire.reason or reason
    pytest.exit(reason, returncode=2)


class ApiClient:
    """Calls the API under ``base_url`` as one organization (``key``; ``None`` sends no key).

    | call | means |
    |---|---|
    | ``ApiClient(base_url=t.base_url, key=t.api_key)`` | organization 1 |
    | ``client.get("/invoices/42")`` | ``GET {base_url}/invoices/42`` with ``X-API-Key`` |
    | ``client.last_request`` | what was actually sent last, for a reproducer |

    Every answer is read within ``bounds`` (size and total time). An answer that breaks them, or a target that
    does not answer in time, ends the whole run with exit 2 and one line: its answers cannot be judged. Clients
    sharing a ``tripwire`` stop together.

    **on_request** – *(optional)* called with every request before it is sent (the plugin's exchange log; it
    may raise to refuse a request, as the production profile's invoice cap does).
    **on_response** – *(optional)* called with every response (the plugin tracks the invoices a run created).
    """

    def __init__(
        self,
        *,
        base_url: str,
        key: str | None,
        bounds: Bounds = DEFAULT_BOUNDS,
        tripwire: Tripwire | None = None,
        on_request: Callable[[httpx.Request], None] | None = None,
        on_response: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        headers = {"X-API-Key": key} if key is not None else {}
        self.base_url = base_url.rstrip("/")
        self.key = key
        self._client = BoundedClient(
            base_url=self.base_url, headers=headers, bounds=bounds, tripwire=tripwire or Tripwire()
        )
        self.last_request: httpx.Request | None = None
        self.last_response: httpx.Response | None = None
        self._on_request = on_request
        self._on_response = on_response

    def __repr__(self) -> str:
        return f"ApiClient(base_url={self.base_url!r}, key={'[redacted]' if self.key else None})"

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send ``method path`` (relative to the base URL) and remember the exchange."""
        url = path if path.startswith(("http://", "https://")) else self.base_url + "/" + path.lstrip("/")
        request = self._client.build_request(method, url, **kwargs)
        self.last_request = request
        self.last_response = None
        if self._on_request is not None:
            self._on_request(request)
        response = self._send(request)
        self.last_response = response
        if self._on_response is not None:
            self._on_response(response)
        return response

    def _send(self, request: httpx.Request) -> httpx.Response:
        return send_or_give_up(self._client, request)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """Send a GET."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        """Send a POST."""
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        """Send a PATCH."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        """Send a DELETE."""
        return self.request("DELETE", path, **kwargs)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
