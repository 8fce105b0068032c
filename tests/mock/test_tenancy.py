"""What one organization owns stays its own: catalog items, webhooks and pending invoices (status check)."""

from __future__ import annotations

import httpx

from apipay_harness.mock import running_mock
from tests.mock.helpers import PHONE, create


def test_catalog_list_shows_only_own_items(api: httpx.Client, api2: httpx.Client) -> None:
    mine = {item["id"] for item in api.get("/catalog", params={"per_page": 200}).json()["data"]}
    theirs = {item["id"] for item in api2.get("/catalog", params={"per_page": 200}).json()["data"]}
    assert mine and theirs and not mine & theirs


def test_another_organizations_webhook_id_is_422() -> None:
    # Its own mock: a webhook registered for organization 2 survives resets and would be notified in later tests.
    with running_mock() as mock:
        hook = httpx.post(
            f"{mock.control_url}/webhooks",
            json={"url": "http://127.0.0.1:9/hook", "secret": "s"},
            headers={"X-API-Key": "test-key-2"},
        ).json()["id"]
        body = {"amount": 1, "phone_number": PHONE, "webhook_id": hook}
        answer = httpx.post(f"{mock.base_url}/invoices", json=body, headers={"X-API-Key": "test-key"})
        assert answer.status_code == 422
        assert "webhook_id" in answer.json()["errors"]
        own = httpx.post(f"{mock.base_url}/invoices", json=body, headers={"X-API-Key": "test-key-2"})
        assert own.status_code == 201


def test_status_check_reports_only_own_pending_invoices(api: httpx.Client, api2: httpx.Client) -> None:
    mine, theirs = create(api)["id"], create(api2)["id"]
    checked = {row["id"] for row in api2.post("/invoices/status/check").json()["invoices"]}
    assert theirs in checked and mine not in checked
