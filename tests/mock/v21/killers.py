"""Which tests of tests/mock/v21 kill each fault of the 2.1 mock's catalog (``apipay_harness.mock.v21.faults``).

The seed's killer machinery (``tests/mock/killers.py``: ``kill``) with the version: every killer here is a
test of tests/mock/v21, run against a 2.1 mock with its fault (it must fail with an ``AssertionError``) and
against the clean 2.1 mock (it must pass), by ``tests/mock/v21/test_killers.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from tests.mock.killers import Killer, kill
from tests.mock.v21.test_delivery import test_a_failed_status_event_is_retried_on_the_sandbox_schedule
from tests.mock.v21.test_idempotency import test_a_duplicate_key_is_409_naming_the_live_invoice
from tests.mock.v21.test_invoices import (
    test_create_answers_201_processing_with_the_created_body,
    test_full_refund_leaves_paid_with_is_fully_refunded,
)
from tests.mock.v21.test_ratelimit import test_past_an_enforced_limit_the_answer_is_429_with_its_headers_and_body
from tests.mock.v21.test_refunds import (
    test_a_completed_partial_refund_moves_paid_to_partially_refunded,
    test_a_failed_refund_changes_nothing_and_sends_its_event,
    test_refund_answers_201_queued_with_totals_as_numbers,
)
from tests.mock.v21.test_simulate import test_simulating_from_another_status_is_400_invalid_status_transition

__all__ = ["KILLERS_21", "VERSION"]

VERSION = "2.1"

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
    "refund_counted_at_once": [kill(test_refund_answers_201_queued_with_totals_as_numbers)],
    "failed_refund_keeps_counting": [kill(test_a_failed_refund_changes_nothing_and_sends_its_event)],
    "partial_refund_keeps_paid": [kill(test_a_completed_partial_refund_moves_paid_to_partially_refunded)],
    "simulate_status_from_any_status": [
        kill(test_simulating_from_another_status_is_400_invalid_status_transition, current="paid"),
        kill(test_simulating_from_another_status_is_400_invalid_status_transition, current="cancelled"),
    ],
}
"""2.1 fault name -> the tests of tests/mock/v21 that fail when it is on."""
