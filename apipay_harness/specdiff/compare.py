"""The comparison rules for one value's schema, old against new, in the direction the value travels.

A request value is sent by the client: the server must still accept all it accepted. A response value
(and a webhook payload) is received by the client: the server must send nothing the client was not told
to expect. The verdict of each kind of change lives in :mod:`apipay_harness.specdiff.changes`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from apipay_harness.core.errors import SpecError
from apipay_harness.specdiff import changes as k
from apipay_harness.specdiff.changes import Change, Kind
from apipay_harness.specdiff.shapes import (
    ANY,
    NUMERIC,
    Limit,
    Shape,
    accepts_type,
    is_tighter_lower,
    is_tighter_upper,
)
from apipay_harness.specdiff.strings import normalise_pattern, string_witness

__all__ = ["Budget", "Direction", "Site", "compare_shapes", "join"]

Direction = Literal["request", "response"]
MAX_COMPARISONS = 200_000
"""More schema pairs than this in one operation means a spec built to explode (shared YAML anchors)."""
NOTHING = Shape(types=frozenset())
_STRING = frozenset({"string"})
_ARRAY = frozenset({"array"})
_OBJECT = frozenset({"object"})


class Budget:
    """How many more schema pairs one operation may compare: a spec built to explode stops here, not in swap."""

    def __init__(self, pairs: int = MAX_COMPARISONS) -> None:
        self.left = pairs

    def spend(self, where: str) -> None:
        """Count one comparison; past the budget the diff cannot run."""
        self.left -= 1
        if self.left < 0:
            raise SpecError(f"{where}: the schemas are too large to compare (more than {MAX_COMPARISONS} pairs)")


@dataclass(slots=True)
class Site:
    """Where the compared schemas sit, which way values flow there, and where changes are collected."""

    operation: str
    operation_id: str | None
    where: str
    direction: Direction
    out: list[Change]
    error: bool = False
    """An error response: its enums are open sets of reasons."""
    budget: Budget = field(default_factory=Budget)

    def at(self, where: str, *, direction: Direction | None = None, error: bool | None = None) -> Site:
        """The same operation, another place in it."""
        return Site(
            self.operation,
            self.operation_id,
            where,
            direction or self.direction,
            self.out,
            self.error if error is None else error,
            self.budget,
        )

    def emit(self, kind: Kind, path: str, message: str) -> None:
        """Record one change found here."""
        self.out.append(Change(kind, self.operation, self.operation_id, self.where, path, message))

    @property
    def request(self) -> bool:
        """Whether values here are sent by the client."""
        return self.direction == "request"


def join(path: str, name: str) -> str:
    """``items[]`` + ``name`` -> ``items[].name``."""
    return f"{path}.{name}" if path else name


def compare_shapes(old: Shape, new: Shape, site: Site, path: str = "", *, skip: frozenset[str] = frozenset()) -> None:
    """Record every change from ``old`` to ``new``; top-level properties in ``skip`` are judged elsewhere."""
    site.budget.spend(site.operation)
    if old is new or old.recursive or new.recursive:
        return
    _types(old, new, site, path)
    _enum(old, new, site, path)
    if old.allows(NUMERIC) and new.allows(NUMERIC):
        _numbers(old, new, site, path)
    if old.allows(_STRING) and new.allows(_STRING):
        _counts("length", old.min_length, new.min_length, old.max_length, new.max_length, site, path)
        _string_form(old, new, site, path)
    if old.allows(_ARRAY) and new.allows(_ARRAY):
        _counts("items", old.min_items, new.min_items, old.max_items, new.max_items, site, path)
        if old.items is not None or new.items is not None:
            compare_shapes(old.items or ANY, new.items or ANY, site, f"{path}[]")
    if old.allows(_OBJECT) and new.allows(_OBJECT):
        _properties(old, new, site, path, skip)
    if site.request and old.has_default and new.has_default and old.default != new.default:
        site.emit(k.REQUEST_DEFAULT_CHANGED, path, f"default {_show(old.default)} -> {_show(new.default)}")


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def _types(old: Shape, new: Shape, site: Site, path: str) -> None:
    if old.types == new.types:
        return
    gained = bool(
        new.types is None or (old.types is not None and any(not accepts_type(old.types, t) for t in new.types))
    )
    lost = bool(old.types is None or (new.types is not None and any(not accepts_type(new.types, t) for t in old.types)))
    change = f"type {old.type_label()} -> {new.type_label()}"
    if site.request:
        if lost:
            site.emit(k.REQUEST_TYPE_NARROWED, path, change)
        elif gained:
            site.emit(k.REQUEST_TYPE_WIDENED, path, change)
    elif gained:
        site.emit(k.RESPONSE_TYPE_WIDENED, path, change + _nullable_note(old, new))
    elif lost:
        site.emit(k.RESPONSE_TYPE_NARROWED, path, change)


def _nullable_note(old: Shape, new: Shape) -> str:
    newly_null = new.types is not None and "null" in new.types and old.types is not None and "null" not in old.types
    return " (may now be null)" if newly_null else ""


def _values(values: tuple[Any, ...]) -> str:
    return ", ".join(str(v) for v in values)


def _enum(old: Shape, new: Shape, site: Site, path: str) -> None:
    if old.enum == new.enum or (old.enum is not None and new.enum is not None and set(old.enum) == set(new.enum)):
        return
    added = tuple(v for v in new.enum or () if old.enum is not None and v not in old.enum)
    removed = tuple(v for v in old.enum or () if new.enum is not None and v not in new.enum)
    if site.error and not site.request:
        opened = " (no longer a closed list)" if new.enum is None else ""
        parts = [f"added {_values(added)}" if added else "", f"removed {_values(removed)}" if removed else ""]
        site.emit(k.ERROR_ENUM_CHANGED, path, "values " + "; ".join(p for p in parts if p) + opened)
        return
    if old.enum is None:
        kind = k.REQUEST_ENUM_ADDED if site.request else k.RESPONSE_ENUM_ADDED
        site.emit(kind, path, f"now limited to {_values(new.enum or ())}")
        return
    if new.enum is None:
        kind = k.REQUEST_ENUM_REMOVED if site.request else k.RESPONSE_ENUM_REMOVED
        site.emit(kind, path, f"no longer limited to {_values(old.enum)}")
        return
    if added:
        kind = k.REQUEST_ENUM_VALUE_ADDED if site.request else k.RESPONSE_ENUM_VALUE_ADDED
        site.emit(kind, path, f"enum gains {_values(added)}")
    if removed:
        kind = k.REQUEST_ENUM_VALUE_REMOVED if site.request else k.RESPONSE_ENUM_VALUE_REMOVED
        site.emit(kind, path, f"enum loses {_values(removed)}")


def _bound(site: Site, path: str, name: str, old: object, new: object, *, tighter: bool, looser: bool) -> None:
    """Judge one bound that changed: ``tighter`` if the new one excludes something, ``looser`` if it admits more."""
    shown = f"{name} {'none' if old is None else old} -> {'none' if new is None else new}"
    if site.request:
        if tighter:
            site.emit(k.REQUEST_BOUND_NARROWED, path, shown)
        elif looser:
            site.emit(k.REQUEST_BOUND_WIDENED, path, shown)
    elif looser:
        site.emit(k.RESPONSE_BOUND_WIDENED, path, shown)
    elif tighter:
        site.emit(k.RESPONSE_BOUND_NARROWED, path, shown)


def _limit(
    site: Site, path: str, name: str, old: Limit | None, new: Limit | None, tighter: Callable[..., bool]
) -> None:
    if old != new:
        _bound(site, path, name, old, new, tighter=tighter(new, old), looser=tighter(old, new))


def _numbers(old: Shape, new: Shape, site: Site, path: str) -> None:
    _limit(site, path, "minimum", old.lower, new.lower, is_tighter_lower)
    _limit(site, path, "maximum", old.upper, new.upper, is_tighter_upper)
    o, n = old.multiple_of, new.multiple_of
    if o != n:
        tighter = n is not None and (o is None or n == 0 or o % n != 0)
        looser = o is not None and (n is None or o == 0 or n % o != 0)
        _bound(site, path, "multipleOf", o, n, tighter=tighter, looser=looser)


def _counts(
    what: str, old_min: int | None, new_min: int | None, old_max: int | None, new_max: int | None, site: Site, path: str
) -> None:
    low = "minLength" if what == "length" else "minItems"
    high = "maxLength" if what == "length" else "maxItems"
    if old_min != new_min:
        _bound(site, path, low, old_min, new_min, tighter=_gt(new_min, old_min), looser=_gt(old_min, new_min))
    if old_max != new_max:
        _bound(site, path, high, old_max, new_max, tighter=_lt(new_max, old_max), looser=_lt(old_max, new_max))


def _gt(a: int | None, b: int | None) -> bool:
    """Whether minimum ``a`` excludes something minimum ``b`` allows."""
    return a is not None and (b is None or a > b)


def _lt(a: int | None, b: int | None) -> bool:
    """Whether maximum ``a`` excludes something maximum ``b`` allows."""
    return a is not None and (b is None or a < b)


def _form(shape: Shape) -> str:
    parts = [f"pattern {p}" for p in sorted(shape.patterns)] + [f"format {f}" for f in sorted(shape.formats)]
    return ", ".join(parts) or "any string"


def _string_form(old: Shape, new: Shape, site: Site, path: str) -> None:
    same_patterns = {normalise_pattern(p) for p in old.patterns} == {normalise_pattern(p) for p in new.patterns}
    if same_patterns and old.formats == new.formats:
        return
    change = f"{_form(old)} -> {_form(new)}"
    if site.request:
        witness = string_witness(old, new)
        if witness is not None:
            site.emit(k.REQUEST_FORMAT_NARROWED, path, f"{change}; {witness!r} is now rejected")
        else:
            site.emit(k.REQUEST_FORMAT_CHANGED, path, change)
        return
    witness = string_witness(new, old)
    if witness is not None:
        site.emit(k.RESPONSE_FORMAT_WIDENED, path, f"{change}; {witness!r} may now arrive")
    else:
        site.emit(k.RESPONSE_FORMAT_CHANGED, path, change)


def _properties(old: Shape, new: Shape, site: Site, path: str, skip: frozenset[str]) -> None:
    for name in [*old.properties, *(n for n in new.properties if n not in old.properties)]:
        if name in skip and not path:
            continue
        o, n = old.properties.get(name), new.properties.get(name)
        hidden = [s for s in (o, n) if s is not None and (s.read_only if site.request else s.write_only)]
        if hidden:
            continue
        where = join(path, name)
        if n is None:
            site.emit(k.REQUEST_FIELD_REMOVED if site.request else k.RESPONSE_FIELD_REMOVED, where, "field removed")
            continue
        if o is None:
            if not site.request:
                site.emit(k.RESPONSE_FIELD_ADDED, where, f"new field ({n.type_label()})")
            elif name in new.required:
                site.emit(k.REQUEST_FIELD_ADDED_REQUIRED, where, f"new required field ({n.type_label()})")
            else:
                site.emit(k.REQUEST_FIELD_ADDED_OPTIONAL, where, f"new optional field ({n.type_label()})")
            continue
        was, now = name in old.required, name in new.required
        if was != now:
            if site.request:
                kind = k.REQUEST_FIELD_BECAME_REQUIRED if now else k.REQUEST_FIELD_BECAME_OPTIONAL
            else:
                kind = k.RESPONSE_FIELD_BECAME_REQUIRED if now else k.RESPONSE_FIELD_BECAME_OPTIONAL
            site.emit(kind, where, "now required" if now else "no longer required")
        compare_shapes(o, n, site, where)
    if site.request and new.closed and not old.closed:
        site.emit(k.REQUEST_EXTRA_FIELDS_REFUSED, path, "additionalProperties: false")
    elif old.extra is not None or new.extra is not None:
        compare_shapes(_extra(old), _extra(new), site, join(path, "*"))


def _extra(shape: Shape) -> Shape:
    """What an undeclared property's value may be."""
    return NOTHING if shape.closed else shape.extra or ANY
