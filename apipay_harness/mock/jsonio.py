"""JSON in and out: bodies decoded with money kept as ``Decimal``, answers encoded with msgspec.

Every way a body can be malformed ends here as a 4xx ``ApiError``, never a 5xx.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from apipay_harness.mock.errors import ApiError, ValidationFailed

__all__ = [
    "JSON_BODY_LIMIT",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "JSONResponse",
    "body_chunks",
    "read_body",
    "read_json_object",
]

JSON_BODY_LIMIT = 1024 * 1024
MAX_DEPTH = 32

MAX_EXPONENT = 400
"""Numbers beyond 10**±400 are refused at decoding: no float reaches them, and turning 1e999999999 into
an int or a string would take the server down."""


def _decimal(text: str) -> Decimal:
    value = Decimal(text)
    if value.is_finite() and abs(value.adjusted()) > MAX_EXPONENT:
        raise ValueError(f"number out of range (beyond 1e±{MAX_EXPONENT})")
    return value


_decoder = msgspec.json.Decoder(float_hook=_decimal)
_encode = msgspec.json.Encoder(decimal_format="string").encode


class JSONResponse:
    """A JSON answer encoded once with msgspec and sent as two ASGI messages (money is pre-rendered text)."""

    __slots__ = ("body", "headers", "status_code")

    def __init__(self, content: Any, *, status_code: int = 200, headers: dict[str, str] | None = None) -> None:
        self.status_code = status_code
        self.body = _encode(content)
        self.headers = [(b"content-type", b"application/json"), (b"content-length", str(len(self.body)).encode())]
        if headers:
            self.headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the answer."""
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else self.body})


async def body_chunks(request: Request, *, limit: int) -> AsyncIterator[bytes]:
    """The body as it arrives: 413 past (or announcing more than) ``limit`` bytes, 400 if the client leaves early.

    No reader ever holds more than ``limit`` bytes of one request.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "The request body is too large.")
    size = 0
    while True:
        message = await request.receive()
        if message["type"] != "http.request":
            raise ApiError(400, "The client went away before sending the whole body.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "The request body is too large.")
        yield chunk
        if not message.get("more_body", False):
            return


async def read_body(request: Request, *, limit: int) -> bytes:
    """Read the whole body, answering 413 as soon as it passes ``limit`` bytes."""
    chunks = [chunk async for chunk in body_chunks(request, limit=limit)]
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _too_deep(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    return False


async def read_json_object(request: Request, *, required: bool) -> dict[str, Any] | None:
    """Decode a JSON object body; ``None`` when the body is empty and not ``required``."""
    raw = await read_body(request, limit=JSON_BODY_LIMIT)
    if not raw.strip():
        if required:
            raise ValidationFailed.one("body", "The request body is required.")
        return None
    content_type = request.headers.get("content-type")
    if content_type is None or not _is_json(content_type):
        raise ValidationFailed.one("body", "The request body must be sent as Content-Type: application/json.")
    try:
        value = _decoder.decode(raw)
    except UnicodeDecodeError:
        raise ApiError(400, "The request body is not valid UTF-8.") from None
    except (msgspec.DecodeError, RecursionError, ValueError) as exc:
        raise ApiError(400, f"Malformed JSON: {str(exc)[:200]}") from None
    if not isinstance(value, dict):
        raise ValidationFailed.one("body", "The request body must be a JSON object.")
    if raw.count(b"{") + raw.count(b"[") > MAX_DEPTH and _too_deep(value, MAX_DEPTH):
        raise ValidationFailed.one("body", f"The request body is nested deeper than {MAX_DEPTH} levels.")
    return value
