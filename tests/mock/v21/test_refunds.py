"""Refunds under 2.1: queued (``pending``) with totals as numbers, completed or failed later, each outcome a
webhook; the refund lists' own shapes."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from apipay_harness.core.webhook_inbox import webhook_inbox as webhook_receiver
from tests.mock.helpers import wait_for
from tests.mock.v21.helpers import assert_schema, create, finish_refunds, get, paid, register


def test_refund_answers_201_queued_with_totals_as_numbers(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control, amount=15000)
    response = api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 5000, "reason": "Partial return"})
    assert response.status_code == 201
    body = response.json()
    assert_schema(body, "RefundCreated")
    assert body["refund"]["status"] == "pending"
    totals = body["invoice"]
    assert (totals["total_refunded"], Decimal(str(totals["available_for_refund"]))) == ("0.00", Decimal(10000))
    assert Decimal(str(totals["pending_refund_amount"])) == Decimal(5000)
    assert get(api, invoice["id"])["status"] == "paid"  # nothing changes before the refund completes


def test_a_completed_partial_refund_moves_paid_to_partially_refunded(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control, amount=15000)
    api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 5000}).raise_for_status()
    finish_refunds(control)
    after = get(api, invoice["id"])
    assert (after["status"], after["total_refunded"], after["is_fully_refunded"]) == (
        "partially_refunded",
        "5000.00",
        False,
    )


def test_a_failed_refund_changes_nothing_and_sends_its_event(api: httpx.Client, control: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        register(control, receiver.url)
        invoice = paid(api, control)
        refund = api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1000}).json()["refund"]
        assert control.post(f"/refunds/{refund['id']}/finish", json={"status": "failed"}).status_code == 200
        wait_for(lambda: any(json.loads(b)["event"] == "invoice.refunded" for b, _ in receiver.received))
        [event] = [json.loads(b) for b, _ in receiver.received if json.loads(b)["event"] == "invoice.refunded"]
        assert_schema(event, "InvoiceRefundedEvent")
        assert (event["refund"]["status"], event["invoice"]["status"]) == ("failed", "paid")
    after = get(api, invoice["id"])
    assert (after["status"], after["total_refunded"]) == ("paid", "0.00")
    assert api.post(f"/invoices/{invoice['id']}/refund", json={}).json()["refund"]["amount"] == "5000.00"


def test_a_queued_refund_holds_its_amount(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 4000}).raise_for_status()
    assert api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1001}).status_code == 400
    assert api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1000}).status_code == 201
    assert api.post(f"/invoices/{invoice['id']}/refund", json={}).status_code == 400


def test_unpaid_invoice_is_not_refundable(api: httpx.Client) -> None:
    invoice = create(api)
    response = api.post(f"/invoices/{invoice['id']}/refund", json={})
    assert response.status_code == 400
    assert_schema(response.json(), "ErrorResponse")


def test_invoice_refunds_lists_totals_refunds_and_count(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control, amount=15000)
    for amount in (1000, 2000):
        api.post(f"/invoices/{invoice['id']}/refund", json={"amount": amount}).raise_for_status()
    finish_refunds(control)
    body = api.get(f"/invoices/{invoice['id']}/refunds").json()
    assert_schema(body, "InvoiceRefunds")
    assert body["total"] == 2
    assert [r["amount"] for r in body["refunds"]] == ["1000.00", "2000.00"]
    assert {r["status"] for r in body["refunds"]} == {"completed"}
    assert Decimal(str(body["invoice"]["available_for_refund"])) == Decimal(12000)


def test_refund_list_is_a_flat_page_of_own_refunds(
    api: httpx.Client, api2: httpx.Client, control: httpx.Client
) -> None:
    mine = paid(api, control)
    theirs = paid(api2, control)
    api.post(f"/invoices/{mine['id']}/refund", json={"amount": 100}).raise_for_status()
    api2.post(f"/invoices/{theirs['id']}/refund", json={"amount": 100}).raise_for_status()
    body = api.get("/refunds").json()
    assert_schema(body, "RefundPage")
    assert (body["current_page"], body["total"]) == (1, 1)
    assert body["data"][0]["invoice"]["id"] == mine["id"]
    assert api.get("/refunds", params={"invoice_id": theirs["id"]}).status_code == 422
    assert api.get("/refunds", params={"invoice_id": mine["id"], "status[]": "completed"}).json()["total"] == 0


def test_return_items_refund_their_worth_after_the_discount(api: httpx.Client, control: httpx.Client) -> None:
    cart = [{"catalog_item_id": 101, "count": 2}, {"catalog_item_id": 205, "count": 1, "price": 999}]
    invoice = create(api, amount=None, cart_items=cart, discount_percentage=10)  # lines 2700.90 and 899.10
    control.post("/clock/advance", json={"seconds": 2}).raise_for_status()
    control.post(f"/invoices/{invoice['id']}/pay").raise_for_status()
    one_bag = api.post(
        f"/invoices/{invoice['id']}/refund", json={"return_items": [{"catalog_item_id": 101, "count": 1}]}
    )
    assert one_bag.status_code == 201
    assert one_bag.json()["refund"]["amount"] == "1350.45"
    by_amount = {"return_items": [{"catalog_item_id": 205, "amount": 100}]}
    assert api.post(f"/invoices/{invoice['id']}/refund", json=by_amount).json()["refund"]["amount"] == "100.00"


@pytest.mark.parametrize(
    "line",
    [{"catalog_item_id": 150, "count": 1}, {"catalog_item_id": 101, "count": 3}, {"catalog_item_id": 101}],
)
def test_return_items_outside_the_cart_are_422(api: httpx.Client, control: httpx.Client, line: dict[str, int]) -> None:
    cart = [{"catalog_item_id": 101, "count": 2}]
    invoice = create(api, amount=None, cart_items=cart)  # 3001.00
    control.post("/clock/advance", json={"seconds": 2}).raise_for_status()
    control.post(f"/invoices/{invoice['id']}/pay").raise_for_status()
    response = api.post(f"/invoices/{invoice['id']}/refund", json={"return_items": [line]})
    assert response.status_code == 422
