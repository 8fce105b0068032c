from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from apipay_harness.mock import MockProcess, running_mock
from tests.mock.helpers import PHONE, assert_schema, start_of_minute

OPERATIONS = [
    ("GET", "/invoices"),
    ("POST", "/invoices"),
    ("GET", "/invoices/1"),
    ("POST", "/invoices/1/cancel"),
    ("POST", "/invoices/1/refund"),
    ("GET", "/invoices/1/refunds"),
    ("POST", "/invoices/status/check"),
    ("GET", "/refunds"),
    ("GET", "/catalog"),
    ("GET", "/catalog/units"),
]


def _now(control: httpx.Client) -> datetime:
    return datetime.fromisoformat(control.get("/clock").json()["now"])


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_missing_or_invalid_key_is_401(mock: MockProcess, method: str, path: str, key: str | None) -> None:
    headers = {"X-API-Key": key} if key else {}
    response = httpx.request(method, f"{mock.base_url}{path}", headers=headers, json={})
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid API key"}


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_unverified_organization_is_403(mock: MockProcess, method: str, path: str) -> None:
    response = httpx.request(method, f"{mock.base_url}{path}", headers={"X-API-Key": "unverified-key"}, json={})
    assert response.status_code == 403
    assert response.json() == {"message": "Organization not verified"}


def test_status_needs_no_key(mock: MockProcess) -> None:
    assert httpx.get(f"{mock.base_url}/status").status_code == 200


def test_rate_limit_header_counts_down_from_60_without_blocking(api: httpx.Client, control: httpx.Client) -> None:
    start_of_minute(control)
    values = [int(api.get("/invoices").headers["x-ratelimit-remaining"]) for _ in range(62)]
    assert values[0] <= 59
    assert values == sorted(values, reverse=True)
    assert values[-1] == 0


def test_limited_key_gets_429_after_5_then_recovers_next_minute(mock: MockProcess, control: httpx.Client) -> None:
    start_of_minute(control)
    with httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "limited-key"}) as client:
        statuses = [client.get("/invoices").status_code for _ in range(7)]
        blocked = client.get("/invoices")
        control.post("/clock/advance", json={"seconds": 60})
        after = client.get("/invoices")
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    body = blocked.json()
    assert_schema(body, "RateLimitError")
    assert body["message"] == "Too many requests. Please retry after 60 seconds."
    assert 1 <= body["retry_after"] <= 60
    assert blocked.headers["x-ratelimit-remaining"] == "0"
    assert after.status_code == 200


def test_rate_limit_flag_enforces_n_per_key_per_minute() -> None:
    with running_mock(rate_limit=3) as mock, httpx.Client(base_url=mock.control_url) as control:
        start_of_minute(control)
        for key in ("test-key", "test-key-2"):
            with httpx.Client(base_url=mock.base_url, headers={"X-API-Key": key}) as client:
                statuses = [
                    client.post("/invoices", json={"amount": 1, "phone_number": PHONE}).status_code for _ in range(4)
                ]
            assert statuses == [201, 201, 201, 429]


@pytest.mark.parametrize(
    "path", ["/status", "/invoices/999999", "/nope", "/invoices?per_page=0"], ids=["status", "404", "route", "422"]
)
def test_every_answer_carries_the_rate_limit_header(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert "x-ratelimit-remaining" in response.headers, (response.status_code, dict(response.headers))
    assert int(response.headers["x-ratelimit-remaining"]) >= 0


def test_reset_forgets_the_rate_limit_counts(mock: MockProcess, control: httpx.Client) -> None:
    start_of_minute(control)
    with httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "limited-key"}) as client:
        assert [client.get("/invoices").status_code for _ in range(6)] == [200] * 5 + [429]
        minute = _now(control).replace(second=1, microsecond=0)
        control.post("/reset").raise_for_status()
        # Back into the very clock minute that ran out before the reset.
        control.post("/clock/advance", json={"seconds": max(0.0, (minute - _now(control)).total_seconds())})
        assert _now(control).replace(second=0, microsecond=0) == minute.replace(second=0)
        answer = client.get("/invoices")
    assert answer.status_code == 200
    assert answer.headers["x-ratelimit-remaining"] == "4"


def test_status_is_counted_but_never_refused(mock: MockProcess, control: httpx.Client) -> None:
    start_of_minute(control)
    with httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "limited-key"}) as client:
        answers = [client.get("/status") for _ in range(7)]
        refused = client.get("/invoices")
    assert [r.status_code for r in answers] == [200] * 7
    assert answers[-1].headers["x-ratelimit-remaining"] == "0"
    assert refused.status_code == 429
