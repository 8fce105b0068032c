from __future__ import annotations

from decimal import Decimal

import pytest

from apipay_harness.core.spec import load_spec
from contracts.model_compare import diff_invoice, diff_refund_totals, diff_refunds
from contracts.model_schemas import SchemaBook, decode_json, encode_json, error_statuses
from contracts.model_transitions import TransitionTable
from contracts.oracle import COUNTED, READINGS, REFUND_RULE, RELEASED, ExpectedEvent, ModelItem, Oracle, money

SPEC = load_spec()


@pytest.fixture
def oracle() -> Oracle:
    return Oracle.from_spec(SPEC)


def _flat(oracle: Oracle, invoice_id: int = 1, amount: str = "100.00") -> None:
    oracle.created(invoice_id=invoice_id, amount=Decimal(amount), phone_number="87001234567")


def _paid(oracle: Oracle, invoice_id: int = 1, amount: str = "100.00") -> None:
    _flat(oracle, invoice_id, amount)
    oracle.paid(invoice_id)


def test_transition_table_reads_successors_from_spec() -> None:
    table = TransitionTable.from_spec(SPEC)
    raw = SPEC["components"]["schemas"]["InvoiceStatus"]["x-status-transitions"]
    assert table.initial == raw["initial"]
    for name, rule in raw["statuses"].items():
        assert table.rule(name).successors == frozenset(rule["successors"])
        assert table.rule(name).can_cancel is rule["can_cancel"]


def test_transition_table_follows_an_edited_spec() -> None:
    edited = decode_json(encode_json(SPEC))
    edited["components"]["schemas"]["InvoiceStatus"]["x-status-transitions"]["statuses"]["paid"]["can_refund"] = False
    oracle = Oracle.from_spec(edited)
    _paid(oracle)
    assert not oracle.expect_refund(1, None).allowed


def test_transition_table_maps_statuses_to_webhook_events() -> None:
    table = TransitionTable.from_spec(SPEC)
    assert table.event_for("paid") == "invoice.status_changed"
    assert table.event_for("refunded") == "invoice.refunded"
    assert table.event_for("cancelling") is None


def test_oracle_new_invoice_starts_in_initial_status(oracle: Oracle) -> None:
    _flat(oracle)
    assert oracle.invoices[1].status == "pending"
    assert oracle.invoices[1].available_for_refund == Decimal("100.00")


def test_oracle_cancel_of_pending_allows_queued_or_synchronous(oracle: Oracle) -> None:
    _flat(oracle)
    expectation = oracle.expect_cancel(1)
    assert expectation.allowed
    assert expectation.statuses == {"cancelling", "cancelled"}


def test_oracle_cancel_of_paid_is_refused_with_can_cancel_rule(oracle: Oracle) -> None:
    _paid(oracle)
    expectation = oracle.expect_cancel(1)
    assert not expectation.allowed
    assert expectation.rule == "#/components/schemas/InvoiceStatus/x-status-transitions/statuses/paid/can_cancel"


def test_oracle_pay_after_expiry_is_refused(oracle: Oracle) -> None:
    _flat(oracle)
    oracle.expired(1)
    assert not oracle.expect_pay(1).allowed
    assert not oracle.expect_expire(1).allowed


def test_oracle_refund_of_pending_is_refused(oracle: Oracle) -> None:
    _flat(oracle)
    expectation = oracle.expect_refund(1, Decimal("1.00"))
    assert not expectation.allowed
    assert expectation.rule.endswith("/statuses/pending/can_refund")


def test_oracle_partial_refunds_add_up_to_refunded(oracle: Oracle) -> None:
    _paid(oracle)
    first = oracle.expect_refund(1, Decimal("30.00"))
    assert first.allowed and first.statuses == {"partially_refunded"}
    oracle.refunded(1, refund_id=10, amount=Decimal("30.00"))
    assert oracle.observe_refund(1, 10, "completed") is None  # its fate known: nothing may have failed unseen
    second = oracle.expect_refund(1, Decimal("70.00"))
    assert second.allowed and second.statuses == {"refunded"}
    oracle.refunded(1, refund_id=11, amount=Decimal("70.00"))
    invoice = oracle.invoices[1]
    assert (invoice.status, invoice.total_refunded, invoice.available_for_refund) == (
        "refunded",
        Decimal("100.00"),
        Decimal("0.00"),
    )
    assert invoice.is_fully_refunded


def test_oracle_refund_over_available_is_refused(oracle: Oracle) -> None:
    _paid(oracle)
    oracle.refunded(1, refund_id=10, amount=Decimal("99.99"))
    assert oracle.observe_refund(1, 10, "completed") is None
    expectation = oracle.expect_refund(1, Decimal("0.02"))
    assert not expectation.allowed and not expectation.open
    assert expectation.rule == REFUND_RULE


