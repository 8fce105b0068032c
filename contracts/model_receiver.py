"""A webhook receiver on loopback that keeps the exact bytes of every delivery, for the webhooks suite."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Delivery", "Receiver", "receiving"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One request the target sent: its path, headers (lower-cased names) and the raw body bytes."""

    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Collects deliveries; tests wait on a condition with a deadline, never on a sleep."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self._condition = threading.Condition()
        self._deliveries: list[Delivery] = []

    @property
    def url(self) -> str:
        """Where the target should deliver."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def add(self, delivery: Delivery) -> None:
        """Record a delivery and wake the waiters."""
        with self._condition:
            self._deliveries.append(delivery)
            self._condition.notify_all()

    def snapshot(self) -> list[Delivery]:
        """Every delivery so far."""
        with self._condition:
            return list(self._deliveries)

    def wait_for(self, predicate: Callable[[list[Delivery]], bool], *, timeout: float) -> list[Delivery]:
        """Block until ``predicate`` holds over the deliveries or ``timeout`` seconds pass; return them either way."""
        with self._condition:
            self._condition.wait_for(lambda: predicate(self._deliveries), timeout=timeout)
            return list(self._deliveries)


def _handler(receiver_ref: list[Receiver]) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver_ref[0].add(Delivery(self.path, headers, body))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
            """Stay quiet: library code never prints."""

    return _Handler


@contextmanager
def receiving() -> Iterator[Receiver]:
    """Serve a receiver on a free loopback port in a thread for the duration of the block."""
    ref: list[Receiver] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    receiver = Receiver(server)
    ref.append(receiver)
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
