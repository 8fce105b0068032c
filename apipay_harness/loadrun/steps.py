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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from functools import cache
from types import MappingProxyType
from typing import Any

import msgspec

from apipay_harness.core.spec import SIMULATE_STATUS_PATH, load_spec, resolve, status_transitions
from apipay_harness.core.types import JSONObject
from apipay_harness.core.versions import get_version

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
    "invoice_in",
    "last_page",
    "page_rows",
    "refund_answer_mismatch",
    "parse_body",
    "parse_money",
    "parse_price",
    "partial_refund",
    "retry_after",
]

_ENCODER = msgspec.json.Encoder(decimal_format="number")
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Facts:
    """What the load users and the audit take from the spec of the API version they speak."""

    invoice_statuses: frozenset[str]
    refund_statuses: frozenset[str]
    money_pattern: re.Pattern[str]
    version: str
    initial: str
    """The status a created invoice starts in (``x-status-transitions`` ``initial``)."""
    successors: Mapping[str, frozenset[str]]
    """Each invoice status's successors (``x-status-transitions``)."""
    list_statuses: tuple[str, ...]
    """The values ``GET /invoices`` takes in ``status[]``."""
    amount_quantum: Decimal
    """The step of a flat invoice amount: kopecks, or whole tenge where the spec says ``multipleOf: 1``."""
    cart_line_price: bool
    """Whether a cart line may carry its own ``price``."""
    simulate_status: bool
    """Whether the API has the sandbox's ``POST /invoices/{id}/simulate-status``."""
    cancel_wraps_invoice: bool
    """Whether a ``200`` cancel answers ``{message, invoice}`` rather than the invoice itself."""
    pagination: Mapping[str, str] | None
    """``x-pagination`` of ``GET /invoices`` (flat pages); ``None``: ``{data, meta: {last_page}}``."""
    fully_refunded_flag: str | None
    """The invoice flag that says refunds add up to the amount (``not_refundable_when``), if the version has one."""


@cache
def facts(version: str | None = None) -> Facts:
    """Read once per process and version the statuses, transitions, money format and shapes the spec writes down."""
    name = get_version(version).name
    spec = load_spec(version=name)
    schemas = spec["components"]["schemas"]
    money = resolve(spec, schemas["Money"])
    table = status_transitions(spec, "InvoiceStatus")
    paths = spec["paths"]
    listing = paths["/invoices"]["get"]
    flat = _flat_amount(spec)
    cart_line = resolve(spec, schemas["CartItemInput"])
    cancelled = _answer_schema(spec, paths["/invoices/{id}/cancel"]["post"], "200")
    flag = next(iter(table.get("not_refundable_when", {})), None)
    return Facts(
        invoice_statuses=frozenset(table["statuses"]),
        refund_statuses=frozenset(status_transitions(spec, "RefundStatus")["statuses"]),
        money_pattern=re.compile(money["pattern"]),
        version=name,
        initial=str(table["initial"]),
        successors=MappingProxyType({k: frozenset(v.get("successors", ())) for k, v in table["statuses"].items()}),
        list_statuses=_status_filter(spec, listing),
        amount_quantum=Decimal(str(flat.get("multipleOf", "0.01"))),
        cart_line_price="price" in cart_line.get("properties", {}),
        simulate_status=SIMULATE_STATUS_PATH in paths,
        cancel_wraps_invoice="invoice" in cancelled.get("properties", {}),
        pagination=MappingProxyType(dict(listing["x-pagination"])) if "x-pagination" in listing else None,
        fully_refunded_flag=flag,
    )


def _flat_amount(spec: JSONObject) -> JSONObject:
    """The schema of a flat invoice's ``amount`` (the ``flat amount`` branch of ``CreateInvoiceRequest``)."""
    request = resolve(spec, spec["components"]["schemas"]["CreateInvoiceRequest"])
    for branch in request.get("anyOf", ()):
        amount = resolve(spec, branch).get("properties", {}).get("amount")
        if amount is not None:
            schema: JSONObject = resolve(spec, amount)
            return schema
    raise KeyError("CreateInvoiceRequest has no flat amount branch")


def _status_filter(spec: JSONObject, listing: JSONObject) -> tuple[str, ...]:
    """The ``status[]`` values ``GET /invoices`` takes, in the spec's order."""
    for parameter in listing.get("parameters", ()):
        parameter = resolve(spec, parameter)
        if parameter.get("name") == "status[]":
            return tuple(resolve(spec, resolve(spec, parameter["schema"])["items"])["enum"])
    raise KeyError("GET /invoices has no status[] parameter")


