"""Answer bodies as the body-shaping variants write them, guided by the spec's own response schemas.

Five variants change no rule, only how answers are written: which optional properties are left
out (``optional_fields_absent``, ``refund_answer_as_documented``), an undocumented property in
every object (``extra_properties``), the wording of messages (``messages_reworded``) and how a
422 names a nested field (``error_keys_bracketed``). They are
applied here, to the encoded answer, by one middleware in front of the app, so no handler knows
about them; the schema of each answer is found from its path, method and status in the spec,
so "optional" always means what the spec says today.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import msgspec
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apipay_harness.core.spec import operations, resolve
from apipay_harness.core.types import JSONObject
from apipay_harness.mock import variants as v
from apipay_harness.mock.variants import Variants

__all__ = ["API_PREFIX", "EXTRA_PROPERTY", "BodyShaper", "ReshapeMiddleware", "shaping_variants"]

API_PREFIX = "/api/v1"
EXTRA_PROPERTY = ("trace_id", "5f0c2a9e-extra")
"""The property ``extra_properties`` adds to every object: a name no schema of the spec uses, and its value."""
_NOT_PRUNED_PATHS = ("/catalog",)
"""Catalog answers keep their optional fields: without name and price no cart invoice could be built at all."""
_REWORDED = {
    "Validation failed": "The given data was invalid.",
    "Invalid API key": "Invalid or missing API key",
    "Organization not verified": "Access denied: this organization has not been verified yet",
    "Invoice not found": "No such invoice",
    "Too many requests. Please retry after 60 seconds.": "Too Many Attempts.",
    "Refund initiated successfully": "Refund queued for processing",
    "Invoice cancellation queued": "Cancellation accepted; the invoice will be cancelled shortly",
}
"""Other wordings (several are the provider's own, from later documents); any other message gets a generic one."""

_SHAPING = (
    v.OPTIONAL_FIELDS_ABSENT,
    v.REFUND_ANSWER_AS_DOCUMENTED,
    v.EXTRA_PROPERTIES,
    v.MESSAGES_REWORDED,
    v.ERROR_KEYS_BRACKETED,
)
_decode = msgspec.json.Decoder(float_hook=Decimal).decode
_encode = msgspec.json.Encoder(decimal_format="number").encode


def shaping_variants(active: Variants) -> bool:
    """Whether any variant this module implements is on (the middleware is left out otherwise)."""
    return any(active.on(x) for x in _SHAPING)


class BodyShaper:
    """Rewrites decoded answer bodies and webhook payloads for the active body-shaping variants."""

    def __init__(self, spec: JSONObject, active: Variants) -> None:
        self._spec = spec
        self._prune_all = active.on(v.OPTIONAL_FIELDS_ABSENT)
        self._prune_refund = active.on(v.REFUND_ANSWER_AS_DOCUMENTED)
        self._extra = active.on(v.EXTRA_PROPERTIES)
        self._reword = active.on(v.MESSAGES_REWORDED)
        self._brackets = active.on(v.ERROR_KEYS_BRACKETED)
        self._routes: list[tuple[re.Pattern[str], str, JSONObject, str]] = []
        for op in sorted(operations(spec), key=lambda op: "{" in op.path):  # literal paths win over templates
            pattern = "/".join("[^/]+" if part.startswith("{") else re.escape(part) for part in op.path.split("/"))
            self._routes.append((re.compile(f"^{pattern}$"), op.method.upper(), op.definition, op.path))

    def answer(self, method: str, path: str, status: int, body: Any) -> Any:
        """``body`` of the answer ``status`` to ``METHOD path`` (path without the API prefix), reshaped."""
        found = self._operation(method, path)
        schema = self._schema(found[0], status) if found else None
        if schema is not None:
            refund_answer = found is not None and found[1] == "/invoices/{id}/refund" and status == 201
            prune_here = self._prune_all and not path.startswith(_NOT_PRUNED_PATHS)
            prune = prune_here or (self._prune_refund and refund_answer)
            body = self._walk(schema, body, prune=prune)
        if self._reword and isinstance(body, dict):
            body = _reword(body, status)
        if self._brackets and isinstance(body, dict) and isinstance(body.get("errors"), dict):
            body = {**body, "errors": {_bracketed(str(key)): value for key, value in body["errors"].items()}}
        return body

    def webhook(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A webhook payload with the extra property in each of its objects (when ``extra_properties`` is on)."""
        if not self._extra:
            return payload
        schema = self._webhook_schema(str(payload.get("event")))
        shaped: dict[str, Any] = self._walk(schema, payload, prune=False) if schema is not None else payload
        return shaped

    def _operation(self, method: str, path: str) -> tuple[JSONObject, str] | None:
        for pattern, verb, definition, template in self._routes:
            if verb == method and pattern.match(path):
                return definition, template
        return None

    def _schema(self, definition: JSONObject, status: int) -> Any:
        response = (definition.get("responses") or {}).get(str(status))
        if response is None:
            return None
        media = (resolve(self._spec, response).get("content") or {}).get("application/json") or {}
        return media.get("schema")

    def _webhook_schema(self, event: str) -> Any:
        operation = ((self._spec.get("webhooks") or {}).get(event) or {}).get("post") or {}
        body = resolve(self._spec, operation.get("requestBody") or {})
        return ((body.get("content") or {}).get("application/json") or {}).get("schema")

    def _walk(self, schema: Any, value: Any, *, prune: bool) -> Any:
        required, properties, items, is_map = _merged(self._spec, schema, value)
        if isinstance(value, list) and items is not None:
            return [self._walk(items, item, prune=prune) for item in value]
        if not isinstance(value, dict) or is_map or not properties:
            return value
        out = {}
        for key, item in value.items():
            if prune and key not in required:
                continue
            out[key] = self._walk(properties[key], item, prune=prune) if key in properties else item
        if self._extra:
            out[EXTRA_PROPERTY[0]] = EXTRA_PROPERTY[1]
        return out


def _merged(spec: JSONObject, schema: Any, value: Any) -> tuple[set[str], dict[str, Any], Any, bool]:
    """(required, properties, items, is a map) of ``schema``, through $refs, allOf and the branch ``value`` takes."""
    required: set[str] = set()
    properties: dict[str, Any] = {}
    items: Any = None
    is_map = False
    todo = [schema]
    while todo:
        node = resolve(spec, todo.pop())
        if not isinstance(node, dict):
            continue
        required |= set(node.get("required") or ())
        properties.update(node.get("properties") or {})
        items = node.get("items", items)
        is_map = is_map or (isinstance(node.get("additionalProperties"), dict) and not node.get("properties"))
        todo.extend(node.get("allOf") or ())
        branch = _branch(spec, node.get("oneOf") or node.get("anyOf") or (), value)
        if branch is not None:
            todo.append(branch)
    return required, properties, items, is_map


def _branch(spec: JSONObject, branches: Sequence[Any], value: Any) -> Any:
    """The first branch of a oneOf/anyOf that describes a value of ``value``'s JSON type."""
    kind = "object" if isinstance(value, dict) else "array" if isinstance(value, list) else None
    if kind is None:
        return None
    for branch in branches:
        node = resolve(spec, branch)
        types = node.get("type") if isinstance(node, dict) else None
        if types == kind or (isinstance(types, list) and kind in types) or (types is None and "properties" in node):
            return branch
    return None


def _bracketed(key: str) -> str:
    """``cart_items.0.count`` as ``cart_items[0][count]`` (a top-level name stays as it is)."""
    first, *rest = key.split(".")
    return first + "".join(f"[{part}]" for part in rest)


def _reword(body: dict[str, Any], status: int) -> dict[str, Any]:
    out = dict(body)
    message = out.get("message")
    if isinstance(message, str):
        generic = f"Request could not be completed (HTTP {status})" if status >= 400 else "Request accepted"
        out["message"] = _REWORDED.get(message, generic)
    errors = out.get("errors")
    if isinstance(errors, dict):
        out["errors"] = {
            name: [f"Invalid value for {name}." for _ in messages] if isinstance(messages, list) else messages
            for name, messages in errors.items()
        }
    return out


class ReshapeMiddleware:
    """Decodes each JSON answer of the API, lets the ``BodyShaper`` rewrite it and sends it with its new length."""

    def __init__(self, app: ASGIApp, *, shaper: BodyShaper) -> None:
        self.app = app
        self.shaper = shaper

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass non-API traffic through; hold an API answer's start until its body is known."""
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(API_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._flush(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, capture)

    async def _flush(self, scope: Scope, start: Message, raw: bytes, send: Send) -> None:
        headers = list(start.get("headers", []))
        is_json = any(name == b"content-type" and value.startswith(b"application/json") for name, value in headers)
        body = raw
        if is_json and raw:
            try:
                decoded = _decode(raw)
            except msgspec.DecodeError:
                decoded = None
            if decoded is not None:
                shaped = self.shaper.answer(scope["method"], scope["path"][len(API_PREFIX) :], start["status"], decoded)
                body = _encode(shaped)
        if body is not raw:
            headers = [(n, str(len(body)).encode() if n == b"content-length" else val) for n, val in headers]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
