"""2.1 webhook delivery: a 5xx, a 429 or no answer is retried on the spec's schedule, on the mock's clock;
other answers count as delivered. The sandbox's status events get 3 attempts, refund events 11."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from apipay_harness.core.webhook_inbox import webhook_inbox as webhook_receiver
from tests.mock.helpers import wait_for
from tests.mock.v21.helpers import create, finish_refunds, paid, register, settle, spec21

EARLY = 2.0
"""Clock seconds short of a retry's time at which none may have gone yet (the clock also runs in real time)."""
LONG_AFTER = 3600.0
"""Clock seconds past every sandbox retry and short of the pending invoice's expiry (which sends an event)."""


def _delivery() -> dict[str, Any]:
    data: dict[str, Any] = spec21()["x-webhook-delivery"]
    return data


def _sandbox_status_delays() -> list[float]:
    [override] = _delivery()["overrides"]
    assert override["when"] == {"is_sandbox": True, "events": ["invoice.status_changed"]}
    return [float(d) for d in override["retry_delays_seconds"]]


def _attempts(control: httpx.Client, event: str) -> list[dict[str, Any]]:
    return [d for d in control.get("/webhooks/deliveries").json() if d["event"] == event]


def _answered(control: httpx.Client, event: str, count: int) -> list[dict[str, Any]]:
    """The event's attempts once ``count`` of them have an answer (or failed)."""

    def done() -> list[dict[str, Any]] | None:
        attempts = _attempts(control, event)
        ended = [a for a in attempts if a["status_code"] is not None or a["error"] is not None]
        return attempts if len(ended) >= count else None

    result: list[dict[str, Any]] = wait_for(done)
    return result


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_failed_status_event_is_retried_on_the_sandbox_schedule(
    api: httpx.Client, control: httpx.Client, status: int
) -> None:
    delays = _sandbox_status_delays()
    with webhook_receiver(status=status) as receiver:
        register(control, receiver.url)
        create(api)
        settle(control)  # the pending event: attempt 1
        _answered(control, "invoice.status_changed", 1)
        for attempt, delay in enumerate(delays, start=2):
            control.post("/clock/advance", json={"seconds": delay - EARLY}).raise_for_status()
            assert len(_attempts(control, "invoice.status_changed")) == attempt - 1  # not before its time
            control.post("/clock/advance", json={"seconds": EARLY}).raise_for_status()
            _answered(control, "invoice.status_changed", attempt)
        control.post("/clock/advance", json={"seconds": LONG_AFTER}).raise_for_status()
        attempts = _attempts(control, "invoice.status_changed")
        assert [a["attempt"] for a in attempts] == list(range(1, len(delays) + 2))
        assert len(receiver.received) == len(delays) + 1
        assert len({raw for raw, _ in receiver.received}) == 1  # the same bytes each time


@pytest.mark.parametrize("status", [200, 204, 404, 410])
def test_any_other_answer_is_delivered_once(api: httpx.Client, control: httpx.Client, status: int) -> None:
    with webhook_receiver(status=status) as receiver:
        register(control, receiver.url)
        create(api)
        settle(control)
        _answered(control, "invoice.status_changed", 1)
        control.post("/clock/advance", json={"seconds": LONG_AFTER}).raise_for_status()
        assert len(_attempts(control, "invoice.status_changed")) == 1
        assert len(receiver.received) == 1


def test_no_answer_is_retried(api: httpx.Client, control: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        url = receiver.url
    register(control, url)  # nobody listens there any more: connection refused
    create(api)
    settle(control)
    _answered(control, "invoice.status_changed", 1)
    control.post("/clock/advance", json={"seconds": _sandbox_status_delays()[0]}).raise_for_status()
    attempts = _answered(control, "invoice.status_changed", 2)
    assert [a["attempt"] for a in attempts] == [1, 2]
    assert attempts[0]["error"]


def test_refund_events_get_every_retry_of_the_general_schedule(api: httpx.Client, control: httpx.Client) -> None:
    delays = [float(d) for d in _delivery()["retry_delays_seconds"]]
    invoice = paid(api, control)
    with webhook_receiver(status=500) as receiver:
        register(control, receiver.url)
        api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 100}).raise_for_status()
        finish_refunds(control)
        _answered(control, "invoice.refunded", 1)
        for attempt, delay in enumerate(delays, start=2):
            control.post("/clock/advance", json={"seconds": delay}).raise_for_status()
            _answered(control, "invoice.refunded", attempt)
        control.post("/clock/advance", json={"seconds": 86400}).raise_for_status()
        assert len(_attempts(control, "invoice.refunded")) == len(delays) + 1
