"""Sending one delivery to a receiver nobody here controls, bounded in time and in what is read back.

The whole exchange (connect, send, status line, headers, the first bytes of the body) runs under one deadline:
the answer time the spec documents. Redirects are not followed (a provider does not follow them either), the body
is read raw (never decompressed) and at most ``ANSWER_BYTES_KEPT`` bytes of it are kept, so a receiver that
trickles, stalls or floods costs at most the deadline and a few kilobytes.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from apipay_harness.core.errors import HarnessError

__all__ = [
    "ANSWER_BYTES_KEPT",
    "CONNECT_DEADLINE",
    "USER_AGENT",
    "Exchange",
    "Sender",
    "ensure_reachable",
    "exchange",
]

ANSWER_BYTES_KEPT = 2048
"""How much of a receiver's answer is read and kept for the report."""

CONNECT_DEADLINE = 5.0
"""Seconds the preflight waits for a TCP connection before the run is refused (exit 2)."""

USER_AGENT = "apipay-harness-receiver"

_UNREACHABLE = (ConnectionError, OSError, ssl.SSLError)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request sent to the receiver and what came back (or why nothing did)."""

    request: httpx.Request
    status: int | None
    seconds: float
    problem: str = ""
    """Why there is no status: ``no answer within 30 s``, ``connection refused``…"""
    excerpt: str = ""
    """The first bytes of the answer's body, as text."""

    @property
    def accepted(self) -> bool:
        """A 2xx answer arrived in time."""
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> str:
        """``answered 401 in 0.01 s`` or the reason there was no answer."""
        if self.status is None:
            return self.problem
        text = " ".join(self.excerpt.split())
        shown = f": {text[:200]}" if text else ""
        return f"answered {self.status} in {self.seconds:.2f} s{shown}"


class Sender:
    """Posts deliveries to one receiver URL, each exchange under the answer deadline."""

    def __init__(self, url: str, *, deadline: float) -> None:
        self.url = url
        self.deadline = deadline
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(deadline),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        )

    async def aclose(self) -> None:
        """Close every connection the sender opened."""
        await self._client.aclose()

    def request(self, body: bytes, headers: dict[str, str]) -> httpx.Request:
        """The request that carries ``body`` with exactly these extra headers (content type and signature)."""
        return self._client.build_request("POST", self.url, content=body, headers=headers)

    async def send(self, request: httpx.Request) -> Exchange:
        """Send ``request`` and wait for the answer no longer than the deadline."""
        return await exchange(self._client, request, deadline=self.deadline)


async def exchange(client: httpx.AsyncClient, request: httpx.Request, *, deadline: float) -> Exchange:
    """Send one request through ``client``; everything past ``deadline`` seconds is cut off."""
    started = time.monotonic()
    status: int | None = None
    kept = bytearray()
    try:
        async with asyncio.timeout(deadline):
            response = await client.send(request, stream=True)
            try:
                status = response.status_code
                async for chunk in response.aiter_raw():
                    kept += chunk[: ANSWER_BYTES_KEPT - len(kept)]
                    if len(kept) >= ANSWER_BYTES_KEPT:
                        break
            finally:
                await response.aclose()
    except TimeoutError:
        if status is None:
            return Exchange(request, None, time.monotonic() - started, problem=f"no answer within {deadline:g} s")
    except httpx.ConnectError as exc:
        return Exchange(request, None, time.monotonic() - started, problem=f"connection failed ({_reason(exc)})")
    except httpx.TransportError as exc:
        if status is None:
            reason = f"connection closed without an answer ({_reason(exc)})"
            return Exchange(request, None, time.monotonic() - started, problem=reason)
    text = bytes(kept).decode("utf-8", "replace")
    return Exchange(request, status, time.monotonic() - started, excerpt=text)


async def ensure_reachable(url: str, *, flag: str) -> None:
    """Refuse the run (exit 2) when nothing accepts a TCP connection at ``url`` within ``CONNECT_DEADLINE``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        async with asyncio.timeout(CONNECT_DEADLINE):
            _, writer = await asyncio.open_connection(host, port)
    except TimeoutError:
        raise HarnessError(
            f"{flag} {url} is unreachable (no connection within {CONNECT_DEADLINE:g} s); start it or fix {flag}"
        ) from None
    except _UNREACHABLE as exc:
        raise HarnessError(f"{flag} {url} is unreachable ({_reason(exc)}); start it or fix {flag}") from None
    writer.close()
    try:
        async with asyncio.timeout(1):
            await writer.wait_closed()
    except (TimeoutError, *_UNREACHABLE):
        pass


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, ConnectionRefusedError) or "refused" in text.lower():
        return "connection refused"
    return text[:160]
