"""A webhook receiver on loopback that keeps the exact bytes of every delivery.

The contract suites register it with the target (the webhooks suite judges what arrives, the tenancy
suite needs a webhook of its own) and the mock's tests with the mock; both import this one module.
It is not the ``receiver`` command (``apipay_harness.receiver``), which judges an integrator's receiver.

The sender is not trusted: each connection carries one delivery, read
within the harness's bounds (``apipay_harness.core.http``): at most ``max_bytes`` of body, whether framed
by ``Content-Length`` or chunked, and one deadline for the whole request, headers included (a watchdog shuts
the connection at the deadline, so a sender dripping bytes cannot hold a thread). A delivery out of bounds is
answered 413 (too large) or dropped (too slow) and noted in ``Receiver.refused``, never kept.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase
from typing import Any

from apipay_harness.core.http import DEFAULT_BOUNDS, AnswerTooLarge, Bounds, Budget, OutOfBounds

__all__ = ["NO_ANSWER", "Delivery", "WebhookInbox", "webhook_inbox"]

NO_ANSWER = 0
"""In a script of answers: close the connection without answering (what a sender counts as no answer)."""

_LINE = 1024
"""The longest chunk-size or trailer line read."""
_PIECE = 64 * 1024


@dataclass(frozen=True, slots=True)
class Delivery:
    """One request the target sent: its path, headers (lower-cased names) and the raw body bytes."""

    path: str
    headers: dict[str, str]
    body: bytes


class WebhookInbox:
    """Collects deliveries; tests wait on a condition with a deadline, never on a sleep."""

    def __init__(self, server: ThreadingHTTPServer, *, bounds: Bounds = DEFAULT_BOUNDS, status: int = 200) -> None:
        self._server = server
        self.bounds = bounds
        self.status = status
        """The status every kept delivery is answered with (a 5xx makes the sender retry or record a failure)."""
        self._condition = threading.Condition()
        self._script: list[int] = []
        self._scripted: Callable[[Delivery], bool] | None = None
        self._deliveries: list[Delivery] = []
        self.refused: list[str] = []
        """One line per delivery the receiver would not keep (out of bounds or malformed)."""

    @property
    def url(self) -> str:
        """Where the target should deliver."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def script(self, answers: list[int], *, when: Callable[[Delivery], bool] | None = None) -> None:
        """Answer the next deliveries ``when`` picks (default: all) with these statuses, one each, in order.

        ``NO_ANSWER`` hangs up; past the script, and for deliveries ``when`` does not pick, ``status`` is
        answered. A retrying sender is tested this way: a 500, a 429 or no answer to one event's attempts.
        """
        with self._condition:
            self._script = list(answers)
            self._scripted = when

    def add(self, delivery: Delivery) -> int:
        """Record a delivery, wake the waiters, and say what to answer it (``NO_ANSWER``: hang up)."""
        with self._condition:
            self._deliveries.append(delivery)
            self._condition.notify_all()
            picked = self._scripted is None or self._scripted(delivery)
            return self._script.pop(0) if self._script and picked else self.status

    def refuse(self, reason: str) -> None:
        """Note a delivery that was not kept."""
        with self._condition:
            self.refused.append(reason)

    def snapshot(self) -> list[Delivery]:
        """Every delivery so far."""
        with self._condition:
            return list(self._deliveries)

    @property
    def received(self) -> list[tuple[bytes, dict[str, str]]]:
        """Every delivery so far as (raw body, headers), the two parts a test of the sender reads."""
        return [(d.body, d.headers) for d in self.snapshot()]

    def verified(self, secret: str) -> list[bool]:
        """For each delivery, whether ``X-Webhook-Signature`` holds the HMAC-SHA256 of the exact bytes received."""
        results = []
        for delivery in self.snapshot():
            expected = "sha256=" + hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
            results.append(hmac.compare_digest(expected, delivery.headers.get("x-webhook-signature", "")))
        return results

    def wait_for(self, predicate: Callable[[list[Delivery]], bool], *, timeout: float) -> list[Delivery]:
        """Block until ``predicate`` holds over the deliveries or ``timeout`` seconds pass; return them either way."""
        with self._condition:
            self._condition.wait_for(lambda: predicate(self._deliveries), timeout=timeout)
            return list(self._deliveries)


class _Malformed(ValueError):
    """The request's framing is broken (a bad length or chunk size)."""


def _read_body(rfile: BufferedIOBase, headers: Any, budget: Budget) -> bytes:
    """The request body, framed by ``Content-Length`` or chunked, counted against ``budget``."""
    if "chunked" in str(headers.get("Transfer-Encoding", "")).lower():
        return _read_chunked(rfile, budget)
    text = str(headers.get("Content-Length") or "0").strip()
    if not text.isdigit():
        raise _Malformed(f"Content-Length {text[:40]!r}")
    length = int(text)
    if length > budget.bounds.max_bytes:
        raise budget.too_large()
    return _read_exactly(rfile, length, budget)


def _read_exactly(rfile: BufferedIOBase, length: int, budget: Budget) -> bytes:
    pieces: list[bytes] = []
    left = length
    while left:
        piece = rfile.read(min(left, _PIECE))
        if not piece:
            raise _Malformed(f"the body ended {left} bytes short")
        budget.take(len(piece))
        pieces.append(piece)
        left -= len(piece)
    return b"".join(pieces)


def _read_chunked(rfile: BufferedIOBase, budget: Budget) -> bytes:
    pieces: list[bytes] = []
    while True:
        size_line = rfile.readline(_LINE).split(b";")[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise _Malformed(f"chunk size {size_line[:40]!r}") from None
        if size == 0:
            while rfile.readline(_LINE).strip():  # trailers, up to the blank line
                if budget.seconds_left() <= 0:
                    raise budget.too_slow()
            return b"".join(pieces)
        if budget.taken + size > budget.bounds.max_bytes:
            raise budget.too_large()
        pieces.append(_read_exactly(rfile, size, budget))
        rfile.readline(_LINE)


def _handler(receiver_ref: list[WebhookInbox]) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.settimeout(receiver_ref[0].bounds.seconds)

        def handle(self) -> None:
            """One delivery per connection, cut off at the deadline however slowly its bytes come."""
            watchdog = threading.Timer(receiver_ref[0].bounds.seconds, self._cut)
            watchdog.daemon = True
            watchdog.start()
            try:
                self.close_connection = True
                with suppress(OSError):
                    self.handle_one_request()
            finally:
                watchdog.cancel()

        def _cut(self) -> None:
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            receiver = receiver_ref[0]
            budget = Budget(receiver.bounds, where=f"the delivery to {self.path}")
            try:
                body = _read_body(self.rfile, self.headers, budget)
            except AnswerTooLarge as exc:
                receiver.refuse(str(exc))
                self._answer(413, b'{"message": "too large"}')
                return
            except (OutOfBounds, _Malformed, OSError) as exc:
                receiver.refuse(f"{type(exc).__name__}: {exc}")
                with suppress(OSError):
                    self._answer(400, b'{"message": "unreadable"}')
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            status = receiver.add(Delivery(self.path, headers, body))
            if status == NO_ANSWER:
                self.close_connection = True
                with suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._answer(status, b"{}")

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
            """Stay quiet: library code never prints."""

    return _Handler


@contextmanager
def webhook_inbox(*, status: int = 200, bounds: Bounds = DEFAULT_BOUNDS) -> Iterator[WebhookInbox]:
    """Serve an inbox on a free loopback port in a thread for the duration of the block."""
    ref: list[WebhookInbox] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    receiver = WebhookInbox(server, bounds=bounds, status=status)
    ref.append(receiver)
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
