"""2.1 rate limits: the headers of the most depleted bucket on every answer, 429 with Retry-After,
X-RateLimit-Reset and the RateLimitWindow body where a limit is enforced (``limited-key``: 5 a minute)."""

from __future__ import annotations

import httpx

from tests.mock.helpers import start_of_minute
from tests.mock.v21.helpers import assert_schema, create, spec21


def _limit(response: httpx.Response) -> tuple[int, int]:
    return int(response.headers["x-ratelimit-limit"]), int(response.headers["x-ratelimit-remaining"])


def test_every_answer_names_the_general_bucket_and_counts_down(api: httpx.Client, control: httpx.Client) -> None:
    start_of_minute(control)
    general = spec21()["x-rate-limits"]["general"]["limit"]
    first = api.get("/invoices")
    second = api.post("/invoices", json={})  # a 422 counts too, and carries the headers
    assert second.status_code == 422
    assert _limit(first) == (general, general - 1)
    assert _limit(second) == (general, general - 2)


def test_an_operation_with_its_own_bucket_names_it(api: httpx.Client, control: httpx.Client) -> None:
    start_of_minute(control)
    invoice = create(api)
    own = spec21()["paths"]["/invoices/{id}"]["get"]["x-rate-limits"]["buckets"][0]["limit"]
    response = api.get(f"/invoices/{invoice['id']}")
    assert _limit(response) == (own, own - 1)  # not counted against the general bucket
    assert _limit(api.get("/invoices"))[1] == spec21()["x-rate-limits"]["general"]["limit"] - 2


def test_past_an_enforced_limit_the_answer_is_429_with_its_headers_and_body(
    api: httpx.Client, control: httpx.Client
) -> None:
    start_of_minute(control)
    limited = {"X-API-Key": "limited-key"}
    answers = [api.get("/invoices", headers=limited) for _ in range(6)]
    assert [r.status_code for r in answers] == [200] * 5 + [429]
    refused = answers[-1]
    assert_schema(refused.json(), "RateLimitWindow")
    assert "retry-after" in refused.headers and "x-ratelimit-reset" in refused.headers
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert int(refused.headers["x-ratelimit-reset"]) > 0
    assert _limit(refused) == (5, 0)
    control.post("/clock/advance", json={"seconds": 60}).raise_for_status()
    assert api.get("/invoices", headers=limited).status_code == 200


def test_the_control_api_is_not_counted(api: httpx.Client, control: httpx.Client) -> None:
    start_of_minute(control)
    for _ in range(3):
        control.get("/clock").raise_for_status()
    general = spec21()["x-rate-limits"]["general"]["limit"]
    assert _limit(api.get("/invoices")) == (general, general - 1)
