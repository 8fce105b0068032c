"""Money as ``Decimal``: rounding request amounts to kopecks and rendering two decimals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["KOPECK", "ZERO", "money", "to_kopecks"]

KOPECK = Decimal("0.01")
ZERO = Decimal("0.00")


def to_kopecks(value: Decimal | int) -> Decimal:
    """Round an amount half-up to whole kopecks."""
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    """Render an amount as the API does: a string with exactly two decimals."""
    return format(value.quantize(KOPECK, rounding=ROUND_HALF_UP), "f")
