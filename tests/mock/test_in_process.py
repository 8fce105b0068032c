from __future__ import annotations

import asyncio

import httpx

from apipay_harness.mock import Settings, create_app
from tests.mock.helpers import PHONE, assert_schema


async def _exchange() -> list[httpx.Response]:
    app = create_app(settings=Settings(cancel_mode="sync"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers={"X-API-Key": "test-key"}) as c:
        created = await c.post("/api/v1/invoices", json={"amount": 1, "phone_number": PHONE})
        cancelled = await c.post(f"/api/v1/invoices/{created.json()['id']}/cancel")
        missing = await c.get("/api/v1/invoices/999")
        return [created, cancelled, missing]


def test_create_app_serves_in_process_through_asgi_transport() -> None:
    created, cancelled, missing = asyncio.run(_exchange())
    assert created.status_code == 201
    assert_schema(created.json(), "Invoice")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert missing.status_code == 404
    assert all("x-ratelimit-remaining" in r.headers for r in (created, cancelled, missing))
