"""schemathesis' traffic under the harness's bounds: its ``requests`` sessions send through ``BoundedClient``.

schemathesis sends every case, probe and check request through ``requests`` sessions it builds itself, and
``requests`` reads a body whole however long it is and however slowly it comes. Inside ``bounded_requests()``
every ``requests.Session`` created mounts ``BoundedAdapter`` instead of urllib3's adapter: the request
``requests`` prepared is sent as is through a ``BoundedClient`` (size and total-time bounds, the run's
tripwire), and the answer comes back as a ``requests.Response`` schemathesis reads as usual. A broken bound
reaches schemathesis as a ``requests`` connection error, so it is recorded as an error of that case.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import requests
import requests.adapters
import requests.sessions
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict

from apipay_harness.core.http import DEFAULT_BOUNDS, BoundedClient, Bounds, OutOfBounds, Tripwire

__all__ = ["BoundedAdapter", "RequestOutOfBounds", "bounded_requests"]


class RequestOutOfBounds(requests.exceptions.ConnectionError):
    """An answer broke the harness's bounds (as ``OutOfBounds``), in the exception tree ``requests`` callers catch."""


class BoundedAdapter(requests.adapters.BaseAdapter):
    """A ``requests`` transport adapter that sends through ``BoundedClient``s (one per TLS-verify setting)."""

    def __init__(self, *, bounds: Bounds = DEFAULT_BOUNDS, tripwire: Tripwire | None = None) -> None:
        super().__init__()
        self.bounds = bounds
        self.tripwire = tripwire
        self._clients: dict[str, BoundedClient] = {}
        self._lock = threading.Lock()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        """Send the prepared request exactly as ``requests`` built it and read the answer within the bounds."""
        client = self._client(verify)
        content = _body_bytes(request.body)
        headers = [(name.encode("latin-1"), _latin1(value)) for name, value in request.headers.items()]
        outgoing = httpx.Request(str(request.method), str(request.url), headers=headers, content=content)
        try:
            answer = client.send(outgoing)
        except OutOfBounds as exc:
            raise RequestOutOfBounds(str(exc), request=request) from None
        except httpx.ConnectTimeout as exc:
            raise requests.exceptions.ConnectTimeout(str(exc), request=request) from None
        except httpx.TimeoutException as exc:
            raise requests.exceptions.ReadTimeout(str(exc), request=request) from None
        except httpx.DecodingError as exc:
            raise requests.exceptions.ContentDecodingError(str(exc), request=request) from None
        except httpx.TransportError as exc:
            raise requests.exceptions.ConnectionError(str(exc), request=request) from None
        return _to_requests(request, answer, adapter=self)

    def close(self) -> None:
        """A session closing leaves the adapter open: it is shared by every session of the block."""

    def shutdown(self) -> None:
        """Close every client's connections (at the end of the block)."""
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def _client(self, verify: Any) -> BoundedClient:
        key = repr(verify)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = BoundedClient(bounds=self.bounds, tripwire=self.tripwire, verify=verify)
            return self._clients[key]


def _body_bytes(body: Any) -> bytes | None:
    """The prepared body as bytes (``urllib3`` encodes text bodies as UTF-8; files and iterables are read)."""
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        return _body_bytes(body.read())
    return b"".join(part.encode("utf-8") if isinstance(part, str) else bytes(part) for part in body)


def _latin1(value: str | bytes) -> bytes:
    """A header value as ``http.client`` would put it on the wire."""
    return value if isinstance(value, bytes) else value.encode("latin-1")


def _to_requests(
    request: requests.PreparedRequest, answer: httpx.Response, *, adapter: BoundedAdapter
) -> requests.Response:
    """The answer as the ``requests.Response`` urllib3's adapter would have built (body already read)."""
    raw_headers = HTTPHeaderDict()
    for name, value in answer.headers.multi_items():
        raw_headers.add(name, value)
    version = 10 if answer.http_version == "HTTP/1.0" else 11
    raw = HTTPResponse(
        body=io.BytesIO(answer.content),
        headers=raw_headers,
        status=answer.status_code,
        version=version,
        reason=answer.reason_phrase,
        preload_content=False,
        decode_content=False,
        request_url=str(request.url),
    )
    response = requests.Response()
    response.status_code = answer.status_code
    response.headers = CaseInsensitiveDict(raw_headers)
    response.encoding = get_encoding_from_headers(response.headers)
    response.raw = raw
    response.reason = answer.reason_phrase
    response.url = str(request.url)
    response.request = request
    response.connection = adapter  # type: ignore[assignment]
    response.elapsed = answer.elapsed
    response._content = answer.content  # read and decoded already, within the bounds
    response._content_consumed = True
    return response


def _factory(adapter: BoundedAdapter) -> Any:
    """What ``requests.Session.__init__`` calls where it would call ``HTTPAdapter()``."""

    def make() -> BoundedAdapter:
        return adapter

    return make


@contextmanager
def bounded_requests(*, bounds: Bounds = DEFAULT_BOUNDS, tripwire: Tripwire | None = None) -> Iterator[Tripwire]:
    """Within the block, every new ``requests.Session`` sends through one ``BoundedAdapter``; yields its tripwire.

    ``requests.Session`` mounts ``requests.sessions.HTTPAdapter()`` on creation, so that name is swapped for the
    block's duration; sessions created before or after are untouched.
    """
    wire = tripwire or Tripwire()
    adapter = BoundedAdapter(bounds=bounds, tripwire=wire)
    original = requests.sessions.HTTPAdapter  # type: ignore[attr-defined]
    requests.sessions.HTTPAdapter = _factory(adapter)  # type: ignore[attr-defined]
    try:
        yield wire
    finally:
        requests.sessions.HTTPAdapter = original  # type: ignore[attr-defined]
        adapter.shutdown()
