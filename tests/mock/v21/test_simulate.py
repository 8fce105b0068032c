"""``POST /invoices/{id}/simulate-status``: the sandbox moves a pending invoice as Kaspi would, from pending only."""

from __future__ import annotations

import httpx
import pytest

from tests.mock.v21.helpers import assert_schema, create, get, paid, pending

TARGETS = ["paid", "cancelled", "expired", "error"]


@pytest.mark.parametrize("status", TARGETS)
def test_simulating_from_pending_answers_200_and_moves_the_invoice(
    api: httpx.Client, control: httpx.Client, status: str
) -> None:
    invoice = pending(api, control)
    response = api.post(f"/invoices/{invoice['id']}/simulate-status", json={"status": status})
    assert response.status_code == 200, response.text
    body = response.json()
    assert_schema(body, "InvoiceSimulated")
    assert body["invoice"]["status"] == status
    assert get(api, invoice["id"])["status"] == status


def test_simulated_error_carries_the_sandbox_code_and_the_message(api: httpx.Client, control: httpx.Client) -> None:
    invoice = pending(api, control)
    body = {"status": "error", "error_message": "Simulated Kaspi failure"}
    assert api.post(f"/invoices/{invoice['id']}/simulate-status", json=body).status_code == 200
    after = get(api, invoice["id"])
    assert (after["error_code"], after["error_message"]) == ("sandbox_simulated_error", "Simulated Kaspi failure")


def test_simulated_payment_is_refundable(api: httpx.Client, control: httpx.Client) -> None:
    invoice = pending(api, control)
    api.post(f"/invoices/{invoice['id']}/simulate-status", json={"status": "paid"}).raise_for_status()
    assert get(api, invoice["id"])["paid_at"] is not None
    assert api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 100}).status_code == 201


@pytest.mark.parametrize("current", ["processing", "paid", "cancelled"])
def test_simulating_from_another_status_is_400_invalid_status_transition(
    api: httpx.Client, control: httpx.Client, current: str
) -> None:
    if current == "processing":
        invoice = create(api)
    elif current == "paid":
        invoice = paid(api, control)
    else:
        invoice = pending(api, control)
        api.post(f"/invoices/{invoice['id']}/cancel").raise_for_status()
    response = api.post(f"/invoices/{invoice['id']}/simulate-status", json={"status": "paid"})
    assert response.status_code == 400
    body = response.json()
    assert_schema(body, "SimulationRefused")
    assert (body["error"], body["current_status"], body["allowed_from"]) == (
        "invalid_status_transition",
        current,
        ["pending"],
    )
    assert get(api, invoice["id"])["status"] == current


def test_qr_scanned_on_a_phone_invoice_is_400_not_qr_invoice(api: httpx.Client, control: httpx.Client) -> None:
    invoice = pending(api, control)
    response = api.post(f"/invoices/{invoice['id']}/simulate-status", json={"status": "qr_scanned"})
    assert response.status_code == 400
    assert_schema(response.json(), "SimulationRefused")
    assert response.json()["error"] == "not_qr_invoice"
    assert get(api, invoice["id"])["status"] == "pending"


@pytest.mark.parametrize(
    "body", [{}, {"status": "pending"}, {"status": "refunded"}, {"status": "paid", "kaspi_source_type": "SILVER"}]
)
def test_simulating_an_unknown_status_is_422(api: httpx.Client, control: httpx.Client, body: dict[str, str]) -> None:
    invoice = pending(api, control)
    response = api.post(f"/invoices/{invoice['id']}/simulate-status", json=body)
    assert response.status_code == 422
    assert_schema(response.json(), "ValidationErrorBody")
    assert get(api, invoice["id"])["status"] == "pending"


def test_simulating_an_unknown_or_foreign_invoice_is_404(api: httpx.Client, api2: httpx.Client) -> None:
    foreign = create(api2)
    for invoice_id in (foreign["id"], 10**12):
        response = api.post(f"/invoices/{invoice_id}/simulate-status", json={"status": "paid"})
        assert response.status_code == 404
        assert_schema(response.json(), "NotFoundBody")
