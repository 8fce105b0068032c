"""``X-RateLimit-Remaining`` on every response, and 429 past a per-key limit (STYLE R15 middleware)."""

from __future__ import annotations

import math

import msgspec
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apipay_harness.mock.context import KEY_SCOPE
from apipay_harness.mock.store import Store

__all__ = ["DOCUMENTED_LIMIT", "RateLimitMiddleware"]

DOCUMENTED_LIMIT = 60
"""Requests per minute per key the docs state; the header counts down from it when no limit is enforced."""

_MAX_TRACKED_KEYS = 10_000
_NEVER_BLOCKED = frozenset({"/api/v1/status"})
"""The health check documents no 429: it is counted, never refused."""
_TOO_MANY = "Too many requests. Please retry after 60 seconds."


class RateLimitMiddleware:
    """Counts requests per key per clock minute; settles due work before each request."""

    def __init__(self, app: ASGIApp, *, store: Store) -> None:
        self.app = app
        self.store = store
        self._counts: dict[bytes, tuple[int, int]] = {}
        self._limits: dict[bytes, int] = {
            org.key.encode(): org.rate_limit for org in store.fixtures.organizations if org.rate_limit
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request, answer 429 past the limit, else pass it on with the header added."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        store = self.store
        store.settle()
        key = b""
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                key = value
                break
        scope[KEY_SCOPE] = key
        limit = self._limits.get(key, store.settings.rate_limit)
        now = store.clock.timestamp()
        window = int(now // 60)
        seen_window, count = self._counts.get(key, (window, 0))
        if seen_window != window:
            count = 0
        if not scope["path"].startswith("/_control"):
            count += 1
            if len(self._counts) >= _MAX_TRACKED_KEYS and key not in self._counts:
                self._counts.clear()
            self._counts[key] = (window, count)
        remaining = str(max(0, (limit or DOCUMENTED_LIMIT) - count)).encode()
        if limit is not None and count > limit and scope["path"] not in _NEVER_BLOCKED:
            retry_after = max(1, math.ceil((window + 1) * 60 - now))
            answer: dict[str, object] = {"message": _TOO_MANY, "retry_after": retry_after}
            if store.faults.on("ratelimit_body_without_retry_after"):
                del answer["retry_after"]
            body = msgspec.json.encode(answer)
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", str(retry_after).encode()),
                        (b"x-ratelimit-remaining", b"0"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_header(message: Message) -> None:
            hide = message.get("status", 200) >= 400 and store.faults.on("ratelimit_header_missing_on_errors")
            if message["type"] == "http.response.start" and not hide:
                message["headers"] = [*message.get("headers", []), (b"x-ratelimit-remaining", remaining)]
            await send(message)

        await self.app(scope, receive, send_with_header)
