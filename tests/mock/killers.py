"""Which tests of tests/mock kill each fault of the mock's catalog.

Each fault in ``apipay_harness.mock.faults`` is one rule of the mock, broken on purpose. A rule is
only proved by tests/mock if one of its tests fails when the rule is broken, so every fault names
its killers here, and test_killers.py holds the registry to it: each killer must fail (an
``AssertionError``, not a crash) against a mock started with its fault, and pass against the clean
mock.

A killer is an ordinary test of tests/mock whose arguments are the mock's clients (``api``,
``api2``, ``control``, ``mock``: the fixtures of tests/conftest.py) plus, for a parametrized test,
the parameter values this entry picks. Adding a fault's killer is one line::

    "cancel_paid_allowed": [transition("paid", "cancel")],
    "refund_rounding_truncated": [kill(test_refund_records_its_kopecks)],
    "phone_pattern_off_by_one": [kill(test_create_invoice_rejects_each_invalid_example_keyed_by_field,
                                      field="phone_number", value="8700123456")],

Families: ``transition(status, action)`` is the transition-table test for one (status, action)
pair of the spec's ``x-status-transitions`` (actions in ``tests.mock.test_transitions.ACTIONS``),
so a fault that lets a forbidden pair through is killed by naming the pair, and generated faults
get generated entries: ``**{name: [transition(s, a)] for name, (s, a) in PAIRS.items()}``.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apipay_harness.mock.rules import allowed_fault, forbidden_pairs
from tests.mock.test_auth_ratelimit import (
    test_every_answer_carries_the_rate_limit_header,
    test_limited_key_gets_429_after_5_then_recovers_next_minute,
    test_unverified_organization_is_403,
)
from tests.mock.test_catalog import test_other_organizations_item_is_404
from tests.mock.test_invoices import (
    test_async_cancel_is_202_then_cancelled_after_clock_delay,
    test_cart_invoice_amount_is_exact_sum_of_price_times_count,
    test_cart_snapshot_survives_catalog_patch,
    test_cart_with_unknown_or_foreign_catalog_item_is_422,
    test_create_invoice_rejects_each_invalid_example_keyed_by_field,
    test_create_invoice_with_other_organizations_webhook_id_is_422,
    test_get_invoice_has_every_detail_field,
    test_invoice_list_hides_other_organizations_invoices,
    test_list_invoices_bad_query_is_422,
    test_list_invoices_date_range_is_inclusive,
    test_list_invoices_filters_several_statuses,
    test_list_invoices_last_page_when_total_is_a_multiple_of_per_page,
    test_list_invoices_search_matches_description_and_order_id,
    test_list_invoices_sorts_by_each_field,
    test_other_organizations_invoice_is_404,
)
from tests.mock.test_refunds import (
    test_list_refunds_filters_by_invoice_id,
    test_list_refunds_hides_other_organizations,
    test_parallel_refunds_never_exceed_the_amount,
    test_partial_refund_answers_201_with_documented_body,
    test_partial_refunds_add_up_to_the_amount_then_refunded,
    test_refund_over_available_is_422,
    test_refund_records_its_kopecks,
)
from tests.mock.test_robustness import (
    test_huge_page_number_answers_an_empty_page,
    test_nul_byte_in_free_text_is_kept_or_refused_never_a_server_error,
)
from tests.mock.test_tenancy import (
    test_catalog_list_shows_only_own_items,
    test_status_check_reports_only_own_pending_invoices,
)
from tests.mock.test_transitions import ACTIONS, STATUSES, test_invoice_action_follows_the_transition_table
from tests.mock.test_webhooks import (
    test_cancel_sends_a_status_changed_event_once_cancelled,
    test_paid_invoice_sends_signed_status_changed,
    test_refund_event_carries_the_total_refunded_after_it,
    test_refused_cancel_sends_no_event,
)

__all__ = ["CLIENTS", "KILLERS", "Killer", "kill", "transition"]

CLIENTS = ("api", "api2", "control", "mock")
"""What a killer may ask for besides its parameters: the fixtures of tests/conftest.py, by name."""


@dataclass(frozen=True)
class Killer:
    """One test of tests/mock, with the parameter values it runs with, that fails when a fault is on."""

    test: Callable[..., None]
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def name(self) -> str:
        """``test_x[a=1,b=two]``, short enough to read in a failure."""
        if not self.params:
            return self.test.__name__
        shown = ",".join(f"{key}={str(value)[:16]}" for key, value in self.params)
        return f"{self.test.__name__}[{shown}]"

    @property
    def clients(self) -> tuple[str, ...]:
        """The clients the test takes."""
        bound = {key for key, _ in self.params}
        return tuple(name for name in inspect.signature(self.test).parameters if name not in bound)

    def run(self, clients: Mapping[str, object]) -> None:
        """Run the test with the clients it takes from ``clients`` and its parameter values."""
        self.test(**{name: clients[name] for name in self.clients}, **dict(self.params))


_MISSING = object()


def _parametrized(test: Callable[..., None]) -> list[dict[str, Any]]:
    """Every combination of parameter values pytest runs ``test`` with (one empty one if none)."""
    axes: list[list[dict[str, Any]]] = []
    for mark in getattr(test, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names, values = mark.args[0], mark.args[1]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        rows = [v.values if hasattr(v, "values") else (v if len(names) > 1 else (v,)) for v in values]
        axes.append([dict(zip(names, row, strict=True)) for row in rows])
    return [dict(kv for part in combo for kv in part.items()) for combo in itertools.product(*axes)]


def kill(test: Callable[..., None], **params: Any) -> Killer:
    """The test ``test`` with ``params`` as a killer; the values must be a case pytest itself runs."""
    names = list(inspect.signature(test).parameters)
    stray = [n for n in names if n not in params and n not in CLIENTS]
    if stray:
        raise TypeError(f"{test.__name__}: pick a value for {', '.join(stray)}")
    cases = _parametrized(test)
    if not any(all(case.get(key, _MISSING) == value for key, value in params.items()) for case in cases):
        raise TypeError(f"{test.__name__}: {params} is not one of the cases pytest runs it with")
    return Killer(test, tuple(params.items()))


def transition(status: str, action: str) -> Killer:
    """The transition-table test for one (status, action) pair of the spec's ``x-status-transitions``."""
    if status not in STATUSES or action not in ACTIONS:
        raise TypeError(f"no transition test for ({status!r}, {action!r}): statuses {STATUSES}, actions {ACTIONS}")
    return kill(test_invoice_action_follows_the_transition_table, status=status, action=action)


