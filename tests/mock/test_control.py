from __future__ import annotations

import json
from datetime import datetime

import httpx
import pytest

from apipay_harness.mock import MockProcess, running_mock
from tests.mock.helpers import PHONE, assert_schema, create


def _now(control: httpx.Client) -> datetime:
    return datetime.fromisoformat(control.get("/clock").json()["now"])


def test_pay_moves_pending_to_paid_with_client_name(api: httpx.Client, control: httpx.Client) -> None:
    invoice = create(api)
    response = control.post(f"/invoices/{invoice['id']}/pay", json={"client_name": "Aigerim"})
    assert response.status_code == 200
    body = response.json()
    assert_schema(body, "InvoiceDetail")
    assert (body["status"], body["client_name"]) == ("paid", "Aigerim")
    assert body["paid_at"] is not None


def test_pay_without_body_works(api: httpx.Client, control: httpx.Client) -> None:
    assert control.post(f"/invoices/{create(api)['id']}/pay").json()["status"] == "paid"


@pytest.mark.parametrize("action", ["pay", "expire"])
def test_pay_or_expire_of_unknown_invoice_is_404(control: httpx.Client, action: str) -> None:
    assert control.post(f"/invoices/999999/{action}").status_code == 404


def test_expire_moves_pending_to_expired(api: httpx.Client, control: httpx.Client) -> None:
    invoice = create(api)
    assert control.post(f"/invoices/{invoice['id']}/expire").json()["status"] == "expired"


def test_reset_forgets_invoices_but_never_reuses_ids(api: httpx.Client, control: httpx.Client) -> None:
    before = create(api)["id"]
    assert control.post("/reset").is_success
    assert api.get("/invoices").json()["meta"]["total"] == 0
    assert api.get(f"/invoices/{before}").status_code == 404
    assert create(api)["id"] > before


def test_clock_advance_moves_now_and_reset_returns_to_real_time(control: httpx.Client) -> None:
    start = _now(control)
    response = control.post("/clock/advance", json={"seconds": 3600})
    assert response.status_code == 200
    moved = datetime.fromisoformat(response.json()["now"])
    assert 3599 <= (moved - start).total_seconds() <= 3700
    control.post("/reset")
    assert (_now(control) - start).total_seconds() < 600


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": "10"}, {"seconds": None}])
def test_clock_advance_rejects_bad_seconds(control: httpx.Client, body: dict[str, object]) -> None:
    assert control.post("/clock/advance", json=body).status_code == 422


def test_pending_invoice_expires_after_expire_after(api: httpx.Client, control: httpx.Client) -> None:
    invoice = create(api)
    control.post("/clock/advance", json={"seconds": 3500})
    assert api.get(f"/invoices/{invoice['id']}").json()["status"] == "pending"
    control.post("/clock/advance", json={"seconds": 101})
    assert api.get(f"/invoices/{invoice['id']}").json()["status"] == "expired"


def test_clock_advance_settles_due_work_in_order(api: httpx.Client, control: httpx.Client) -> None:
    cancelled = create(api)
    api.post(f"/invoices/{cancelled['id']}/cancel")
    control.post("/clock/advance", json={"seconds": 7200})
    assert api.get(f"/invoices/{cancelled['id']}").json()["status"] == "cancelled"


def test_webhook_registration_needs_a_known_key(control: httpx.Client) -> None:
    body = {"url": "http://127.0.0.1:9/hook", "secret": "s"}
    assert control.post("/webhooks", json=body).status_code == 401
    response = control.post("/webhooks", json=body, headers={"X-API-Key": "test-key"})
    assert response.status_code == 201
    assert isinstance(response.json()["id"], int)


def test_sync_cancel_mode_answers_200_cancelled() -> None:
    with (
        running_mock(cancel_mode="sync") as mock,
        httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key"}) as api,
    ):
        invoice = api.post("/invoices", json={"amount": 1, "phone_number": PHONE}).json()
        response = api.post(f"/invoices/{invoice['id']}/cancel")
        assert response.status_code == 200
        assert_schema(response.json(), "InvoiceDetail")
        assert response.json()["status"] == "cancelled"


def test_cancel_completes_in_real_time_without_clock_advance() -> None:
    with (
        running_mock(extra_args=["--cancel-delay", "0.2"]) as mock,
        httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key"}) as api,
    ):
        invoice = api.post("/invoices", json={"amount": 1, "phone_number": PHONE}).json()
        api.post(f"/invoices/{invoice['id']}/cancel")
        from tests.mock.helpers import wait_for

        wait_for(lambda: api.get(f"/invoices/{invoice['id']}").json()["status"] == "cancelled", timeout=10)


def test_mock_fixture_is_a_running_process(mock: MockProcess) -> None:
    assert mock.process.poll() is None


def test_work_settled_by_an_advance_is_stamped_with_its_due_time(api: httpx.Client, control: httpx.Client) -> None:
    control.post(
        "/webhooks", json={"url": "http://127.0.0.1:9/closed", "secret": "s"}, headers={"X-API-Key": "test-key"}
    )
    invoice = create(api)
    api.post(f"/invoices/{invoice['id']}/cancel")
    control.post("/clock/advance", json={"seconds": 600})
    [delivery] = control.get("/webhooks/deliveries").json()
    stamped = datetime.fromisoformat(json.loads(delivery["body"])["timestamp"])
    created = datetime.fromisoformat(invoice["created_at"])
    assert 1 <= (stamped - created).total_seconds() <= 4
