from __future__ import annotations

import threading

import httpx

from contracts.model_receiver import receiving


def test_receiver_keeps_the_exact_bytes_and_headers() -> None:
    raw = b'{"event": "invoice.refunded",  "amount": 10.50}'
    with receiving() as receiver:
        answer = httpx.post(receiver.url, content=raw, headers={"X-Webhook-Signature": "sha256=ab"})
        deliveries = receiver.wait_for(lambda got: len(got) == 1, timeout=5)
    assert answer.status_code == 200
    assert deliveries[0].body == raw
    assert deliveries[0].headers["x-webhook-signature"] == "sha256=ab"


def test_receiver_wait_returns_at_the_deadline_without_deliveries() -> None:
    with receiving() as receiver:
        assert receiver.wait_for(lambda got: len(got) > 0, timeout=0.2) == []


def test_receiver_wait_wakes_on_a_delivery_from_another_thread() -> None:
    with receiving() as receiver:
        sender = threading.Thread(target=lambda: httpx.post(receiver.url, content=b"{}"))
        sender.start()
        deliveries = receiver.wait_for(lambda got: len(got) == 1, timeout=10)
        sender.join(timeout=10)
    assert [d.body for d in deliveries] == [b"{}"]
