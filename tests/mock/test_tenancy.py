"""What one organization owns stays its own: catalog items and pending invoices (status check)."""

from __future__ import annotations

import httpx

from tests.mock.helpers import create


def test_catalog_list_shows_only_own_items(api: httpx.Client, api2: httpx.Client) -> None:
    mine = {item["id"] for item in api.get("/catalog", params={"per_page": 200}).json()["data"]}
    theirs = {item["id"] for item in api2.get("/catalog", params={"per_page": 200}).json()["data"]}
    assert mine and theirs and not mine & theirs


def test_status_check_reports_only_own_pending_invoices(api: httpx.Client, api2: httpx.Client) -> None:
    mine, theirs = create(api)["id"], create(api2)["id"]
    checked = {row["id"] for row in api2.post("/invoices/status/check").json()["invoices"]}
    assert theirs in checked and mine not in checked
