"""Bounded HTTP: every answer the harness reads is capped in size and in total time.

A target the harness judges may be broken or hostile: an endless chunked or close-delimited body, a
``Content-Length`` of a gigabyte, or a body dripping one byte every few seconds so that no single socket read
ever times out. So every exchange gets a ``Budget``: at most ``max_bytes`` of body however it is framed, and
ONE deadline for the whole answer (connect, headers and body), enforced at every socket read and write. Every
request the harness sends goes through ``BoundedClient`` (the suites' client, the control API, the preflight,
the load audit) or, for schemathesis' ``requests`` traffic, through ``bounded_requests``, which routes it
through the same client.

    OutOfBounds (httpx.TransportError)   the answer broke a bound; the run stops trusting the target
    ├── AnswerTooLarge                   more than ``max_bytes`` of body
    └── AnswerTooSlow                    not complete by the deadline
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

__all__ = [
    "ANSWER_SECONDS",
    "CONNECT_SECONDS",
    "DEFAULT_BOUNDS",
    "MAX_ANSWER_BYTES",
    "AnswerTooLarge",
    "AnswerTooSlow",
    "BoundedClient",
    "Bounds",
    "Budget",
    "OutOfBounds",
    "Tripwire",
]

MAX_ANSWER_BYTES = 10 * 1024 * 1024
"""The largest answer body the harness reads: no documented answer comes near it; a 1 GiB one must not hang a run."""

ANSWER_SECONDS = 10.0
"""The whole time one answer may take, from connecting to the last byte of its body."""

CONNECT_SECONDS = 3.0
"""How long opening a connection may take (within the answer's time)."""


@dataclass(frozen=True, slots=True)
class Bounds:
    """How much of an answer the harness reads, and for how long.

    | call | means |
    |---|---|
    | ``Bounds()`` | 10 MiB, 10 s per answer (the suites' traffic) |
    | ``Bounds(seconds=5)`` | the same size, 5 s per answer (the preflight) |
    """

    max_bytes: int = MAX_ANSWER_BYTES
    seconds: float = ANSWER_SECONDS
    connect: float = CONNECT_SECONDS


DEFAULT_BOUNDS = Bounds()


class OutOfBounds(httpx.TransportError):
    """The target's answer broke a bound (size or time): what it says cannot be trusted, nor waited for."""


class AnswerTooLarge(OutOfBounds):
    """The answer's body passed the size bound."""


class AnswerTooSlow(OutOfBounds):
    """The answer was not complete by its deadline."""


class Budget:
    """What one answer may still use: bytes left and a deadline on the monotonic clock."""

    def __init__(self, bounds: Bounds, *, where: str = "") -> None:
        self.bounds = bounds
        self.where = where
        self.deadline = time.monotonic() + bounds.seconds
        self.taken = 0

    def seconds_left(self) -> float:
        """Seconds until the deadline (negative once it passed)."""
        return self.deadline - time.monotonic()

    def take(self, size: int) -> None:
        """Count ``size`` more bytes of body; raise when the size or the time is used up."""
        self.taken += size
        if self.taken > self.bounds.max_bytes:
            raise self.too_large()
        if self.seconds_left() <= 0:
            raise self.too_slow()

    def too_large(self) -> AnswerTooLarge:
        """The error for an answer past the size bound."""
        return AnswerTooLarge(
            f"the target sent more than {self.bounds.max_bytes} bytes answering {self.where or 'a request'} "
            f"(limit {self.bounds.max_bytes} bytes)"
        )

    def too_slow(self) -> AnswerTooSlow:
        """The error for an answer still incomplete at its deadline."""
        return AnswerTooSlow(
            f"the target did not finish answering {self.where or 'a request'} within {self.bounds.seconds:g}s "
            f"(body bytes received by then: {self.taken})"
        )


class Tripwire:
    """Shared by the clients of one run: once an answer broke a bound, every later request fails at once."""

    def __init__(self) -> None:
        self._reason: str | None = None
        self._lock = threading.Lock()

    @property
    def reason(self) -> str | None:
        """Why the run gave up on the target, if it did."""
        return self._reason

    def trip(self, reason: str) -> None:
        """Give up on the target (the first reason is kept)."""
        with self._lock:
            if self._reason is None:
                self._reason = reason

    def check(self) -> None:
        """Raise ``OutOfBounds`` when the run already gave up."""
        if self._reason is not None:
            raise OutOfBounds(self._reason)


_current = threading.local()
_LIMITS = httpx.Limits()


@contextmanager
def _budget_in_force(budget: Budget) -> Iterator[None]:
    """Make ``budget`` the one every socket operation of this thread is clipped to."""
    previous = getattr(_current, "budget", None)
    _current.budget = budget
    try:
        yield
    finally:
        _current.budget = previous


def _clip(timeout: float | None, error: type[Exception]) -> float | None:
    """The socket timeout for one operation: the caller's, but never past the answer's deadline."""
    budget: Budget | None = getattr(_current, "budget", None)
    if budget is None:
        return timeout
    left = budget.seconds_left()
    if left <= 0:
        raise error("the answer's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the current answer's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        stream = self._stream.start_tls(ssl_context, server_hostname, _clip(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own socket backend, with every stream it opens clipped to the current deadline."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _clip(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        timeout = _clip(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


_SSL_CONTEXTS: dict[bool, ssl.SSLContext] = {}
_SSL_LOCK = threading.Lock()


def _ssl_context(verify: Any) -> ssl.SSLContext:
    """The TLS context for ``verify``, built once for the two plain settings.

    Loading the CA bundle takes ~20 ms, and every client (schemathesis builds two per engine run) would pay it.
    """
    if not isinstance(verify, bool):
        return httpx.create_ssl_context(verify=verify)
    with _SSL_LOCK:
        if verify not in _SSL_CONTEXTS:
            _SSL_CONTEXTS[verify] = httpx.create_ssl_context(verify=verify)
        return _SSL_CONTEXTS[verify]


class _BoundedTransport(httpx.HTTPTransport):
    """httpx's transport on a connection pool whose sockets keep the answer's deadline."""

    def __init__(self, *, verify: Any = True, limits: httpx.Limits = _LIMITS) -> None:
        context = _ssl_context(verify)
        super().__init__(verify=context, limits=limits, trust_env=False)
        # httpx offers no network-backend argument, so the pool it built is replaced by the same one with ours.
        # Proxies from the environment are not used: the harness talks to the target directly.
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )


class BoundedClient(httpx.Client):
    """An ``httpx.Client`` whose every answer is read whole within ``bounds`` (size and total time).

    **bounds** – *(optional)* the size and time bounds of each answer (``DEFAULT_BOUNDS``).
    **tripwire** – *(optional)* shared with other clients of the run: a bound broken once trips it, and every
    later request of any client sharing it fails at once with ``OutOfBounds``.
    Other keywords are ``httpx.Client``'s (``base_url``, ``headers``, ``verify``, ``limits``).
    """

    def __init__(self, *, bounds: Bounds = DEFAULT_BOUNDS, tripwire: Tripwire | None = None, **kwargs: Any) -> None:
        verify = kwargs.pop("verify", True)
        limits = kwargs.pop("limits", _LIMITS)
        kwargs.setdefault("timeout", httpx.Timeout(bounds.seconds, connect=min(bounds.connect, bounds.seconds)))
        super().__init__(transport=_BoundedTransport(verify=verify, limits=limits), **kwargs)
        self.bounds = bounds
        self.tripwire = tripwire

    def send(self, request: httpx.Request, *, stream: bool = False, **kwargs: Any) -> httpx.Response:
        """Send ``request`` and read its answer within the bounds (``stream`` is accepted but the body is read)."""
        if self.tripwire is not None:
            self.tripwire.check()
        budget = Budget(self.bounds, where=f"{request.method} {request.url.path}")
        try:
            with _budget_in_force(budget):
                response = super().send(request, stream=True, **kwargs)
                try:
                    _read_within(response, budget)
                finally:
                    response.close()
        except httpx.TimeoutException:
            if budget.seconds_left() > 0:
                raise
            self._trip(budget.too_slow())
        except OutOfBounds as exc:
            self._trip(exc)
        return response

    def _trip(self, exc: OutOfBounds) -> None:
        if self.tripwire is not None:
            self.tripwire.trip(str(exc))
        raise exc from None


def _read_within(response: httpx.Response, budget: Budget) -> None:
    """Read the (decoded) body chunk by chunk, counting it against ``budget``, and keep it as the content."""
    announced = response.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > budget.bounds.max_bytes:
        raise budget.too_large()
    chunks: list[bytes] = []
    for chunk in response.iter_bytes():
        budget.take(len(chunk))
        chunks.append(chunk)
    # What ``Response.read()`` itself stores: the body is read, so ``.content``, ``.text`` and ``.json()`` work.
    response._content = b"".join(chunks)
