"""Refunds as the documents of 2026-02-13 describe them: accepted means done, a full refund is ``refunded``."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from apipay_harness.loadrun.steps import Facts, check_refund

__all__ = ["RULES", "SeedRefunds"]


class SeedRefunds:
    """A 201 refund has taken effect: the answer's totals include it and the invoice's status shows it."""

    queued = False

    def check_answer(
        self, body: Any, *, invoice_id: int, requested: Decimal | None, amount: Decimal, known: Facts
    ) -> str | None:
        """The answer's refund and invoice totals, with the invoice ``refunded`` or ``partially_refunded``."""
        return check_refund(body, invoice_id=invoice_id, requested=requested, amount=amount)

    def status_after(self, amount: Decimal, counted: Sequence[Decimal]) -> str:
        """``paid`` before any refund, ``refunded`` once they reach the amount, else ``partially_refunded``."""
        if not counted:
            return "paid"
        return "refunded" if sum(counted, Decimal("0")) >= amount else "partially_refunded"


RULES = SeedRefunds()
