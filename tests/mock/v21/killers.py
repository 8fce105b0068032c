"""Which tests of tests/mock/v21 kill each fault of the 2.1 mock's catalog (``apipay_harness.mock.v21.faults``).

The seed's killer machinery (``tests/mock/killers.py``: ``kill``) with the version: every killer here is a
test of tests/mock/v21, run against a 2.1 mock with its fault (it must fail with an ``AssertionError``) and
against the clean 2.1 mock (it must pass), by ``tests/mock/v21/test_killers.py``. Where no test of the folder
states the rule a fault breaks, the killer is written below, over HTTP like the others.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import httpx

from apipay_harness.core.webhook_inbox import webhook_inbox
from tests.mock.killers import Killer, kill
from tests.mock.v21.helpers import create, paid, register, settle
from tests.mock.v21.test_delivery import test_a_failed_status_event_is_retried_on_the_sandbox_schedule
from tests.mock.v21.test_idempotency import (
    test_a_duplicate_key_is_409_naming_the_live_invoice,
    test_the_key_is_free_again_once_the_invoice_ended,
)
from tests.mock.v21.test_invoices import (
    test_a_late_payment_reopens_a_cancelled_or_expired_invoice,
    test_control_settle_moves_processing_to_pending_or_error_at_once,
    test_create_answers_201_processing_with_the_created_body,
    test_fractional_amount_is_422_whole_tenge,
    test_full_refund_leaves_paid_with_is_fully_refunded,
    test_processing_settles_to_pending_on_the_clock,
    test_sandbox_cancel_of_processing_or_pending_is_200_with_the_invoice,
    test_status_check_answers_the_listed_own_invoices_once_each,
)
from tests.mock.v21.test_lists import test_list_is_a_flat_page_of_list_items
from tests.mock.v21.test_ratelimit import test_past_an_enforced_limit_the_answer_is_429_with_its_headers_and_body
from tests.mock.v21.test_refunds import (
    test_a_completed_partial_refund_moves_paid_to_partially_refunded,
    test_a_failed_refund_changes_nothing_and_sends_its_event,
    test_refund_answers_201_queued_with_totals_as_numbers,
    test_refund_list_is_a_flat_page_of_own_refunds,
)
from tests.mock.v21.test_simulate import test_simulating_from_another_status_is_400_invalid_status_transition
from tests.mock.v21.test_webhooks import test_refund_completion_sends_invoice_refunded_with_the_refund

__all__ = ["KILLERS_21", "VERSION"]

VERSION = "2.1"


def _delivered_statuses(control: httpx.Client, invoice_id: int) -> list[str]:
    records: list[dict[str, Any]] = control.get("/webhooks/deliveries").json()
    return [
        json.loads(r["body"])["invoice"]["status"]
        for r in records
        if r["invoice_id"] == invoice_id and r["event"] == "invoice.status_changed"
    ]


def entering_processing_sends_no_webhook(api: httpx.Client, control: httpx.Client) -> None:
    """A create is delivered nothing; its settling to ``pending`` is (deliveries are recorded as they are sent)."""
    with webhook_inbox() as inbox:
        register(control, inbox.url)
        invoice = create(api)
        assert _delivered_statuses(control, invoice["id"]) == []
        settle(control)
        assert _delivered_statuses(control, invoice["id"]) == ["pending"]


def a_queued_refund_is_pending_not_refunded(api: httpx.Client, control: httpx.Client) -> None:
    """Until Kaspi completes it, a refund counts in ``pending_refund_amount``, not in ``total_refunded``."""
    invoice = paid(api, control, amount=8000)
    api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 3000}).raise_for_status()
    shown = api.get(f"/invoices/{invoice['id']}").json()
    assert shown["total_refunded"] == "0.00", shown
    assert shown["is_fully_refunded"] is False
    totals = api.get(f"/invoices/{invoice['id']}/refunds").json()["invoice"]
    assert totals["total_refunded"] == "0.00", totals
    assert Decimal(str(totals["available_for_refund"])) == Decimal(5000), totals


def every_answer_carries_both_rate_limit_headers(api: httpx.Client) -> None:
    """A success, a refusal and a not-found each carry ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``."""
    for response in (api.get("/invoices"), api.post("/invoices", json={}), api.get("/invoices/999999999")):
        assert {"x-ratelimit-limit", "x-ratelimit-remaining"} <= set(response.headers), (
            response.status_code,
            dict(response.headers),
        )


def a_simulation_sends_the_webhook_of_its_status(api: httpx.Client, control: httpx.Client) -> None:
    """A simulated payment is delivered as ``invoice.status_changed`` for ``paid`` (recorded as it is sent)."""
    with webhook_inbox() as inbox:
        register(control, inbox.url)
        invoice = create(api)
        settle(control)
        assert api.post(f"/invoices/{invoice['id']}/simulate-status", json={"status": "paid"}).status_code == 200
        assert _delivered_statuses(control, invoice["id"]) == ["pending", "paid"]


KILLERS_21: dict[str, Sequence[Killer]] = {
    "create_answers_pending": [kill(test_create_answers_201_processing_with_the_created_body)],
    "idempotency_key_ignored": [kill(test_a_duplicate_key_is_409_naming_the_live_invoice)],
    "full_refund_sets_refunded": [
        kill(test_full_refund_leaves_paid_with_is_fully_refunded),
    ],
    "webhook_not_retried_after_500": [
        kill(test_a_failed_status_event_is_retried_on_the_sandbox_schedule, status=500),
        kill(test_a_failed_status_event_is_retried_on_the_sandbox_schedule, status=429),
    ],
    "ratelimit_429_without_retry_after": [
        kill(test_past_an_enforced_limit_the_answer_is_429_with_its_headers_and_body)
    ],
    "refund_counted_at_once": [
        kill(test_refund_answers_201_queued_with_totals_as_numbers),
        kill(a_queued_refund_is_pending_not_refunded),
    ],
    "failed_refund_keeps_counting": [kill(test_a_failed_refund_changes_nothing_and_sends_its_event)],
    "partial_refund_keeps_paid": [kill(test_a_completed_partial_refund_moves_paid_to_partially_refunded)],
    "simulate_status_from_any_status": [
        kill(test_simulating_from_another_status_is_400_invalid_status_transition, current="paid"),
        kill(test_simulating_from_another_status_is_400_invalid_status_transition, current="cancelled"),
    ],
    "amount_fraction_accepted": [
        kill(test_fractional_amount_is_422_whole_tenge, amount=Decimal("10.5")),
        kill(test_fractional_amount_is_422_whole_tenge, amount=Decimal("99999998.99")),
    ],
    "list_nested_meta": [
        kill(test_list_is_a_flat_page_of_list_items),
        kill(test_refund_list_is_a_flat_page_of_own_refunds),
    ],
    "processing_settles_to_paid": [
        kill(test_processing_settles_to_pending_on_the_clock),
        kill(test_control_settle_moves_processing_to_pending_or_error_at_once),
    ],
    "webhook_on_processing": [kill(entering_processing_sends_no_webhook)],
    "idempotency_key_never_freed": [
        kill(test_the_key_is_free_again_once_the_invoice_ended, ending="cancelled"),
        kill(test_the_key_is_free_again_once_the_invoice_ended, ending="error"),
    ],
    "cancel_processing_refused": [
        kill(test_sandbox_cancel_of_processing_or_pending_is_200_with_the_invoice, settled=False)
    ],
    "late_payment_refused": [
        kill(test_a_late_payment_reopens_a_cancelled_or_expired_invoice, closed="cancelled"),
        kill(test_a_late_payment_reopens_a_cancelled_or_expired_invoice, closed="expired"),
    ],
    "refund_event_without_refund": [
        kill(test_refund_completion_sends_invoice_refunded_with_the_refund),
        kill(test_a_failed_refund_changes_nothing_and_sends_its_event),
    ],
    "refund_totals_as_strings": [kill(test_refund_answers_201_queued_with_totals_as_numbers)],
    "ratelimit_limit_header_missing": [kill(every_answer_carries_both_rate_limit_headers)],
    "simulate_sends_no_webhook": [kill(a_simulation_sends_the_webhook_of_its_status)],
    "status_check_shows_foreign": [kill(test_status_check_answers_the_listed_own_invoices_once_each)],
}
"""2.1 fault name -> the tests of tests/mock/v21 that fail when it is on."""
