"""The one bounded read every request of the harness goes through: size (however the body is framed) and a total
deadline (however slowly the bytes come), for httpx callers and for schemathesis' ``requests`` sessions alike."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import requests

from apipay_harness.core.http import AnswerTooLarge, AnswerTooSlow, BoundedClient, Bounds, OutOfBounds, Tripwire
from apipay_harness.core.http_requests import RequestOutOfBounds, bounded_requests
from tests.selftest.hostile import DRIP_SECONDS, hostile_server

SMALL = Bounds(max_bytes=1024 * 1024, seconds=20)


@pytest.fixture(scope="module")
def echo_server() -> Iterator[str]:
    """A well-behaved server: answers what it was sent (method, path, headers, body), gzipped when asked to."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            sent = self.rfile.read(length).decode() if length else ""
            body = json.dumps(
                {"method": self.command, "path": self.path, "body": sent, "ua": self.headers["User-Agent"]}
            )
            data = body.encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Twice", "a")
            self.send_header("X-Twice", "b")
            if "gzip" in self.path:
                data = gzip.compress(data)
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("mode", ["chunked", "close_delimited", "huge"])
def test_bounded_client_stops_at_the_size_bound_however_the_body_is_framed(mode: str) -> None:
    with hostile_server(mode) as url, BoundedClient(bounds=SMALL) as client:
        with pytest.raises(AnswerTooLarge, match="more than 1048576 bytes"):
            client.get(f"{url}/invoices")


def test_bounded_client_ends_a_dripping_body_at_the_total_deadline() -> None:
    """A byte every 3 s never trips a 4 s per-read timeout; only the deadline across the whole answer ends it."""
    bounds = Bounds(seconds=DRIP_SECONDS + 1)
    with hostile_server("drip") as url, BoundedClient(bounds=bounds) as client:
        with pytest.raises(AnswerTooSlow, match="within 4s"):  # else it reads 4096 bytes for 3.4 hours
            client.get(f"{url}/invoices")


def test_bounded_client_ends_a_dripping_status_answer_too() -> None:
    with hostile_server("status_drip") as url, BoundedClient(bounds=Bounds(seconds=DRIP_SECONDS + 1)) as client:
        with pytest.raises(AnswerTooSlow):
            client.get(f"{url}/status")


def test_a_tripped_tripwire_fails_every_later_request_of_every_client_sharing_it(echo_server: str) -> None:
    wire = Tripwire()
    with hostile_server("chunked") as url, BoundedClient(bounds=SMALL, tripwire=wire) as first:
        with pytest.raises(AnswerTooLarge):
            first.get(f"{url}/invoices")
    with BoundedClient(tripwire=wire) as second:
        with pytest.raises(OutOfBounds, match="more than 1048576 bytes"):
            second.get(f"{echo_server}/fine")


def test_bounded_client_reads_an_ordinary_answer_whole(echo_server: str) -> None:
    with BoundedClient() as client:
        answer = client.post(f"{echo_server}/gzip/x", json={"amount": "10.50"})
    assert answer.status_code == 201 and answer.headers.get_list("x-twice") == ["a", "b"]
    assert answer.json()["body"] == '{"amount":"10.50"}'


def test_requests_sessions_made_inside_the_block_are_bounded() -> None:
    with hostile_server("chunked") as url, bounded_requests(bounds=SMALL) as wire:
        session = requests.Session()
        with pytest.raises(RequestOutOfBounds):
            session.get(f"{url}/invoices", timeout=10)
    assert wire.reason is not None and "more than 1048576 bytes" in wire.reason


def test_requests_answers_through_the_bounded_adapter_are_what_requests_would_give(echo_server: str) -> None:
    with bounded_requests():
        session = requests.Session()
        answer = session.post(f"{echo_server}/gzip/y?a=1", data="naïve", headers={"X-Extra": "é"}, timeout=10)
    sent = answer.json()
    assert (answer.status_code, sent["method"], sent["path"], sent["body"]) == (201, "POST", "/gzip/y?a=1", "naïve")
    assert sent["ua"].startswith("python-requests/")  # the request requests prepared, sent as is
    assert answer.raw.headers.getlist("X-Twice") == ["a", "b"] and answer.headers["Content-Encoding"] == "gzip"


def test_requests_sessions_made_after_the_block_are_untouched(echo_server: str) -> None:
    with bounded_requests():
        pass
    adapter = requests.Session().get_adapter(echo_server)
    assert type(adapter) is requests.adapters.HTTPAdapter


def test_an_unreachable_server_is_a_connection_error_not_a_bound(echo_server: str) -> None:
    with BoundedClient() as client, pytest.raises(httpx.ConnectError):
        client.get("http://127.0.0.1:9/status")
