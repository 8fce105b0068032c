"""The load users' steps and tasks run in pytest over real HTTP, with threads instead of greenlets.

The driver below plays the locustfile's ``ApiPayUser``: it sends each call, judges the answer with the
same ``judge``, records attempts, and collects every failure reason. Its clock is the mock's: a pause
moves the mock's clock on, so a queued cancel completes without anyone sleeping.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import httpx
import pytest

from apipay_harness.loadrun import flows, scenarios
from apipay_harness.loadrun.audit import audit
from apipay_harness.loadrun.calls import Answer, Call, judge
from apipay_harness.loadrun.collector import Collector
from apipay_harness.loadrun.locust_options import UserSettings
from apipay_harness.loadrun.records import Event, build_ledgers
from apipay_harness.loadrun.reread import reread_invoices
from apipay_harness.mock import MockProcess, running_mock

_T = TypeVar("_T")


class _MockClockRuntime:
    """Races in threads; pauses move the mock's clock (and this runtime's) on instead of sleeping."""

    def __init__(self, control: httpx.Client) -> None:
        self.control = control
        self.failures: list[str] = []
        self.elapsed = 0.0

    def fail(self, name: str, reason: str) -> None:
        self.failures.append(f"{name}: {reason}")

    def now(self) -> float:
        return self.elapsed

    def pause(self, seconds: float) -> None:
        self.control.post("/clock/advance", json={"seconds": seconds}).raise_for_status()
        self.elapsed += seconds

    def race(self, attempts: Sequence[Callable[[], _T]]) -> list[_T | None]:
        with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
            return [f.result() for f in [pool.submit(a) for a in attempts]]


class _HttpUser:
    """A load user over httpx: each call judged, each failure kept with its reason."""

    def __init__(
        self, mock: MockProcess, *, control: bool = True, cancel_deadline: float = 30.0, api_version: str = "2026-02-13"
    ) -> None:
        self.client = httpx.Client(base_url=mock.base_url, timeout=10.0)
        self.rng = random.Random(20260213)
        self.settings = UserSettings(
            api_key="test-key",
            control_url=mock.control_url if control else None,
            cancel_deadline=cancel_deadline,
            think_time=0.0,
            api_version=api_version,
        )
        self.store = Collector()
        self.runtime = _MockClockRuntime(httpx.Client(base_url=mock.control_url, timeout=10.0))
        self.failures = self.runtime.failures

    def send(self, call: Call) -> Answer:
        key = self.store.attempt(call.record)
        response = self.client.request(call.method, call.url, content=call.data(), headers=call.headers("test-key"))
        answer = Answer.read(response.status_code, response.content)
        reason = judge(call, answer)
        if reason:
            self.failures.append(f"{call.method} {call.name}: {reason}")
        self.store.settle(call.record, key, answer.status)
        return answer

    def events(self) -> list[Event]:
        return [Event.from_wire(wire) for wire in self.store.drain()]

    def close(self) -> None:
        self.client.close()
        self.runtime.control.close()


@contextmanager
def _user(
    mock: MockProcess, *, control: bool = True, cancel_deadline: float = 30.0, api_version: str = "2026-02-13"
) -> Iterator[_HttpUser]:
    driver = _HttpUser(mock, control=control, cancel_deadline=cancel_deadline, api_version=api_version)
    try:
        yield driver
    finally:
        driver.close()


@pytest.fixture
def user(mock: MockProcess) -> Iterator[_HttpUser]:
    with _user(mock) as driver:
        yield driver


def every_lifecycle_task_twice(user: _HttpUser) -> None:
    """Each lifecycle task of the users, twice: refunds in parts, a cart refunded whole, a cancel, an expiry."""
    prices = flows.catalog_prices(user)
    for _ in range(2):
        scenarios.pay_then_refund_in_parts(user)
        scenarios.pay_cart_then_refund_all(user, prices)
        scenarios.create_then_cancel(user)
        scenarios.create_then_expire(user)


def test_scenarios_lifecycle_tasks_on_a_correct_mock_fail_nothing_and_pass_the_audit(
    user: _HttpUser, mock: MockProcess
) -> None:
    every_lifecycle_task_twice(user)
    assert user.failures == []
    ledgers = build_ledgers(user.events())
    assert {ledger.expected_status() for ledger in ledgers.values()} == {"refunded", "cancelled", "expired"}
    assert not any(ledger.uncertain for ledger in ledgers.values())
    report = audit(ledgers, reread_invoices(mock.target, ledgers, cancel_deadline=30.0), cancel_deadline=30.0)
    assert report.clean and report.checked == 8


def test_scenarios_refund_race_accepts_exactly_one_of_two_on_a_correct_mock(user: _HttpUser) -> None:
    scenarios.pay_then_refund_in_parts(user)
    refunds = [e for e in user.events() if e.kind == "refund"]
    assert user.failures == [] and len(refunds) == 2  # the part, then one racer's rest


def test_scenarios_reader_tasks_list_then_read_invoices_seen(user: _HttpUser) -> None:
    for _ in range(3):
        scenarios.create_then_expire(user)
    created = {e.invoice_id for e in user.events() if e.kind == "created"}
    seen: tuple[int, ...] = ()
    for _ in range(20):  # each list filters on one to three random statuses; some include expired
        seen = scenarios.get_invoice(user, seen)  # lists first while nothing was seen
    assert user.failures == []
    assert seen and set(seen) <= created


def test_scenarios_without_control_give_way_to_create_then_cancel(mock: MockProcess) -> None:
    with _user(mock, control=False) as user:
        scenarios.pay_then_refund_in_parts(user)
        scenarios.pay_cart_then_refund_all(user, ())
        scenarios.create_then_expire(user)
    assert user.failures == []
    kinds = {e.kind for e in user.events()}
    assert "cancel" in kinds and not kinds & {"paid", "refund", "expired"}


def test_scenarios_catch_a_cart_amount_that_ignores_counts() -> None:
    with running_mock(faults=["cart_amount_ignores_count"]) as mock, _user(mock) as user:
        prices = flows.catalog_prices(user)
        for _ in range(3):
            scenarios.pay_cart_then_refund_all(user, prices)
    assert any("POST /invoices: invoice" in f and "amount" in f for f in user.failures), user.failures


def test_flows_follow_cancel_reports_an_invoice_stuck_cancelling_past_the_deadline() -> None:
    with running_mock(faults=["cancel_stuck_cancelling"]) as mock, _user(mock, cancel_deadline=2.0) as user:
        scenarios.create_then_cancel(user)
    assert user.failures == [f"cancel deadline: invoice {user.events()[0].invoice_id} still cancelling after 2s"]
    assert user.runtime.elapsed > 2.0  # the mock's clock went past the deadline; nobody slept


def test_flows_race_refunds_reports_each_accepted_amount(user: _HttpUser) -> None:
    invoice = flows.create(user)
    assert invoice is not None and flows.pay(user, invoice)
    assert flows.race_refunds(user, invoice, invoice.amount) == [flows.Refunded(invoice.amount, counts=True)]
    assert flows.read(user, invoice, status={"refunded"}, refunded=invoice.amount)["status"] == "refunded"
    assert user.failures == []
