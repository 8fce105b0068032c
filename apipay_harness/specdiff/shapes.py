"""A JSON Schema reduced to what a client can observe of a value, from OpenAPI 3.0 and 3.1 alike.

``nullable: true`` (3.0), type arrays and ``{type: "null"}`` branches (3.1) all become ``"null"`` in
:attr:`Shape.types`; ``const`` becomes a one-value enum; ``exclusiveMinimum: true`` (3.0) and the numeric
form (3.1) become one :class:`Limit`. ``allOf`` is the intersection of its parts; ``oneOf``/``anyOf`` the
union of their branches, where a property's schema is the union of the branches that declare it and it is
required only if every object branch requires it. A schema that refers back to itself is cut there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from apipay_harness.errors import SpecError
from apipay_harness.specdiff.loader import Document

__all__ = ["ANY", "NUMERIC", "Limit", "Shape", "ShapeBuilder", "accepts_type", "is_tighter_lower", "is_tighter_upper"]

NUMERIC = frozenset({"number", "integer"})
MAX_SCHEMA_NODES = 100_000
"""More distinct schema nodes than this in one spec is refused: no real API comes near it."""
_NO_DEFAULT = object()


@dataclass(frozen=True, slots=True)
class Limit:
    """A numeric bound: its value and whether the value itself is excluded."""

    value: Decimal
    exclusive: bool = False

    def __str__(self) -> str:
        return f"{self.value} (exclusive)" if self.exclusive else str(self.value)


@dataclass(slots=True)
class Shape:
    """What a schema allows, in the terms the comparison rules speak. ``types=None`` means any type."""

    types: frozenset[str] | None = None
    enum: tuple[Any, ...] | None = None
    lower: Limit | None = None
    upper: Limit | None = None
    multiple_of: Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    patterns: frozenset[str] = frozenset()
    formats: frozenset[str] = frozenset()
    properties: dict[str, Shape] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    closed: bool = False
    """``additionalProperties: false``."""
    extra: Shape | None = None
    """The schema of undeclared properties (``additionalProperties`` given as a schema: a map's values)."""
    items: Shape | None = None
    default: Any = _NO_DEFAULT
    read_only: bool = False
    write_only: bool = False
    examples: tuple[Any, ...] = ()
    name: str | None = None
    """The component the schema came from, for messages."""
    recursive: bool = False

    @property
    def has_default(self) -> bool:
        """Whether the schema states a default."""
        return self.default is not _NO_DEFAULT

    def allows(self, family: frozenset[str]) -> bool:
        """Whether a value of one of ``family``'s types is allowed."""
        return self.types is None or any(accepts_type(self.types, t) for t in family)

    def type_label(self) -> str:
        """``string``, ``integer|null``, ``any``."""
        return "any" if self.types is None else "|".join(sorted(self.types)) or "nothing"


ANY = Shape()
"""The shape of an undocumented value: anything."""


def accepts_type(types: frozenset[str] | None, name: str) -> bool:
    """Whether a type set allows values of JSON type ``name`` (``number`` allows integers)."""
    return types is None or name in types or (name == "integer" and "number" in types)


def is_tighter_lower(a: Limit | None, b: Limit | None) -> bool:
    """Whether lower bound ``a`` excludes something ``b`` allows."""
    if a is None:
        return False
    if b is None:
        return True
    return a.value > b.value or (a.value == b.value and a.exclusive and not b.exclusive)


def is_tighter_upper(a: Limit | None, b: Limit | None) -> bool:
    """Whether upper bound ``a`` excludes something ``b`` allows."""
    if a is None:
        return False
    if b is None:
        return True
    return a.value < b.value or (a.value == b.value and a.exclusive and not b.exclusive)


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
            enum=None if values is None else _dedupe(_hashable(v) for v in values if v is not None),
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
            default=node["default"] if "default" in node else _NO_DEFAULT,
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


def _dedupe(values: Iterable[Any]) -> tuple[Any, ...]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return tuple(seen)


def _examples(node: dict[str, Any]) -> tuple[Any, ...]:
    found = list(_list(node.get("examples")))
    if "example" in node:
        found.append(node["example"])
    return tuple(v for v in found if isinstance(v, str | int | Decimal | bool))


def intersect(a: Shape, b: Shape) -> Shape:
    """What both ``a`` and ``b`` allow (``allOf``)."""
    if a.recursive:
        return b
    if b.recursive:
        return a
    if a.types is None or b.types is None:
        types = a.types if b.types is None else b.types
    else:
        types = frozenset(
            {t for t in a.types if accepts_type(b.types, t)} | {t for t in b.types if accepts_type(a.types, t)}
        )
    enum = b.enum if a.enum is None else a.enum if b.enum is None else tuple(v for v in a.enum if v in b.enum)
    properties = dict(a.properties)
    for name, shape in b.properties.items():
        properties[name] = intersect(properties[name], shape) if name in properties else shape
    items = b.items if a.items is None else a.items if b.items is None else intersect(a.items, b.items)
    extra = b.extra if a.extra is None else a.extra if b.extra is None else intersect(a.extra, b.extra)
    return Shape(
        types=types,
        enum=enum,
        lower=a.lower if is_tighter_lower(a.lower, b.lower) or b.lower is None else b.lower,
        upper=a.upper if is_tighter_upper(a.upper, b.upper) or b.upper is None else b.upper,
        multiple_of=max((m for m in (a.multiple_of, b.multiple_of) if m is not None), default=None),
        min_length=_pick(max, a.min_length, b.min_length),
        max_length=_pick(min, a.max_length, b.max_length),
        min_items=_pick(max, a.min_items, b.min_items),
        max_items=_pick(min, a.max_items, b.max_items),
        patterns=a.patterns | b.patterns,
        formats=a.formats | b.formats,
        properties=properties,
        required=a.required | b.required,
        closed=a.closed or b.closed,
        extra=extra,
        items=items,
        default=a.default if a.has_default else b.default,
        read_only=a.read_only or b.read_only,
        write_only=a.write_only or b.write_only,
        examples=a.examples + b.examples,
        name=a.name or b.name,
    )


def union(branches: Sequence[Shape]) -> Shape:
    """What at least one branch allows (``oneOf``/``anyOf``), as closely as one shape can say it."""
    if len(branches) == 1:
        return branches[0]
    types = None if any(b.types is None for b in branches) else frozenset().union(*(b.types or () for b in branches))
    valued = [b for b in branches if b.types is None or b.types - {"null"}]
    numbers = [b for b in branches if b.allows(NUMERIC)]
    strings = [b for b in branches if b.allows(frozenset({"string"}))]
    arrays = [b for b in branches if b.allows(frozenset({"array"}))]
    objects = [b for b in branches if b.allows(frozenset({"object"}))]
    enums = [b.enum for b in valued]
    properties: dict[str, Shape] = {}
    for name in _dedupe(n for b in objects for n in b.properties):
        properties[name] = union([b.properties[name] for b in objects if name in b.properties])
    items = [b.items for b in arrays]
    return Shape(
        types=types,
        enum=None if not enums or any(e is None for e in enums) else _dedupe(v for e in enums for v in e or ()),
        lower=_loosest([b.lower for b in numbers], is_tighter_lower),
        upper=_loosest([b.upper for b in numbers], is_tighter_upper),
        multiple_of=_same([b.multiple_of for b in numbers]),
        min_length=_loose_count([b.min_length for b in strings], min),
        max_length=_loose_count([b.max_length for b in strings], max),
        min_items=_loose_count([b.min_items for b in arrays], min),
        max_items=_loose_count([b.max_items for b in arrays], max),
        patterns=_same([b.patterns for b in strings]) or frozenset(),
        formats=_same([b.formats for b in strings]) or frozenset(),
        properties=properties,
        required=frozenset.intersection(*(b.required for b in objects)) if objects else frozenset(),
        closed=bool(objects) and all(b.closed for b in objects),
        extra=_same([b.extra for b in objects]),
        items=None if not items or any(i is None for i in items) else union([i for i in items if i is not None]),
        read_only=all(b.read_only for b in branches),
        write_only=all(b.write_only for b in branches),
        examples=tuple(e for b in branches for e in b.examples),
        name=_same([b.name for b in valued]),
    )


def _pick(choose: Any, a: int | None, b: int | None) -> int | None:
    present = [v for v in (a, b) if v is not None]
    return choose(present) if present else None


def _loosest(limits: list[Limit | None], tighter: Any) -> Limit | None:
    if not limits or any(limit is None for limit in limits):
        return None
    loosest = limits[0]
    for limit in limits[1:]:
        if tighter(loosest, limit):
            loosest = limit
    return loosest


def _loose_count(values: list[int | None], choose: Any) -> int | None:
    if not values or any(v is None for v in values):
        return None
    return int(choose(values))


def _same(values: list[Any]) -> Any:
    return values[0] if values and all(v == values[0] for v in values) else None
