"""Invoices under 2.1: ``processing`` settling on the clock, whole tenge, the 2.1 bodies, sandbox cancel,
the re-opening transitions, no ``refunded`` and the status check by ids."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tests.mock.v21.helpers import PHONE, assert_schema, create, finish_refunds, get, paid, pending, settle

WHOLE_TENGE = "amount_must_be_whole_tenge"


def test_create_answers_201_processing_with_the_created_body(api: httpx.Client) -> None:
    body = create(api, description="Order 1", internal_comment="pickup")
    assert_schema(body, "InvoiceCreated")
    assert body["status"] == "processing"
    assert body["phone"] == PHONE
    invoice = get(api, body["id"])
    assert invoice["status"] == "processing"
    assert invoice["kaspi_invoice_id"] is None
    assert invoice["internal_comment"] == "pickup"


def test_processing_settles_to_pending_on_the_clock(api: httpx.Client, control: httpx.Client) -> None:
    body = create(api)
    settle(control)
    invoice = get(api, body["id"])
    assert invoice["status"] == "pending"
    assert invoice["kaspi_invoice_id"] is not None


def test_control_settle_moves_processing_to_pending_or_error_at_once(api: httpx.Client, control: httpx.Client) -> None:
    first, second = create(api), create(api)
    assert control.post(f"/invoices/{first['id']}/settle").json()["status"] == "pending"
    answer = control.post(f"/invoices/{second['id']}/settle", json={"status": "error", "error_message": "No client"})
    assert answer.status_code == 200
    invoice = get(api, second["id"])
    assert (invoice["status"], invoice["error_message"]) == ("error", "No client")
    assert control.post(f"/invoices/{second['id']}/settle").json()["status"] == "pending"  # error -> pending
    assert control.post(f"/invoices/{first['id']}/settle").status_code == 409


@pytest.mark.parametrize("amount", [Decimal("10.5"), Decimal("0.01"), Decimal("99999998.99")])
def test_fractional_amount_is_422_whole_tenge(api: httpx.Client, amount: Decimal) -> None:
    body = f'{{"amount": {amount}, "phone_number": "{PHONE}"}}'  # the exact decimal as a JSON number
    response = api.post("/invoices", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    body = response.json()
    assert_schema(body, "ErrorResponse")
    assert body["error_code"] == WHOLE_TENGE


@pytest.mark.parametrize("amount", [0, 100000000])
def test_amount_outside_its_bounds_is_a_validation_422(api: httpx.Client, amount: int) -> None:
    response = api.post("/invoices", json={"amount": amount, "phone_number": PHONE})
    assert response.status_code == 422
    body = response.json()
    assert_schema(body, "ValidationErrorBody")
    assert "amount" in body["errors"]


def test_cart_with_a_fractional_total_is_422_whole_tenge(api: httpx.Client) -> None:
    response = api.post("/invoices", json={"phone_number": PHONE, "cart_items": [{"catalog_item_id": 101, "count": 1}]})
    assert response.status_code == 422
    assert response.json()["error_code"] == WHOLE_TENGE


def test_cart_is_priced_line_by_line_with_price_override_and_discount(api: httpx.Client) -> None:
    cart = [{"catalog_item_id": 101, "count": 2}, {"catalog_item_id": 205, "count": 1, "price": 999}]
    body = create(api, amount=None, cart_items=cart, discount_percentage=10)
    # 1500.50 x 2 = 3001.00 less 300.10; 999.00 less 99.90: 2700.90 + 899.10 = 3600.00
    assert (body["amount"], body["subtotal"], body["discount_sum"]) == ("3600.00", "4000.00", "400.00")
    items = get(api, body["id"])["items"]
    assert [(i["price"], i["count"], i["discount"]) for i in items] == [
        ("1500.50", 2, "300.10"),
        ("999.00", 1, "99.90"),
    ]


def test_cart_of_an_organization_without_the_catalog_is_422(api: httpx.Client) -> None:
    response = api.post(
        "/invoices",
        json={"phone_number": PHONE, "cart_items": [{"catalog_item_id": 101, "count": 2}]},
        headers={"X-API-Key": "nocatalog-key"},
    )
    assert response.status_code == 422
    assert response.json()["error_code"] == "catalog_not_supported"


@pytest.mark.parametrize("settled", [False, True])
def test_sandbox_cancel_of_processing_or_pending_is_200_with_the_invoice(
    api: httpx.Client, control: httpx.Client, settled: bool
) -> None:
    invoice = pending(api, control) if settled else create(api)
    response = api.post(f"/invoices/{invoice['id']}/cancel")
    assert response.status_code == 200
    body = response.json()
    assert_schema(body, "InvoiceCancelled")
    assert body["invoice"]["status"] == "cancelled"
    assert get(api, invoice["id"])["status"] == "cancelled"


def test_cancel_of_a_paid_invoice_is_400_and_changes_nothing(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    response = api.post(f"/invoices/{invoice['id']}/cancel")
    assert response.status_code == 400
    assert_schema(response.json(), "ErrorResponse")
    assert get(api, invoice["id"])["status"] == "paid"


@pytest.mark.parametrize("closed", ["cancelled", "expired"])
def test_a_late_payment_reopens_a_cancelled_or_expired_invoice(
    api: httpx.Client, control: httpx.Client, closed: str
) -> None:
    invoice = pending(api, control)
    if closed == "cancelled":
        assert api.post(f"/invoices/{invoice['id']}/cancel").status_code == 200
    else:
        assert control.post(f"/invoices/{invoice['id']}/expire").status_code == 200
    assert get(api, invoice["id"])["status"] == closed
    assert control.post(f"/invoices/{invoice['id']}/pay").status_code == 200
    assert get(api, invoice["id"])["status"] == "paid"


def test_a_processing_invoice_cannot_be_paid_or_expired(api: httpx.Client, control: httpx.Client) -> None:
    invoice = create(api)
    assert control.post(f"/invoices/{invoice['id']}/pay").status_code == 409
    assert control.post(f"/invoices/{invoice['id']}/expire").status_code == 409
    assert get(api, invoice["id"])["status"] == "processing"


def test_pending_expires_after_the_spec_s_delay(api: httpx.Client, control: httpx.Client) -> None:
    from tests.mock.v21.helpers import spec21

    seconds = spec21()["components"]["schemas"]["InvoiceStatus"]["x-status-transitions"]["statuses"]["pending"][
        "expires_after_seconds"
    ]
    invoice = pending(api, control)
    control.post("/clock/advance", json={"seconds": seconds - 1}).raise_for_status()
    assert get(api, invoice["id"])["status"] == "pending"
    control.post("/clock/advance", json={"seconds": 1}).raise_for_status()
    assert get(api, invoice["id"])["status"] == "expired"


def test_full_refund_leaves_paid_with_is_fully_refunded(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    assert api.post(f"/invoices/{invoice['id']}/refund", json={}).status_code == 201
    finish_refunds(control)
    after = get(api, invoice["id"])
    assert (after["status"], after["is_fully_refunded"], after["total_refunded"]) == ("paid", True, "5000.00")
    again = api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1})
    assert again.status_code == 400
    assert_schema(again.json(), "ErrorResponse")


def test_partial_then_the_rest_stays_partially_refunded(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    assert api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 2000}).status_code == 201
    finish_refunds(control)
    assert get(api, invoice["id"])["status"] == "partially_refunded"
    assert api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 3001}).status_code == 400
    assert api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 3000}).status_code == 201
    finish_refunds(control)
    after = get(api, invoice["id"])
    assert (after["status"], after["is_fully_refunded"]) == ("partially_refunded", True)


def test_status_check_answers_the_listed_own_invoices_once_each(
    api: httpx.Client, api2: httpx.Client, control: httpx.Client
) -> None:
    first, second = create(api), pending(api, control)
    foreign = create(api2)
    ids = [second["id"], 10**12, foreign["id"], first["id"], second["id"]]
    response = api.post("/invoices/status/check", json={"invoice_ids": ids})
    assert response.status_code == 200
    body = response.json()
    assert_schema(body, "StatusCheckResult")
    assert [(row["id"], row["status"]) for row in body["invoices"]] == [
        (second["id"], "pending"),
        (first["id"], "pending"),
    ]


def test_status_check_without_invoice_ids_is_422(api: httpx.Client) -> None:
    response = api.post("/invoices/status/check", json={})
    assert response.status_code == 422
    assert_schema(response.json(), "ValidationErrorBody")


def test_unknown_and_foreign_invoices_are_404_with_the_2_1_body(api: httpx.Client, api2: httpx.Client) -> None:
    foreign = create(api2)
    for invoice_id in (foreign["id"], 10**12):
        response = api.get(f"/invoices/{invoice_id}")
        assert response.status_code == 404
        assert_schema(response.json(), "NotFoundBody")


def test_unknown_key_is_401_with_the_2_1_body(api: httpx.Client) -> None:
    response = api.get("/invoices/1", headers={"X-API-Key": "nope"})
    assert response.status_code == 401
    assert_schema(response.json(), "UnauthorizedBody")
    assert "error" in response.json()
