"""A runnable curl command replaying the request actually sent: a failure anyone can check without the harness."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import httpx

from apipay_harness.core.redact import REDACTED, Redactor, is_sensitive_name

__all__ = ["CLIENT_HEADERS", "Curl", "curl"]

CLIENT_HEADERS = frozenset(
    {"host", "user-agent", "accept-encoding", "connection", "content-length", "transfer-encoding", "keep-alive"}
)
"""Headers the HTTP client adds by itself; curl adds its own, so they are left out of the command."""

_BODY_PLACEHOLDER = "@request-body.bin"
_CONTINUATION = " \\\n  "


@dataclass(frozen=True, slots=True)
class Curl:
    """A shell command that replays one request, and what it could not reproduce exactly."""

    command: str
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "\n".join([*(f"# warning: {w}" for w in self.warnings), self.command])


def curl(request: httpx.Request, *, redactor: Redactor | None = None) -> Curl:
    """Build the curl command for ``request`` with every secret redacted and every part shell-quoted."""
    redactor = redactor or Redactor()
    warnings: list[str] = []
    url = redactor.text(str(request.url))
    parts = ["curl", "-sS", "-i"]
    if any(c in url for c in "[]{}"):
        parts.append("-g")
    if request.method.upper() == "HEAD":
        parts.append("--head")
    else:
        parts += ["-X", request.method.upper()]
    parts.append(shlex.quote(url))
    redacted_names: list[str] = []
    for name, value in request.headers.multi_items():
        lower = name.lower()
        if lower in CLIENT_HEADERS or (lower == "accept" and value == "*/*"):
            continue
        if is_sensitive_name(name):
            redacted_names.append(name)
            value = REDACTED
        else:
            value = redactor.text(value)
        parts += ["-H", shlex.quote(f"{_header_name(name)}: {value}")]
    parts += _body(request, redactor=redactor, warnings=warnings)
    if redacted_names:
        warnings.append(f"{', '.join(_header_name(n) for n in redacted_names)} redacted: put your own value back")
    return Curl(command=_CONTINUATION.join(_group(parts)), warnings=tuple(warnings))


def _header_name(name: str) -> str:
    """Canonical capitalisation (``x-api-key`` → ``X-API-Key``) so the command reads like the docs."""
    special = {"api": "API", "id": "ID"}
    return "-".join(special.get(p.lower(), p[:1].upper() + p[1:].lower()) for p in name.split("-"))


def _body(request: httpx.Request, *, redactor: Redactor, warnings: list[str]) -> list[str]:
    """The ``--data-raw`` part, or a placeholder with a warning when the body is not printable text."""
    content: bytes | None
    try:
        content = request.content
    except httpx.RequestNotRead:
        content = _read_again(request)
    if content is None:
        warnings.append("the body was streamed and not kept; supply it as request-body.bin")
        return ["--data-binary", shlex.quote(_BODY_PLACEHOLDER)]
    if not content:
        return []
    content_type = request.headers.get("content-type", "").lower()
    text = _printable(content)
    if content_type.startswith("multipart/") or text is None:
        kind = "multipart" if content_type.startswith("multipart/") else "binary"
        warnings.append(f"{kind} body of {len(content)} bytes not shown; save it as request-body.bin to replay")
        return ["--data-binary", shlex.quote(_BODY_PLACEHOLDER)]
    return ["--data-raw", shlex.quote(redactor.text(text))]


def _read_again(request: httpx.Request) -> bytes | None:
    """Re-read a body httpx streamed (multipart streams can be re-read; a consumed generator cannot)."""
    try:
        return request.read()
    except (httpx.StreamError, RuntimeError, TypeError):
        return None


def _printable(content: bytes) -> str | None:
    """The body as text when it is UTF-8 without control characters other than tab and newlines."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        return None
    return text


def _group(parts: list[str]) -> list[str]:
    """Pair each option with its argument so the command breaks into one readable line per option."""
    lines: list[str] = []
    i = 0
    head = []
    while i < len(parts) and parts[i] not in ("-H", "--data-raw", "--data-binary"):
        head.append(parts[i])
        i += 1
    lines.append(" ".join(head))
    while i < len(parts):
        lines.append(f"{parts[i]} {parts[i + 1]}")
        i += 2
    return lines
