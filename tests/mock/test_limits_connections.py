"""The mock holds connections to a public server's limits: head and body deadlines, a bounded head, a cap."""

from __future__ import annotations

import asyncio
import select
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import msgspec
import pytest

from apipay_harness.mock import MockProcess, running_mock
from apipay_harness.mock.connections import ConnectionGuard, ConnectionLimits, State
from tests.mock.helpers import PHONE, wait_for

PARTIAL_HEAD = b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n"
DEADLINE = 20.0
"""Seconds a socket read may wait for the mock's answer: far above the timeouts under test (1 s)."""


def _address(mock: MockProcess) -> tuple[str, int]:
    host, port = mock.root_url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _read_to_close(sock: socket.socket) -> bytes:
    """Everything the mock sends until it closes the connection; fails if it keeps it open past DEADLINE."""
    sock.settimeout(DEADLINE)
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError(f"the mock kept the connection open for {DEADLINE}s (got {answer[:200]!r})") from None
    return answer


def _json_error(answer: bytes, status: int) -> dict[str, Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status), answer[:300]
    assert b"content-type: application/json" in head.lower()
    assert b"x-ratelimit-remaining" in head.lower()
    decoded: dict[str, Any] = msgspec.json.decode(body)
    assert isinstance(decoded["message"], str)
    return decoded


@pytest.fixture(scope="module")
def strict_mock() -> Iterator[MockProcess]:
    """A mock with 1-second head and body deadlines."""
    with running_mock(extra_args=["--header-timeout", "1", "--body-timeout", "1"]) as mock:
        yield mock


def test_a_partial_head_gets_a_json_408_and_is_closed(strict_mock: MockProcess) -> None:
    with socket.create_connection(_address(strict_mock)) as sock:
        sock.sendall(PARTIAL_HEAD)
        _json_error(_read_to_close(sock), 408)


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(strict_mock: MockProcess) -> None:
    with socket.create_connection(_address(strict_mock)) as sock:
        assert _read_to_close(sock) == b""


def test_a_head_dripped_past_its_deadline_gets_408(strict_mock: MockProcess) -> None:
    """A header line every 0.2 s: each read is quick, the head as a whole is not."""
    with socket.create_connection(_address(strict_mock)) as sock:
        sock.sendall(PARTIAL_HEAD)
        deadline = time.monotonic() + DEADLINE
        while not select.select([sock], [], [], 0.2)[0]:
            assert time.monotonic() < deadline, "the mock kept reading the dripped head"
            sock.sendall(b"X-Drip: 1\r\n")
        _json_error(_read_to_close(sock), 408)


@pytest.mark.parametrize(
    ("path", "content_type", "start"),
    [
        ("/api/v1/invoices", "application/json", b'{"amount": 1, "phone_number": "8'),
        (
            "/api/v1/catalog/upload-image",
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="image"\r\n\r\n\x89PNG',
        ),
    ],
    ids=["json", "multipart"],
)
def test_a_body_shorter_than_announced_gets_a_json_408_and_is_closed(
    strict_mock: MockProcess, path: str, content_type: str, start: bytes
) -> None:
    with socket.create_connection(_address(strict_mock)) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nX-API-Key: test-key\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: 900000\r\n\r\n".encode()
            + start
        )
        _json_error(_read_to_close(sock), 408)


def test_a_request_answered_before_its_body_ended_gets_that_one_answer_then_a_close(strict_mock: MockProcess) -> None:
    """A wrong key is answered 401 at once; the body that never comes ends the connection, with no second answer."""
    with socket.create_connection(_address(strict_mock)) as sock:
        sock.sendall(
            b"POST /api/v1/invoices HTTP/1.1\r\nHost: x\r\nX-API-Key: wrong\r\nContent-Type: application/json\r\n"
            b"Content-Length: 900000\r\n\r\n{"
        )
        answer = _read_to_close(sock)
    assert answer.count(b"HTTP/1.1 ") == 1
    _json_error(answer, 401)


def test_a_head_longer_than_64_kib_gets_a_json_431(strict_mock: MockProcess) -> None:
    with socket.create_connection(_address(strict_mock)) as sock:
        sock.sendall(PARTIAL_HEAD + b"X-Pad: " + b"a" * 100_000)
        _json_error(_read_to_close(sock), 431)


