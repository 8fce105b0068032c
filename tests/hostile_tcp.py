"""A loopback TCP server whose handler answers in one broken way, shared by the hostile servers of the tests."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

__all__ = ["HostileServer", "read_request", "serving_hostile"]

_LINE = 65537


def read_request(rfile: BinaryIO) -> tuple[bytes, dict[str, str]] | None:
    """Read one request (its body too, by Content-Length): its request line and headers (names lower-cased);
    None once the client has hung up."""
    line = rfile.readline(_LINE)
    if not line:
        return None
    headers: dict[str, str] = {}
    while True:
        header = rfile.readline(_LINE)
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    if length:
        rfile.read(length)
    return line, headers


class HostileServer(socketserver.ThreadingTCPServer):
    """Serves ``handler`` in the ``mode`` it reads from here; ``released`` ends whatever a handler holds open."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str, handler: type[socketserver.BaseRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.mode = mode
        self.released = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up on a hostile answer is expected; stay quiet about it."""


@contextmanager
def serving_hostile(mode: str, handler: type[socketserver.BaseRequestHandler], path: str) -> Iterator[str]:
    """Serve on a free loopback port for the ``with`` block; yield the URL of ``path`` there."""
    server = HostileServer(mode, handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{path}"
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
