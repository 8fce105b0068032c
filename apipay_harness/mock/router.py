"""A lean ASGI router for the mock: route lists in, JSON errors out, no per-request work beyond a lookup.

Starlette's ``Router`` + ``Mount`` + exception middleware cost about 20 µs a request in-process, as much
as the whole budget the issue's throughput target leaves; this router keeps Starlette's ``Request`` and
handlers their ``Request`` but replaces that stack with one dict lookup (static paths) or a short scan
of segment templates (paths with ``{id}``). Static paths win over templates, so ``PATCH /catalog/units``
is a 405, not an item lookup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import State
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from apipay_harness.mock.errors import ApiError
from apipay_harness.mock.jsonio import JSONResponse

__all__ = ["Handler", "MockApp", "Route", "mount", "route"]

Handler = Callable[[Request], Awaitable[JSONResponse]]


@dataclass(frozen=True, slots=True)
class Route:
    """One path and its handlers keyed by HTTP method."""

    path: str
    handlers: dict[str, Handler]

    def __post_init__(self) -> None:
        assert self.path.startswith("/"), self.path


def route(path: str, **handlers: Handler) -> Route:
    """A route whose handlers are given by method name: ``route("/x", get=..., post=...)``."""
    table = {method.upper(): handler for method, handler in handlers.items()}
    if "GET" in table:
        table["HEAD"] = table["GET"]
    return Route(path, table)


def mount(prefix: str, routes: Sequence[Route]) -> list[Route]:
    """The routes with ``prefix`` put in front of their paths."""
    return [Route(prefix + r.path, r.handlers) for r in routes]


def _own_body(exc: ApiError) -> dict[str, object]:
    return exc.body()


def _allow(handlers: dict[str, Handler]) -> str:
    return ", ".join(sorted(handlers))


class MockApp:
    """The ASGI app: routes requests to handlers and turns ``ApiError``s into the API's error bodies."""

    def __init__(
        self,
        routes: Sequence[Route],
        *,
        lifespan: Callable[[MockApp], AbstractAsyncContextManager[None]],
        error_body: Callable[[ApiError], dict[str, object]] | None = None,
    ) -> None:
        self.state = State()
        self._lifespan = lifespan
        self._error_body = error_body or _own_body
        """How an ``ApiError`` is written: the error envelope of the API version served."""
        self._static: dict[str, dict[str, Handler]] = {}
        self._templates: dict[int, list[tuple[tuple[str | None, ...], dict[str, Handler]]]] = {}
        for r in routes:
            segments = r.path.split("/")
            if any(s.startswith("{") for s in segments):
                template = tuple(None if s.startswith("{") else s for s in segments)
                self._templates.setdefault(len(segments), []).append((template, r.handlers))
            else:
                self._static[r.path] = r.handlers

    def _match(self, path: str) -> tuple[dict[str, Handler] | None, dict[str, Any]]:
        handlers = self._static.get(path)
        if handlers is not None:
            return handlers, {}
        segments = path.split("/")
        for template, handlers in self._templates.get(len(segments), ()):
            params: dict[str, Any] = {}
            for segment, expected in zip(segments, template, strict=True):
                if expected is None:
                    params["id"] = segment
                elif segment != expected:
                    break
            else:
                return handlers, params
        return None, {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection (http or lifespan)."""
        if scope["type"] == "lifespan":
            await self._serve_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        scope["app"] = self
        handlers, params = self._match(scope["path"])
        response: JSONResponse
        if handlers is None:
            response = JSONResponse({"message": "Not Found"}, status_code=404)
        else:
            handler = handlers.get(scope["method"])
            if handler is None:
                response = JSONResponse(
                    {"message": "Method Not Allowed"}, status_code=405, headers={"Allow": _allow(handlers)}
                )
            else:
                scope["path_params"] = params
                try:
                    response = await handler(Request(scope, receive))
                except ApiError as exc:
                    response = JSONResponse(self._error_body(exc), status_code=exc.status, headers=exc.headers)
        await response(scope, receive, send)

    async def _serve_lifespan(self, receive: Receive, send: Send) -> None:
        message = await receive()
        assert message["type"] == "lifespan.startup"
        context = self._lifespan(self)
        try:
            await context.__aenter__()
        except Exception as exc:  # noqa: BLE001 - reported to the server, which exits
            await send({"type": "lifespan.startup.failed", "message": repr(exc)})
            return
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        await context.__aexit__(None, None, None)
        await send({"type": "lifespan.shutdown.complete"})
