from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx

from apipay_harness.mock import MockProcess
from tests.mock.helpers import PHONE, assert_schema, paid


def test_partial_refund_answers_201_with_documented_body(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    response = api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 5000, "reason": "Partial return"})
    assert response.status_code == 201
    body = response.json()
    assert_schema(body, "RefundCreated")
    assert body["refund"]["amount"] == "5000.00"
    assert body["refund"]["status"] == "pending"
    assert body["invoice"] == {
        "id": invoice["id"],
        "amount": "10000.00",
        "status": "partially_refunded",
        "total_refunded": "5000.00",
        "available_for_refund": "5000.00",
        "is_fully_refunded": False,
    }


def test_partial_refunds_add_up_to_the_amount_then_refunded(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control, amount=100.10)
    for amount in ("33.37", "33.37"):
        assert (
            api.post(
                f"/invoices/{invoice['id']}/refund",
                content=f'{{"amount": {amount}}}',
                headers={"Content-Type": "application/json"},
            ).status_code
            == 201
        )
    last = api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 33.36}).json()["invoice"]
    assert last["status"] == "refunded"
    assert last["total_refunded"] == "100.10"
    assert last["available_for_refund"] == "0.00"
    assert last["is_fully_refunded"] is True


def test_refund_without_amount_refunds_everything_left(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 2500.75})
    body = api.post(f"/invoices/{invoice['id']}/refund", json={"amount": None}).json()
    assert body["refund"]["amount"] == "7499.25"
    assert body["invoice"]["status"] == "refunded"


def test_refund_records_its_kopecks(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    body = api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 2500.75}).json()
    assert body["refund"]["amount"] == "2500.75"
    listed = api.get(f"/invoices/{invoice['id']}/refunds").json()
    assert [r["amount"] for r in listed["refunds"]] == ["2500.75"]
    assert api.get(f"/invoices/{invoice['id']}").json()["total_refunded"] == "2500.75"


def test_refund_with_empty_body_refunds_everything(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    assert api.post(f"/invoices/{invoice['id']}/refund").json()["refund"]["amount"] == "10000.00"


def test_refund_over_available_is_422(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 6000})
    response = api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 4000.01})
    assert response.status_code == 422
    assert "amount" in response.json()["errors"]
    assert api.get(f"/invoices/{invoice['id']}").json()["total_refunded"] == "6000.00"


def test_refund_completes_after_clock_delay(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1})
    control.post("/clock/advance", json={"seconds": 3.0})
    assert api.get(f"/invoices/{invoice['id']}/refunds").json()["refunds"][0]["status"] == "pending"
    control.post("/clock/advance", json={"seconds": 2.01})
    body = api.get(f"/invoices/{invoice['id']}/refunds").json()
    assert_schema(body, "InvoiceRefunds")
    assert body["refunds"][0]["status"] == "completed"


def _two_refunds(api: httpx.Client, control: httpx.Client) -> tuple[int, int]:
    """Invoice a refunded 1.00 (completed by now), then, 10 clock seconds later, invoice b refunded 2.00 (pending)."""
    a = paid(api, control)
    b = paid(api, control)
    api.post(f"/invoices/{a['id']}/refund", json={"amount": 1})
    control.post("/clock/advance", json={"seconds": 10})
    api.post(f"/invoices/{b['id']}/refund", json={"amount": 2})
    page = api.get("/refunds").json()
    assert_schema(page, "RefundPage")
    assert page["meta"]["total"] == 2
    return a["id"], b["id"]


def test_list_refunds_filters_by_status(api: httpx.Client, control: httpx.Client) -> None:
    a, _ = _two_refunds(api, control)
    assert [r["invoice_id"] for r in api.get("/refunds?status[]=completed").json()["data"]] == [a]


def test_list_refunds_filters_by_invoice_id(api: httpx.Client, control: httpx.Client) -> None:
    a, b = _two_refunds(api, control)
    assert [(r["invoice_id"], r["amount"]) for r in api.get("/refunds", params={"invoice_id": b}).json()["data"]] == [
        (b, "2.00")
    ]
    assert [r["invoice_id"] for r in api.get("/refunds", params={"invoice_id": a}).json()["data"]] == [a]


def test_list_refunds_filters_by_date(api: httpx.Client, control: httpx.Client) -> None:
    _two_refunds(api, control)
    assert api.get("/refunds", params={"date_to": "2000-01-01"}).json()["data"] == []


def test_list_refunds_hides_other_organizations(api: httpx.Client, api2: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1})
    assert api2.get("/refunds").json()["meta"]["total"] == 0


async def _parallel_refunds(base_url: str, invoice_id: int, count: int, amount: str) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, headers={"X-API-Key": "test-key"}, timeout=30) as client:
        return list(
            await asyncio.gather(
                *(
                    client.post(
                        f"/invoices/{invoice_id}/refund",
                        content=f'{{"amount": {amount}}}',
                        headers={"Content-Type": "application/json"},
                    )
                    for _ in range(count)
                )
            )
        )


def _race(mock: MockProcess) -> tuple[Decimal, Decimal, list[httpx.Response]]:
    with httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key"}) as api:
        invoice = api.post("/invoices", json={"amount": 1000, "phone_number": PHONE}).json()
        httpx.post(f"{mock.control_url}/invoices/{invoice['id']}/pay")
        responses = asyncio.run(_parallel_refunds(mock.base_url, invoice["id"], 25, "150.00"))
        accepted = sum((Decimal(r.json()["refund"]["amount"]) for r in responses if r.status_code == 201), Decimal(0))
        total = Decimal(api.get(f"/invoices/{invoice['id']}").json()["total_refunded"])
    return accepted, total, responses


def test_parallel_refunds_never_exceed_the_amount(mock: MockProcess) -> None:
    accepted, total, responses = _race(mock)
    assert {r.status_code for r in responses} <= {201, 400, 422}
    assert total == accepted
    assert total <= Decimal(1000)
    assert sum(r.status_code == 201 for r in responses) == 6
