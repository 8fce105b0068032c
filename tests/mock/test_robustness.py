from __future__ import annotations

import socket
from datetime import date, timedelta
from urllib.parse import quote

import httpx
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apipay_harness.mock import MockProcess
from tests.mock.helpers import PHONE, create, paid
from tests.mock.test_catalog import PNG

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


@pytest.mark.parametrize("field", ["description", "external_order_id"])
def test_nul_byte_in_free_text_is_kept_or_refused_never_a_server_error(api: httpx.Client, field: str) -> None:
    response = api.post("/invoices", json={"amount": 1, "phone_number": PHONE, field: "order\x00 7"})
    assert response.status_code < 500, response.text
    if response.status_code == 201:
        assert api.get(f"/invoices/{response.json()['id']}").json()[field] == "order\x00 7"
    else:
        _assert_json_4xx(response)


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


# -- dates: every RFC 3339 full-date is a filter, from 0000-01-01 to 9999-12-31 ---------------------------


def _listed(api: httpx.Client, path: str, params: dict[str, str]) -> list[int]:
    response = api.get(path, params={**params, "per_page": "100"})
    assert response.status_code == 200, (params, response.status_code, response.text)
    return [row["id"] for row in response.json()["data"]]


@pytest.mark.parametrize("path", ["/invoices", "/refunds"])
def test_date_filters_take_every_date_from_year_0_to_9999(api: httpx.Client, control: httpx.Client, path: str) -> None:
    invoice = paid(api, control)
    refund = api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1})
    assert refund.status_code == 201, refund.text
    row = invoice["id"] if path == "/invoices" else refund.json()["refund"]["id"]
    today = date.fromisoformat(invoice["created_at"][:10])
    cases = [
        ({"date_to": "9999-12-31"}, True),
        ({"date_from": "9999-12-31"}, False),
        ({"date_from": "9999-12-31", "date_to": "9999-12-31"}, False),
        ({"date_from": "9999-12-30", "date_to": "9999-12-31"}, False),
        ({"date_from": "0001-01-01"}, True),
        ({"date_to": "0001-01-01"}, False),
        ({"date_from": "0001-01-01", "date_to": "0001-01-01"}, False),
        ({"date_from": "0000-01-01", "date_to": "9999-12-31"}, True),
        ({"date_from": "0000-02-29", "date_to": "0000-02-29"}, False),
        ({"date_from": str(today), "date_to": str(today)}, True),
        ({"date_from": str(today), "date_to": "9999-12-31"}, True),
        ({"date_to": str(today - timedelta(days=1))}, False),
        ({"date_from": str(today + timedelta(days=1))}, False),
    ]
    for params, included in cases:
        assert (row in _listed(api, path, params)) is included, params


@pytest.mark.parametrize("path", ["/invoices", "/refunds"])
@pytest.mark.parametrize(
    "value",
    [
        "0001-02-29",
        "1900-02-29",
        "9999-12-32",
        "10000-01-01",
        "2025-01-01\n",
        "2025-1-01",
        "٢٠٢٥-01-01",
        "２０２５-01-01",
    ],
)
def test_dates_outside_the_format_are_422(api: httpx.Client, path: str, value: str) -> None:
    for name in ("date_from", "date_to"):
        response = api.get(path, params={name: value})
        assert response.status_code == 422, (name, value, response.text)
        assert name in response.json()["errors"]


# -- multipart: any boundary, part or header a client sends is a JSON 4xx -----------------------------------


def _upload(api: httpx.Client, content_type: str, raw: bytes) -> httpx.Response:
    return api.post("/catalog/upload-image", content=raw, headers={"Content-Type": content_type.encode("latin-1")})


def _form(boundary: str, part_headers: bytes = b'Content-Disposition: form-data; name="image"\r\n') -> bytes:
    mark = b"--" + boundary.encode()
    return mark + b"\r\n" + part_headers + b"\r\n" + PNG + b"\r\n" + mark + b"--\r\n"


