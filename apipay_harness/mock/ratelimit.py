"""``X-RateLimit-Remaining`` on every response, and 429 past a per-key limit: one middleware, not each route."""

from __future__ import annotations

import math
from typing import Any

import msgspec
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apipay_harness.mock import variants as v
from apipay_harness.mock.context import KEY_SCOPE
from apipay_harness.mock.faults import RATELIMIT_BODY_WITHOUT_RETRY_AFTER, RATELIMIT_HEADER_MISSING_ON_ERRORS
from apipay_harness.mock.limits import MAX_UNKNOWN_KEYS
from apipay_harness.mock.store import Store

__all__ = ["DOCUMENTED_LIMIT", "RateLimitMiddleware", "RateWindows", "settled_key"]


def settled_key(store: Store, scope: Scope) -> bytes:
    """The request's ``X-API-Key`` (empty without one), read after the store's due work has run.

    It is left in the scope for the handlers to read again.
    """
    store.settle()
    key = next((value for name, value in scope["headers"] if name == b"x-api-key"), b"")
    scope[KEY_SCOPE] = key
    return key


DOCUMENTED_LIMIT = 60
"""Requests per minute per key the docs state; the header counts down from it when no limit is enforced."""

OTHER_BUDGET = 1000
"""Requests per key per clock hour the header counts down from with the ``ratelimit_other_budget`` variant."""

_NEVER_BLOCKED = frozenset({"/api/v1/status"})
"""The health check documents no 429: it is counted, never refused."""
_TOO_MANY = "Too many requests. Please retry after 60 seconds."


class RateWindows:
    """Request counts per key for the current clock minute, in memory bounded whatever keys clients send.

    The mock's own keys (a fixed set) each keep their count until their minute ends, so no flood of other
    keys can hand a limited key a fresh quota. Any other key is answered 401 anyway; its count lives in a
    table of at most ``max_unknown`` entries keyed by the key's hash (a 60 KB junk key costs as little as a
    short one), where the least recently seen goes first.
    """

    def __init__(self, known: frozenset[bytes], *, max_unknown: int = MAX_UNKNOWN_KEYS) -> None:
        self._known_keys = known
        self._known: dict[bytes, tuple[int, int]] = {}
        self._unknown: dict[int, tuple[int, int]] = {}
        self._max_unknown = max_unknown

    def __len__(self) -> int:
        return len(self._known) + len(self._unknown)

    def count(self, key: bytes, window: int, *, counted: bool) -> int:
        """The key's count in ``window`` after this request (which adds one when ``counted``)."""
        known = key in self._known_keys
        slot = key if known else hash(key)
        table: dict[Any, tuple[int, int]] = self._known if known else self._unknown
        seen, count = table.get(slot, (window, 0))
        count = count if seen == window else 0
        if not counted:
            return count
        if not known:
            table.pop(slot, None)  # re-inserted below, last: the table's order is least recently seen first
        table[slot] = (window, count + 1)
        if len(self._unknown) > self._max_unknown:
            del self._unknown[next(iter(self._unknown))]
        return count + 1

    def clear(self) -> None:
        """Forget every count."""
        self._known.clear()
        self._unknown.clear()


class RateLimitMiddleware:
    """Counts requests per key per clock minute; settles due work before each request."""

    def __init__(self, app: ASGIApp, *, store: Store, max_unknown_keys: int = MAX_UNKNOWN_KEYS) -> None:
        self.app = app
        self.store = store
        self.windows = RateWindows(frozenset(store.keys_raw), max_unknown=max_unknown_keys)
        self._hourly: RateWindows | None = None
        """Counts per clock hour, the budget ``X-RateLimit-Remaining`` shows under ``ratelimit_other_budget``."""
        if store.variants.on(v.RATELIMIT_OTHER_BUDGET):
            self._hourly = RateWindows(frozenset(store.keys_raw), max_unknown=max_unknown_keys)
        self._limits: dict[bytes, int] = {
            org.key.encode(): org.rate_limit for org in store.fixtures.organizations if org.rate_limit
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request, answer 429 past the limit, else pass it on with the header added."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        store = self.store
        key = settled_key(store, scope)
        limit = self._limits.get(key, store.settings.rate_limit)
        now = store.clock.timestamp()
        window = int(now // 60)
        count = self.windows.count(key, window, counted=not scope["path"].startswith("/_control"))
        remaining = str(max(0, (limit or DOCUMENTED_LIMIT) - count)).encode()
        if self._hourly is not None:
            hourly = self._hourly.count(key, int(now // 3600), counted=not scope["path"].startswith("/_control"))
            remaining = str(max(0, OTHER_BUDGET - hourly)).encode()
        if limit is not None and count > limit and scope["path"] not in _NEVER_BLOCKED:
            retry_after = max(1, math.ceil((window + 1) * 60 - now))
            answer: dict[str, object] = {"message": _TOO_MANY, "retry_after": retry_after}
            if store.faults.on(RATELIMIT_BODY_WITHOUT_RETRY_AFTER):
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
                        (b"x-ratelimit-remaining", b"0" if self._hourly is None else remaining),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_header(message: Message) -> None:
            hide = message.get("status", 200) >= 400 and store.faults.on(RATELIMIT_HEADER_MISSING_ON_ERRORS)
            if message["type"] == "http.response.start" and not hide:
                message["headers"] = [*message.get("headers", []), (b"x-ratelimit-remaining", remaining)]
            await send(message)

        await self.app(scope, receive, send_with_header)
