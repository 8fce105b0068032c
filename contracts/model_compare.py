"""Comparing what a target shows for an invoice with what the oracle says it must show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contracts.oracle import REFUND_RULE, ModelInvoice, ModelItem, Oracle, Totals, money

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
    if "phone_number" in body or "phone" not in body:  # a create answer or a list row may name it phone
        check("phone_number", model.phone_number, body.get("phone_number"))
    if "phone" in body:
        forms = [model.phone_number] + [p + model.phone_number[1:] for p in oracle.rules.row_phone_prefixes]
        if body["phone"] not in forms:
            found.append(FieldMismatch("phone", " or ".join(forms), body["phone"], _INVOICE_RULE))
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

    Once a refund may have failed the docs do not say whether it still counts, so each reading the target
    has not ruled out (``Oracle.totals``) is accepted, applied to the three totals at once; a body that fits
    only some readings holds the target to them from then on, and a body that fits none is shown against
    every one. ``available_for_refund`` is compared only once the invoice was paid: before that the docs
    leave it open.
    """
    names = [n for n in ("total_refunded", "is_fully_refunded", "available_for_refund") if n in body]
    if model.status not in oracle.paid_family() and "available_for_refund" in names:
        names.remove("available_for_refund")
    if not names:
        return []
    received = {name: _money_or_raw(body[name]) if name != "is_fully_refunded" else body[name] for name in names}
    readings = oracle.totals(model.id)
    queued = oracle.rules.refunds_queued
    fitting = [reading for reading, totals in readings.items() if _fits(model, totals, received, queued=queued)]
    if fitting:
        oracle.learn(fitting)
        return []
    ends = sorted({total for totals in readings.values() for total in totals.ends()})
    shown = [received.get("total_refunded")]
    if isinstance(received.get("available_for_refund"), Decimal):
        shown.append(model.amount - received["available_for_refund"])
    near = [total for total in shown if total in ends]  # the total the body meant: judge the other fields by it
    picks = near[:1] or ends
    expected: dict[str, list[Any]] = {
        "total_refunded": picks,
        "is_fully_refunded": sorted({total == model.amount for total in picks}),
        "available_for_refund": [model.amount - total for total in picks],
    }
    wrong = [name for name in names if received[name] not in expected[name]] or names  # else: no one total fits all
    return [
        FieldMismatch(
            f"{prefix}{name}",
            expected[name][0] if len(expected[name]) == 1 else " or ".join(map(repr, expected[name])),
            received[name],
            REFUND_RULE,
        )
        for name in wrong
    ]


def _fits(model: ModelInvoice, totals: Totals, received: Mapping[str, Any], *, queued: bool = False) -> bool:
    """Whether one total the reading allows explains every total field the body carries.

    Where refunds are queued, ``available_for_refund`` also leaves out the refunds still queued: the amount less
    it is ``total_refunded`` plus the queue, each a total the reading allows (a queued refund may have completed or
    failed unseen), and never less than ``total_refunded``.
    """
    shown = received.get("total_refunded")
    if "available_for_refund" in received:
        available = received["available_for_refund"]
        if not isinstance(available, Decimal):
            return False
        implied = model.amount - available
        if queued:
            if implied not in totals or (shown is not None and not (isinstance(shown, Decimal) and shown <= implied)):
                return False
        elif shown is not None and shown != implied:
            return False
        shown = implied if shown is None else shown
    if shown is None:  # only the flag: some allowed total must give it
        return any((total == model.amount) == received["is_fully_refunded"] for total in totals.ends()) or (
            totals.span is not None
        )
    if shown not in totals:
        return False
    return "is_fully_refunded" not in received or received["is_fully_refunded"] == (shown == model.amount)


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
