"""A webhook receiver is a party the mock cannot trust: its answer is read to a bound, in a bounded time."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import psutil

from apipay_harness.mock import running_mock
from apipay_harness.mock.faults import Faults
from apipay_harness.mock.webhooks import Dispatcher
from tests.mock.helpers import PHONE, wait_for

HUGE = 100 * 1024 * 1024
_MIB = 1024 * 1024


@dataclass
class HostileReceiver:
    """A loopback receiver that answers every delivery with ``head`` and then ``chunk`` after ``chunk``."""

    url: str = ""
    sent: list[int] = field(default_factory=list)
    """Bytes of answer sent on each connection before the mock closed it (or the whole answer was sent)."""


@contextmanager
def hostile_receiver(head: bytes, chunk: bytes, total: int, pause: float = 0.0) -> Iterator[HostileReceiver]:
    """Serve each connection ``head`` then ``total`` bytes of ``chunk``s, waiting ``pause`` s between chunks."""
    receiver = HostileReceiver()
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    receiver.url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"

    def answer(conn: socket.socket) -> None:
        sent = 0
        with conn:
            conn.settimeout(30)
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(65536)
                conn.sendall(head)
                while sent < total and not stop.is_set():
                    conn.sendall(chunk)
                    sent += len(chunk)
                    if pause:
                        stop.wait(pause)
            except OSError:
                pass
        receiver.sent.append(sent)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def _pay_invoices(base_url: str, control_url: str, count: int) -> None:
    with httpx.Client(base_url=base_url, headers={"X-API-Key": "test-key"}) as api:
        for _ in range(count):
            invoice = api.post("/invoices", json={"amount": 1, "phone_number": PHONE}).json()
            httpx.post(f"{control_url}/invoices/{invoice['id']}/pay").raise_for_status()


def test_a_receiver_answering_100_mb_does_not_grow_the_mock() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + str(HUGE).encode() + b"\r\n\r\n"
    with running_mock() as mock, hostile_receiver(head, b"\0" * _MIB, HUGE) as receiver:
        process = psutil.Process(mock.pid)
        before = process.memory_info().rss
        httpx.post(
            f"{mock.control_url}/webhooks", json={"url": receiver.url, "secret": "s"}, headers={"X-API-Key": "test-key"}
        ).raise_for_status()
        _pay_invoices(mock.base_url, mock.control_url, 3)
        wait_for(lambda: len(receiver.sent) == 3, timeout=60)
        deliveries = httpx.get(f"{mock.control_url}/webhooks/deliveries").json()
        grown = process.memory_info().rss - before
    assert grown < 40 * _MIB, f"the mock grew by {grown / _MIB:.0f} MiB"
    assert all(sent < HUGE // 2 for sent in receiver.sent), receiver.sent
    assert [d["status_code"] for d in deliveries] == [200, 200, 200]


def test_a_receiver_dripping_its_answer_is_cut_off_in_bounded_time() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
    with running_mock() as mock, hostile_receiver(head, b"x", 100_000, pause=0.5) as receiver:
        httpx.post(
            f"{mock.control_url}/webhooks", json={"url": receiver.url, "secret": "s"}, headers={"X-API-Key": "test-key"}
        ).raise_for_status()
        _pay_invoices(mock.base_url, mock.control_url, 1)
        wait_for(lambda: receiver.sent, timeout=30)
        delivery = httpx.get(f"{mock.control_url}/webhooks/deliveries").json()[0]
    assert receiver.sent[0] < 100
    assert delivery["status_code"] == 200
    assert delivery["error"].startswith("TimeoutError")


def test_the_delivery_record_keeps_the_latest_and_counts_the_dropped() -> None:
    dispatcher = Dispatcher(faults=Faults(()), max_deliveries=5)
    for number in range(8):
        dispatcher.send(url="http://127.0.0.1:9/", secret="s", payload={"event": "e", "invoice": {"id": number}})
    assert [d["invoice_id"] for d in dispatcher.deliveries] == [3, 4, 5, 6, 7]
    assert dispatcher.dropped == 3


def test_deliveries_past_the_in_flight_bound_are_recorded_not_sent() -> None:
    silent = socket.create_server(("127.0.0.1", 0), backlog=16)  # accepts, never answers

    async def scenario() -> list[str | None]:
        dispatcher = Dispatcher(faults=Faults(()), max_in_flight=2, timeout=30)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        for number in range(5):
            dispatcher.send(url=url, secret="s", payload={"event": "e", "invoice": {"id": number}})
        errors = [d["error"] for d in dispatcher.deliveries]
        await dispatcher.aclose()
        return errors

    with silent:
        errors = asyncio.run(scenario())
    assert errors[:2] == [None, None]
    assert all(e is not None and e.startswith("not sent") for e in errors[2:]), errors
