"""2.1 webhooks: one ``invoice.status_changed`` per transition into a status ``x-status-transitions`` names
(pending and error too, never processing), and ``invoice.refunded`` with the refund when it completes."""

from __future__ import annotations

import json
from typing import Any

import httpx

from apipay_harness.core.webhook_inbox import webhook_inbox as webhook_receiver
from tests.mock.helpers import wait_for
from tests.mock.v21.helpers import SECRET, assert_schema, create, get, register, settle


def _events(raw: list[tuple[bytes, dict[str, str]]]) -> list[dict[str, Any]]:
    return [json.loads(body) for body, _ in raw]


def _assert_event(event: dict[str, Any]) -> None:
    name = {"invoice.status_changed": "InvoiceStatusChangedEvent", "invoice.refunded": "InvoiceRefundedEvent"}
    assert_schema(event, name[event["event"]])


def test_each_notified_transition_sends_one_signed_event(api: httpx.Client, control: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        register(control, receiver.url)
        invoice = create(api)
        settle(control)  # processing -> pending
        api.post(f"/invoices/{invoice['id']}/cancel").raise_for_status()  # -> cancelled
        control.post(f"/invoices/{invoice['id']}/pay").raise_for_status()  # cancelled -> paid
        wait_for(lambda: len(receiver.received) >= 3)
        events = _events(receiver.received)
        # each delivery has its own connection: they may arrive in any order, as the provider's may
        assert sorted(e["invoice"]["status"] for e in events) == ["cancelled", "paid", "pending"]
        for event in events:
            _assert_event(event)
        assert all(receiver.verified(SECRET))


def test_processing_sends_nothing_and_error_sends_its_event(api: httpx.Client, control: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        register(control, receiver.url)
        invoice = create(api)
        control.post(f"/invoices/{invoice['id']}/settle", json={"status": "error"}).raise_for_status()
        wait_for(lambda: receiver.received)
        [event] = _events(receiver.received)
        _assert_event(event)
        assert event["invoice"]["status"] == "error"
        assert event["invoice"]["errored_at"]


def test_refund_completion_sends_invoice_refunded_with_the_refund(api: httpx.Client, control: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        register(control, receiver.url)
        invoice = create(api)
        settle(control)
        control.post(f"/invoices/{invoice['id']}/pay").raise_for_status()
        refund = api.post(f"/invoices/{invoice['id']}/refund", json={}).json()["refund"]
        control.post("/clock/advance", json={"seconds": 60}).raise_for_status()
        wait_for(lambda: any(json.loads(b)["event"] == "invoice.refunded" for b, _ in receiver.received))
        events = _events(receiver.received)
        statuses = [e["invoice"]["status"] for e in events if e["event"] == "invoice.status_changed"]
        assert sorted(statuses) == ["paid", "pending"]  # a full refund is no status change
        [refunded] = [e for e in events if e["event"] == "invoice.refunded"]
        _assert_event(refunded)
        assert (refunded["refund"]["id"], refunded["refund"]["status"]) == (refund["id"], "completed")
        assert refunded["invoice"]["is_fully_refunded"] is True
        assert get(api, invoice["id"])["status"] == "paid"