def _failed_forty(oracle: Oracle) -> None:
    """Invoice 1 of 100.00, paid, whose refund of 40.00 failed: 60.00 or 100.00 is left, by reading."""
    _paid(oracle)
    oracle.refunded(1, refund_id=10, amount=Decimal("40.00"))
    assert oracle.observe_refund(1, 10, "failed") is None


def test_oracle_refund_between_the_two_readings_may_be_accepted_or_refused(oracle: Oracle) -> None:
    """80.00 is over what is left if the failed 40.00 still counts, and within it if it does not."""
    _failed_forty(oracle)
    between = oracle.expect_refund(1, Decimal("80.00"))
    assert between.open and not between.allowed
    assert {(w.reading, w.accepted) for w in between.worlds} == {(RELEASED, True), (COUNTED, False)}
    assert oracle.expect_refund(1, Decimal("60.00")).allowed  # within both
    over = oracle.expect_refund(1, Decimal("100.01"))
    assert not over.allowed and not over.open  # over both


def test_oracle_a_refusal_between_the_readings_holds_the_target_to_counted(oracle: Oracle) -> None:
    _failed_forty(oracle)
    refused = oracle.expect_refund(1, Decimal("80.00"))
    oracle.learn(w.reading for w in refused.worlds if not w.accepted)
    assert oracle.readings == {COUNTED}
    assert not oracle.expect_refund(1, Decimal("80.00")).open  # now it must be refused
    body = {"id": 1, "amount": "100.00", "total_refunded": "0.00", "available_for_refund": "100.00"}
    assert diff_refund_totals(oracle, oracle.invoices[1], body) != []  # the other reading's totals: no longer


def test_oracle_totals_that_fit_one_reading_hold_the_target_to_it(oracle: Oracle) -> None:
    _failed_forty(oracle)
    released = {"id": 1, "amount": "100.00", "total_refunded": "0.00", "available_for_refund": "100.00"}
    assert diff_refund_totals(oracle, oracle.invoices[1], released) == []
    assert oracle.readings == {RELEASED}
    expectation = oracle.expect_refund(1, Decimal("80.00"))
    assert expectation.allowed and expectation.statuses == {"partially_refunded"}


def test_oracle_a_pending_refund_may_have_failed_unseen(oracle: Oracle) -> None:
    """A refund fails on the server's clock: before the model sees it, its amount may already be back."""
    _paid(oracle)
    oracle.refunded(1, refund_id=10, amount=Decimal("40.00"))
    unseen = {"id": 1, "amount": "100.00", "total_refunded": "0.00", "available_for_refund": "100.00"}
    assert diff_refund_totals(oracle, oracle.invoices[1], unseen) == []
    wrong = {"id": 1, "amount": "100.00", "total_refunded": "20.00", "available_for_refund": "80.00"}
    assert diff_refund_totals(oracle, oracle.invoices[1], wrong) != []
    oracle.readings = frozenset(READINGS)
    assert oracle.observe_refund(1, 10, "completed") is None
    assert diff_refund_totals(oracle, oracle.invoices[1], unseen) != []  # completed: it counts under both readings


def test_oracle_refund_without_amount_takes_everything_available(oracle: Oracle) -> None:
    _paid(oracle, amount="250.50")
    oracle.refunded(1, refund_id=10, amount=Decimal("0.50"))
    expectation = oracle.expect_refund(1, None)
    assert expectation.allowed
    assert expectation.amount == Decimal("250.00")
    assert expectation.statuses == {"refunded"}


def test_oracle_refund_of_fully_refunded_is_refused(oracle: Oracle) -> None:
    _paid(oracle)
    oracle.refunded(1, refund_id=10, amount=Decimal("100.00"))
    assert not oracle.expect_refund(1, None).allowed


def test_oracle_events_follow_spec_webhook_table(oracle: Oracle) -> None:
    _paid(oracle)
    oracle.refunded(1, refund_id=10, amount=Decimal("40.00"))
    _flat(oracle, 2)
    oracle.cancelled(2, queued=True)
    assert oracle.events == [
        ExpectedEvent("invoice.status_changed", 1, "paid"),
        ExpectedEvent(
            "invoice.refunded", 1, "partially_refunded", ((RELEASED, Decimal("40.00")), (COUNTED, Decimal("40.00")))
        ),
    ]
    assert oracle.observe(2, "cancelled") is None
    assert oracle.events[-1] == ExpectedEvent("invoice.status_changed", 2, "cancelled")


