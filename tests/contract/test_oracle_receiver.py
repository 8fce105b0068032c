from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator

import httpx

from apipay_harness.core.http import Bounds
from apipay_harness.core.webhook_inbox import NO_ANSWER, webhook_inbox


def test_receiver_keeps_the_exact_bytes_and_headers() -> None:
    raw = b'{"event": "invoice.refunded",  "amount": 10.50}'
    with webhook_inbox() as receiver:
        answer = httpx.post(receiver.url, content=raw, headers={"X-Webhook-Signature": "sha256=ab"})
        deliveries = receiver.wait_for(lambda got: len(got) == 1, timeout=5)
    assert answer.status_code == 200
    assert deliveries[0].body == raw
    assert deliveries[0].headers["x-webhook-signature"] == "sha256=ab"


def test_receiver_wait_returns_at_the_deadline_without_deliveries() -> None:
    with webhook_inbox() as receiver:
        assert receiver.wait_for(lambda got: len(got) > 0, timeout=0.2) == []


def test_receiver_wait_wakes_on_a_delivery_from_another_thread() -> None:
    with webhook_inbox() as receiver:
        sender = threading.Thread(target=lambda: httpx.post(receiver.url, content=b"{}"))
        sender.start()
        deliveries = receiver.wait_for(lambda got: len(got) == 1, timeout=10)
        sender.join(timeout=10)
    assert [d.body for d in deliveries] == [b"{}"]


def _post_quietly(url: str, **kwargs: object) -> int | None:
    """POST and return the status, or None when the receiver hung up mid-request (as it may on a refusal)."""
    try:
        return httpx.post(url, timeout=30, **kwargs).status_code  # type: ignore[arg-type]
    except httpx.HTTPError:
        return None


def test_receiver_refuses_a_chunked_delivery_past_the_size_bound() -> None:
    def endless() -> Iterator[bytes]:
        for _ in range(400):  # 25 MiB in 64 KiB chunks, no Content-Length
            yield b"x" * 65536

    with webhook_inbox(bounds=Bounds(max_bytes=1024 * 1024, seconds=20)) as receiver:
        status = _post_quietly(receiver.url, content=endless())
        refused = list(receiver.refused)
    assert status in (413, None)
    assert receiver.snapshot() == [] and refused and "more than 1048576 bytes" in refused[0]


def test_receiver_refuses_an_announced_length_past_the_bound_without_reading_it() -> None:
    with webhook_inbox(bounds=Bounds(max_bytes=1024, seconds=20)) as receiver:
        with socket.create_connection(("127.0.0.1", int(receiver.url.split(":")[2].split("/")[0])), timeout=10) as sock:
            sock.sendall(b"POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n")
            answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 413") and receiver.snapshot() == []


def test_receiver_cuts_a_dripping_sender_at_the_deadline() -> None:
    """One byte every 0.2 s never trips a per-read timeout; only the whole request's deadline ends it."""
    ended = threading.Event()

    def drip(port: int) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(b"POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
            try:
                while not ended.is_set():
                    sock.sendall(b"x")
                    # Paced by the drip's interval; anything readable means the receiver answered or hung up.
                    if select.select([sock], [], [], 0.2)[0]:
                        break
            except OSError:
                pass

    with webhook_inbox(bounds=Bounds(seconds=1.0)) as receiver:
        port = int(receiver.url.split(":")[2].split("/")[0])
        sender = threading.Thread(target=drip, args=(port,), daemon=True)
        sender.start()
        sender.join(timeout=30)
        cut = not sender.is_alive()
        ended.set()
        assert cut, "the receiver let a dripping sender hold its connection for 30 s"
    assert receiver.snapshot() == [] and receiver.refused


def test_receiver_answers_the_picked_deliveries_as_scripted_then_its_status() -> None:
    with webhook_inbox() as receiver:
        receiver.script([500, NO_ANSWER, 429], when=lambda d: d.body.startswith(b'{"mine"'))
        answers = [
            _post_quietly(receiver.url, content=b'{"other": 1}'),
            _post_quietly(receiver.url, content=b'{"mine": 1}'),
            _post_quietly(receiver.url, content=b'{"mine": 2}'),
            _post_quietly(receiver.url, content=b'{"mine": 3}'),
            _post_quietly(receiver.url, content=b'{"mine": 4}'),
        ]
        kept = receiver.wait_for(lambda got: len(got) == 5, timeout=5)
    assert answers == [200, 500, None, 429, 200]
    assert len(kept) == 5  # a delivery hung up on is still kept: it arrived whole
