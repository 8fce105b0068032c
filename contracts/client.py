"""The HTTP client every suite talks to the target with.

It is a thin ``httpx.Client`` bound to one API key that remembers the last exchange,
so the plugin can turn a failing test's last request into a curl reproducer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

__all__ = ["DEFAULT_TIMEOUT", "MAX_BODY_BYTES", "ApiClient"]

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
MAX_BODY_BYTES = 10 * 1024 * 1024
"""The largest answer the harness reads: no documented answer comes near it, and a 1 GiB one must not hang a run."""


class ApiClient:
    """Calls the API under ``base_url`` as one organization (``key``; ``None`` sends no key).

    | call | means |
    |---|---|
    | ``ApiClient(base_url=t.base_url, key=t.api_key)`` | organization 1 |
    | ``client.get("/invoices/42")`` | ``GET {base_url}/invoices/42`` with ``X-API-Key`` |
    | ``client.last_request`` | what was actually sent last, for a reproducer |

    **on_request** – *(optional)* called with every request before it is sent (the plugin's exchange log; it
    may raise to refuse a request, as the production profile's invoice cap does).
    **on_response** – *(optional)* called with every response (the plugin tracks the invoices a run created).
    """

    def __init__(
        self,
        *,
        base_url: str,
        key: str | None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        on_request: Callable[[httpx.Request], None] | None = None,
        on_response: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        headers = {"X-API-Key": key} if key is not None else {}
        self.base_url = base_url.rstrip("/")
        self.key = key
        self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)
        self.last_request: httpx.Request | None = None
        self.last_response: httpx.Response | None = None
        self._on_request = on_request
        self._on_response = on_response
        self._gave_up: str | None = None
        self._deadline = (timeout.read if isinstance(timeout, httpx.Timeout) else timeout) or DEFAULT_TIMEOUT.read

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
        """Send and read one exchange; a target that stalls past the timeout or answers too much ends the run (2)."""
        where = f"{request.method} {request.url.path}"
        if self._gave_up is not None:
            pytest.exit(self._gave_up, returncode=2)
        started = time.monotonic()
        try:
            response = self._client.send(request, stream=True)
            announced = response.headers.get("content-length", "")
            if announced.isdigit() and int(announced) > MAX_BODY_BYTES:
                response.close()
                self._gave_up = f"the target announced a {announced}-byte answer to {where} (limit {MAX_BODY_BYTES})"
            else:
                response.read()
                took = time.monotonic() - started
                if took < self._deadline:
                    return response
                # An answer that arrives only as the timeout runs out is a stall too (or the run would crawl).
                self._gave_up = f"the target took {took:.1f}s to answer {where} (limit {self._deadline:g}s)"
        except httpx.TimeoutException as exc:
            self._gave_up = f"the target did not answer {where} within {self._deadline:g}s ({type(exc).__name__})"
        pytest.exit(self._gave_up, returncode=2)

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
