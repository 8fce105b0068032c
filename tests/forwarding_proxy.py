"""A loopback HTTP proxy in front of a real server that writes down what passes through it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

__all__ = ["ForwardingProxy", "forwarding_proxy"]

_HOP_BY_HOP = ("content-length", "transfer-encoding", "connection", "content-encoding")


@dataclass
class ForwardingProxy:
    """Where the proxy listens, and each request it forwarded: ``METHOD /path`` and the body."""

    upstream: str
    url: str = ""
    seen: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


@contextmanager
def forwarding_proxy(upstream: str) -> Iterator[ForwardingProxy]:
    """Forward every request to ``upstream`` for the ``with`` block (keep-alive, like a real client expects)."""
    proxy = ForwardingProxy(upstream=upstream.rstrip("/"))
    client = httpx.Client(timeout=30)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            proxy.seen.append(f"{self.command} {self.path.split('?')[0]}")
            proxy.bodies.append(body)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", *_HOP_BY_HOP)}
            answer = client.request(self.command, proxy.upstream + self.path, content=body, headers=headers)
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _forward

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        client.close()
