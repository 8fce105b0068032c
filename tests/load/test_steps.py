from __future__ import annotations

import random
from decimal import Decimal

import pytest

from apipay_harness.loadrun import steps


def _refund_answer(*, refunded: str, total: str, available: str, status: str) -> dict[str, object]:
    return {
        "message": "Refund initiated successfully",
        "refund": {"id": 1, "invoice_id": 42, "amount": refunded, "status": "pending"},
        "invoice": {"id": 42, "amount": "100.00", "status": status, "total_refunded": total,
                    "available_for_refund": available},
    }  # fmt: skip


def test_steps_parse_money_rejects_a_json_number() -> None:
    with pytest.raises(ValueError):
        steps.parse_money(Decimal("10.5"))


def test_steps_parse_money_keeps_kopecks_exact() -> None:
    assert steps.parse_money("0.10") + steps.parse_money("0.20") == Decimal("0.30")


def test_steps_parse_body_keeps_fractions_decimal() -> None:
    assert steps.parse_body(b'{"retry_after": 1.5}') == {"retry_after": Decimal("1.5")}


def test_steps_dump_json_sends_decimal_as_a_number() -> None:
    assert steps.dump_json({"amount": Decimal("1500.50")}) == '{"amount":1500.50}'


def test_steps_cart_amount_is_sum_of_price_times_count() -> None:
    body, amount = steps.cart_invoice(random.Random(3), [(101, Decimal("1500.50")), (205, Decimal("1500.15"))], tag="t")
    counts = [item["count"] for item in body["cart_items"]]
    assert amount == Decimal("1500.50") * counts[0] + Decimal("1500.15") * counts[1]


def test_steps_partial_refund_stays_strictly_inside_the_amount() -> None:
    rng = random.Random(1)
    for amount in (Decimal("0.02"), Decimal("1.00"), Decimal("99999.99")):
        part = steps.partial_refund(amount, rng)
        assert Decimal("0.01") <= part < amount and part == part.quantize(Decimal("0.01"))


def test_steps_check_refund_flags_a_total_above_the_amount() -> None:
    answer = _refund_answer(refunded="60.00", total="120.00", available="0.00", status="refunded")
    reason = steps.check_refund(answer, invoice_id=42, requested=Decimal("60.00"), amount=Decimal("100.00"))
    assert reason is not None and "above amount" in reason


def test_steps_check_refund_accepts_a_consistent_partial_refund() -> None:
    answer = _refund_answer(refunded="40.00", total="40.00", available="60.00", status="partially_refunded")
    assert steps.check_refund(answer, invoice_id=42, requested=Decimal("40.00"), amount=Decimal("100.00")) is None


def test_steps_check_invoice_flags_a_status_not_expected() -> None:
    body = {"id": 5, "status": "pending", "amount": "10.00"}
    assert steps.check_invoice(body, invoice_id=5, status={"paid"}) == "invoice 5 status 'pending', expected paid"


def test_steps_check_invoice_flags_an_unknown_status() -> None:
    reason = steps.check_invoice({"id": 5, "status": "unpaid", "amount": "10.00"})
    assert reason is not None and "not an InvoiceStatus" in reason


def test_steps_check_cancel_requires_the_queued_invoice_id() -> None:
    assert steps.check_cancel(202, {"message": "queued", "invoice_id": 8}, invoice_id=8) is None
    assert steps.check_cancel(202, {"message": "queued", "invoice_id": 9}, invoice_id=8) is not None


def test_steps_check_page_flags_a_row_outside_the_status_filter() -> None:
    page = {"data": [{"id": 1, "status": "paid", "amount": "1.00"}], "meta": {"current_page": 1}}
    reason = steps.check_page(page, statuses={"pending"}, per_page=10)
    assert reason is not None and reason.startswith("list row")


def test_steps_retry_after_reads_the_429_body() -> None:
    assert steps.retry_after({"message": "Too many requests", "retry_after": 60}) == 60.0
    assert steps.retry_after(None, default=2.0) == 2.0