def test_a_body_sent_in_pieces_within_the_deadline_is_served(strict_mock: MockProcess) -> None:
    body = msgspec.json.encode({"amount": 1, "phone_number": PHONE})
    with socket.create_connection(_address(strict_mock)) as sock:
        sock.sendall(
            b"POST /api/v1/invoices HTTP/1.1\r\nHost: x\r\nX-API-Key: test-key\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        for piece in (body[:5], body[5:20], body[20:]):
            sock.sendall(piece)
        assert _read_to_close(sock).startswith(b"HTTP/1.1 201 ")


def test_a_keep_alive_client_is_served_request_after_request(strict_mock: MockProcess) -> None:
    with httpx.Client(base_url=strict_mock.base_url, headers={"X-API-Key": "test-key"}) as client:
        for _ in range(20):
            assert client.get("/invoices").status_code == 200


def test_half_open_connections_past_the_cap_do_not_starve_a_normal_client() -> None:
    cap, flood = 20, 300
    with (
        running_mock(extra_args=["--max-connections", str(cap), "--header-timeout", "300"]) as mock,
        ExitStack() as stack,
    ):
        socks = [stack.enter_context(socket.create_connection(_address(mock))) for _ in range(flood)]
        for sock in socks:
            sock.sendall(PARTIAL_HEAD)
        with httpx.Client(base_url=mock.base_url, timeout=DEADLINE) as client:
            answers = [client.get("/status").status_code for _ in range(5)]
            closed = wait_for(lambda: sum(_closed_by_peer(s) for s in socks) >= flood - cap, timeout=DEADLINE)
            stats = httpx.get(f"{mock.control_url}/stats", timeout=DEADLINE).json()["connections"]
    assert answers == [200] * 5
    assert closed
    assert stats["open"] <= cap
    assert stats["evicted"] >= flood - cap
    assert stats["max_connections"] == cap


def _closed_by_peer(sock: socket.socket) -> bool:
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def test_clients_that_never_read_their_answers_are_closed_to_admit_others() -> None:
    """Three connections pipeline requests and never read: at a cap of 3 they are all busy, none waiting.

    A new client is refused while they are fresh, and admitted once one of them has been stalled longer than
    the body timeout (1 s): the mock never stays full for good.
    """
    args = ["--max-connections", "3", "--body-timeout", "1", "--header-timeout", "300"]
    with running_mock(extra_args=args) as mock, ExitStack() as stack:
        with httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key"}) as api:
            for _ in range(100):
                api.post("/invoices", json={"amount": 1, "phone_number": PHONE, "description": "x" * 500})
        request = b"GET /api/v1/invoices?per_page=100 HTTP/1.1\r\nHost: x\r\nX-API-Key: test-key\r\n\r\n"
        stalled = [stack.enter_context(socket.create_connection(_address(mock))) for _ in range(3)]
        for sock in stalled:
            sock.setblocking(False)
            try:
                for _ in range(2000):
                    sock.send(request)
            except BlockingIOError:
                pass
        answer = wait_for(lambda: _status_or_none(mock), timeout=DEADLINE)
        stats = _stats(mock)
    assert answer == 200
    assert stats["evicted"] >= 1
    assert stats["header_timeouts"] == 0 and stats["body_timeouts"] == 0


def _status_or_none(mock: MockProcess) -> int | None:
    try:
        return httpx.get(f"{mock.base_url}/status", timeout=DEADLINE).status_code
    except httpx.TransportError:
        return None


def _stats(mock: MockProcess) -> dict[str, Any]:
    connections: dict[str, Any] = httpx.get(f"{mock.control_url}/stats", timeout=DEADLINE).json()["connections"]
    return connections


# -- the guard's choices, without sockets -----------------------------------------------------------------------


class _Connection:
    def __init__(self, name: str, hung_up: list[str]) -> None:
        self.name = name
        self.state: State | None = None
        self._hung_up = hung_up

    def head_timed_out(self) -> None:
        self._hung_up.append(f"{self.name}:head")

    def body_timed_out(self) -> None:
        self._hung_up.append(f"{self.name}:body")

    def evicted(self) -> None:
        self._hung_up.append(f"{self.name}:evicted")


@contextmanager
def _guard(cap: int) -> Iterator[tuple[ConnectionGuard, list[str], list[float], asyncio.AbstractEventLoop]]:
    loop = asyncio.new_event_loop()
    try:
        guard = ConnectionGuard(ConnectionLimits(header_timeout=10, body_timeout=10, max_connections=cap))
        now = [0.0]
        guard._now = lambda: now[0]  # type: ignore[method-assign]
        yield guard, [], now, loop
    finally:
        loop.close()


def test_at_the_cap_the_longest_waiting_goes_first_then_mid_body_then_stalled_busy() -> None:
    with _guard(3) as (guard, hung_up, now, loop):
        a, b, c = (_Connection(n, hung_up) for n in "abc")
        for connection in (a, b, c):
            assert guard.opened(connection, loop)
            now[0] += 1
        guard.move(a, State.BODY)
        guard.move(b, State.BUSY)
        d, e, f, g = (_Connection(n, hung_up) for n in "defg")
        assert guard.opened(d, loop)  # c waited longest among WAITING
        guard.move(d, State.BUSY)
        assert guard.opened(e, loop)  # no WAITING left: a, mid-body
        guard.move(e, State.BUSY)
        assert not guard.opened(f, loop)  # all busy, none stalled: refused
        now[0] += 11
        assert guard.opened(g, loop)  # b has been busy past the body timeout
        assert hung_up == ["c:evicted", "a:evicted", "b:evicted"]
        assert guard.counts.refused == 1 and len(guard) == 3


def test_the_sweep_closes_only_what_is_past_its_deadline() -> None:
    with _guard(10) as (guard, hung_up, now, loop):
        old, body, fresh = (_Connection(n, hung_up) for n in ("old", "body", "fresh"))
        guard.opened(old, loop)
        guard.opened(body, loop)
        guard.move(body, State.BODY)
        now[0] = 5
        guard.opened(fresh, loop)
        now[0] = 10.5
        guard._sweep(loop)
        assert hung_up == ["old:head", "body:body"]
        assert fresh.state is State.WAITING and len(guard) == 1
