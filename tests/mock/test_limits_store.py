"""The store's cap: past --max-invoices the oldest settled invoices are forgotten, else creates get a JSON 429."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from apipay_harness.mock import MockProcess, running_mock
from apipay_harness.mock.limits import DEFAULT_MAX_INVOICES
from tests.mock.helpers import PHONE, assert_schema

CAP = 10


@pytest.fixture(scope="module")
def small_mock() -> Iterator[MockProcess]:
    with running_mock(cancel_mode="sync", extra_args=["--max-invoices", str(CAP)]) as mock:
        yield mock


@pytest.fixture
def clients(small_mock: MockProcess) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    with (
        httpx.Client(base_url=small_mock.base_url, headers={"X-API-Key": "test-key"}) as api,
        httpx.Client(base_url=small_mock.control_url) as control,
    ):
        control.post("/reset").raise_for_status()
        yield api, control


def _create(api: httpx.Client, **fields: Any) -> httpx.Response:
    return api.post("/invoices", json={"amount": 100, "phone_number": PHONE, **fields})


def _fill(api: httpx.Client, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        response = _create(api)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def _stats(control: httpx.Client) -> dict[str, Any]:
    stats: dict[str, Any] = control.get("/stats").json()
    return stats


def test_a_full_store_with_nothing_settled_refuses_creates_with_a_documented_429(
    clients: tuple[httpx.Client, httpx.Client],
) -> None:
    api, control = clients
    _fill(api, CAP)
    refused = _create(api)
    assert refused.status_code == 429
    body = refused.json()
    assert_schema(body, "RateLimitError")
    assert body["retry_after"] >= 1 and str(CAP) in body["message"]
    assert refused.headers["retry-after"] == str(body["retry_after"])
    stats = _stats(control)
    assert (stats["invoices"], stats["max_invoices"], stats["refused_creates"]) == (CAP, CAP, 1)


def test_past_the_cap_the_invoice_settled_longest_ago_is_forgotten(clients: tuple[httpx.Client, httpx.Client]) -> None:
    api, control = clients
    ids = _fill(api, CAP)
    for invoice_id in (ids[5], ids[2], ids[7]):  # settled in this order
        assert api.post(f"/invoices/{invoice_id}/cancel").json()["status"] == "cancelled"
    created = [r.json()["id"] for r in (_create(api), _create(api))]
    assert api.get(f"/invoices/{ids[5]}").status_code == 404
    assert api.get(f"/invoices/{ids[2]}").status_code == 404
    assert api.get(f"/invoices/{ids[7]}").json()["status"] == "cancelled"
    listed = api.get("/invoices", params={"per_page": 100}).json()
    assert listed["meta"]["total"] == CAP
    assert {row["id"] for row in listed["data"]} == (set(ids) - {ids[5], ids[2]}) | set(created)
    stats = _stats(control)
    assert (stats["invoices"], stats["evicted_invoices"], stats["refused_creates"]) == (CAP, 2, 0)


def test_a_forgotten_refunded_invoice_takes_its_refunds_with_it(clients: tuple[httpx.Client, httpx.Client]) -> None:
    api, control = clients
    ids = _fill(api, CAP)
    control.post(f"/invoices/{ids[0]}/pay").raise_for_status()
    refund = api.post(f"/invoices/{ids[0]}/refund", json={"amount": 40}).json()["refund"]["id"]
    last = api.post(f"/invoices/{ids[0]}/refund").json()["refund"]["id"]
    assert api.get(f"/invoices/{ids[0]}").json()["status"] == "refunded"
    assert _create(api).status_code == 201
    assert api.get(f"/invoices/{ids[0]}/refunds").status_code == 404
    assert {r["id"] for r in api.get("/refunds").json()["data"]} & {refund, last} == set()
    stats = _stats(control)
    assert (stats["refunds"], stats["evicted_refunds"], stats["evicted_invoices"]) == (0, 2, 1)


def test_refunds_past_the_cap_are_refused_while_nothing_is_settled(clients: tuple[httpx.Client, httpx.Client]) -> None:
    api, control = clients
    (invoice_id,) = _fill(api, 1)
    control.post(f"/invoices/{invoice_id}/pay").raise_for_status()
    statuses = [api.post(f"/invoices/{invoice_id}/refund", json={"amount": 1}).status_code for _ in range(CAP + 1)]
    assert statuses == [201] * CAP + [429]
    totals = api.get(f"/invoices/{invoice_id}/refunds").json()["invoice"]
    assert (totals["total_refunded"], totals["available_for_refund"]) == ("10.00", "90.00")
    assert _stats(control)["refunds"] == CAP


def test_cart_lines_count_against_their_own_bound(clients: tuple[httpx.Client, httpx.Client]) -> None:
    api, control = clients
    cart = [{"catalog_item_id": 101, "count": 1}] * (CAP * 4 + 1)
    refused = api.post("/invoices", json={"phone_number": PHONE, "cart_items": cart})
    assert refused.status_code == 429, refused.text
    assert api.post("/invoices", json={"phone_number": PHONE, "cart_items": cart[: CAP * 4]}).status_code == 201
    assert _stats(control)["cart_lines"] == CAP * 4


def test_queued_work_of_forgotten_invoices_goes_with_them(clients: tuple[httpx.Client, httpx.Client]) -> None:
    """Each pending invoice queues its expiry for an hour later: without purging, the queue would grow forever."""
    api, control = clients
    for _ in range(30 * CAP):
        invoice_id = _create(api).json()["id"]
        api.post(f"/invoices/{invoice_id}/cancel").raise_for_status()
    stats = _stats(control)
    assert stats["invoices"] == CAP and stats["evicted_invoices"] == 29 * CAP
    assert stats["queued_work"] <= 3 * CAP


def test_reset_forgets_the_counts_too(clients: tuple[httpx.Client, httpx.Client]) -> None:
    api, control = clients
    _fill(api, CAP)
    _create(api)
    control.post("/reset").raise_for_status()
    stats = _stats(control)
    assert (stats["invoices"], stats["refused_creates"], stats["evicted_invoices"], stats["cart_lines"]) == (0, 0, 0, 0)
    assert _create(api).status_code == 201


def test_stats_answer_every_documented_figure(mock: MockProcess, control: httpx.Client) -> None:
    stats = control.get("/stats").json()
    assert set(stats) >= {
        "invoices",
        "refunds",
        "cart_lines",
        "max_invoices",
        "max_refunds",
        "max_cart_lines",
        "evicted_invoices",
        "evicted_refunds",
        "refused_creates",
        "queued_work",
        "deliveries",
        "max_deliveries",
        "dropped_deliveries",
        "rate_limit_keys",
        "connections",
    }
    assert all(isinstance(value, int) for key, value in stats.items() if key != "connections")
    assert stats["max_invoices"] == DEFAULT_MAX_INVOICES
