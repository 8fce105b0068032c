"""The oracle under API 2.1: its spec's table with ``processing``/``error``, queued refunds and no ``refunded``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apipay_harness.core.spec import load_spec
from contracts.control import SETTLES_FROM
from contracts.dialect_21 import DIALECT
from contracts.model_compare import diff_invoice
from contracts.model_driver import amount_step
from contracts.oracle import RELEASED, ExpectedEvent, Oracle

SPEC = load_spec(version="2.1")


@pytest.fixture
def oracle() -> Oracle:
    return Oracle.from_spec(SPEC, DIALECT)


def _paid(oracle: Oracle, invoice_id: int = 1, amount: str = "100.00") -> None:
    oracle.created(invoice_id=invoice_id, amount=Decimal(amount), phone_number="87001234567")
    assert oracle.invoices[invoice_id].status == "processing"
    assert oracle.expect_settle(invoice_id, "pending", settles_from=SETTLES_FROM).allowed
    oracle.observe(invoice_id, "pending")
    oracle.paid(invoice_id)


def test_a_new_invoice_is_processing_and_settles_on_its_own_to_pending_or_error(oracle: Oracle) -> None:
    oracle.created(invoice_id=1, amount=Decimal("10.00"), phone_number="87001234567")
    assert oracle.expected_statuses(1) == {"processing", "pending", "error"}
    assert not oracle.expect_pay(1).allowed and not oracle.expect_refund(1, None).allowed
    assert oracle.expect_cancel(1).allowed
    oracle.settle()  # past the horizon the delivery must have been answered
    assert oracle.expected_statuses(1) == {"pending", "error"}
    assert oracle.observe(1, "error") is None
    assert oracle.expected_statuses(1) == {"error", "pending"}  # reconciliation may bring it back
    assert not oracle.expect_settle(1, "error", settles_from=SETTLES_FROM).allowed


def test_a_queued_refund_counts_once_it_completed_and_the_first_partial_one_moves_paid_on(oracle: Oracle) -> None:
    _paid(oracle)
    expectation = oracle.expect_refund(1, Decimal("30.00"))
    assert expectation.allowed and expectation.statuses == {"paid"}  # the status follows the outcome
    oracle.refunded(1, refund_id=7, amount=Decimal("30.00"))
    assert oracle.invoices[1].status == "paid" and oracle.queued(oracle.invoices[1]) == Decimal("30.00")
    assert oracle.expected_statuses(1) == {"paid", "partially_refunded"}  # it may complete unseen
    assert oracle.observe_refund(1, 7, "completed") is None
    assert oracle.invoices[1].status == "partially_refunded"
    assert ExpectedEvent("invoice.status_changed", 1, "partially_refunded") in oracle.events
    assert ExpectedEvent("invoice.refunded", 1, "partially_refunded", ((RELEASED, Decimal("30.00")),)) in oracle.events


def test_a_full_refund_leaves_the_status_and_a_failed_one_gives_its_amount_back(oracle: Oracle) -> None:
    _paid(oracle)
    oracle.refunded(1, refund_id=7, amount=Decimal("100.00"))
    expectation = oracle.expect_refund(1, Decimal("0.01"))
    assert not expectation.allowed and expectation.open  # nothing left, unless the queued one failed unseen
    oracle.refund_ended(1, 7, "failed")
    assert oracle.readings == {RELEASED}
    assert oracle.expect_refund(1, None).amount == Decimal("100.00")
    oracle.refunded(1, refund_id=8, amount=Decimal("100.00"))
    oracle.refund_ended(1, 8, "completed")
    assert oracle.invoices[1].status == "paid"  # no refunded in 2.1: is_fully_refunded says it
    shown = {"id": 1, "amount": "100.00", "phone_number": "87001234567", "total_refunded": "100.00"}
    assert diff_invoice(oracle, oracle.invoices[1], {**shown, "is_fully_refunded": True}) == []
    assert not oracle.expect_refund(1, None).allowed


def test_a_late_payment_of_a_cancelled_invoice_is_legal_and_refunded_is_not_a_status(oracle: Oracle) -> None:
    _paid(oracle, 1)
    oracle.created(invoice_id=2, amount=Decimal("10.00"), phone_number="87001234567")
    oracle.cancelled(2, queued=False)
    assert oracle.expect_pay(2).allowed
    mismatch = oracle.observe(1, "refunded")
    assert mismatch is not None and "refunded" not in mismatch.expected


def test_a_list_row_may_write_the_phone_with_7_but_the_create_answer_names_it_as_given(oracle: Oracle) -> None:
    oracle.created(invoice_id=1, amount=Decimal("10.00"), phone_number="87001234567")
    model = oracle.invoices[1]
    assert diff_invoice(oracle, model, {"id": 1, "amount": "10.00", "phone": "77001234567"}) == []
    assert [m.field for m in diff_invoice(oracle, model, {"id": 1, "amount": "10.00", "phone": "87001234568"})] == [
        "phone"
    ]


def test_amounts_keep_to_the_create_request_multiple_of() -> None:
    assert amount_step(SPEC) == (Decimal("1"), Decimal("1"))
    assert amount_step(load_spec()) == (Decimal("0.01"), Decimal("0.01"))
