"""Idempotent creates: ``external_order_id_idempotency`` per organization, 409 while the first invoice lives."""

from __future__ import annotations

import httpx
import pytest

from tests.mock.v21.helpers import PHONE, assert_schema, create, pending

KEY = "order-77"


def _again(api: httpx.Client, key: str | None = KEY) -> httpx.Response:
    return api.post("/invoices", json={"amount": 5000, "phone_number": PHONE, "external_order_id_idempotency": key})


def test_a_duplicate_key_is_409_naming_the_live_invoice(api: httpx.Client) -> None:
    first = create(api, external_order_id_idempotency=KEY)
    response = _again(api)
    assert response.status_code == 409
    body = response.json()
    assert_schema(body, "DuplicateIdempotencyResponse")
    assert (body["invoice_id"], body["status"]) == (first["id"], "processing")
    listed = api.get("/invoices", params={"per_page": 100}).json()
    assert len(listed["data"]) == 1


@pytest.mark.parametrize("ending", ["cancelled", "expired", "error"])
def test_the_key_is_free_again_once_the_invoice_ended(api: httpx.Client, control: httpx.Client, ending: str) -> None:
    first = pending(api, control, external_order_id_idempotency=KEY)
    if ending == "cancelled":
        api.post(f"/invoices/{first['id']}/cancel").raise_for_status()
    elif ending == "expired":
        control.post(f"/invoices/{first['id']}/expire").raise_for_status()
    else:
        api.post(f"/invoices/{first['id']}/simulate-status", json={"status": "error"}).raise_for_status()
    response = _again(api)
    assert response.status_code == 201
    assert response.json()["id"] != first["id"]


def test_a_paid_invoice_keeps_its_key(api: httpx.Client, control: httpx.Client) -> None:
    first = pending(api, control, external_order_id_idempotency=KEY)
    control.post(f"/invoices/{first['id']}/pay").raise_for_status()
    response = _again(api)
    assert response.status_code == 409
    assert response.json()["status"] == "paid"


def test_keys_are_per_organization(api: httpx.Client, api2: httpx.Client) -> None:
    create(api, external_order_id_idempotency=KEY)
    assert _again(api2).status_code == 201


@pytest.mark.parametrize("key", [None, ""])
def test_without_a_key_two_creates_make_two_invoices(api: httpx.Client, key: str | None) -> None:
    first, second = _again(api, key), _again(api, key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
