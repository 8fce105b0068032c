"""Hostile servers for the harness to face.

In the ``MODES`` each answers ``GET …/status`` and the preflight's key probe (``GET …/invoices?per_page=1``)
as a healthy server and every other request in one broken way, so the contract suites themselves meet the
breakage. In the ``STATUS_MODES`` the reachability check itself
(``GET …/status``) is the broken answer. ``echo`` answers every API request with the caller's key echoed in
a header, in the error message and in the body, placed across the places where answer text is cut (120, 200
and 300 characters), so a cut before redaction leaves a piece of the key behind.
"""

from __future__ import annotations

import json
import socket
import socketserver
import struct
from collections.abc import Iterator
from contextlib import contextmanager

from tests.hostile_tcp import HostileServer, read_request, serving_hostile

STALL_SECONDS = 10.0
HUGE_LENGTH = 1024**3
"""The Content-Length the ``huge`` server announces: 1 GiB."""
ENDLESS_BYTES = 200 * 1024**2
"""What the chunked and close-delimited servers send (200 MB) unless the client hangs up first."""
DRIP_SECONDS = 3.0
"""The drip servers send one byte of body this often."""
CUTS = (120, 200, 300)
"""Where the harness's messages have cut answer text: the echoed key straddles each."""

MODES = ("html", "truncated_json", "empty_body", "reset", "stall", "huge")
BOUND_MODES = ("chunked", "close_delimited", "drip", "echo")
"""Answers that only a bounded read (and redaction before any cut) survives."""
STATUS_MODES = ("status_huge", "status_chunked", "status_close_delimited", "status_drip")

_STATUS_BODY = b'{"status":"ok","timestamp":"2026-02-13T12:00:00Z"}'
_EMPTY_PAGE = b'{"data":[],"meta":{"current_page":1,"last_page":1,"per_page":1,"total":0}}'
_PROBE = b"/invoices?per_page=1"
_CHUNK = b" " * 65536


def _answer(status: str, content_type: str, body: bytes, *, length: int | None = None, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\nX-RateLimit-Remaining: 59\r\n{extra}\r\n"
    )
    return head.encode() + body


def echo_body(key: str) -> bytes:
    """A JSON error body with ``key`` whole once and straddling every cut in ``CUTS`` (half before, half after)."""
    prefix = '{"message": "invalid X-API-Key ' + key + " "
    text = prefix
    for cut in CUTS:
        start = cut - len(key) // 2
        text += "x" * max(0, start - len(text)) + key
    text += ' rejected", "errors": {"X-API-Key": ["' + key + '"]}}'
    assert all(text.find(key, cut - len(key)) < cut < text.find(key, cut - len(key)) + len(key) for cut in CUTS)
    json.loads(text)
    return text.encode()


class _Handler(socketserver.StreamRequestHandler):
    """Reads one request at a time (keep-alive) and answers it the server's hostile way."""

    server: HostileServer

    def handle(self) -> None:
        while not self.server.released.is_set():
            request = read_request(self.rfile)
            if request is None:
                return
            line, headers = request
            key = headers.get("x-api-key", "")
            path = line.split(b" ")[1] if b" " in line else b"/"
            if path.split(b"?")[0].endswith(b"/status"):
                if self.server.mode in STATUS_MODES:
                    self._broken(self.server.mode.removeprefix("status_"))
                    return
                self.wfile.write(_answer("200 OK", "application/json", _STATUS_BODY))
                continue
            if path.endswith(_PROBE) and self.server.mode != "echo":
                self.wfile.write(_answer("200 OK", "application/json", _EMPTY_PAGE))
                continue
            if not self._hostile(key):
                return

    def _hostile(self, key: str) -> bool:
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
        elif mode == "echo":
            echoed = key or "no-key-sent"
            extra = f"X-API-Key: {echoed}\r\nX-Debug: caller {echoed}\r\n"
            self.wfile.write(_answer("400 Bad Request", "application/json", echo_body(echoed), extra=extra))
        else:
            self._broken(mode)
            return False
        return True

    def _broken(self, how: str) -> None:
        """Send one answer whose body is too big or too slow, framed as ``how`` says."""
        if how == "huge":
            self._stream(_answer("200 OK", "application/json", b"[", length=HUGE_LENGTH), HUGE_LENGTH)
        elif how == "chunked":
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            self._stream(head, ENDLESS_BYTES, chunked=True)
        elif how == "close_delimited":
            self._stream(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n", ENDLESS_BYTES
            )
        elif how == "drip":
            self.wfile.write(_answer("200 OK", "application/json", b"", length=4096))
            sent = 0
            while sent < 4096 and not self.server.released.wait(DRIP_SECONDS):
                self.wfile.write(b" ")
                self.wfile.flush()
                sent += 1
        else:
            raise AssertionError(how)

    def _stream(self, head: bytes, total: int, *, chunked: bool = False) -> None:
        self.wfile.write(head)
        sent = 0
        frame = f"{len(_CHUNK):x}\r\n".encode() + _CHUNK + b"\r\n" if chunked else _CHUNK
        while sent < total and not self.server.released.is_set():
            self.wfile.write(frame)
            sent += len(_CHUNK)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")


@contextmanager
def hostile_server(mode: str) -> Iterator[str]:
    """Serve ``mode`` on a free loopback port for the ``with`` block; yield the API root URL."""
    assert mode in MODES + BOUND_MODES + STATUS_MODES, mode
    with serving_hostile(mode, _Handler, "/api/v1") as url:
        yield url
