"""Which tests of tests/mock kill each fault of the mock's catalog.

Each fault in ``apipay_harness.mock.faults`` is one rule of the mock, broken on purpose. A rule is
only proved by tests/mock if one of its tests fails when the rule is broken, so every fault names
its killers here, and test_killers.py holds the registry to it: each killer must fail (an
``AssertionError``, not a crash) against a mock started with its fault, and pass against the clean
mock.

A killer is an ordinary test of tests/mock whose arguments are the mock's clients (``api``,
``api2``, ``control``, ``mock``: the fixtures of tests/conftest.py) plus, for a parametrized test,
the parameter values this entry picks. Entries are keyed by the fault's constant, so a misspelt
one fails at import. Adding a fault's killer is one line::

    faults.REFUND_ROUNDING_TRUNCATED: [kill(test_refund_records_its_kopecks)],
    faults.PHONE_PATTERN_OFF_BY_ONE: [kill(test_create_invoice_rejects_each_invalid_example_keyed_by_field,
                                           field="phone_number", value="8700123456")],

Families: ``transition(status, action)`` is the transition-table test for one (status, action)
pair of the spec's ``x-status-transitions`` (actions in ``tests.mock.test_transitions.ACTIONS``),
so a fault that lets a forbidden pair through is killed by naming the pair, and the generated
faults get generated entries: ``**{transition_fault(a, s): [transition(s, a.name)] for a, s in forbidden_pairs()}``.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from apipay_harness.mock import faults
from apipay_harness.mock.faults import Fault, transition_fault
from apipay_harness.mock.rules import forbidden_pairs
from tests.mock.inprocess import serving_mock
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

__all__ = ["CLIENTS", "KILLERS", "Killer", "escaping", "kill", "transition"]

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


KILLERS: dict[Fault, Sequence[Killer]] = {
    # bounds
    faults.PHONE_PATTERN_OFF_BY_ONE: [_invalid("phone_number", "8700123456"), _invalid("phone_number", "870012345678")],
    faults.AMOUNT_MINIMUM_ZERO: [_invalid("amount", 0)],
    faults.AMOUNT_MAXIMUM_OFF_BY_ONE: [_invalid("amount", 100000000)],
    faults.DESCRIPTION_MAX_LENGTH_OFF_BY_ONE: [_invalid("description", "x" * 501)],
    faults.PER_PAGE_MAXIMUM_OFF_BY_ONE: [kill(test_list_invoices_bad_query_is_422, query="per_page=101")],
    faults.CART_COUNT_MINIMUM_ZERO: [_invalid("cart_items.0.count", 0)],
    # forbidden transitions
    **{transition_fault(action, status): [transition(status, action.name)] for action, status in forbidden_pairs()},
    faults.CANCEL_STUCK_CANCELLING: [
        kill(test_async_cancel_is_202_then_cancelled_after_clock_delay),
        kill(test_cancel_sends_a_status_changed_event_once_cancelled),
    ],
    # money
    faults.REFUND_SUM_UNCHECKED: [kill(test_refund_over_available_is_422)],
    faults.REFUND_RACE_DOUBLE_REFUND: [kill(test_parallel_refunds_never_exceed_the_amount)],
    faults.REFUND_ROUNDING_TRUNCATED: [kill(test_refund_records_its_kopecks)],
    faults.FULL_REFUND_STATUS_PARTIAL: [kill(test_partial_refunds_add_up_to_the_amount_then_refunded)],
    faults.AVAILABLE_FOR_REFUND_STALE: [kill(test_partial_refund_answers_201_with_documented_body)],
    faults.CART_AMOUNT_IGNORES_COUNT: [kill(test_cart_invoice_amount_is_exact_sum_of_price_times_count)],
    # response shape
    faults.INVOICE_ID_AS_STRING: [kill(test_get_invoice_has_every_detail_field)],
    faults.CREATED_AT_MISSING: [kill(test_get_invoice_has_every_detail_field)],
    faults.TOTAL_REFUNDED_NULL: [kill(test_get_invoice_has_every_detail_field)],
    faults.MONEY_TRAILING_ZEROS_DROPPED: [kill(test_get_invoice_has_every_detail_field)],
    faults.CART_SNAPSHOT_LIVE: [kill(test_cart_snapshot_survives_catalog_patch)],
    # auth and tenancy
    faults.UNVERIFIED_ORG_ALLOWED: [kill(test_unverified_organization_is_403, method="GET", path="/invoices")],
    faults.TENANT_LEAK_GET: [kill(test_other_organizations_invoice_is_404, operation="get")],
    faults.TENANT_LEAK_LIST: [kill(test_invoice_list_hides_other_organizations_invoices)],
    faults.TENANT_LEAK_REFUND_TOTALS: [kill(test_other_organizations_invoice_is_404, operation="refunds")],
    faults.TENANT_LEAK_CANCEL: [kill(test_other_organizations_invoice_is_404, operation="cancel")],
    faults.TENANT_LEAK_REFUND: [kill(test_other_organizations_invoice_is_404, operation="refund")],
    faults.TENANT_LEAK_REFUND_LIST: [kill(test_list_refunds_hides_other_organizations)],
    faults.TENANT_LEAK_STATUS_CHECK: [kill(test_status_check_reports_only_own_pending_invoices)],
    faults.TENANT_LEAK_WEBHOOK_ID: [kill(test_create_invoice_with_other_organizations_webhook_id_is_422)],
    faults.TENANT_LEAK_CATALOG_LIST: [kill(test_catalog_list_shows_only_own_items)],
    faults.TENANT_LEAK_CATALOG_UPDATE: [kill(test_other_organizations_item_is_404, method="PATCH")],
    faults.TENANT_LEAK_CATALOG_DELETE: [kill(test_other_organizations_item_is_404, method="DELETE")],
    faults.TENANT_LEAK_CART_ITEM: [kill(test_cart_with_unknown_or_foreign_catalog_item_is_422)],
    # lists
    faults.LIST_STATUS_FILTER_IGNORED: [kill(test_list_invoices_filters_several_statuses)],
    faults.LIST_LAST_PAGE_OFF_BY_ONE: [
        kill(test_list_invoices_last_page_when_total_is_a_multiple_of_per_page, count=4),
    ],
    faults.LIST_DATE_TO_EXCLUSIVE: [kill(test_list_invoices_date_range_is_inclusive)],
    faults.LIST_SEARCH_IGNORES_ORDER_ID: [kill(test_list_invoices_search_matches_description_and_order_id)],
    faults.LIST_SORT_AMOUNT_AS_TEXT: [kill(test_list_invoices_sorts_by_each_field, sort_by="amount", sort_order="asc")],
    faults.REFUND_LIST_INVOICE_FILTER_IGNORED: [kill(test_list_refunds_filters_by_invoice_id)],
    # webhooks
    faults.WEBHOOK_SIGNATURE_WRONG: [kill(test_paid_invoice_sends_signed_status_changed)],
    faults.WEBHOOK_MISSING_ON_CANCEL: [kill(test_cancel_sends_a_status_changed_event_once_cancelled)],
    faults.WEBHOOK_ON_REFUSED_CANCEL: [kill(test_refused_cancel_sends_no_event)],
    faults.WEBHOOK_REFUND_TOTAL_STALE: [kill(test_refund_event_carries_the_total_refunded_after_it)],
    # robustness and rate limit
    faults.SERVER_ERROR_ON_NUL_BYTE: [
        kill(test_nul_byte_in_free_text_is_kept_or_refused_never_a_server_error, field="description"),
        kill(test_nul_byte_in_free_text_is_kept_or_refused_never_a_server_error, field="external_order_id"),
    ],
    faults.SERVER_ERROR_PAST_LAST_PAGE: [
        kill(test_huge_page_number_answers_an_empty_page, path="/invoices", page=10**12),
    ],
    faults.RATELIMIT_HEADER_MISSING_ON_ERRORS: [
        kill(test_every_answer_carries_the_rate_limit_header, path="/invoices/999999")
    ],
    faults.RATELIMIT_BODY_WITHOUT_RETRY_AFTER: [kill(test_limited_key_gets_429_after_5_then_recovers_next_minute)],
}
"""Fault -> the tests of tests/mock that fail when it is on (each must; at least one per fault)."""


def escaping(fault: str, killers: Sequence[Killer], *, api_version: str | None = None) -> list[str]:
    """The killers that pass against a mock (of ``api_version``) served in this process with ``fault`` on."""
    escaped = []
    with (
        serving_mock(faults=[fault], api_version=api_version) as mock,
        httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key"}, timeout=30) as api,
        httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key-2"}, timeout=30) as api2,
        httpx.Client(base_url=mock.control_url, timeout=30) as control,
    ):
        clients = {"api": api, "api2": api2, "control": control, "mock": mock}
        for killer in killers:
            control.post("/reset").raise_for_status()
            try:
                killer.run(clients)
            except AssertionError:
                continue
            escaped.append(killer.name)
    return escaped
