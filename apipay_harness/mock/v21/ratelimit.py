"""The 2.1 rate limits: a general bucket per key and the operations' own buckets, all read from the spec.

Each request counts against the general bucket (200 a minute per key) unless its operation says
``general_bucket: false``, and against its operation's own buckets (per key or per client address, a
minute or a day). ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining`` describe the most depleted of them.
The buckets are always counted; a 429 is answered only where the seed's mock enforces a limit: for a key
whose organization has one (``limited-key``) or when the mock runs with ``--rate-limit N``, which then
is the general bucket's size. So a load run against the mock is not throttled unless asked to be.
Memory stays bounded as in the seed's limiter: each bucket is a ``RateWindows``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apipay_harness.core.spec import operations
from apipay_harness.core.types import JSONObject
from apipay_harness.mock.limits import MAX_UNKNOWN_KEYS
from apipay_harness.mock.ratelimit import RateWindows, settled_key
from apipay_harness.mock.v21 import faults as f21
from apipay_harness.mock.v21.store import Store21

__all__ = ["API_PREFIX", "Bucket", "BucketWindows", "RateLimit21Middleware", "read_buckets"]

API_PREFIX = "/api/v1"
_SECONDS = {"minute": 60, "day": 86400}
_MESSAGE = "Too Many Attempts."


@dataclass(frozen=True, slots=True)
class Bucket:
    """One limit: ``limit`` requests a ``window`` per key or per client address."""

    name: str
    limit: int
    window: str
    per: str

    @property
    def seconds(self) -> int:
        """The window's length."""
        return _SECONDS[self.window]


@dataclass(frozen=True, slots=True)
class _Route:
    segments: tuple[str | None, ...]
    method: str
    general: bool
    buckets: tuple[Bucket, ...]


def read_buckets(spec: JSONObject) -> tuple[Bucket, list[_Route]]:
    """The general bucket (top-level ``x-rate-limits.general``) and each operation's own."""
    top = spec["x-rate-limits"]["general"]
    general = Bucket("general", int(top["limit"]), top["window"], top["per"])
    routes = []
    for op in operations(spec):
        own = op.definition.get("x-rate-limits") or {}
        buckets = tuple(
            Bucket(f"{op.operation_id}#{i}", int(b["limit"]), b["window"], b["per"])
            for i, b in enumerate(own.get("buckets", ()))
        )
        segments = tuple(None if s.startswith("{") else s for s in (API_PREFIX + op.path).split("/"))
        routes.append(_Route(segments, op.method.upper(), bool(own.get("general_bucket", True)), buckets))
    return general, routes


class BucketWindows:
    """Every bucket's counts (one ``RateWindows`` each), cleared together by the control API's reset."""

    def __init__(self, known: frozenset[bytes], *, max_unknown: int) -> None:
        self._known = known
        self._max_unknown = max_unknown
        self._tables: dict[str, RateWindows] = {}

    def table(self, bucket: Bucket) -> RateWindows:
        """The counts of ``bucket`` (client addresses are never known keys, so they share the bounded table)."""
        table = self._tables.get(bucket.name)
        if table is None:
            known = self._known if bucket.per == "key" else frozenset()
            table = self._tables[bucket.name] = RateWindows(known, max_unknown=self._max_unknown)
        return table

    def __len__(self) -> int:
        return sum(len(t) for t in self._tables.values())

    def clear(self) -> None:
        """Forget every count."""
        for table in self._tables.values():
            table.clear()


class RateLimit21Middleware:
    """Counts each request in its buckets, adds the headers of the most depleted one, answers 429 past it."""

    def __init__(
        self, app: ASGIApp, *, store: Store21, spec: JSONObject, max_unknown_keys: int = MAX_UNKNOWN_KEYS
    ) -> None:
        self.app = app
        self.store = store
        self.windows = BucketWindows(frozenset(store.keys_raw), max_unknown=max_unknown_keys)
        self._general, self._routes = read_buckets(spec)
        self._enforced: dict[bytes, int] = {
            org.key.encode(): org.rate_limit for org in store.fixtures.organizations if org.rate_limit
        }

    def _buckets(self, method: str, path: str) -> tuple[Bucket, ...]:
        segments = path.split("/")
        method = "GET" if method == "HEAD" else method
        for r in self._routes:
            if r.method == method and len(r.segments) == len(segments):
                if all(t is None or t == s for t, s in zip(r.segments, segments, strict=True)):
                    return ((self._general,) if r.general else ()) + r.buckets
        return (self._general,)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request, answer 429 past an enforced bucket, else pass it on with the headers added."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counted = not scope["path"].startswith("/_control")
        store = self.store
        key = settled_key(store, scope)
        enforced = self._enforced.get(key, store.settings.rate_limit)
        now = store.clock.timestamp()
        client = scope.get("client")
        address = str(client[0]).encode() if client else b""
        worst: tuple[int, int, int, Bucket] | None = None  # (remaining, count, limit, bucket)
        for bucket in self._buckets(scope["method"], scope["path"]):
            limit = enforced if bucket is self._general and enforced is not None else bucket.limit
            who = key if bucket.per == "key" else address
            count = self.windows.table(bucket).count(who, int(now // bucket.seconds), counted=counted)
            remaining = limit - count
            if worst is None or remaining < worst[0]:
                worst = (remaining, count, limit, bucket)
        assert worst is not None
        remaining, count, limit, bucket = worst
        headers = [
            (b"x-ratelimit-limit", str(limit).encode()),
            (b"x-ratelimit-remaining", str(max(0, remaining)).encode()),
        ]
        if store.faults21.on(f21.RATELIMIT_LIMIT_HEADER_MISSING):
            headers = headers[1:]
        if enforced is not None and counted and remaining < 0:
            await self._refuse(send, now, bucket, limit)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _refuse(self, send: Send, now: float, bucket: Bucket, limit: int) -> None:
        reset = (int(now // bucket.seconds) + 1) * bucket.seconds
        retry_after = max(1, math.ceil(reset - now))
        answer: dict[str, Any] = {
            "message": _MESSAGE,
            "error": "request_rate_limited",
            "error_code": "request_rate_limited",
            "limit": limit,
            "remaining": 0,
            "reset_at": datetime.fromtimestamp(reset, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "retry_after_seconds": retry_after,
        }
        body = msgspec.json.encode(answer)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-ratelimit-reset", str(reset).encode()),
            (b"x-ratelimit-limit", str(limit).encode()),
            (b"x-ratelimit-remaining", b"0"),
        ]
        if not self.store.faults21.on(f21.RATELIMIT_429_WITHOUT_RETRY_AFTER):
            headers.append((b"retry-after", str(retry_after).encode()))
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