def test_multipart_boundary_of_256_characters_works_and_257_is_a_json_4xx(api: httpx.Client) -> None:
    assert _upload(api, f"multipart/form-data; boundary={'b' * 256}", _form("b" * 256)).status_code == 200
    for size in (257, 1000, 60_000):
        _assert_json_4xx(_upload(api, f"multipart/form-data; boundary={'b' * size}", _form("b" * size)))


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        pytest.param("multipart/form-data", _form("b"), id="no-boundary"),
        pytest.param('multipart/form-data; boundary=""', _form(""), id="empty-boundary"),
        pytest.param("multipart/form-data; boundary=b", b"", id="empty-body"),
        pytest.param("multipart/form-data; boundary=b", b"--b--\r\n", id="no-parts"),
        pytest.param("multipart/form-data; boundary=b", _form("b")[:-8], id="no-closing-boundary"),
        pytest.param("multipart/form-data; boundary=b", _form("b", b""), id="part-without-headers"),
        pytest.param("multipart/form-data; boundary=b", _form("b", b"no colon here\r\n"), id="header-without-colon"),
        pytest.param(
            "multipart/form-data; boundary=b",
            _form("b", b'Content-Disposition: form-data; name="image"; x=' + b"y" * 2_000_000 + b"\r\n"),
            id="huge-part-header",
        ),
        pytest.param(
            "multipart/form-data; boundary=b",
            _form("b", b"X-Pad: 1\r\n" * 100_000 + b'Content-Disposition: form-data; name="other"\r\n'),
            id="many-part-headers",
        ),
        pytest.param("multipart/form-data; boundary=b", b"--b\r\n\r\n\r\n--b\r\n--b--", id="empty-parts"),
        pytest.param("multipart/form-data; boundary=b", b"\xff\xfe\x00garbage", id="garbage"),
        pytest.param("multipart/form-data; boundary=" + "é" * 300, _form("b"), id="long-latin1-boundary"),
        pytest.param("multipart/form-data; boundary=b; boundary=c", _form("c")[:20], id="two-boundaries-truncated"),
    ],
)
def test_malformed_multipart_is_a_json_4xx(api: httpx.Client, content_type: str, raw: bytes) -> None:
    _assert_json_4xx(_upload(api, content_type, raw))


_PIECES = st.sampled_from(
    [b"--b", b"--b--", b"\r\n", b"\r\n\r\n", b'Content-Disposition: form-data; name="image"', b":", b";", b'"', PNG]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    boundary=st.sampled_from(["b", "b" * 256, "b" * 257, "", "a b", "b;c", '"b"']),
    pieces=st.lists(_PIECES | st.binary(max_size=40), max_size=30),
)
def test_multipart_fuzz_never_answers_5xx(api: httpx.Client, boundary: str, pieces: list[bytes]) -> None:
    response = _upload(api, f"multipart/form-data; boundary={boundary}", b"".join(pieces))
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.text
    assert isinstance(response.json(), dict)


# -- input the spec forbids: path ids, query integers and patterns are ASCII, matched whole -------------------


@pytest.mark.parametrize(
    "suffix", ["%0A", "%0D", "%0D%0A", "%20", "%00", "%09", ".0", "e0"], ids=lambda s: s.strip("%") or "x"
)
def test_path_id_with_anything_after_the_digits_is_not_found(
    api: httpx.Client, control: httpx.Client, suffix: str
) -> None:
    invoice = create(api)
    raw = f"{invoice['id']}{suffix}"
    for method, path in [
        ("GET", f"/invoices/{raw}"),
        ("POST", f"/invoices/{raw}/cancel"),
        ("POST", f"/invoices/{raw}/refund"),
        ("GET", f"/invoices/{raw}/refunds"),
    ]:
        response = api.request(method, path)
        assert response.status_code in (404, 422), (method, path, response.status_code)
    for action in ("pay", "expire"):
        assert control.post(f"/invoices/{raw}/{action}").status_code in (404, 422)
    assert api.get(f"/invoices/{invoice['id']}").json()["status"] == "pending"


@pytest.mark.parametrize(
    "digits", ["٣٥١", "۳۵۱", "３５１", "३५१", "𝟑𝟓𝟏"], ids=["arabic-indic", "persian", "fullwidth", "devanagari", "math"]
)
def test_path_id_in_other_digits_is_not_found(api: httpx.Client, digits: str) -> None:
    assert api.get(f"/invoices/{quote(digits)}").status_code in (404, 422)


@pytest.mark.parametrize(
    "phone",
    [
        "87001234567\n",
        "87001234567\r",
        "87001234567\u2028",
        "\n87001234567",
        "8٧٠٠١٢٣٤٥٦٧",
        "8۷۰۰۱۲۳۴۵۶۷",
        "8７００１２３４５６７",
        "８7001234567",
        "87001234५67",
    ],
    ids=["lf", "cr", "u2028", "leading-lf", "arabic-indic", "persian", "fullwidth", "fullwidth-8", "devanagari"],
)
def test_phone_number_is_ascii_digits_exactly(api: httpx.Client, phone: str) -> None:
    response = api.post("/invoices", json={"amount": 1, "phone_number": phone})
    assert response.status_code == 422, (phone, response.text)
    assert "phone_number" in response.json()["errors"]


@pytest.mark.parametrize("query", ["per_page=5%0A", "page=1%0A", "per_page=%D9%A5", "page=%EF%BC%91"])
@pytest.mark.parametrize("path", ["/invoices", "/refunds", "/catalog"])
def test_query_integers_are_ascii_digits_exactly(api: httpx.Client, path: str, query: str) -> None:
    response = api.get(f"{path}?{query}")
    assert response.status_code == 422, (path, query, response.text)


def test_refund_list_invoice_id_is_ascii_digits_exactly(api: httpx.Client) -> None:
    assert api.get("/refunds?invoice_id=1%0A").status_code == 422
