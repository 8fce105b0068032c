"""What clients can make the mock keep is bounded: names, webhook registrations, the catalog, uploads in flight."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import psutil
import pytest

from apipay_harness.mock import MockProcess, running_mock
from apipay_harness.mock.limits import (
    MAX_CATALOG_ITEMS,
    MAX_CLIENT_NAME,
    MAX_IMAGE_ID,
    MAX_WEBHOOK_SECRET,
    MAX_WEBHOOK_URL,
    MAX_WEBHOOKS,
)
from tests.mock.helpers import PHONE, create
from tests.mock.test_catalog import PNG

_MIB = 1024 * 1024


@pytest.fixture
def own_mock() -> Iterator[MockProcess]:
    """A mock of its own: webhook registrations and the catalog outlive a reset."""
    with running_mock() as mock:
        yield mock


def test_client_name_longer_than_its_bound_is_422(api: httpx.Client, control: httpx.Client) -> None:
    too_long, longest = create(api)["id"], create(api)["id"]
    response = control.post(f"/invoices/{too_long}/pay", json={"client_name": "a" * (MAX_CLIENT_NAME + 1)})
    assert response.status_code == 422 and "client_name" in response.json()["errors"]
    assert api.get(f"/invoices/{too_long}").json()["status"] == "pending"
    assert control.post(f"/invoices/{longest}/pay", json={"client_name": "a" * MAX_CLIENT_NAME}).status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [("url", "http://x/" + "a" * MAX_WEBHOOK_URL), ("secret", "s" * (MAX_WEBHOOK_SECRET + 1))],
)
def test_webhook_url_and_secret_longer_than_their_bounds_are_422(control: httpx.Client, field: str, value: str) -> None:
    body = {"url": "http://127.0.0.1:9/hook", "secret": "s", field: value}
    response = control.post("/webhooks", json=body, headers={"X-API-Key": "test-key"})
    assert response.status_code == 422 and field in response.json()["errors"]


def test_registrations_past_the_bound_forget_that_organizations_oldest(own_mock: MockProcess) -> None:
    with httpx.Client(base_url=own_mock.control_url) as control:

        def register(key: str) -> int:
            answer = control.post(
                "/webhooks", json={"url": "http://127.0.0.1:9/h", "secret": "s"}, headers={"X-API-Key": key}
            )
            assert answer.status_code == 201
            hook: int = answer.json()["id"]
            return hook

        other = register("test-key-2")
        ids = [register("test-key") for _ in range(MAX_WEBHOOKS + 1)]
    with httpx.Client(base_url=own_mock.base_url, headers={"X-API-Key": "test-key"}) as api:
        forgotten = api.post("/invoices", json={"amount": 1, "phone_number": PHONE, "webhook_id": ids[0]})
        kept = api.post("/invoices", json={"amount": 1, "phone_number": PHONE, "webhook_id": ids[1]})
    with httpx.Client(base_url=own_mock.base_url, headers={"X-API-Key": "test-key-2"}) as api2:
        untouched = api2.post("/invoices", json={"amount": 1, "phone_number": PHONE, "webhook_id": other})
    assert forgotten.status_code == 422 and "webhook_id" in forgotten.json()["errors"]
    assert (kept.status_code, untouched.status_code) == (201, 201)


def test_the_catalog_stops_at_its_bound_per_organization(own_mock: MockProcess) -> None:
    item = {"name": "x", "selling_price": 1, "unit_id": 1}
    with httpx.Client(base_url=own_mock.base_url, headers={"X-API-Key": "test-key"}) as api:
        held = api.get("/catalog", params={"per_page": 100}).json()["meta"]["total"]
        while held + 50 <= MAX_CATALOG_ITEMS:
            assert api.post("/catalog", json={"items": [item] * 50}).status_code == 201
            held += 50
        room = MAX_CATALOG_ITEMS - held
        if room:
            assert api.post("/catalog", json={"items": [item] * room}).status_code == 201
        refused = api.post("/catalog", json={"items": [item]})
        assert api.get("/catalog").json()["meta"]["total"] == MAX_CATALOG_ITEMS
        first = api.get("/catalog").json()["data"][0]["id"]
        assert api.delete(f"/catalog/{first}").status_code == 200
        again = api.post("/catalog", json={"items": [item]})
    with httpx.Client(base_url=own_mock.base_url, headers={"X-API-Key": "test-key-2"}) as api2:
        other = api2.post("/catalog", json={"items": [item]})
    assert refused.status_code == 400 and str(MAX_CATALOG_ITEMS) in refused.json()["message"]
    assert (again.status_code, other.status_code) == (201, 201)


def test_image_id_longer_than_its_bound_is_422(api: httpx.Client) -> None:
    long_id = "i" * (MAX_IMAGE_ID + 1)
    item = {"name": "x", "selling_price": 1, "unit_id": 1}
    created = api.post("/catalog", json={"items": [{**item, "image_id": long_id}]})
    assert created.status_code == 422 and "items.0.image_id" in created.json()["errors"]
    item_id = api.post("/catalog", json={"items": [{**item, "image_id": "i" * MAX_IMAGE_ID}]}).json()["items"][0]["id"]
    patched = api.patch(f"/catalog/{item_id}", json={"image_id": long_id})
    assert patched.status_code == 422 and "image_id" in patched.json()["errors"]
    api.delete(f"/catalog/{item_id}")


def test_uploads_in_flight_are_not_held_in_memory(own_mock: MockProcess) -> None:
    """Twenty 9 MB uploads, all but their last bytes sent: the mock holds none of them whole."""
    host, port = own_mock.root_url.removeprefix("http://").rsplit(":", 1)
    head = b'--b\r\nContent-Disposition: form-data; name="image"\r\nContent-Type: image/png\r\n\r\n' + PNG
    tail = b"\r\n--b--\r\n"
    size = 9 * _MIB
    body_length = len(head) + size + len(tail)
    request = (
        b"POST /api/v1/catalog/upload-image HTTP/1.1\r\nHost: x\r\nX-API-Key: test-key\r\nConnection: close\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n" % body_length
    )
    process = psutil.Process(own_mock.pid)
    before = process.memory_info().rss
    filler = b"\0" * _MIB
    with ExitStack() as stack:
        socks = [stack.enter_context(socket.create_connection((host, int(port)), timeout=30)) for _ in range(20)]
        for sock in socks:
            sock.sendall(request + head)
            for _ in range(size // _MIB):
                sock.sendall(filler)
        peak = process.memory_info().rss
        answers = []
        for sock in socks:
            sock.sendall(tail)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            answers.append(answer.split(b"\r\n", 1)[0])
    assert (peak - before) < 60 * _MIB, f"the mock grew by {(peak - before) / _MIB:.0f} MiB"
    assert answers == [b"HTTP/1.1 200 OK"] * 20