def test_oracle_observe_accepts_spontaneous_expiry(oracle: Oracle) -> None:
    _flat(oracle)
    assert oracle.observe(1, "expired") is None
    assert oracle.invoices[1].status == "expired"


def test_oracle_observe_rejects_payment_nobody_made(oracle: Oracle) -> None:
    _flat(oracle)
    mismatch = oracle.observe(1, "paid")
    assert mismatch is not None
    assert mismatch.expected == {"pending", "expired"}
    assert "Received: paid" in mismatch.message


def test_oracle_observe_rejects_forbidden_transition_with_successors_rule(oracle: Oracle) -> None:
    _flat(oracle)
    oracle.expired(1)
    mismatch = oracle.observe(1, "paid")
    assert mismatch is not None
    assert mismatch.rule.endswith("/statuses/expired/successors")


def test_oracle_settle_requires_queued_cancel_to_complete(oracle: Oracle) -> None:
    _flat(oracle)
    oracle.cancelled(1, queued=True)
    assert oracle.observe(1, "cancelling") is None
    oracle.settle()
    mismatch = oracle.observe(1, "cancelling")
    assert mismatch is not None and mismatch.expected == {"cancelled"}


def test_oracle_refund_status_follows_refund_table(oracle: Oracle) -> None:
    _paid(oracle)
    oracle.refunded(1, refund_id=10, amount=Decimal("1.00"))
    assert oracle.observe_refund(1, 10, "completed") is None
    mismatch = oracle.observe_refund(1, 10, "pending")
    assert mismatch is not None and mismatch.rule.endswith("RefundStatus/x-status-transitions/statuses/completed")


def _with_failed_refund(oracle: Oracle) -> None:
    """Invoice 1 of 100.00, paid, with a completed refund of 30.00 and a failed one of 70.00."""
    _paid(oracle)
    oracle.refunded(1, refund_id=10, amount=Decimal("30.00"))
    oracle.refunded(1, refund_id=11, amount=Decimal("70.00"))
    assert oracle.observe_refund(1, 10, "completed") is None
    assert oracle.observe_refund(1, 11, "failed") is None


@pytest.mark.parametrize(
    ("total", "available", "full"),
    [("30.00", "70.00", False), ("100.00", "0.00", True)],
    ids=["failed-not-counted", "failed-counted"],
)
def test_oracle_failed_refund_accepts_each_reading_of_the_totals(
    oracle: Oracle, total: str, available: str, full: bool
) -> None:
    _with_failed_refund(oracle)
    body = {"id": 1, "amount": "100.00", "total_refunded": total, "available_for_refund": available}
    assert diff_refund_totals(oracle, oracle.invoices[1], {**body, "is_fully_refunded": full}) == []
    assert diff_invoice(oracle, oracle.invoices[1], _detail(**body, is_fully_refunded=full)) == []


@pytest.mark.parametrize(
    ("total", "available", "full"),
    [("30.00", "0.00", False), ("100.00", "70.00", True), ("50.00", "50.00", False), ("30.00", "70.00", True)],
    ids=["mixed-readings", "mixed-the-other-way", "neither-reading", "flag-of-the-other-reading"],
)
def test_oracle_failed_refund_still_compares_the_totals(oracle: Oracle, total: str, available: str, full: bool) -> None:
    _with_failed_refund(oracle)
    body = {"id": 1, "amount": "100.00", "total_refunded": total, "available_for_refund": available}
    mismatches = diff_refund_totals(oracle, oracle.invoices[1], {**body, "is_fully_refunded": full})
    assert mismatches and all(m.rule == REFUND_RULE for m in mismatches)


def test_oracle_cart_amount_is_exact_decimal_sum() -> None:
    items = [ModelItem(101, "a", Decimal("1500.50"), 2, 1), ModelItem(205, "b", Decimal("1500.15"), 3, 1)]
    assert Oracle.cart_amount(items) == Decimal("7501.45")


def test_money_refuses_float() -> None:
    with pytest.raises(ValueError):
        money(0.1)
    assert money("10.10") == Decimal("10.10")


def _detail(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": 1,
        "amount": "100.00",
        "status": "paid",
        "phone_number": "87001234567",
        "description": None,
        "external_order_id": None,
        "total_refunded": "0.00",
        "is_fully_refunded": False,
        "paid_at": "2025-01-31T12:05:00Z",
        "items": [],
    }
    body.update(overrides)
    return body


def test_diff_invoice_matches_consistent_body(oracle: Oracle) -> None:
    _paid(oracle)
    assert diff_invoice(oracle, oracle.invoices[1], _detail()) == []


