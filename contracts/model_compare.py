"""Comparing what a target shows for an invoice with what the oracle says it must show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contracts.oracle import REFUND_RULE, ModelInvoice, ModelItem, Oracle, money

__all__ = ["ITEMS_RULE", "FieldMismatch", "diff_invoice", "diff_refund_totals", "diff_refunds", "model_items"]

ITEMS_RULE = "#/components/schemas/InvoiceItem/description"
"""Where the spec says a cart item is kept as it was when the invoice was created."""
_INVOICE_RULE = "#/components/schemas/InvoiceDetail"


@dataclass(frozen=True, slots=True)
class FieldMismatch:
    """One field where the target and the model disagree."""

    field: str
    expected: Any
    received: Any
    rule: str

    def line(self) -> str:
        """One readable line for a Violation message."""
        return f"{self.field}: expected {self.expected!r}, received {self.received!r}"


def model_items(items: Any) -> list[tuple[int, str, Decimal, int, int]] | None:
    """The comparable form of a list of invoice items (sorted by catalog id), or None if it is malformed."""
    if not isinstance(items, list):
        return None
    found = []
    for item in items:
        if isinstance(item, ModelItem):
            found.append((item.catalog_item_id, item.name, item.price, item.count, item.unit_id))
            continue
        try:
            found.append(
                (
                    int(item["catalog_item_id"]),
                    str(item["name"]),
                    money(item["price"]),
                    int(item["count"]),
                    int(item["unit_id"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            return None
    return sorted(found)


def _money_or_raw(value: Any) -> Any:
    try:
        return money(value)
    except ValueError:
        return value


def diff_invoice(oracle: Oracle, model: ModelInvoice, body: Mapping[str, Any]) -> list[FieldMismatch]:
    """Every field of ``GET /invoices/{id}`` or a list entry that differs from the model (status is judged apart)."""
    found: list[FieldMismatch] = []

    def check(name: str, expected: Any, received: Any, rule: str = _INVOICE_RULE) -> None:
        if expected != received:
            found.append(FieldMismatch(name, expected, received, rule))

    check("id", model.id, body.get("id"))
    check("amount", model.amount, _money_or_raw(body.get("amount")), "#/paths/~1invoices/post/description")
    check("phone_number", model.phone_number, body.get("phone_number"))
    for name in ("description", "external_order_id"):  # a list row or create answer may leave them out
        if name in body:
            check(name, getattr(model, name), body[name])
    found += _diff_totals(oracle, model, body, prefix="")
    if "items" in body:
        items = body["items"]
        check("items", model_items(list(model.items)), model_items(items), ITEMS_RULE)
        if isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, dict) and item.get("invoice_id") != model.id:
                    check(f"items.{index}.invoice_id", model.id, item.get("invoice_id"), ITEMS_RULE)
    if "paid_at" in body and model.status in oracle.paid_family() and body["paid_at"] is None:
        found.append(FieldMismatch("paid_at", "a date-time (the invoice was paid)", None, _INVOICE_RULE))
    if model.client_name is not None and "client_name" in body:
        check("client_name", model.client_name, body["client_name"])
    return found


def _diff_totals(oracle: Oracle, model: ModelInvoice, body: Mapping[str, Any], *, prefix: str) -> list[FieldMismatch]:
    """``total_refunded``, ``is_fully_refunded`` and ``available_for_refund``, as far as the body carries them.

    Once a refund failed the docs do not say whether it still counts, so each reading
    (``ModelInvoice.refund_readings``) is accepted, applied to the three totals at once; a body
    that fits none is shown against every reading. ``available_for_refund`` is compared only once
    the invoice was paid: before that the docs leave it open.
    """
    fits: list[dict[str, Any]] = []
    for total in model.refund_readings:
        expected: dict[str, Any] = {"total_refunded": total, "is_fully_refunded": total == model.amount}
        if model.status in oracle.paid_family():
            expected["available_for_refund"] = model.amount - total
        fits.append({name: value for name, value in expected.items() if name in body})
    received = {name: _money_or_raw(body[name]) if name != "is_fully_refunded" else body[name] for name in fits[0]}
    if any(fit == received for fit in fits):
        return []
    return [
        FieldMismatch(
            f"{prefix}{name}",
            " or ".join(sorted({repr(fit[name]) for fit in fits})) if len(fits) > 1 else fits[0][name],
            received[name],
            REFUND_RULE,
        )
        for name in fits[0]
        if any(fit[name] != received[name] for fit in fits)
    ]


def diff_refund_totals(oracle: Oracle, model: ModelInvoice, totals: Mapping[str, Any]) -> list[FieldMismatch]:
    """The refund totals of an invoice (a refund answer's ``invoice``, or ``GET /invoices/{id}/refunds``'s).

    Only the fields the body carries are compared: whether a field must be there is the schema's
    rule, judged where the body is read. The refund answer's ``invoice`` as the docs show it has no
    ``is_fully_refunded``, so its absence there is no mismatch.
    """
    found: list[FieldMismatch] = []
    for name, expected in (("id", model.id), ("amount", model.amount)):
        if name not in totals:
            continue
        received = totals.get(name)
        if isinstance(expected, Decimal):
            received = _money_or_raw(received)
        if expected != received:
            found.append(FieldMismatch(f"invoice.{name}", expected, received, REFUND_RULE))
    return found + _diff_totals(oracle, model, totals, prefix="invoice.")


def diff_refunds(model: ModelInvoice, refunds: Any) -> list[FieldMismatch]:
    """The ``refunds`` list against the refunds the model recorded (ids, amounts, reasons; statuses elsewhere)."""
    if not isinstance(refunds, list):
        return [FieldMismatch("refunds", "a list", refunds, REFUND_RULE)]
    expected = sorted((r.id, r.amount, r.reason) for r in model.refunds)
    received = []
    for refund in refunds:
        try:
            received.append((int(refund["id"]), money(refund["amount"]), refund.get("reason")))
        except (KeyError, TypeError, ValueError):
            return [FieldMismatch("refunds", "refund objects", refund, REFUND_RULE)]
    if expected != sorted(received):
        return [FieldMismatch("refunds", expected, sorted(received), REFUND_RULE)]
    return []
