"""Receivers that break HTTP itself, for the judge to survive: each reads a request and answers it one bad way."""

from __future__ import annotations

import socketserver
from collections.abc import Iterator
from contextlib import contextmanager

from tests.hostile_tcp import HostileServer, read_request, serving_hostile

MODES = ("stall", "flood", "trickle", "garbage")

_CHUNK = b"x" * 65536


class _Handler(socketserver.StreamRequestHandler):
    server: HostileServer

    def handle(self) -> None:
        if read_request(self.rfile) is None:
            return
        mode = self.server.mode
        released = self.server.released
        try:
            if mode == "stall":
                released.wait(timeout=60)
            elif mode == "flood":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
                while not released.is_set():
                    self.wfile.write(_CHUNK)
            elif mode == "trickle":
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK":
                    if released.wait(timeout=0.5):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
            elif mode == "garbage":
                self.wfile.write(b"\x00\xffnot http at all\r\n\r\n")
        except OSError:
            return


@contextmanager
def hostile_receiver(mode: str) -> Iterator[str]:
    """A receiver URL whose every answer is broken the ``mode`` way."""
    with serving_hostile(mode, _Handler, "/webhook") as url:
        yield url
