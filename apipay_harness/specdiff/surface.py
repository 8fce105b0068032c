"""An operation's client-facing surface: parameters, request body, responses and credentials.

Operations are matched across specs by method and path template with the parameter names erased
(``/invoices/{id}`` is ``/invoices/{invoice}``); path parameters are matched by position. Webhooks
(3.1 ``webhooks`` and the 3.0 extension ``x-webhooks``) are surfaces too, keyed ``WEBHOOK name``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from apipay_harness.core.spec import HTTP_METHODS
from apipay_harness.specdiff.builder import ShapeBuilder
from apipay_harness.specdiff.loader import Document
from apipay_harness.specdiff.shapes import ANY, Shape

__all__ = ["Body", "Param", "Response", "Surface", "operation_key", "surfaces"]

_TEMPLATE_PARAM = re.compile(r"\{[^}/]*\}")
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
"""Header parameters OpenAPI says are ignored (they are described elsewhere)."""
_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def operation_key(method: str, path: str) -> str:
    """``POST /invoices/{}``: how an operation is matched between two specs."""
    return f"{method.upper()} {_TEMPLATE_PARAM.sub('{}', path.rstrip('/') or '/')}"


@dataclass(slots=True)
class Param:
    """A parameter (or a response header) as the client sees it."""

    location: str
    name: str
    required: bool
    shape: Shape
    style: str = ""
    explode: bool = False

    @property
    def label(self) -> str:
        """``query parameter page``."""
        return f"{self.location} parameter {self.name}" if self.location != "response" else f"header {self.name}"


@dataclass(slots=True)
class Body:
    """A request body: whether it is required, its schema per media type, and multipart part types."""

    required: bool
    media: dict[str, Shape]
    part_types: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)


@dataclass(slots=True)
class Response:
    """One documented status of an operation: its body per media type (None: no schema) and headers."""

    status: str
    media: dict[str, Shape | None]
    headers: dict[str, Param]

    @property
    def success(self) -> bool:
        """A 2xx status."""
        return self.status.startswith("2")


@dataclass(slots=True)
class Surface:
    """What a client of one operation (or receiver of one webhook) relies on."""

    key: str
    label: str
    operation_id: str | None
    kind: Literal["operation", "webhook"]
    params: dict[tuple[str, str], Param]
    body: Body | None
    responses: dict[str, Response]
    security: frozenset[frozenset[tuple[str, ...]]] | None
    """The accepted ways to authenticate (each a set of schemes); an empty way means none is needed."""
    deprecated: bool = False


def surfaces(document: Document) -> dict[str, Surface]:
    """Every operation and webhook of ``document``, by key."""
    builder = ShapeBuilder(document)
    found: dict[str, Surface] = {}
    for path, item in _mapping(document.data.get("paths")).items():
        for method, op in _operations(document, item):
            key = operation_key(method, str(path))
            found[key] = _surface(document, builder, key, f"{method.upper()} {path}", item, op, "operation", str(path))
    for section in ("webhooks", "x-webhooks"):
        for name, item in _mapping(document.data.get(section)).items():
            for _method, op in _operations(document, item):
                key = f"WEBHOOK {name}"
                found[key] = _surface(document, builder, key, key, item, op, "webhook", "")
    return found


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _operations(document: Document, item: Any) -> list[tuple[str, dict[str, Any]]]:
    item = document.resolve(item)
    if not isinstance(item, dict):
        return []
    return [(m, item[m]) for m in HTTP_METHODS if isinstance(item.get(m), dict)]


def _surface(
    document: Document,
    builder: ShapeBuilder,
    key: str,
    label: str,
    item: dict[str, Any],
    op: dict[str, Any],
    kind: Literal["operation", "webhook"],
    path: str,
) -> Surface:
    item = document.resolve(item)
    positions = [m.group(0)[1:-1] for m in _TEMPLATE_PARAM.finditer(path)]
    params: dict[tuple[str, str], Param] = {}
    for raw in [*_list(item.get("parameters")), *_list(op.get("parameters"))]:
        param = _param(document, builder, raw, positions)
        if param is not None:
            params[_param_key(param, positions)] = param
    operation_id = op.get("operationId") if isinstance(op.get("operationId"), str) else None
    return Surface(
        key=key,
        label=label,
        operation_id=operation_id,
        kind=kind,
        params=params,
        body=_body(document, builder, op.get("requestBody")),
        responses={
            str(status): _response(document, builder, str(status), raw)
            for status, raw in _mapping(op.get("responses")).items()
        },
        security=_security(document, op) if kind == "operation" else None,
        deprecated=op.get("deprecated") is True,
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _param_key(param: Param, positions: list[str]) -> tuple[str, str]:
    if param.location == "path" and param.name in positions:
        return ("path", str(positions.index(param.name)))
    if param.location == "header":
        return ("header", param.name.lower())
    return (param.location, param.name)


def _param(document: Document, builder: ShapeBuilder, raw: Any, positions: list[str]) -> Param | None:
    node = document.resolve(raw)
    if not isinstance(node, dict) or not isinstance(node.get("name"), str):
        return None
    location = str(node.get("in", ""))
    if location == "header" and node["name"].lower() in _IGNORED_HEADERS:
        return None
    schema = node.get("schema")
    if schema is None and isinstance(node.get("content"), dict) and node["content"]:
        schema = next(iter(node["content"].values())).get("schema")
    style = str(node.get("style") or _DEFAULT_STYLE.get(location, ""))
    explode = node.get("explode", style == "form")
    return Param(
        location=location,
        name=node["name"],
        required=node.get("required") is True or location == "path",
        shape=builder.build(schema) if schema is not None else ANY,
        style=style,
        explode=bool(explode),
    )


def _body(document: Document, builder: ShapeBuilder, raw: Any) -> Body | None:
    node = document.resolve(raw)
    if not isinstance(node, dict):
        return None
    media: dict[str, Shape] = {}
    part_types: dict[str, dict[str, frozenset[str]]] = {}
    for media_type, content in _mapping(node.get("content")).items():
        content = content if isinstance(content, dict) else {}
        media[str(media_type)] = builder.build(content.get("schema")) if "schema" in content else ANY
        parts = {
            str(name): frozenset(t.strip() for t in str(enc.get("contentType", "")).split(",") if t.strip())
            for name, enc in _mapping(content.get("encoding")).items()
            if isinstance(enc, dict) and enc.get("contentType")
        }
        if parts:
            part_types[str(media_type)] = parts
    return Body(required=node.get("required") is True, media=media, part_types=part_types)


def _response(document: Document, builder: ShapeBuilder, status: str, raw: Any) -> Response:
    node = document.resolve(raw)
    node = node if isinstance(node, dict) else {}
    media: dict[str, Shape | None] = {}
    for media_type, content in _mapping(node.get("content")).items():
        schema = content.get("schema") if isinstance(content, dict) else None
        media[str(media_type)] = builder.build(schema) if schema is not None else None
    headers: dict[str, Param] = {}
    for name, header in _mapping(node.get("headers")).items():
        resolved = document.resolve(header)
        if not isinstance(resolved, dict) or str(name).lower() == "content-type":
            continue
        schema = resolved.get("schema")
        headers[str(name).lower()] = Param(
            location="response",
            name=str(name),
            required=resolved.get("required") is True,
            shape=builder.build(schema) if schema is not None else ANY,
        )
    return Response(status=status.upper(), media=media, headers=headers)


def _security(document: Document, op: dict[str, Any]) -> frozenset[frozenset[tuple[str, ...]]]:
    requirements = op["security"] if "security" in op else document.data.get("security")
    schemes = _mapping(_mapping(document.data.get("components")).get("securitySchemes"))
    ways: set[frozenset[tuple[str, ...]]] = set()
    for requirement in _list(requirements):
        if isinstance(requirement, dict):
            ways.add(frozenset(_scheme(document, schemes.get(name), str(name)) for name in requirement))
    return frozenset(ways) if ways else frozenset({frozenset()})


def _scheme(document: Document, raw: Any, name: str) -> tuple[str, ...]:
    """A scheme by what it asks of the client (type, where, which name), not by its name in the spec."""
    scheme = document.resolve(raw)
    if not isinstance(scheme, dict):
        return ("unknown", name)
    kind = str(scheme.get("type", ""))
    if kind == "apiKey":
        return (kind, str(scheme.get("in", "")), str(scheme.get("name", "")).lower())
    if kind == "http":
        return (kind, str(scheme.get("scheme", "")).lower())
    return (kind, name)
