"""The rate limiter's memory is bounded whatever keys clients send, and no flood of keys resets a real key's quota."""

from __future__ import annotations

import socket
from datetime import datetime

import httpx

from apipay_harness.mock import MockProcess
from apipay_harness.mock.limits import MAX_UNKNOWN_KEYS
from apipay_harness.mock.ratelimit import RateWindows
from tests.mock.helpers import start_of_minute

_BATCH = 200


def _address(mock: MockProcess) -> tuple[str, int]:
    host, port = mock.root_url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _flood(mock: MockProcess, keys: list[bytes]) -> list[bytes]:
    """Send one request per key, pipelined in batches on one connection; return each answer's status line."""
    statuses: list[bytes] = []
    with socket.create_connection(_address(mock), timeout=30) as sock:
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            sock.sendall(
                b"".join(b"GET /api/v1/invoices HTTP/1.1\r\nHost: x\r\nX-API-Key: " + k + b"\r\n\r\n" for k in batch)
            )
            answer = b""
            while answer.count(b"HTTP/1.1 ") < len(batch) or not answer.endswith(b"}"):
                chunk = sock.recv(1 << 16)
                assert chunk, "the mock closed the connection mid-flood"
                answer += chunk
            statuses += [line.split(b"\r\n", 1)[0] for line in answer.split(b"HTTP/1.1 ")[1:]]
    return statuses


def _minute(control: httpx.Client) -> int:
    return int(datetime.fromisoformat(control.get("/clock").json()["now"]).timestamp() // 60)


def test_a_flood_of_junk_keys_does_not_give_a_limited_key_a_fresh_quota(
    mock: MockProcess, control: httpx.Client
) -> None:
    start_of_minute(control)
    minute = _minute(control)
    with httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "limited-key"}) as client:
        before = [client.get("/invoices").status_code for _ in range(6)]
        junk = [f"junk-{i}".encode() for i in range(MAX_UNKNOWN_KEYS + 2_000)]
        statuses = _flood(mock, junk)
        after = client.get("/invoices")
    assert _minute(control) == minute, "the flood outlasted the clock minute: the test proves nothing"
    assert before == [200] * 5 + [429]
    assert len(statuses) == len(junk) and set(statuses) == {b"401 Unauthorized"}
    assert after.status_code == 429, after.text
    assert after.headers["x-ratelimit-remaining"] == "0"


def test_unknown_keys_are_counted_in_a_table_that_never_outgrows_its_bound() -> None:
    windows = RateWindows(frozenset({b"real"}), max_unknown=100)
    for _ in range(3):
        windows.count(b"real", 7, counted=True)
    for i in range(10_000):
        windows.count(b"x" * 60_000 if i == 0 else f"junk-{i}".encode(), 7, counted=True)
    assert len(windows) == 101
    assert windows.count(b"real", 7, counted=False) == 3
    assert windows.count(b"real", 8, counted=False) == 0


def test_a_recently_seen_unknown_key_keeps_its_count_while_older_ones_go() -> None:
    windows = RateWindows(frozenset(), max_unknown=3)
    for key in (b"a", b"b", b"a", b"c", b"d"):
        windows.count(key, 1, counted=True)
    assert windows.count(b"a", 1, counted=False) == 2
    assert windows.count(b"b", 1, counted=False) == 0
