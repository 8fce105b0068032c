"""Money as ``Decimal``: rounding to kopecks, exact sums and two-decimal rendering at any magnitude."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

__all__ = ["KOPECK", "ZERO", "money", "to_kopecks", "total"]

KOPECK = Decimal("0.01")
ZERO = Decimal("0.00")
_EXACT = Context(prec=2000, rounding=ROUND_HALF_UP)
"""Wide enough that no JSON number a client can send (catalog prices have no upper bound) is ever rounded."""


def to_kopecks(value: Decimal | int) -> Decimal:
    """Round an amount half-up to whole kopecks."""
    return Decimal(value).quantize(KOPECK, context=_EXACT)


def total(lines: Iterable[tuple[Decimal, int]]) -> Decimal:
    """Σ price × count, exactly."""
    result = ZERO
    for price, count in lines:
        result = _EXACT.add(result, _EXACT.multiply(price, Decimal(count)))
    return result


def money(value: Decimal) -> str:
    """Render an amount as the API does: a string with exactly two decimals."""
    text = format(value, "f")
    if len(text) > 3 and text[-3] == "." and text[0] != "-":
        return text
    return format(value.quantize(KOPECK, context=_EXACT), "f")
