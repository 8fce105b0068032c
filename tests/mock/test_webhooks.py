from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from apipay_harness.core.webhook_inbox import webhook_inbox as webhook_receiver
from tests.mock.helpers import PHONE, assert_schema, create, paid, wait_for

SECRET = "whsec_test"


def _register(control: httpx.Client, url: str, key: str = "test-key") -> int:
    response = control.post("/webhooks", json={"url": url, "secret": SECRET}, headers={"X-API-Key": key})
    assert response.status_code == 201
    hook_id: int = response.json()["id"]
    return hook_id


def _recorded_hook(control: httpx.Client) -> str:
    """Register a webhook nobody listens at: its deliveries are read back from the mock's own record."""
    url = f"http://127.0.0.1:9/{uuid.uuid4().hex}"
    _register(control, url)
    return url


def _events(control: httpx.Client, url: str, invoice_id: int) -> list[dict[str, Any]]:
    """What the mock sent to ``url`` about one invoice, in order (deliveries are recorded when sent)."""
    deliveries = control.get("/webhooks/deliveries").json()
    return [json.loads(d["body"]) for d in deliveries if d["url"] == url and d["invoice_id"] == invoice_id]


def test_payment_sends_exactly_one_status_changed_event(api: httpx.Client, control: httpx.Client) -> None:
    url = _recorded_hook(control)
    invoice = paid(api, control)
    assert [(e["event"], e["invoice"]["status"]) for e in _events(control, url, invoice["id"])] == [
        ("invoice.status_changed", "paid")
    ]


def test_cancel_sends_a_status_changed_event_once_cancelled(api: httpx.Client, control: httpx.Client) -> None:
    url = _recorded_hook(control)
    invoice = create(api)
    api.post(f"/invoices/{invoice['id']}/cancel")
    assert _events(control, url, invoice["id"]) == []
    control.post("/clock/advance", json={"seconds": 60})
    assert [(e["event"], e["invoice"]["status"]) for e in _events(control, url, invoice["id"])] == [
        ("invoice.status_changed", "cancelled")
    ]


def test_refund_event_carries_the_total_refunded_after_it(api: httpx.Client, control: httpx.Client) -> None:
    url = _recorded_hook(control)
    invoice = paid(api, control)
    api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 2500.75})
    api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1000})
    refunded = [e["invoice"] for e in _events(control, url, invoice["id"]) if e["event"] == "invoice.refunded"]
    assert [(e["status"], e["total_refunded"]) for e in refunded] == [
        ("partially_refunded", "2500.75"),
        ("partially_refunded", "3500.75"),
    ]


def test_paid_invoice_sends_signed_status_changed(api: httpx.Client, control: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        _register(control, receiver.url)
        invoice = paid(api, control)
        wait_for(lambda: receiver.received)
        raw, headers = receiver.received[0]
        assert receiver.verified(SECRET) == [True]
        body = json.loads(raw)
        assert_schema(body, "InvoiceStatusChangedEvent")
        assert (body["invoice"]["id"], body["invoice"]["status"]) == (invoice["id"], "paid")
        assert headers["content-type"] == "application/json"


def test_cancel_expire_and_refunds_each_send_one_event(api: httpx.Client, control: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        _register(control, receiver.url)
        cancelled = create(api)
        api.post(f"/invoices/{cancelled['id']}/cancel")
        control.post("/clock/advance", json={"seconds": 5})
        control.post(f"/invoices/{create(api)['id']}/expire")
        refunded = paid(api, control)
        api.post(f"/invoices/{refunded['id']}/refund", json={"amount": 1})
        api.post(f"/invoices/{refunded['id']}/refund")
        wait_for(lambda: len(receiver.received) == 5)
        events = [json.loads(raw) for raw, _ in receiver.received]
    kinds = sorted((e["event"], e["invoice"]["status"]) for e in events)
    assert kinds == [
        ("invoice.refunded", "partially_refunded"),
        ("invoice.refunded", "refunded"),
        ("invoice.status_changed", "cancelled"),
        ("invoice.status_changed", "expired"),
        ("invoice.status_changed", "paid"),
    ]
    for event in events:
        assert_schema(
            event, "InvoiceRefundedEvent" if event["event"] == "invoice.refunded" else "InvoiceStatusChangedEvent"
        )
    assert all(receiver.verified(SECRET))


def test_invoice_webhook_id_picks_that_webhook(api: httpx.Client, control: httpx.Client) -> None:
    with webhook_receiver() as chosen, webhook_receiver() as latest:
        hook = _register(control, chosen.url)
        _register(control, latest.url)
        invoice = create(api, webhook_id=hook)
        control.post(f"/invoices/{invoice['id']}/pay")
        wait_for(lambda: chosen.received)
        assert latest.received == []


def test_deliveries_record_every_attempt_even_failed(api: httpx.Client, control: httpx.Client) -> None:
    with webhook_receiver(status=500) as receiver:
        _register(control, receiver.url)
        paid(api, control)
        deliveries = wait_for(
            lambda: [d for d in control.get("/webhooks/deliveries").json() if d["status_code"] is not None]
        )
    assert deliveries[0]["status_code"] == 500
    assert deliveries[0]["event"] == "invoice.status_changed"
    assert deliveries[0]["url"] == receiver.url
    assert len(receiver.received) == 1


def test_unreachable_receiver_is_recorded_with_null_status(api: httpx.Client, control: httpx.Client) -> None:
    _register(control, "http://127.0.0.1:9/closed")
    paid(api, control)
    record = wait_for(lambda: [d for d in control.get("/webhooks/deliveries").json() if d["error"]])
    assert record[0]["status_code"] is None


def test_other_organizations_webhook_is_not_notified(api2: httpx.Client, control: httpx.Client) -> None:
    url = _recorded_hook(control)  # organization 1's latest webhook
    invoice = api2.post("/invoices", json={"amount": 1, "phone_number": PHONE}).json()
    assert control.post(f"/invoices/{invoice['id']}/pay").status_code == 200
    # Deliveries are recorded as they are sent, so none to organization 1's URL means none was sent there.
    assert [d for d in control.get("/webhooks/deliveries").json() if d["url"] == url] == []


def test_refused_cancel_sends_no_event(api: httpx.Client, control: httpx.Client) -> None:
    """A refused cancel of a paid invoice changes nothing, so it must not announce ``cancelled``."""
    url = _recorded_hook(control)
    invoice = paid(api, control)
    assert api.post(f"/invoices/{invoice['id']}/cancel").status_code == 400
    control.post("/clock/advance", json={"seconds": 60})
    assert api.get(f"/invoices/{invoice['id']}").json()["status"] == "paid"
    assert [e["invoice"]["status"] for e in _events(control, url, invoice["id"])] == ["paid"]
