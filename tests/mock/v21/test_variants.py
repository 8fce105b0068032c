"""The 2.1 variants: each quotes its source word for word, names a disagreement the 2.1 spec records, and
gives the other reading, which the 2.1 spec accepts (every answer and webhook checked against it)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from apipay_harness.core.webhook_inbox import webhook_inbox as webhook_receiver
from apipay_harness.mock.store import DEFAULT_CANCEL_DELAY
from apipay_harness.mock.v21.variants import DISAGREEMENTS, VARIANTS_21
from apipay_harness.mock.variants import Variant
from tests.mock.helpers import wait_for
from tests.mock.inprocess import serving_mock
from tests.mock.v21.documented import check_documented
from tests.mock.v21.helpers import PHONE, assert_schema, create, finish_refunds, paid, pending, register, settle, spec21
from tests.provider_docs import provider_file


@contextmanager
def _mock(variant: Variant) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """A 2.1 mock with ``variant``: an API client whose every answer is checked against the spec, and control."""
    with (
        serving_mock(api_version="2.1", variants=[variant.name]) as mock,
        httpx.Client(
            base_url=mock.base_url,
            headers={"X-API-Key": "test-key"},
            timeout=30,
            event_hooks={"response": [check_documented]},
        ) as api,
        httpx.Client(base_url=mock.control_url, timeout=30) as control,
    ):
        yield api, control


def _events(received: list[tuple[bytes, dict[str, str]]], event: str) -> list[dict[str, Any]]:
    return [body for body in (json.loads(raw) for raw, _ in received) if body["event"] == event]


@pytest.mark.parametrize("name", list(VARIANTS_21))
def test_each_variant_quotes_its_source_word_for_word(name: str) -> None:
    variant = VARIANTS_21[name]
    text = " ".join(provider_file(variant.docs, variant.source).read_text(encoding="utf-8").split())
    assert variant.quote in text, f"{name}: the quote is not in {variant.docs}/{variant.source}"
    assert variant.versions == ("2.1",)


def test_each_named_disagreement_is_one_the_spec_records() -> None:
    recorded = {entry["id"] for entry in spec21()["x-provider-disagreements"]}
    assert set(DISAGREEMENTS.values()) <= recorded


def test_not_found_message_only() -> None:
    with _mock(VARIANTS_21["not_found_message_only"]) as (api, _):
        response = api.get("/invoices/999999999")
    assert (response.status_code, response.json()) == (404, {"message": "Invoice not found"})


def test_unauthorized_message_only() -> None:
    with _mock(VARIANTS_21["unauthorized_message_only"]) as (api, _):
        response = api.get("/invoices", headers={"X-API-Key": "nope"})
    assert (response.status_code, response.json()) == (401, {"message": "Invalid or missing API key"})


def test_validation_message_laravel() -> None:
    with _mock(VARIANTS_21["validation_message_laravel"]) as (api, _):
        response = api.post("/invoices", json={"amount": 5000})
    assert response.status_code == 422
    assert response.json()["message"] == "The given data was invalid."
    assert "phone_number" in response.json()["errors"]


def test_create_answer_phone_number() -> None:
    with _mock(VARIANTS_21["create_answer_phone_number"]) as (api, _):
        body = create(api)
    assert body["phone_number"] == PHONE and "phone" not in body


def test_status_check_local_offset() -> None:
    with _mock(VARIANTS_21["status_check_local_offset"]) as (api, control):
        invoice = pending(api, control)
        [row] = api.post("/invoices/status/check", json={"invoice_ids": [invoice["id"]]}).json()["invoices"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+06:00", row["updated_at"])


def test_cancel_queued_cancelling() -> None:
    with _mock(VARIANTS_21["cancel_queued_cancelling"]) as (api, control):
        queued = pending(api, control)
        response = api.post(f"/invoices/{queued['id']}/cancel")
        assert (response.status_code, response.json()["invoice_id"]) == (202, queued["id"])
        assert api.get(f"/invoices/{queued['id']}").json()["status"] == "cancelling"
        control.post("/clock/advance", json={"seconds": DEFAULT_CANCEL_DELAY}).raise_for_status()
        assert api.get(f"/invoices/{queued['id']}").json()["status"] == "cancelled"
        unsent = create(api)  # still processing: no Kaspi id, cancelled at once
        assert api.post(f"/invoices/{unsent['id']}/cancel").status_code == 200


def test_refund_webhook_available_as_string() -> None:
    with _mock(VARIANTS_21["refund_webhook_available_as_string"]) as (api, control), webhook_receiver() as receiver:
        register(control, receiver.url)
        invoice = paid(api, control)
        api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1000}).raise_for_status()
        finish_refunds(control)
        wait_for(lambda: _events(receiver.received, "invoice.refunded"))
        [event] = _events(receiver.received, "invoice.refunded")
    assert_schema(event, "InvoiceRefundedEvent")
    assert event["invoice"]["available_for_refund"] == "4000.00"


def test_webhook_discount_as_string() -> None:
    with _mock(VARIANTS_21["webhook_discount_as_string"]) as (api, control), webhook_receiver() as receiver:
        register(control, receiver.url)
        cart = [{"catalog_item_id": 101, "count": 2}, {"catalog_item_id": 205, "count": 1, "price": 999}]
        create(api, amount=None, cart_items=cart, discount_percentage=10)
        settle(control)
        wait_for(lambda: _events(receiver.received, "invoice.status_changed"))
        [event] = _events(receiver.received, "invoice.status_changed")
    assert_schema(event, "InvoiceStatusChangedEvent")
    assert event["invoice"]["discount_percentage"] == "10"


def test_business_errors_without_error_code() -> None:
    with _mock(VARIANTS_21["business_errors_without_error_code"]) as (api, _):
        exact = '{"amount": 10.5, "phone_number": "87001234567"}'  # the decimal as written, never through a float
        fraction = api.post("/invoices", content=exact, headers={"Content-Type": "application/json"})
    assert fraction.status_code == 422 and "error_code" not in fraction.json(), fraction.text
    assert fraction.json()["error"] == "amount_must_be_whole_tenge"
    assert_schema(fraction.json(), "ErrorResponse")


def test_every_variant_has_its_test() -> None:
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert set(VARIANTS_21) <= tested
