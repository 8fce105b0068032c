"""The edge values of a bounded field, computed from its keywords and its ``examples`` / ``x-invalid-examples``.

For every bound keyword the exact edge must be accepted and the first value outside it
rejected: a number's step is one unit of the bound's last decimal place (``0.01`` for
``99999999.99``), an integer's is 1, a string's or an array's is one character or item.
Enum members are all accepted and a non-member rejected; patterns and formats take
their sides from the spec's own examples. Nothing here restates a number of the spec.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apipay_harness.core.spec import BoundedField

__all__ = ["Edge", "broken_keyword", "edges_of", "step_of"]


@dataclass(frozen=True, slots=True)
class Edge:
    """One value to send for a bounded field, and whether a conforming server accepts it."""

    field: BoundedField
    label: str
    """``maximum+0.01``, ``maxLength``, ``enum=paid``, ``x-invalid-examples[1]``."""
    value: Any
    accepted: bool
    keyword: str

    @property
    def rule(self) -> str:
        """The JSON pointer of the bound this value tests."""
        return f"#{self.field.pointer}/{self.keyword}"

    @property
    def id(self) -> str:
        """A readable pytest id: ``POST /invoices body.amount maximum+0.01``."""
        return f"{self.field.operation.label} {self.field.location}.{self.field.field_name} {self.label}"


def step_of(bound: Any, schema_type: Any, multiple_of: Any = None) -> Decimal:
    """The smallest move across ``bound``: 1 for integers, else ``multipleOf`` or one unit of its last decimal."""
    if _is_type(schema_type, "integer"):
        return Decimal(1)
    if multiple_of is not None:
        return Decimal(str(multiple_of))
    exponent = Decimal(str(bound)).normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(1).scaleb(min(exponent, 0))


def edges_of(field: BoundedField) -> list[Edge]:
    """Every edge value of ``field``: keyword edges first, then the spec's examples not already covered."""
    schema = field.schema
    found: list[Edge] = []
    kind = schema.get("type")
    for keyword in field.keywords:
        bound: Any = schema[keyword]
        if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            found += _numeric(field, keyword, bound, kind, schema.get("multipleOf"))
        elif keyword in ("minLength", "maxLength"):
            found += _sized(field, keyword, int(bound), lambda n: "x" * n)
        elif keyword in ("minItems", "maxItems"):
            item = _item_example(schema)
            if item is not None:
                found += _sized(field, keyword, int(bound), lambda n, item=item: [dict(item) for _ in range(n)])
        elif keyword == "enum":
            found += [Edge(field, f"enum={v}", v, True, "enum") for v in bound]
            outside = _first(schema.get("x-invalid-examples")) or "not-a-member"
            found.append(Edge(field, f"enum!={outside}", outside, False, "enum"))
    sided = next((k for k in ("pattern", "format") if k in field.keywords), None) or (field.keywords or ("",))[0]
    seen = [(e.value, e.accepted) for e in found]
    for i, value in enumerate(schema.get("examples") or []):
        if (value, True) not in seen and not _same_number(value, [v for v, ok in seen if ok]):
            found.append(Edge(field, f"examples[{i}]", value, True, sided))
    for i, value in enumerate(schema.get("x-invalid-examples") or []):
        if (value, False) not in seen and not _same_number(value, [v for v, ok in seen if not ok]):
            found.append(Edge(field, f"x-invalid-examples[{i}]", value, False, broken_keyword(schema, value) or sided))
    return found


def broken_keyword(schema: dict[str, Any], value: Any) -> str | None:
    """The first bound keyword of ``schema`` that ``value`` breaks (None when no keyword here can tell).

    An invalid example is refused for one particular bound, and a spec may name the error code of each
    (``x-error-codes``): ``10.5`` for ``{minimum: 1, multipleOf: 1}`` breaks ``multipleOf``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        tests: dict[str, Callable[[Decimal], bool]] = {
            "minimum": lambda b: number < b,
            "maximum": lambda b: number > b,
            "exclusiveMinimum": lambda b: number <= b,
            "exclusiveMaximum": lambda b: number >= b,
            "multipleOf": lambda b: number % b != 0,
        }
        return next((k for k, broken in tests.items() if k in schema and broken(Decimal(str(schema[k])))), None)
    sized = {str: ("minLength", "maxLength"), list: ("minItems", "maxItems")}
    for kind, (low, high) in sized.items():
        if isinstance(value, kind):
            if low in schema and len(value) < int(schema[low]):
                return low
            if high in schema and len(value) > int(schema[high]):
                return high
    if "enum" in schema and value not in schema["enum"]:
        return "enum"
    return None


def _numeric(field: BoundedField, keyword: str, bound: Any, kind: Any, multiple_of: Any) -> list[Edge]:
    step = step_of(bound, kind, multiple_of)
    edge = Decimal(str(bound))
    inside, outside = {
        "minimum": (edge, edge - step),
        "maximum": (edge, edge + step),
        "exclusiveMinimum": (edge + step, edge),
        "exclusiveMaximum": (edge - step, edge),
    }[keyword]
    sign = "-" if outside < inside else "+"
    as_type = int if _is_type(kind, "integer") else Decimal
    return [
        Edge(field, keyword, as_type(inside), True, keyword),
        Edge(field, f"{keyword}{sign}{step}", as_type(outside), False, keyword),
    ]


def _sized(field: BoundedField, keyword: str, bound: int, make: Any) -> list[Edge]:
    outside = bound - 1 if keyword.startswith("min") else bound + 1
    edges = [Edge(field, keyword, make(bound), True, keyword)]
    if outside >= 0:
        sign = "-1" if outside < bound else "+1"
        edges.append(Edge(field, f"{keyword}{sign}", make(outside), False, keyword))
    return edges


def _item_example(schema: dict[str, Any]) -> dict[str, Any] | None:
    for example in schema.get("examples") or []:
        if isinstance(example, list) and example and isinstance(example[0], dict):
            return dict(example[0])
    return None


def _first(values: Any) -> Any:
    return values[0] if isinstance(values, list) and values else None


def _is_type(kind: Any, name: str) -> bool:
    return kind == name or (isinstance(kind, list) and name in kind)


def _same_number(value: Any, others: list[Any]) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    number = Decimal(str(value))
    return any(
        isinstance(o, int | float | Decimal) and not isinstance(o, bool) and Decimal(str(o)) == number for o in others
    )
