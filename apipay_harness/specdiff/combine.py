"""Combining shapes: ``allOf`` is the intersection of its parts, ``oneOf``/``anyOf`` the union of their branches.

The union is as close as one shape can say it: the looser bound wins, an enum survives only if every branch
has one, a property's schema is the union of the branches that declare it, and it is required only if every
object branch requires it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from apipay_harness.specdiff.shapes import NUMERIC, Limit, Shape, accepts_type, is_tighter_lower, is_tighter_upper

__all__ = ["dedupe", "intersect", "union"]


def dedupe(values: Iterable[Any]) -> tuple[Any, ...]:
    """The values in order, each once."""
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return tuple(seen)


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
    for name in dedupe(n for b in objects for n in b.properties):
        properties[name] = union([b.properties[name] for b in objects if name in b.properties])
    items = [b.items for b in arrays]
    return Shape(
        types=types,
        enum=None if not enums or any(e is None for e in enums) else dedupe(v for e in enums for v in e or ()),
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
