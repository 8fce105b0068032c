"""A JSON Schema reduced to what a client can observe of a value: the terms the comparison rules speak."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = ["ANY", "NO_DEFAULT", "NUMERIC", "Limit", "Shape", "accepts_type", "is_tighter_lower", "is_tighter_upper"]

NUMERIC = frozenset({"number", "integer"})
NO_DEFAULT = object()
"""The default of a schema that states none (``None`` is a default a schema can state)."""


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
    default: Any = NO_DEFAULT
    read_only: bool = False
    write_only: bool = False
    examples: tuple[Any, ...] = ()
    name: str | None = None
    """The component the schema came from, for messages."""
    recursive: bool = False

    @property
    def has_default(self) -> bool:
        """Whether the schema states a default."""
        return self.default is not NO_DEFAULT

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
