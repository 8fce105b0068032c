"""``GET /invoices`` under 2.1: flat pages, ``status[]`` without ``refunded``, ``date_field``, ``sort_by=paid_at``,
and the window in Asia/Almaty (a bare date is the whole day there, a moment is exact, offsets honoured)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.mock.v21.helpers import assert_schema, create, paid, pending

ALMATY = timedelta(hours=5)


def _now(control: httpx.Client) -> datetime:
    return datetime.fromisoformat(control.get("/clock").json()["now"])


def _ids(api: httpx.Client, **params: object) -> list[int]:
    response = api.get("/invoices", params={"per_page": 100, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert_schema(body, "InvoicePage")
    return [row["id"] for row in body["data"]]


def test_list_is_a_flat_page_of_list_items(api: httpx.Client, control: httpx.Client) -> None:
    ids = [create(api)["id"] for _ in range(3)]
    body = api.get("/invoices", params={"per_page": 2, "page": 2}).json()
    assert_schema(body, "InvoicePage")
    assert (body["current_page"], body["total"], [r["id"] for r in body["data"]]) == (2, 3, [ids[0]])


@pytest.mark.parametrize("value", ["refunded", "error", "unpaid"])
def test_status_filter_outside_the_2_1_set_is_422(api: httpx.Client, value: str) -> None:
    response = api.get("/invoices", params={"status[]": value})
    assert response.status_code == 422
    assert_schema(response.json(), "ValidationErrorBody")


def test_status_filter_keeps_the_listed_statuses(api: httpx.Client, control: httpx.Client) -> None:
    processing = create(api)
    done = paid(api, control)
    assert _ids(api, **{"status[]": "processing"}) == []  # the payment's settle moved it on
    assert _ids(api, **{"status[]": ["paid", "processing"]}) == [done["id"]]
    assert processing["id"] in _ids(api, **{"status[]": "pending"})


def test_date_field_paid_at_drops_unpaid_and_sort_by_paid_at(api: httpx.Client, control: httpx.Client) -> None:
    first = pending(api, control)
    second = paid(api, control)
    control.post("/clock/advance", json={"seconds": 60}).raise_for_status()
    control.post(f"/invoices/{first['id']}/pay").raise_for_status()
    unpaid = create(api)
    day = (_now(control) + ALMATY).date().isoformat()
    assert _ids(api, date_field="paid_at", date_from=day, sort_by="paid_at", sort_order="asc") == [
        second["id"],
        first["id"],
    ]
    assert unpaid["id"] in _ids(api, date_from=day, date_to=day)


def test_a_bare_date_is_the_whole_almaty_day(api: httpx.Client, control: httpx.Client) -> None:
    now = _now(control)
    local = now + ALMATY
    invoice = create(api)
    today, yesterday = local.date(), local.date() - timedelta(days=1)
    assert invoice["id"] in _ids(api, date_from=today.isoformat(), date_to=today.isoformat())
    assert _ids(api, date_to=yesterday.isoformat()) == []


def test_a_moment_is_exact_and_an_offset_is_honoured(api: httpx.Client, control: httpx.Client) -> None:
    invoice = create(api)
    created = datetime.fromisoformat(api.get(f"/invoices/{invoice['id']}").json()["created_at"])
    before = (created + ALMATY - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
    after = (created + ALMATY + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
    assert _ids(api, date_from=before, date_to=after) == [invoice["id"]]
    assert _ids(api, date_to=before) == []
    utc_after = (created + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert _ids(api, date_from=utc_after) == []
    assert _ids(api, date_to=utc_after) == [invoice["id"]]
    assert created.tzinfo == UTC or created.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "params",
    [{"date_from": "2026-02-30"}, {"date_from": "2026-08-02", "date_to": "2026-08-01"}, {"date_field": "updated_at"}],
)
def test_impossible_dates_and_backwards_windows_are_422(api: httpx.Client, params: dict[str, str]) -> None:
    response = api.get("/invoices", params=params)
    assert response.status_code == 422
    assert_schema(response.json(), "ValidationErrorBody")


def test_search_matches_description_phone_and_order_id(api: httpx.Client) -> None:
    target = create(api, description="Blue Mug", external_order_id="ORD-991")
    other = create(api, description="Plate", phone_number="87770000000")
    assert _ids(api, search="blue mug") == [target["id"]]
    assert _ids(api, search="ord-991") == [target["id"]]
    assert _ids(api, search="8777") == [other["id"]]