def _answer_schema(spec: JSONObject, operation: JSONObject, status: str) -> JSONObject:
    """The JSON schema of one answer of an operation."""
    answer = resolve(spec, operation["responses"][status])
    schema: JSONObject = resolve(spec, answer["content"]["application/json"]["schema"])
    return schema


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


def parse_price(value: Any) -> Decimal | None:
    """A catalog price as ``Decimal`` (a money string, or a JSON number as 2.1 lists them); ``None`` if neither."""
    if isinstance(value, str):
        try:
            return parse_money(value)
        except ValueError:
            return None
    if isinstance(value, int | Decimal) and not isinstance(value, bool) and value > 0:
        return Decimal(value)
    return None


def flat_invoice(rng: random.Random, *, tag: str, quantum: Decimal = _CENT) -> tuple[dict[str, Any], Decimal]:
    """A flat-amount create body (kopecks, or whole tenge for ``quantum`` 1), and the amount the answer must show."""
    amount = Decimal(rng.randint(100, 5_000_000)) / 100
    if quantum > _CENT:
        amount = max(quantum, amount.quantize(quantum, rounding=ROUND_DOWN))
    body = {
        "amount": amount,
        "phone_number": f"87{rng.randint(0, 999_999_999):09d}",
        "description": f"load {tag}",
        "external_order_id": tag,
    }
    return body, amount


def cart_invoice(
    rng: random.Random, prices: Sequence[tuple[int, Decimal]], *, tag: str, line_price: Decimal | None = None
) -> tuple[dict[str, Any], Decimal]:
    """A cart create body over catalog ``(id, price)`` pairs, and the amount Σ price × count it implies.

    With ``line_price`` (the amount's step, where cart lines may carry a price) each line sends the catalog
    price rounded down to that step, so a version that takes whole tenge only gets a whole cart.
    """
    items: list[dict[str, Any]] = [{"catalog_item_id": item_id, "count": rng.randint(1, 4)} for item_id, _ in prices]
    unit_prices = [price for _, price in prices]
    if line_price is not None:
        unit_prices = [max(line_price, price.quantize(line_price, rounding=ROUND_DOWN)) for price in unit_prices]
        for item, price in zip(items, unit_prices, strict=True):
            item["price"] = price
    amount = sum((price * item["count"] for price, item in zip(unit_prices, items, strict=True)), Decimal("0"))
    body = {"phone_number": f"87{rng.randint(0, 999_999_999):09d}", "description": f"cart {tag}", "cart_items": items}
    return body, amount.quantize(_CENT)


def partial_refund(amount: Decimal, rng: random.Random) -> Decimal:
    """A refund strictly between zero and ``amount`` (``amount`` itself when it is one kopeck)."""
    if amount <= _CENT:
        return amount
    share = (amount * Decimal(rng.randint(10, 90)) / 100).quantize(_CENT, rounding=ROUND_DOWN)
    return min(max(share, _CENT), amount - _CENT)


_RETRY_AFTER_FIELDS = ("retry_after", "retry_after_seconds")
"""Where a 429 body says how long to wait: 2026-02-13's ``retry_after``, 2.1's ``RateLimitWindow``."""


def retry_after(body: Any, *, default: float = 1.0) -> float:
    """Seconds a 429 answer asks the client to wait."""
    for name in _RETRY_AFTER_FIELDS:
        value = body.get(name) if isinstance(body, dict) else None
        if isinstance(value, int | Decimal) and not isinstance(value, bool) and value >= 0:
            return float(value)
    return default


