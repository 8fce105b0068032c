"""The bounds of a flat invoice's ``amount`` as the run's spec writes them (``POST /invoices``).

Suites that create invoices of their own choosing (refund targets, list datasets) keep to these bounds:
2026-02-13 takes kopecks from 0.01, 2.1 whole tenge from 1 (``multipleOf: 1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from apipay_harness.core.spec import bounded_fields
from apipay_harness.core.types import JSONObject

__all__ = ["AmountRule"]


@dataclass(frozen=True, slots=True)
class AmountRule:
    """``minimum``, ``maximum`` and ``multipleOf`` of a flat invoice's amount (no bound where the spec has none)."""

    minimum: Decimal
    maximum: Decimal
    step: Decimal | None

    @classmethod
    def of(cls, spec: JSONObject) -> AmountRule:
        """The rule of ``POST /invoices`` body ``amount`` in ``spec``."""
        fields = bounded_fields(spec)
        found = [f.schema for f in fields if f.operation.label == "POST /invoices" and f.name == ("amount",)]
        schema = found[0] if found else {}
        step = schema.get("multipleOf")
        return cls(
            Decimal(str(schema.get("minimum", 0))),
            Decimal(str(schema["maximum"])) if "maximum" in schema else Decimal("Infinity"),
            None if step is None else Decimal(str(step)),
        )

    def at_least(self, wanted: Decimal) -> Decimal:
        """The smallest allowed amount not below ``wanted`` (the largest allowed one when none is)."""
        return min(self._to_step(max(wanted, self.minimum), ROUND_CEILING), self.maximum)

    def at_most(self, wanted: Decimal) -> Decimal:
        """The largest allowed amount not above ``wanted`` (the smallest allowed one when none is)."""
        return max(self._to_step(min(wanted, self.maximum), ROUND_FLOOR), self.minimum)

    def _to_step(self, amount: Decimal, rounding: str) -> Decimal:
        if self.step is None:
            return amount
        return (amount / self.step).to_integral_value(rounding=rounding) * self.step
