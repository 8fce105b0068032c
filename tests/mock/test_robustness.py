from __future__ import annotations

import socket

import httpx
import msgspec
import pytest

from apipay_harness.mock import MockProcess
from tests.mock.helpers import PHONE, create

JSON = {"Content-Type": "application/json"}


def _assert_json_4xx(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert isinstance(response.json()["message"], str)
    assert "x-ratelimit-remaining" in response.headers


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"amount": 1, "phone_number": ', id="truncated"),
        pytest.param(b"{'amount': 1}", id="single-quotes"),
        pytest.param(b'{"amount": NaN, "phone_number": "87001234567"}', id="nan"),
        pytest.param(b'{"amount": Infinity, "phone_number": "87001234567"}', id="infinity"),
        pytest.param(b"[1, 2]", id="array-body"),
        pytest.param(b'"just a string"', id="string-body"),
        pytest.param(b"null", id="null-body"),
        pytest.param(b'{"description": "\xff\xfe", "amount": 1, "phone_number": "87001234567"}', id="not-utf8"),
        pytest.param(b'{"a":' * 40 + b"1" + b"}" * 40, id="nested-40"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested-100k"),
        pytest.param(b'{"amount": 1e999999, "phone_number": "87001234567"}', id="huge-exponent"),
        pytest.param(b'{"amount": ' + b"9" * 5000 + b', "phone_number": "87001234567"}', id="huge-integer"),
        pytest.param(b'{"amount": 1, "phone_number": "87001234567", "webhook_id": ' + b"9" * 40 + b"}", id="huge-id"),
        pytest.param(
            b'{"phone_number": "87001234567", "cart_items": [{"catalog_item_id": 1e400, "count": 1}]}',
            id="huge-float-id",
        ),
        pytest.param(b'{"amount": 1, "phone_number": "87001234567", "description": "\\ud800"}', id="lone-surrogate"),
        pytest.param(b'{"amount": true, "phone_number": "87001234567"}', id="bool-amount"),
        pytest.param(
            b'{"phone_number": "87001234567", "cart_items": [{"catalog_item_id": 101, "count": 1e999999999}]}',
            id="count-1e999999999",
        ),
        pytest.param(b'{"amount": 1e-999999999, "phone_number": "87001234567"}', id="tiny-exponent"),
        pytest.param(b'{"amount": 1, "phone_number": 87001234567}', id="number-phone"),
        pytest.param(b'{"amount": 1, "phone_number": "\xd9\xa8\xd9\xa7\xd9\xa0\xd9\xa0"}', id="arabic-digits"),
    ],
)
def test_malformed_create_body_is_a_json_4xx(api: httpx.Client, raw: bytes) -> None:
    _assert_json_4xx(api.post("/invoices", content=raw, headers=JSON))


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Content-Type": "text/plain"}, id="text-plain"),
        pytest.param({"Content-Type": "application/x-www-form-urlencoded"}, id="form"),
    ],
)
def test_body_with_wrong_or_missing_content_type_is_a_json_4xx(api: httpx.Client, headers: dict[str, str]) -> None:
    raw = b'{"amount": 1, "phone_number": "87001234567"}'
    _assert_json_4xx(api.post("/invoices", content=raw, headers=headers))


def test_body_over_the_cap_is_413_json(api: httpx.Client) -> None:
    raw = b'{"amount": 1, "phone_number": "87001234567", "description": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = api.post("/invoices", content=raw, headers=JSON)
    assert response.status_code == 413
    assert response.json()["message"]


def test_emoji_and_non_bmp_text_round_trip(api: httpx.Client) -> None:
    text = "Заказ 😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🇰🇿"
    invoice = create(api, description=text, external_order_id="𝟙𝟚𝟛")
    again = api.get(f"/invoices/{invoice['id']}").json()
    assert (again["description"], again["external_order_id"]) == (text, "𝟙𝟚𝟛")


def test_description_length_counts_characters_not_bytes(api: httpx.Client) -> None:
    assert (
        api.post("/invoices", json={"amount": 1, "phone_number": PHONE, "description": "😀" * 500}).status_code == 201
    )
    assert (
        api.post("/invoices", json={"amount": 1, "phone_number": PHONE, "description": "😀" * 501}).status_code == 422
    )


def test_unknown_route_and_method_are_json(api: httpx.Client) -> None:
    _assert_json_4xx(api.get("/no/such/route"))
    response = api.delete("/invoices")
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    _assert_json_4xx(response)


@pytest.mark.parametrize("query", ["per_page=" + "9" * 50, "page=1e3", "invoice_id=abc", "invoice_id=" + "9" * 40])
def test_refund_list_with_bad_numbers_is_4xx(api: httpx.Client, query: str) -> None:
    response = api.get(f"/refunds?{query}")
    assert response.status_code in (200, 422)
    assert response.status_code < 500


@pytest.mark.parametrize("path", ["/invoices", "/refunds", "/catalog"])
@pytest.mark.parametrize("page", [10**12, 3870576047781910186616781751726374912], ids=["12-digits", "beyond-64-bit"])
def test_huge_page_number_answers_an_empty_page(api: httpx.Client, path: str, page: int) -> None:
    response = api.get(path, params={"page": page})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == []
    assert body["meta"]["current_page"] == page


def test_half_sent_request_does_not_break_the_server(mock: MockProcess, api: httpx.Client) -> None:
    host, port = mock.root_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b'POST /api/v1/invoices HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"amount"')
    assert api.get("/status").status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"\x16\x03\x01garbage\r\n\r\n", id="tls-hello"),
        pytest.param(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", id="header-without-colon"),
        pytest.param(b"POST /api/v1/invoices HTTP/1.1\r\nContent-Length: abc\r\n\r\n", id="bad-content-length"),
    ],
)
def test_bytes_that_are_not_http_get_a_json_400(mock: MockProcess, raw: bytes) -> None:
    host, port = mock.root_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(raw)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/json" in head.lower()
    assert b"x-ratelimit-remaining" in head.lower()
    assert isinstance(msgspec.json.decode(body)["message"], str)