def test_diff_invoice_reports_wrong_total(oracle: Oracle) -> None:
    _paid(oracle)
    oracle.refunded(1, refund_id=10, amount=Decimal("30.00"))
    mismatches = diff_invoice(oracle, oracle.invoices[1], _detail(total_refunded="60.00"))
    assert [m.field for m in mismatches] == ["total_refunded"]
    assert mismatches[0].rule == REFUND_RULE


def test_diff_invoice_reports_missing_paid_at(oracle: Oracle) -> None:
    _paid(oracle)
    assert [m.field for m in diff_invoice(oracle, oracle.invoices[1], _detail(paid_at=None))] == ["paid_at"]


def test_diff_invoice_reports_changed_items_snapshot(oracle: Oracle) -> None:
    item = ModelItem(101, "Coffee", Decimal("1500.50"), 2, 1)
    oracle.created(invoice_id=1, amount=Oracle.cart_amount([item]), phone_number="87001234567", items=[item])
    changed = [{"id": 5, "invoice_id": 1, "catalog_item_id": 101, "name": "Coffee", "price": "1600.00"}]
    changed[0].update({"count": 2, "unit_id": 1})
    body = _detail(amount="3001.00", status="pending", paid_at=None, items=changed)
    assert [m.field for m in diff_invoice(oracle, oracle.invoices[1], body)] == ["items"]


def test_diff_invoice_leaves_available_open_before_payment(oracle: Oracle) -> None:
    _flat(oracle)
    body = _detail(status="pending", paid_at=None, available_for_refund="0.00")
    assert diff_invoice(oracle, oracle.invoices[1], body) == []


def test_diff_refunds_reports_missing_refund(oracle: Oracle) -> None:
    _paid(oracle)
    oracle.refunded(1, refund_id=10, amount=Decimal("30.00"), reason="r")
    assert diff_refunds(oracle.invoices[1], []) != []
    listed = [{"id": 10, "amount": "30.00", "reason": "r", "status": "pending"}]
    assert diff_refunds(oracle.invoices[1], listed) == []


def test_schema_book_validates_error_body() -> None:
    book = SchemaBook(SPEC)
    assert book.errors("#/components/schemas/Error", {"message": "x"}) == []
    assert book.errors("#/components/schemas/Error", {"detail": "x"}) != []


def test_schema_book_finds_documented_response_schema() -> None:
    book = SchemaBook(SPEC)
    pointer = book.response_pointer("post", "/invoices/{id}/refund", 422)
    assert pointer == "#/components/responses/ValidationFailed/content/application~1json/schema"
    assert book.response_pointer("post", "/invoices/{id}/refund", 418) is None


def test_error_statuses_reads_refusals_from_spec() -> None:
    assert error_statuses(SPEC, "post", "/invoices/{id}/refund") == {400, 422}
    assert error_statuses(SPEC, "post", "/invoices/{id}/cancel") == {400}


def test_encode_json_keeps_decimal_digits() -> None:
    assert encode_json({"amount": Decimal("0.10")}) == b'{"amount":0.10}'


def test_diff_refund_totals_accepts_the_docs_refund_answer_without_is_fully_refunded(oracle: Oracle) -> None:
    """The refund answer's ``invoice`` exactly as refunds.md shows it: no ``is_fully_refunded``, nothing to report."""
    _paid(oracle)
    oracle.refunded(1, refund_id=10, amount=Decimal("100.00"))
    docs_shape = {
        "id": 1,
        "amount": "100.00",
        "status": "refunded",
        "total_refunded": "100.00",
        "available_for_refund": "0.00",
    }
    assert diff_refund_totals(oracle, oracle.invoices[1], docs_shape) == []


def test_diff_refund_totals_still_judges_is_fully_refunded_when_present(oracle: Oracle) -> None:
    _paid(oracle)
    oracle.refunded(1, refund_id=10, amount=Decimal("100.00"))
    body = {"id": 1, "amount": "100.00", "total_refunded": "100.00", "available_for_refund": "0.00"}
    wrong = diff_refund_totals(oracle, oracle.invoices[1], {**body, "is_fully_refunded": False})
    assert [m.field for m in wrong] == ["invoice.is_fully_refunded"]


def test_diff_invoice_leaves_out_texts_a_create_answer_omits(oracle: Oracle) -> None:
    """getting-started.md's create answer has no description or external_order_id: absent is no mismatch."""
    oracle.created(invoice_id=1, amount=Decimal("100.00"), phone_number="87001234567", description="d")
    body = {"id": 1, "amount": "100.00", "status": "pending", "phone_number": "87001234567"}
    assert diff_invoice(oracle, oracle.invoices[1], body) == []
    assert [m.field for m in diff_invoice(oracle, oracle.invoices[1], {**body, "description": "x"})] == ["description"]
