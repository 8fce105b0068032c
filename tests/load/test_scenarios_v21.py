"""The load users' tasks speaking API 2.1, over real HTTP against the 2.1 mock, with the mock's clock as their clock.

A pause moves the mock's clock on (``_MockClockRuntime``), so ``processing`` settles and queued refunds
complete without anyone sleeping when the users have no control API and wait for them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apipay_harness.loadrun import flows, scenarios
from apipay_harness.loadrun.audit import audit
from apipay_harness.loadrun.records import build_ledgers
from apipay_harness.loadrun.reread import reread_invoices
from apipay_harness.mock import MockProcess, running_mock
from tests.load.test_scenarios import _user, every_lifecycle_task_twice

V21 = "2.1"


@pytest.fixture(scope="module")
def mock21() -> Iterator[MockProcess]:
    with running_mock(api_version=V21) as mock:
        yield mock


def test_v21_lifecycle_tasks_with_control_fail_nothing_and_pass_the_2_1_audit(mock21: MockProcess) -> None:
    with _user(mock21, api_version=V21) as user:
        prices = flows.catalog_prices(user)
        assert prices, "the 2.1 catalog lists prices as JSON numbers; carts are built from them"
        for _ in range(4):
            scenarios.pay_then_refund_in_parts(user)
            scenarios.pay_cart_then_refund_all(user, prices)
            scenarios.create_then_cancel(user)
            scenarios.create_then_expire(user)
        events = user.events()
    assert user.failures == []
    kinds = {e.kind for e in events}
    assert {"created", "paid", "refund", "refund_completed", "cancel", "expired"} <= kinds
    ledgers = build_ledgers(events)
    report = audit(
        ledgers, reread_invoices(mock21.target, ledgers, cancel_deadline=30.0), cancel_deadline=30.0, api_version=V21
    )
    assert report.clean, report.violations
    assert report.checked == 16 and report.uncertain == 0


def test_v21_failed_partial_refund_does_not_count_and_the_rest_refunds_everything(mock21: MockProcess) -> None:
    with _user(mock21, api_version=V21) as user:
        invoice = flows.create(user)
        assert invoice is not None and flows.settle(user, invoice) and flows.pay(user, invoice)
        failed = flows.refund(user, invoice, invoice.amount / 2, outcome="failed")
        assert failed == flows.Refunded(invoice.amount / 2, counts=False)
        (won,) = flows.race_refunds(user, invoice, invoice.amount)
        body = flows.read(user, invoice, status={"paid"}, refunded=invoice.amount)
        events = user.events()
    assert won.counts and body["is_fully_refunded"] is True  # one completed full refund leaves it paid
    assert user.failures == []
    assert [e.kind for e in events].count("refund_failed") == 1
    ledgers = build_ledgers(events)
    report = audit(
        ledgers, reread_invoices(mock21.target, ledgers, cancel_deadline=30.0), cancel_deadline=30.0, api_version=V21
    )
    assert report.clean, report.violations


def test_v21_without_control_pays_through_simulate_status_and_waits_on_the_mock_clock(mock21: MockProcess) -> None:
    with _user(mock21, control=False, api_version=V21) as user:  # only the runtime's clock uses the control API
        for _ in range(2):
            scenarios.pay_then_refund_in_parts(user)
            scenarios.create_then_expire(user)
        events = user.events()
    assert user.failures == []
    kinds = [e.kind for e in events]
    assert kinds.count("paid") == 2 and kinds.count("expired") == 2 and "refund_completed" in kinds
    assert user.runtime.elapsed >= 2.0  # processing and queued refunds were waited out on the mock's clock


@pytest.mark.parametrize(
    "variant", ["cancel_queued_cancelling", "create_answer_phone_number", "not_found_message_only"]
)
def test_v21_tasks_accept_what_2_1_allows_and_the_mock_shows_only_when_asked(variant: str) -> None:
    with running_mock(api_version=V21, variants=[variant]) as mock, _user(mock, api_version=V21) as user:
        every_lifecycle_task_twice(user)
        ledgers = build_ledgers(user.events())
        report = audit(
            ledgers, reread_invoices(mock.target, ledgers, cancel_deadline=30.0), cancel_deadline=30.0, api_version=V21
        )
    assert user.failures == []
    assert report.clean, report.violations
