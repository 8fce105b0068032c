"""Receivers that break HTTP itself, for the judge to survive: each reads a request and answers it one bad way."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager

MODES = ("stall", "flood", "trickle", "garbage")

_CHUNK = b"x" * 65536


class _Handler(socketserver.StreamRequestHandler):
    server: _Hostile

    def handle(self) -> None:
        length = 0
        if not self.rfile.readline(65537):
            return
        while True:
            header = self.rfile.readline(65537)
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip() or 0)
        if length:
            self.rfile.read(length)
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


class _Hostile(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = mode
        self.released = threading.Event()


@contextmanager
def hostile_receiver(mode: str) -> Iterator[str]:
    """A receiver URL whose every answer is broken the ``mode`` way."""
    server = _Hostile(mode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/webhook"
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
