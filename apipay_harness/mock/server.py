"""Serving the mock: bind first (so ``--port 0`` can report the port), then run uvicorn on that socket."""

from __future__ import annotations

import asyncio
import gc
import resource
import socket
from typing import Any

import msgspec
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from apipay_harness.core.errors import UsageError
from apipay_harness.mock.connections import CONNECTIONS_SCOPE, ConnectionGuard, ConnectionLimits, State

__all__ = [
    "GuardedProtocol",
    "JSONBadRequestProtocol",
    "bind",
    "guarded_protocol",
    "listening_line",
    "serve",
    "server_for",
]

_SPARE_DESCRIPTORS = 64
"""Open files beyond the connection cap: the listening socket, webhook deliveries, stdio, logs."""


_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large"}
_HANG_UP_GRACE = 1.0
"""Seconds a closing connection may take to flush its last answer before it is aborted (a peer that never reads)."""


class JSONBadRequestProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering bytes that are not HTTP with a JSON 400 instead of plain text."""

    def send_400_response(self, msg: str) -> None:
        """Write a JSON 400 (with the rate-limit header every answer carries) and close the connection."""
        self._send_json_error(400, msg)

    def _send_json_error(self, status: int, msg: str) -> None:
        body = msgspec.json.encode({"message": msg})
        head = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status])]
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
        self.loop.call_later(_HANG_UP_GRACE, self.transport.abort)


class GuardedProtocol(JSONBadRequestProtocol):
    """The mock's protocol: JSON 400s, plus the read deadlines, head bound and cap of ``ConnectionGuard``.

    The guard is a class attribute: uvicorn builds one protocol per connection from the class alone, so
    ``guarded_protocol`` makes a subclass bound to one server's guard.
    """

    guard: ConnectionGuard

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state: State | None = None
        self._head_bytes = 0
        self._in_body = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Admit the connection under the cap (closing the longest waiter), or close it at once."""
        super().connection_made(transport)
        if not self.guard.opened(self, self.loop):
            transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection."""
        self.guard.closed(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feed the parser; a head that grows past the bound without ending is a JSON 431."""
        waiting = self.state is State.WAITING
        if waiting:
            self._head_bytes += len(data)
        super().data_received(data)
        if waiting and self.state is State.WAITING and self._head_bytes > self.guard.limits.max_head_bytes:
            self.guard.closed(self)
            self.guard.counts.heads_too_large += 1
            limit = self.guard.limits.max_head_bytes
            self._hang_up(431, f"The request head is longer than {limit} bytes.", answered=False)

    def on_message_begin(self) -> None:
        """Start a request; its scope carries the guard for the stats endpoint."""
        super().on_message_begin()
        self.scope[CONNECTIONS_SCOPE] = self.guard  # type: ignore[literal-required]

    def on_headers_complete(self) -> None:
        """The head is in: from now the body's deadline runs."""
        super().on_headers_complete()
        self._in_body = True
        if self.state is not None:
            self.guard.move(self, State.BODY)

    def on_message_complete(self) -> None:
        """The body is in: the request is the app's (or already answered)."""
        super().on_message_complete()
        self._in_body = False
        self._head_bytes = 0
        if self.state is not None:
            answered = self.cycle.response_complete and not self.pipeline
            self.guard.move(self, State.WAITING if answered else State.BUSY)

    def on_response_complete(self) -> None:
        """The answer is out: wait for the next head (its deadline starts now), unless a request is queued."""
        super().on_response_complete()
        if self.state is None or self.transport.is_closing():
            return
        if self._in_body:
            return  # answered before its body ended (a 401 to an upload): the body's deadline still runs
        if self.pipeline:
            self.guard.move(self, State.BUSY)
        else:
            self._head_bytes = 0
            self.guard.restart(self, State.WAITING)

    def head_timed_out(self) -> None:
        """No whole head in time: a 408 if part of one came, else (an idle connection) just close."""
        if self._head_bytes:
            limit = self.guard.limits.header_timeout
            self._hang_up(408, f"The request head did not arrive within {limit:g} s.", answered=False)
        else:
            self._hang_up(None, "", answered=False)

    def body_timed_out(self) -> None:
        """No whole body in time: a 408, unless the request was already answered (or its answer started)."""
        limit = self.guard.limits.body_timeout
        self._hang_up(408, f"The request body did not arrive within {limit:g} s.", answered=self._answered())

    def evicted(self) -> None:
        """Closed to make room: a request mid-body is told why, anything else is just closed."""
        if self._in_body:
            message = "The server closed this connection to admit others; send the request again."
            self._hang_up(408, message, answered=self._answered())
        else:
            self._hang_up(None, "", answered=True)

    def _answered(self) -> bool:
        """Whether the current request's answer has begun (a handler may answer before the body ends)."""
        return self.cycle is not None and self.cycle.response_started

    def _hang_up(self, status: int | None, msg: str, *, answered: bool) -> None:
        """Answer ``status`` unless ``answered``, close, and abort if the peer does not take it in time.

        An answer already begun is never followed by another on the same connection: the client would read
        the second as the answer to its next request.
        """
        if self.transport.is_closing():
            self.loop.call_later(_HANG_UP_GRACE, self.transport.abort)  # closing, but maybe never flushed
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app's next receive() is a disconnect, its answer goes nowhere
            cycle.message_event.set()
        if status is not None and not answered:
            self._send_json_error(status, msg)
        else:
            self.transport.close()
            self.loop.call_later(_HANG_UP_GRACE, self.transport.abort)


def guarded_protocol(guard: ConnectionGuard) -> type[GuardedProtocol]:
    """A protocol class whose connections all report to ``guard``."""
    return type("GuardedProtocol", (GuardedProtocol,), {"guard": guard})


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


def _file_descriptors_for(limits: ConnectionLimits) -> None:
    """Raise the soft open-files limit to what the connection cap needs, or say why it cannot be (exit 2)."""
    needed = limits.max_connections + _SPARE_DESCRIPTORS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise UsageError(
                f"--max-connections {limits.max_connections} needs {needed} open files, the limit is {hard}; "
                f"lower --max-connections or raise the limit (ulimit -n)"
            )
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def server_for(
    app: ASGIApp, *, limits: ConnectionLimits | None = None, configure_logging: bool = True
) -> uvicorn.Server:
    """The uvicorn server the mock runs under: uvloop, httptools (JSON 400s), no access log, no proxy headers.

    Connections are held to ``limits`` (read deadlines, head bound, cap; see ``connections.py``). uvicorn's own
    ``limit_concurrency`` is not used: past it uvicorn answers 503, and the mock answers no client a 5xx.
    The command runs it in its main thread; the integrators' fixture runs it in a thread of the test process,
    where the host's logging is not uvicorn's to reconfigure (``configure_logging=False``).
    """
    limits = limits or ConnectionLimits()
    logging: dict[str, Any] = {} if configure_logging else {"log_config": None}
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http=guarded_protocol(ConnectionGuard(limits)),
        ws="none",
        access_log=False,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=2,
        server_header=False,
        proxy_headers=False,
        **logging,
    )
    return uvicorn.Server(config)


def serve(app: ASGIApp, sock: socket.socket, *, limits: ConnectionLimits | None = None) -> None:
    """Run the app on ``sock`` until SIGINT/SIGTERM, in one process (the ``mock`` command)."""
    limits = limits or ConnectionLimits()
    _file_descriptors_for(limits)
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)
    server_for(app, limits=limits).run(sockets=[sock])