def _invalid(field: str, value: object) -> Killer:
    return kill(test_create_invoice_rejects_each_invalid_example_keyed_by_field, field=field, value=value)


KILLERS: dict[str, Sequence[Killer]] = {
    # bounds
    "phone_pattern_off_by_one": [_invalid("phone_number", "8700123456"), _invalid("phone_number", "870012345678")],
    "amount_minimum_zero": [_invalid("amount", 0)],
    "amount_maximum_off_by_one": [_invalid("amount", 100000000)],
    "description_max_length_off_by_one": [_invalid("description", "x" * 501)],
    "per_page_maximum_off_by_one": [kill(test_list_invoices_bad_query_is_422, query="per_page=101")],
    "cart_count_minimum_zero": [_invalid("cart_items.0.count", 0)],
    # forbidden transitions
    **{allowed_fault(action.name, status): [transition(status, action.name)] for action, status in forbidden_pairs()},
    "cancel_stuck_cancelling": [
        kill(test_async_cancel_is_202_then_cancelled_after_clock_delay),
        kill(test_cancel_sends_a_status_changed_event_once_cancelled),
    ],
    # money
    "refund_sum_unchecked": [kill(test_refund_over_available_is_422)],
    "refund_race_double_refund": [kill(test_parallel_refunds_never_exceed_the_amount)],
    "refund_rounding_truncated": [kill(test_refund_records_its_kopecks)],
    "full_refund_status_partial": [kill(test_partial_refunds_add_up_to_the_amount_then_refunded)],
    "available_for_refund_stale": [kill(test_partial_refund_answers_201_with_documented_body)],
    "cart_amount_ignores_count": [kill(test_cart_invoice_amount_is_exact_sum_of_price_times_count)],
    # response shape
    "invoice_id_as_string": [kill(test_get_invoice_has_every_detail_field)],
    "created_at_missing": [kill(test_get_invoice_has_every_detail_field)],
    "total_refunded_null": [kill(test_get_invoice_has_every_detail_field)],
    "money_trailing_zeros_dropped": [kill(test_get_invoice_has_every_detail_field)],
    "cart_snapshot_live": [kill(test_cart_snapshot_survives_catalog_patch)],
    # auth and tenancy
    "unverified_org_allowed": [kill(test_unverified_organization_is_403, method="GET", path="/invoices")],
    "tenant_leak_get": [kill(test_other_organizations_invoice_is_404, operation="get")],
    "tenant_leak_list": [kill(test_invoice_list_hides_other_organizations_invoices)],
    "tenant_leak_refund_totals": [kill(test_other_organizations_invoice_is_404, operation="refunds")],
    "tenant_leak_cancel": [kill(test_other_organizations_invoice_is_404, operation="cancel")],
    "tenant_leak_refund": [kill(test_other_organizations_invoice_is_404, operation="refund")],
    "tenant_leak_refund_list": [kill(test_list_refunds_hides_other_organizations)],
    "tenant_leak_status_check": [kill(test_status_check_reports_only_own_pending_invoices)],
    "tenant_leak_webhook_id": [kill(test_create_invoice_with_other_organizations_webhook_id_is_422)],
    "tenant_leak_catalog_list": [kill(test_catalog_list_shows_only_own_items)],
    "tenant_leak_catalog_update": [kill(test_other_organizations_item_is_404, method="PATCH")],
    "tenant_leak_catalog_delete": [kill(test_other_organizations_item_is_404, method="DELETE")],
    "tenant_leak_cart_item": [kill(test_cart_with_unknown_or_foreign_catalog_item_is_422)],
    # lists
    "list_status_filter_ignored": [kill(test_list_invoices_filters_several_statuses)],
    "list_last_page_off_by_one": [kill(test_list_invoices_last_page_when_total_is_a_multiple_of_per_page, count=4)],
    "list_date_to_exclusive": [kill(test_list_invoices_date_range_is_inclusive)],
    "list_search_ignores_order_id": [kill(test_list_invoices_search_matches_description_and_order_id)],
    "list_sort_amount_as_text": [kill(test_list_invoices_sorts_by_each_field, sort_by="amount", sort_order="asc")],
    "refund_list_invoice_filter_ignored": [kill(test_list_refunds_filters_by_invoice_id)],
    # webhooks
    "webhook_signature_wrong": [kill(test_paid_invoice_sends_signed_status_changed)],
    "webhook_missing_on_cancel": [kill(test_cancel_sends_a_status_changed_event_once_cancelled)],
    "webhook_on_refused_cancel": [kill(test_refused_cancel_sends_no_event)],
    "webhook_refund_total_stale": [kill(test_refund_event_carries_the_total_refunded_after_it)],
    # robustness and rate limit
    "server_error_on_nul_byte": [
        kill(test_nul_byte_in_free_text_is_kept_or_refused_never_a_server_error, field="description"),
        kill(test_nul_byte_in_free_text_is_kept_or_refused_never_a_server_error, field="external_order_id"),
    ],
    "server_error_past_last_page": [kill(test_huge_page_number_answers_an_empty_page, path="/invoices", page=10**12)],
    "ratelimit_header_missing_on_errors": [
        kill(test_every_answer_carries_the_rate_limit_header, path="/invoices/999999")
    ],
    "ratelimit_body_without_retry_after": [kill(test_limited_key_gets_429_after_5_then_recovers_next_minute)],
}
"""Fault name -> the tests of tests/mock that fail when it is on (each must; at least one per fault)."""