def check_invoice(
    body: Any,
    *,
    invoice_id: int | None = None,
    status: Collection[str] | None = None,
    amount: Decimal | None = None,
    known: Facts | None = None,
) -> str | None:
    """Whether ``body`` is an invoice with the expected id, status and amount, money as strings.

    ``known`` is the version spoken (default: the default version's): its statuses, and its fully-refunded flag,
    which, where the body carries it, must agree with the invoice's own ``total_refunded``.
    """
    known = known or facts()
    if not isinstance(body, dict):
        return f"invoice body is not an object: {type(body).__name__}"
    if not isinstance(body.get("id"), int) or (invoice_id is not None and body["id"] != invoice_id):
        return f"invoice id {body.get('id')!r}, expected {invoice_id if invoice_id is not None else 'an integer'}"
    got = body.get("status")
    if got not in known.invoice_statuses:
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
    flag = known.fully_refunded_flag
    if flag is not None and flag in body and body[flag] is not (total > 0 and total >= server_amount):
        return f"invoice {body['id']} {flag} {body.get(flag)!r} with total_refunded {total} of {server_amount}"
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
    mismatch = refund_answer_mismatch(invoice_id, refunded, requested, server_amount, amount)
    if mismatch:
        return mismatch
    if total > amount:
        return f"refund accepted past the amount: total_refunded {total} above amount {amount}"
    if available != amount - total:
        return f"available_for_refund {available}, expected {amount} - {total} = {amount - total}"
    expected = "refunded" if total == amount else "partially_refunded"
    if invoice.get("status") != expected:
        return f"invoice status {invoice.get('status')!r} after refund, expected {expected}"
    return None


def invoice_in(body: Any, *, wrapped: bool) -> Any:
    """The invoice of an answer that is the invoice itself, or ``{message, invoice}`` when ``wrapped``."""
    return body.get("invoice") if wrapped and isinstance(body, dict) else body


def check_cancel(status_code: int, body: Any, *, invoice_id: int, known: Facts | None = None) -> str | None:
    """Whether a cancel answer is a queued 202 for this invoice or a 200 with it cancelled."""
    known = known or facts()
    if status_code == 202:
        if not isinstance(body, dict) or body.get("invoice_id") != invoice_id:
            return f"202 cancel answer names invoice {body.get('invoice_id') if isinstance(body, dict) else body!r}"
        return None
    if status_code == 200:
        invoice = invoice_in(body, wrapped=known.cancel_wraps_invoice)
        return check_invoice(invoice, invoice_id=invoice_id, status={"cancelled"}, known=known)
    return f"cancel of a pending invoice answered {status_code}"


def check_page(body: Any, *, statuses: Collection[str] | None, per_page: int, known: Facts | None = None) -> str | None:
    """Whether a list page has the version's shape, at most ``per_page`` rows, all in the filtered statuses."""
    known = known or facts()
    flat = known.pagination
    if flat is None:
        meta = body.get("meta") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(body.get("data"), list) or not isinstance(meta, dict):
            return "list answer lacks data or meta"
        rows = body["data"]
    else:
        fields = (flat["items_field"], flat["page_field"], flat["total_field"])
        if not isinstance(body, dict) or not isinstance(body.get(fields[0]), list):
            return f"list answer lacks {fields[0]}"
        if not all(isinstance(body.get(f), int) and not isinstance(body.get(f), bool) for f in fields[1:]):
            return f"list answer lacks integer {' and '.join(fields[1:])}"
        rows = body[fields[0]]
    if len(rows) > per_page:
        return f"page holds {len(rows)} invoices, per_page was {per_page}"
    for row in rows:
        reason = check_invoice(row, status=statuses, known=known)
        if reason:
            return f"list row: {reason}"
    return None


def page_rows(body: Any, *, known: Facts | None = None) -> list[Any]:
    """The rows of a list page (empty when it has none)."""
    known = known or facts()
    field = known.pagination["items_field"] if known.pagination else "data"
    rows = body.get(field) if isinstance(body, dict) else None
    return rows if isinstance(rows, list) else []


def last_page(body: Any, *, per_page: int, known: Facts | None = None) -> int:
    """The last page number a list page implies: ``meta.last_page``, or ``ceil(total / per_page)`` on flat pages."""
    known = known or facts()
    if not isinstance(body, dict):
        return 1
    if known.pagination is None:
        last = body.get("meta", {}).get("last_page", 1) if isinstance(body.get("meta"), dict) else 1
        return last if isinstance(last, int) else 1
    total = body.get(known.pagination["total_field"])
    return max(1, -(-total // per_page)) if isinstance(total, int) and not isinstance(total, bool) else 1


def refund_answer_mismatch(
    invoice_id: int, refunded: Decimal, requested: Decimal | None, server_amount: Decimal, amount: Decimal
) -> str | None:
    """What a refund answer gets wrong about the refund asked for or its invoice's amount, in any version."""
    if requested is not None and refunded != requested:
        return f"refund of invoice {invoice_id} is {refunded}, {requested} was asked"
    if server_amount != amount:
        return f"refund answer shows invoice amount {server_amount}, expected {amount}"
    return None
