"""Building shapes from the schemas of one document, OpenAPI 3.0 and 3.1 alike.

``nullable: true`` (3.0), type arrays and ``{type: "null"}`` branches (3.1) all become ``"null"`` in
:attr:`Shape.types`; ``const`` becomes a one-value enum; ``exclusiveMinimum: true`` (3.0) and the numeric
form (3.1) become one :class:`Limit`. ``allOf`` is the intersection of its parts and ``oneOf``/``anyOf`` the
union of their branches (:mod:`apipay_harness.specdiff.combine`). A schema that refers back to itself is cut.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from apipay_harness.core.errors import SpecError
from apipay_harness.specdiff.combine import dedupe, intersect, union
from apipay_harness.specdiff.loader import Document
from apipay_harness.specdiff.shapes import ANY, NO_DEFAULT, Limit, Shape, is_tighter_lower, is_tighter_upper

__all__ = ["MAX_SCHEMA_NODES", "ShapeBuilder"]

MAX_SCHEMA_NODES = 100_000
"""More distinct schema nodes than this in one spec is refused: no real API comes near it."""


class ShapeBuilder:
    """Turns the schemas of one document into shapes, each distinct schema node once."""

    def __init__(self, document: Document) -> None:
        self._document = document
        self._memo: dict[int, Shape] = {}
        self._stack: set[int] = set()

    def build(self, node: Any) -> Shape:
        """The shape of schema ``node`` (a missing or boolean ``true`` schema is :data:`ANY`)."""
        if node is False:
            return Shape(types=frozenset())
        if not isinstance(node, dict) or not node:
            return ANY
        key = id(node)
        if key in self._memo:
            return self._memo[key]
        if key in self._stack:
            return Shape(recursive=True)
        if len(self._memo) > MAX_SCHEMA_NODES:
            raise SpecError(f"{self._document.path}: more than {MAX_SCHEMA_NODES} schemas; refusing to compare")
        self._stack.add(key)
        try:
            shape = self._build(node)
        finally:
            self._stack.discard(key)
        self._memo[key] = shape
        return shape

    def _build(self, node: dict[str, Any]) -> Shape:
        parts: list[Shape] = []
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = self.build(self._document.resolve({"$ref": ref}))
            named = dataclasses.replace(target, name=ref.rsplit("/", 1)[-1])
            rest = {k: v for k, v in node.items() if k != "$ref"}
            if not any(k in rest for k in _CONSTRAINING):
                return named
            parts.append(named)
            node = rest
        parts.append(self._own(node))
        parts.extend(self.build(sub) for sub in _list(node.get("allOf")))
        for combinator in ("oneOf", "anyOf"):
            branches = _list(node.get(combinator))
            if branches:
                parts.append(union([self.build(sub) for sub in branches]))
        shape = parts[0]
        for part in parts[1:]:
            shape = intersect(shape, part)
        if node.get("nullable") is True and shape.types is not None:
            shape = dataclasses.replace(shape, types=shape.types | {"null"})
        return shape

    def _own(self, node: dict[str, Any]) -> Shape:
        values: list[Any] | None = None
        if "const" in node:
            values = [node["const"]]
        elif isinstance(node.get("enum"), list):
            values = list(node["enum"])
        types = _types(node, values)
        lower, upper = _limits(node)
        properties = node.get("properties")
        return Shape(
            types=types,
            enum=None if values is None else dedupe(_hashable(v) for v in values if v is not None),
            lower=lower,
            upper=upper,
            multiple_of=_number(node.get("multipleOf")),
            min_length=_count(node.get("minLength")),
            max_length=_count(node.get("maxLength")),
            min_items=_count(node.get("minItems")),
            max_items=_count(node.get("maxItems")),
            patterns=frozenset([node["pattern"]]) if isinstance(node.get("pattern"), str) else frozenset(),
            formats=frozenset([node["format"]]) if isinstance(node.get("format"), str) else frozenset(),
            properties={str(k): self.build(v) for k, v in properties.items()} if isinstance(properties, dict) else {},
            required=frozenset(str(r) for r in _list(node.get("required"))),
            closed=node.get("additionalProperties") is False,
            extra=self.build(extra) if isinstance(extra := node.get("additionalProperties"), dict) else None,
            items=self.build(node["items"]) if isinstance(node.get("items"), dict) else None,
            default=node["default"] if "default" in node else NO_DEFAULT,
            read_only=node.get("readOnly") is True,
            write_only=node.get("writeOnly") is True,
            examples=_examples(node),
        )


_CONSTRAINING = frozenset(
    "type enum const minimum maximum exclusiveMinimum exclusiveMaximum multipleOf minLength maxLength pattern "
    "format properties required additionalProperties items minItems maxItems allOf oneOf anyOf nullable".split()
)
_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", Decimal: "number", float: "number", dict: "object"}


def _types(node: dict[str, Any], values: list[Any] | None) -> frozenset[str] | None:
    declared = node.get("type")
    if isinstance(declared, str):
        found = {declared}
    elif isinstance(declared, list):
        found = {str(t) for t in declared}
    elif values is not None:
        found = {_JSON_TYPES.get(type(v), "array") if v is not None else "null" for v in values}
    elif isinstance(node.get("properties"), dict):
        found = {"object"}
    elif isinstance(node.get("items"), dict):
        found = {"array"}
    else:
        return None
    if node.get("nullable") is True or (values is not None and None in values):
        found.add("null")
    return frozenset(found)


def _limits(node: dict[str, Any]) -> tuple[Limit | None, Limit | None]:
    lower = upper = None
    minimum, maximum = _number(node.get("minimum")), _number(node.get("maximum"))
    if minimum is not None:
        lower = Limit(minimum, node.get("exclusiveMinimum") is True)
    if maximum is not None:
        upper = Limit(maximum, node.get("exclusiveMaximum") is True)
    exclusive_min, exclusive_max = _number(node.get("exclusiveMinimum")), _number(node.get("exclusiveMaximum"))
    if exclusive_min is not None and is_tighter_lower(Limit(exclusive_min, True), lower):
        lower = Limit(exclusive_min, True)
    if exclusive_max is not None and is_tighter_upper(Limit(exclusive_max, True), upper):
        upper = Limit(exclusive_max, True)
    return lower, upper


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        return None
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, int | Decimal) and not isinstance(value, bool) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | Decimal | float | bool) else repr(value)


def _examples(node: dict[str, Any]) -> tuple[Any, ...]:
    found = list(_list(node.get("examples")))
    if "example" in node:
        found.append(node["example"])
    return tuple(v for v in found if isinstance(v, str | int | Decimal | bool))
