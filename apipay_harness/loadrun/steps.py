"""The load users' request bodies and the inline checks of what matters under load.

Each check returns ``None`` when the answer holds, or the reason it breaks the contract, which
the locustfile's request wrapper reports as the request's failure. Statuses and the money format
are read from the spec, so the checks never drift from it. No locust or gevent here, so pytest
can test it.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from functools import cache
from typing import Any

import msgspec

from apipay_harness.core.spec import load_spec, resolve, status_transitions

__all__ = [
    "Facts",
    "dump_json",
    "facts",
    "flat_invoice",
    "cart_invoice",
    "check_cancel",
    "check_invoice",
    "check_page",
    "check_refund",
    "parse_body",
    "parse_money",
    "partial_refund",
    "retry_after",
]

_ENCODER = msgspec.json.Encoder(decimal_format="number")
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Facts:
    """What the inline checks take from the spec."""

    invoice_statuses: frozenset[str]
    refund_statuses: frozenset[str]
    money_pattern: re.Pattern[str]


@cache
def facts() -> Facts:
    """Read once, per process, the statuses and the money format the spec writes down."""
    spec = load_spec()
    money = resolve(spec, spec["components"]["schemas"]["Money"])
    return Facts(
        invoice_statuses=frozenset(status_transitions(spec, "InvoiceStatus")["statuses"]),
        refund_statuses=frozenset(status_transitions(spec, "RefundStatus")["statuses"]),
        money_pattern=re.compile(money["pattern"]),
    )


def dump_json(payload: Any) -> str:
    """Encode a request body with ``Decimal`` money as JSON numbers (never through float)."""
    return _ENCODER.encode(payload).decode("utf-8")


def parse_body(text: str | bytes | None) -> Any:
    """Decode a JSON answer keeping any number with a fraction as ``Decimal``; ``ValueError`` if not JSON."""
    if not text:
        raise ValueError("empty body")
    return json.loads(text, parse_float=Decimal)


def parse_money(value: Any) -> Decimal:
    """A money field as ``Decimal``; ``ValueError`` unless it is a string in the spec's money format."""
    if not isinstance(value, str) or not facts().money_pattern.fullmatch(value):
        raise ValueError(f"money must be a string like '10000.00', got {value!r}")
    return Decimal(value)


def flat_invoice(rng: random.Random, *, tag: str) -> tuple[dict[str, Any], Decimal]:
    """A flat-amount create body with kopecks, and the amount the answer must show."""
    amount = Decimal(rng.randint(100, 5_000_000)) / 100
    body = {
        "amount": amount,
        "phone_number": f"87{rng.randint(0, 999_999_999):09d}",
        "description": f"load {tag}",
        "external_order_id": tag,
    }
    return body, amount


def cart_invoice(
    rng: random.Random, prices: Sequence[tuple[int, Decimal]], *, tag: str
) -> tuple[dict[str, Any], Decimal]:
    """A cart create body over catalog ``(id, price)`` pairs, and the amount Σ price × count it implies."""
    items = [{"catalog_item_id": item_id, "count": rng.randint(1, 4)} for item_id, _ in prices]
    amount = sum((price * item["count"] for (_, price), item in zip(prices, items, strict=True)), Decimal("0"))
    body = {"phone_number": f"87{rng.randint(0, 999_999_999):09d}", "description": f"cart {tag}", "cart_items": items}
    return body, amount.quantize(_CENT)


def partial_refund(amount: Decimal, rng: random.Random) -> Decimal:
    """A refund strictly between zero and ``amount`` (``amount`` itself when it is one kopeck)."""
    if amount <= _CENT:
        return amount
    share = (amount * Decimal(rng.randint(10, 90)) / 100).quantize(_CENT, rounding=ROUND_DOWN)
    return min(max(share, _CENT), amount - _CENT)


def retry_after(body: Any, *, default: float = 1.0) -> float:
    """Seconds a 429 answer asks the client to wait."""
    value = body.get("retry_after") if isinstance(body, dict) else None
    if isinstance(value, int | Decimal) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return default


