"""Hostile servers for the harness to face: each answers ``GET …/status`` as a healthy server and every other
request in one broken way, so the contract suites themselves meet the breakage.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

STALL_SECONDS = 10.0
HUGE_LENGTH = 1024**3
"""The Content-Length the ``huge`` server announces: 1 GiB."""

MODES = ("html", "truncated_json", "empty_body", "reset", "stall", "huge")

_STATUS_BODY = b'{"status":"ok","timestamp":"2026-02-13T12:00:00Z"}'
_CHUNK = b" " * 65536


def _answer(status: str, content_type: str, body: bytes, *, length: int | None = None) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\nX-RateLimit-Remaining: 59\r\n\r\n"
    )
    return head.encode() + body


class _Handler(socketserver.StreamRequestHandler):
    """Reads one request at a time (keep-alive) and answers it the server's hostile way."""

    server: _HostileServer

    def handle(self) -> None:
        while not self.server.released.is_set():
            line = self.rfile.readline(65537)
            if not line:
                return
            length = 0
            while True:
                header = self.rfile.readline(65537)
                if header in (b"\r\n", b"\n", b""):
                    break
                name, _, value = header.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip() or 0)
            if length:
                self.rfile.read(length)
            path = line.split(b" ")[1] if b" " in line else b"/"
            if path.split(b"?")[0].endswith(b"/status"):
                self.wfile.write(_answer("200 OK", "application/json", _STATUS_BODY))
                continue
            if not self._hostile():
                return

    def _hostile(self) -> bool:
        """Answer one API request badly; False when the connection is finished."""
        mode = self.server.mode
        if mode == "html":
            self.wfile.write(_answer("200 OK", "text/html", b"<html><body><h1>502 Bad Gateway</h1></body></html>"))
        elif mode == "truncated_json":
            self.wfile.write(_answer("200 OK", "application/json", b'{"data": [{"id": 1, "amount": "10'))
        elif mode == "empty_body":
            self.wfile.write(_answer("200 OK", "application/json", b""))
        elif mode == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        elif mode == "stall":
            self.server.released.wait(STALL_SECONDS)
            self.wfile.write(_answer("200 OK", "application/json", b"{}"))
        elif mode == "huge":
            self.wfile.write(_answer("200 OK", "application/json", b"[", length=HUGE_LENGTH))
            sent = 1
            while sent < HUGE_LENGTH and not self.server.released.is_set():
                self.wfile.write(_CHUNK)
                sent += len(_CHUNK)
            return False
        return True


class _HostileServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = mode
        self.released = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up on a hostile answer is expected; stay quiet about it."""


@contextmanager
def hostile_server(mode: str) -> Iterator[str]:
    """Serve ``mode`` on a free loopback port for the ``with`` block; yield the API root URL."""
    assert mode in MODES, mode
    server = _HostileServer(mode)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
