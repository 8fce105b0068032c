"""The 2.1 spec states the rules of the provider's spec 2.1.0 as data, and accepts each other reading it records."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from apipay_harness.core.spec import load_spec, pointer_target, status_transitions
from apipay_harness.core.versions import version_names

SPEC = load_spec(version="2.1")
INVOICE = status_transitions(SPEC, "InvoiceStatus")
REFUND = status_transitions(SPEC, "RefundStatus")


@functools.cache
def _registry() -> Registry[Any]:
    return Registry().with_resource("urn:spec", Resource.from_contents(SPEC, DRAFT202012))


def _valid(pointer: str, value: Any) -> bool:
    validator = Draft202012Validator(
        {"$ref": f"urn:spec#{pointer}"}, registry=_registry(), format_checker=FormatChecker()
    )
    return validator.is_valid(value)


def _successors(status: str) -> list[str]:
    return list(INVOICE["statuses"][status]["successors"])


def test_spec21_invoice_statuses_have_processing_and_error_and_no_refunded() -> None:
    enum = SPEC["components"]["schemas"]["InvoiceStatus"]["enum"]
    assert {"processing", "error"} <= set(enum)
    assert "refunded" not in enum
    assert INVOICE["initial"] == "processing"


def test_spec21_invoices_reopen_as_documented_and_never_swap_paid_and_error() -> None:
    assert "paid" in _successors("cancelled")
    assert "paid" in _successors("expired")
    assert "pending" in _successors("error")
    assert "pending" in _successors("cancelling")
    assert "error" not in _successors("paid")
    assert "paid" not in _successors("error")


def test_spec21_cancel_and_refund_are_allowed_where_documented() -> None:
    statuses = INVOICE["statuses"]
    assert {s for s, facts in statuses.items() if facts["can_cancel"]} == {"processing", "pending"}
    assert {s for s, facts in statuses.items() if facts["can_refund"]} == {"paid", "partially_refunded"}
    assert INVOICE["not_refundable_when"] == {"is_fully_refunded": True}


def test_spec21_status_webhooks_cover_pending_error_partial_refund_and_never_technical_statuses() -> None:
    sent = set(INVOICE["webhooks"]["invoice.status_changed"])
    assert {"pending", "paid", "cancelled", "expired", "error", "partially_refunded"} == sent
    assert {"processing", "cancelling"}.isdisjoint(sent)
    assert {"from": "cancelling", "to": "pending"} in [
        {"from": t["from"], "to": t["to"]} for t in INVOICE["silent_transitions"]
    ]


def test_spec21_refund_webhooks_only_on_completed_and_failed_which_is_final() -> None:
    assert REFUND["webhooks"] == {"invoice.refunded": ["completed", "failed"]}
    assert REFUND["statuses"]["failed"]["successors"] == []


@pytest.mark.parametrize("version", version_names())
def test_spec21_both_versions_state_webhook_delivery_in_the_same_extension(version: str) -> None:
    delivery = load_spec(version=version)["x-webhook-delivery"]
    assert isinstance(delivery["answer_within_seconds"], int)
    assert isinstance(delivery["retries"], int)


def test_spec21_webhook_delivery_is_retried_on_the_documented_schedule() -> None:
    delivery = SPEC["x-webhook-delivery"]
    assert delivery["answer_within_seconds"] == 5
    assert delivery["retries"] == len(delivery["retry_delays_seconds"]) == 10
    assert delivery["retry_on"] == {"status_at_least": 500, "statuses": [429], "no_answer": True}
    [sandbox] = delivery["overrides"]
    assert sandbox["when"] == {"is_sandbox": True, "events": ["invoice.status_changed"]}
    assert sandbox["retries"] == len(sandbox["retry_delays_seconds"]) == 2


def test_spec21_phone_invoice_amount_is_whole_tenge_from_one() -> None:
    amount = SPEC["components"]["schemas"]["InvoiceAmount"]
    assert (amount["minimum"], amount["multipleOf"]) == (1, 1)
    assert amount["x-error-codes"] == {"multipleOf": "amount_must_be_whole_tenge"}


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        pytest.param({"amount": 5000}, True, id="flat-whole"),
        pytest.param({"amount": 5000.5}, False, id="flat-fraction"),
        pytest.param({"amount": 0}, False, id="flat-zero"),
        pytest.param({"amount": None}, False, id="flat-null"),
        pytest.param(
            {"cart_items": [{"catalog_item_id": 101, "count": 1}], "amount": 0.5}, True, id="cart-amount-open"
        ),
        pytest.param(
            {"cart_items": [{"catalog_item_id": 101, "count": 1}], "amount": "1"}, False, id="cart-amount-text"
        ),
        pytest.param({}, False, id="neither"),
    ],
)
def test_spec21_amount_is_bounded_only_without_cart_items(body: dict[str, Any], valid: bool) -> None:
    """The 2.1.0 spec ignores an amount beside cart_items; a server may also validate it, so it is left open there."""
    assert _valid("/components/schemas/CreateInvoiceRequest", {"phone_number": "87001234567", **body}) is valid


def test_spec21_lists_are_flat_and_the_catalog_is_wrapped() -> None:
    for name in ("InvoicePage", "RefundPage"):
        assert SPEC["components"]["schemas"][name]["required"] == ["current_page", "data", "total"]
    assert SPEC["components"]["schemas"]["CatalogOffsetPage"]["required"] == ["data", "links", "meta"]


_OTHER_READINGS = [
    pytest.param(
        "/components/schemas/NotFoundBody",
        [{"error": "Invoice not found"}, {"message": "Invoice not found"}],
        {"detail": "Invoice not found"},
        id="not-found-body",
    ),
    pytest.param(
        "/components/schemas/UnauthorizedBody",
        [{"error": "Invalid API key", "message": "The provided API key is invalid or inactive"}, {"message": "x"}],
        {"error": "Invalid API key"},
        id="unauthorized-body",
    ),
    pytest.param(
        "/components/schemas/ValidationFailedBody",
        [
            {"message": "The given data was invalid.", "errors": {"amount": ["The amount field is required."]}},
            {"error": "amount_must_be_whole_tenge", "error_code": "amount_must_be_whole_tenge", "message": "x"},
        ],
        {"message": "Validation failed"},
        id="validation-422-shape",
    ),
    pytest.param(
        "/components/schemas/ErrorCode",
        ["client_not_found", "organization_required", "not_sandbox", "sandbox_simulated_error"],
        "no_such_code",
        id="error-code-enum-incomplete",
    ),
    pytest.param(
        "/components/schemas/ErrorResponse",
        [
            {"error": "Organization not found or not verified", "message": "x"},
            {"error_code": "kaspi_error", "message": "x"},
        ],
        {"message": "x"},
        id="error-code-presence",
    ),
    pytest.param(
        "/components/schemas/InvoiceRefundedEvent/properties/invoice/properties/available_for_refund",
        [500, "5000.00"],
        "5000",
        id="available-for-refund-type-webhook",
    ),
    pytest.param(
        "/components/schemas/WebhookInvoiceObject/properties/discount_percentage",
        [10, "10"],
        "10%",
        id="discount-percentage-type-webhook",
    ),
    pytest.param(
        "/components/schemas/InvoiceCreated",
        [
            {
                "id": 1,
                "amount": "1.00",
                "status": "processing",
                "paid_at": None,
                "phone": "87001234567",
                "created_at": "2026-08-24T12:00:00+00:00",
            },
            {
                "id": 1,
                "amount": "1.00",
                "status": "processing",
                "paid_at": None,
                "phone_number": "87001234567",
                "created_at": "2026-08-24T12:00:00+00:00",
            },
        ],
        {"id": 1, "amount": "1.00", "status": "processing", "paid_at": None, "created_at": "2026-08-24T12:00:00+00:00"},
        id="invoice-created-phone-key",
    ),
    pytest.param(
        "/components/schemas/KaspiSourceType",
        ["GOLD", "PLATINUM"],
        7,
        id="kaspi-type-values-open",
    ),
    pytest.param(
        "/components/schemas/WebhookTestEvent",
        [
            {"event": "webhook.test", "source": "test", "timestamp": "2026-01-15T10:00:00Z"},
            {
                "event": "webhook.test",
                "invoice": {"id": None, "status": "test"},
                "source": None,
                "timestamp": "2026-08-24T12:00:00+00:00",
            },
        ],
        {"event": "webhook.test", "timestamp": "2026-01-15T10:00:00Z"},
        id="webhook-test-body",
    ),
]


@pytest.mark.parametrize(("pointer", "accepted", "rejected"), _OTHER_READINGS)
def test_spec21_accepts_both_readings_of_a_disagreement(pointer: str, accepted: list[Any], rejected: Any) -> None:
    for value in accepted:
        assert _valid(pointer, value), value
    assert not _valid(pointer, rejected)


def test_spec21_every_disagreement_tested_here_is_recorded_where_it_says() -> None:
    records = {r["id"]: r for r in SPEC["x-provider-disagreements"]}
    for case in _OTHER_READINGS:
        [case_id] = case.id.split()  # the param id is the record's id
        pointer = case.values[0]
        assert case_id in records
        assert any(pointer.startswith(where) or where.startswith(pointer) for where in records[case_id]["where"])
        pointer_target(SPEC, pointer)