def check_invoice(
    body: Any, *, invoice_id: int | None = None, status: Collection[str] | None = None, amount: Decimal | None = None
) -> str | None:
    """Whether ``body`` is an invoice with the expected id, status and amount, money as strings."""
    if not isinstance(body, dict):
        return f"invoice body is not an object: {type(body).__name__}"
    if not isinstance(body.get("id"), int) or (invoice_id is not None and body["id"] != invoice_id):
        return f"invoice id {body.get('id')!r}, expected {invoice_id if invoice_id is not None else 'an integer'}"
    got = body.get("status")
    if got not in facts().invoice_statuses:
        return f"invoice {body['id']} status {got!r} is not an InvoiceStatus"
    if status is not None and got not in status:
        return f"invoice {body['id']} status {got!r}, expected {' or '.join(sorted(status))}"
    try:
        server_amount = parse_money(body.get("amount"))
        total = parse_money(body["total_refunded"]) if "total_refunded" in body else Decimal("0")
    except ValueError as exc:
        return f"invoice {body['id']}: {exc}"
    if amount is not None and server_amount != amount:
        return f"invoice {body['id']} amount {server_amount}, expected {amount}"
    if total > server_amount:
        return f"invoice {body['id']} total_refunded {total} above amount {server_amount}"
    return None


def check_refund(body: Any, *, invoice_id: int, requested: Decimal | None, amount: Decimal) -> str | None:
    """Whether a 201 refund answer is consistent: the amount refunded and totals within the invoice amount."""
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("refund"), dict)
        or not isinstance(body.get("invoice"), dict)
    ):
        return "refund answer lacks refund or invoice objects"
    refund, invoice = body["refund"], body["invoice"]
    if refund.get("status") not in facts().refund_statuses:
        return f"refund status {refund.get('status')!r} is not a RefundStatus"
    try:
        refunded = parse_money(refund.get("amount"))
        total = parse_money(invoice.get("total_refunded"))
        available = parse_money(invoice.get("available_for_refund"))
        server_amount = parse_money(invoice.get("amount"))
    except ValueError as exc:
        return f"refund of invoice {invoice_id}: {exc}"
    if requested is not None and refunded != requested:
        return f"refund of invoice {invoice_id} is {refunded}, {requested} was asked"
    if server_amount != amount:
        return f"refund answer shows invoice amount {server_amount}, expected {amount}"
    if total > amount:
        return f"refund accepted past the amount: total_refunded {total} above amount {amount}"
    if available != amount - total:
        return f"available_for_refund {available}, expected {amount} - {total} = {amount - total}"
    expected = "refunded" if total == amount else "partially_refunded"
    if invoice.get("status") != expected:
        return f"invoice status {invoice.get('status')!r} after refund, expected {expected}"
    return None


def check_cancel(status_code: int, body: Any, *, invoice_id: int) -> str | None:
    """Whether a cancel answer is a queued 202 for this invoice or a 200 with it cancelled."""
    if status_code == 202:
        if not isinstance(body, dict) or body.get("invoice_id") != invoice_id:
            return f"202 cancel answer names invoice {body.get('invoice_id') if isinstance(body, dict) else body!r}"
        return None
    if status_code == 200:
        return check_invoice(body, invoice_id=invoice_id, status={"cancelled"})
    return f"cancel of a pending invoice answered {status_code}"


def check_page(body: Any, *, statuses: Collection[str] | None, per_page: int) -> str | None:
    """Whether a list page has ``data`` and ``meta``, at most ``per_page`` rows, all in the filtered statuses."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list) or not isinstance(body.get("meta"), dict):
        return "list answer lacks data or meta"
    if len(body["data"]) > per_page:
        return f"page holds {len(body['data'])} invoices, per_page was {per_page}"
    for row in body["data"]:
        reason = check_invoice(row, status=statuses)
        if reason:
            return f"list row: {reason}"
    return None
