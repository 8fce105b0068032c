"""Refunds under API 2.1: a 201 queues the refund, its outcome comes later, and there is no ``refunded``.

The 2.1.0 spec's ``createRefund`` answers ``201 {message, refund (pending), invoice {total_refunded,
available_for_refund, pending_refund_amount}}``; ``total_refunded`` moves only when the refund completes, and
a failed refund is final and gives its amount back. ``InvoiceStatus`` says a full refund leaves ``paid`` or
``partially_refunded`` with ``is_fully_refunded``, and llms.txt that ``partially_refunded`` comes with the
first partial refund: so one completed refund of the whole amount leaves ``paid``, any other completed
refund makes it ``partially_refunded``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from apipay_harness.loadrun.steps import Facts, parse_money, refund_answer_mismatch

__all__ = ["RULES", "QueuedRefunds"]


def _number(value: Any) -> Decimal:
    """A money amount written as a JSON number (``MoneyNumber``); ``ValueError`` for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or value < 0:
        raise ValueError(f"must be a non-negative JSON number, got {value!r}")
    return Decimal(value)


class QueuedRefunds:
    """A 201 refund is queued; it counts once completed."""

    queued = True

    def check_answer(
        self, body: Any, *, invoice_id: int, requested: Decimal | None, amount: Decimal, known: Facts
    ) -> str | None:
        """The queued refund and the invoice's totals: what is left = amount − refunded − queued."""
        if not isinstance(body, dict) or not isinstance(body.get("refund"), dict):
            return "refund answer lacks a refund object"
        refund, invoice = body["refund"], body.get("invoice")
        if not isinstance(invoice, dict):
            return "refund answer lacks an invoice object"
        if refund.get("status") not in known.refund_statuses:
            return f"refund status {refund.get('status')!r} is not a RefundStatus"
        if not isinstance(refund.get("id"), int):
            return f"refund id {refund.get('id')!r} is not an integer"
        try:
            refunded = parse_money(refund.get("amount"))
            total = parse_money(invoice.get("total_refunded"))
            server_amount = parse_money(invoice.get("amount"))
            available = _number(invoice.get("available_for_refund"))
            queued = _number(invoice.get("pending_refund_amount"))
        except ValueError as exc:
            return f"refund of invoice {invoice_id}: {exc}"
        mismatch = refund_answer_mismatch(invoice_id, refunded, requested, server_amount, amount)
        if mismatch:
            return mismatch
        if queued < refunded:
            return f"pending_refund_amount {queued} leaves out the refund of {refunded} just queued"
        if total + queued > amount:
            return f"refund accepted past the amount: {total} refunded and {queued} queued of {amount}"
        if available != amount - total - queued:
            return f"available_for_refund {available}, expected {amount} - {total} - {queued}"
        return None

    def status_after(self, amount: Decimal, counted: Sequence[Decimal]) -> str:
        """``paid`` before any refund and after one that refunded everything; else ``partially_refunded``."""
        if not counted or (len(counted) == 1 and counted[0] >= amount):
            return "paid"
        return "partially_refunded"


RULES = QueuedRefunds()
