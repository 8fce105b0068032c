"""Serving the mock: bind first (so ``--port 0`` can report the port), then run uvicorn on that socket."""

from __future__ import annotations

import gc
import socket
from typing import Any

import msgspec
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from apipay_harness.errors import UsageError

__all__ = ["JSONBadRequestProtocol", "bind", "listening_line", "serve"]


class JSONBadRequestProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering bytes that are not HTTP with a JSON 400 instead of plain text."""

    def send_400_response(self, msg: str) -> None:
        """Write a JSON 400 (with the rate-limit header every answer carries) and close the connection."""
        body = msgspec.json.encode({"message": msg})
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"x-ratelimit-remaining: 60\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def bind(host: str, port: int) -> socket.socket:
    """Open the listening socket; a busy port or a bad host is a usage error (exit 2)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(f"--host {host!r} cannot be resolved ({exc})") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port} ({exc.strerror}); pick another --port, or 0 for any"
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def listening_line(sock: socket.socket) -> str:
    """The first line the command prints: where the API and the control API are."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    root = f"http://{shown}:{port}"
    return f"apipay-harness mock listening on {root}/api/v1 (control: {root}/_control)"


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    """After each full collection, move its survivors out of the collector's sight.

    The store only grows (invoices, refunds, queued work), so every full collection would walk all of it
    again: 235 ms pauses at 60k invoices, the POST p99 tail of bench/mock_throughput. Frozen objects are
    never scanned again, so a pause only covers what was allocated since. What a reset drops is still freed
    by reference counting; only cyclic garbage among frozen objects stays, which a test double can afford.
    """
    if phase == "stop" and info.get("generation") == 2:
        gc.freeze()


def serve(app: ASGIApp, sock: socket.socket) -> None:
    """Run the app on ``sock`` until SIGINT/SIGTERM: uvloop, httptools (JSON 400s), one process, no access log."""
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http=JSONBadRequestProtocol,
        access_log=False,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=2,
        server_header=False,
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
