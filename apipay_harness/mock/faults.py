"""The fault catalog: realistic ways a server breaks the contract, each declared once and switched on by name.

Each entry is a ``Fault`` bound to a module-level constant by ``_fault(name, hook=..., description=...)``:
its description says what breaks and ``hook`` names the point in the mock's code that consults it. The
code asks ``faults.on(CONSTANT)`` at that point (never the name as a string), so a misspelt fault fails
at import, and adding a fault is one entry here plus one ``if`` at its hook. One family is generated
instead of written: a fault per (action, status) pair that the mock's own rules (``mock/rules.py``)
forbid, named ``<action>_<status>_allowed``, which each action's guard asks for by
``transition_fault(action, status)``. Names typed by a user are checked by ``FAULTS.named``.

Hooks:
    spec.phone_pattern        the PhoneNumber pattern the validators are compiled from
    refund.availability       the ``amount <= available_for_refund`` check of a refund
    refund.record             between checking and recording a refund
    invoice.get.tenancy       the organization check of ``GET /invoices/{id}``
    invoice.list.status       the ``status[]`` filter of ``GET /invoices``
    webhook.sign              the HMAC signature of a webhook delivery
    spec.bounds               the request schemas the validators are compiled from (``Faults.edit_spec``)
    invoice.cancel.guard      the status check of ``POST /invoices/{id}/cancel``
    control.pay.guard         the status check of ``POST /_control/invoices/{id}/pay``
    control.expire.guard      the status check of ``POST /_control/invoices/{id}/expire``
    invoice.cancel.settle     the queued completion of an async cancel
    refund.guard              the status check of a refund (with or without an amount)
    refund.amount             the amount a refund records
    refund.status             the status a refund leaves the invoice in
    refund.answer             the invoice totals in the refund answer
    invoice.render            the body of ``GET /invoices/{id}`` (``Faults.reshape``)
    invoice.create            the body checks and amount of ``POST /invoices``
    auth.verified             the organization check behind every key
    invoice.list.tenancy      the organization filter of ``GET /invoices``
    refund.totals.tenancy     the organization check of ``GET /invoices/{id}/refunds``
    invoice.tenancy           the organization check of cancel and refund
    refund.list.tenancy       the organization filter of ``GET /refunds``
    invoice.status_check.tenancy  the organization filter of ``POST /invoices/status/check``
    invoice.create.webhook    the ``webhook_id`` check of ``POST /invoices``
    invoice.create.cart       the organization check of each ``cart_items`` line
    catalog.list.tenancy      the organization filter of ``GET /catalog``
    catalog.item.tenancy      the organization check of ``PATCH`` and ``DELETE /catalog/{id}``
    invoice.list.page         the ``meta`` and slicing of ``GET /invoices``
    invoice.list.filter       the date and text filters of ``GET /invoices``
    invoice.list.sort         the ``sort_by`` ordering of ``GET /invoices``
    refund.list.filter        the ``invoice_id`` filter of ``GET /refunds``
    webhook.notify            which events an invoice change sends, and their payload
    ratelimit.header          ``X-RateLimit-Remaining`` on every answer
    ratelimit.body            the body of a 429
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apipay_harness.core.versions import DEFAULT_VERSION
from apipay_harness.mock.money import money
from apipay_harness.mock.registry import Registry
from apipay_harness.mock.rules import Action, allowed_fault, forbidden_pairs

__all__ = [
    "AMOUNT_MAXIMUM_OFF_BY_ONE",
    "AMOUNT_MINIMUM_ZERO",
    "AVAILABLE_FOR_REFUND_STALE",
    "CANCEL_STUCK_CANCELLING",
    "CART_AMOUNT_IGNORES_COUNT",
    "CART_COUNT_MINIMUM_ZERO",
    "CART_SNAPSHOT_LIVE",
    "CREATED_AT_MISSING",
    "DESCRIPTION_MAX_LENGTH_OFF_BY_ONE",
    "FAULTS",
    "FULL_REFUND_STATUS_PARTIAL",
    "INVOICE_ID_AS_STRING",
    "LIST_DATE_TO_EXCLUSIVE",
    "LIST_LAST_PAGE_OFF_BY_ONE",
    "LIST_SEARCH_IGNORES_ORDER_ID",
    "LIST_SORT_AMOUNT_AS_TEXT",
    "LIST_STATUS_FILTER_IGNORED",
    "MONEY_TRAILING_ZEROS_DROPPED",
    "PER_PAGE_MAXIMUM_OFF_BY_ONE",
    "PHONE_PATTERN_OFF_BY_ONE",
    "RATELIMIT_BODY_WITHOUT_RETRY_AFTER",
    "RATELIMIT_HEADER_MISSING_ON_ERRORS",
    "REFUND_LIST_INVOICE_FILTER_IGNORED",
    "REFUND_RACE_DOUBLE_REFUND",
    "REFUND_ROUNDING_TRUNCATED",
    "REFUND_SUM_UNCHECKED",
    "SERVER_ERROR_ON_NUL_BYTE",
    "SERVER_ERROR_PAST_LAST_PAGE",
    "TENANT_LEAK_CANCEL",
    "TENANT_LEAK_CART_ITEM",
    "TENANT_LEAK_CATALOG_DELETE",
    "TENANT_LEAK_CATALOG_LIST",
    "TENANT_LEAK_CATALOG_UPDATE",
    "TENANT_LEAK_GET",
    "TENANT_LEAK_LIST",
    "TENANT_LEAK_REFUND",
    "TENANT_LEAK_REFUND_LIST",
    "TENANT_LEAK_REFUND_TOTALS",
    "TENANT_LEAK_STATUS_CHECK",
    "TENANT_LEAK_WEBHOOK_ID",
    "TOTAL_REFUNDED_NULL",
    "UNVERIFIED_ORG_ALLOWED",
    "WEBHOOK_MISSING_ON_CANCEL",
    "WEBHOOK_ON_REFUSED_CANCEL",
    "WEBHOOK_REFUND_TOTAL_STALE",
    "WEBHOOK_SIGNATURE_WRONG",
    "Fault",
    "Faults",
    "transition_fault",
]


@dataclass(frozen=True, slots=True)
class Fault:
    """One named way to break the contract."""

    name: str
    description: str
    hook: str
    versions: tuple[str, ...] = (DEFAULT_VERSION,)
    """The API versions whose mock has this fault (each version's catalog holds its own)."""


FAULTS: Registry[Fault] = Registry("fault", list_sorted=True)
"""Every fault by name, in catalog order."""


def _fault(name: str, *, hook: str, description: str) -> Fault:
    return FAULTS.add(Fault(name, description, hook))


# -- the first faults ----------------------------------------------------------------------------------

PHONE_PATTERN_OFF_BY_ONE = _fault(
    "phone_pattern_off_by_one",
    hook="spec.phone_pattern",
    description="Phone numbers with 9 or 11 digits after the leading 8 are accepted (the pattern's count is off "
    "by one).",
)

REFUND_SUM_UNCHECKED = _fault(
    "refund_sum_unchecked",
    hook="refund.availability",
    description="A refund larger than available_for_refund is accepted, so refunds can add up past the invoice amount.",
)

REFUND_RACE_DOUBLE_REFUND = _fault(
    "refund_race_double_refund",
    hook="refund.record",
    description="Refunds await a simulated Kaspi call between the availability check and the write, so parallel "
    "ones overshoot.",
)

TENANT_LEAK_GET = _fault(
    "tenant_leak_get",
    hook="invoice.get.tenancy",
    description="GET /invoices/{id} returns another organization's invoice instead of 404.",
)

LIST_STATUS_FILTER_IGNORED = _fault(
    "list_status_filter_ignored",
    hook="invoice.list.status",
    description="GET /invoices ignores its status[] filter and lists invoices of every status.",
)

WEBHOOK_SIGNATURE_WRONG = _fault(
    "webhook_signature_wrong",
    hook="webhook.sign",
    description="Webhook signatures are computed over a re-serialized body rather than the exact bytes sent.",
)


# -- bounds ------------------------------------------------------------------------------------------


AMOUNT_MINIMUM_ZERO = _fault(
    "amount_minimum_zero",
    hook="spec.bounds",
    description="An invoice amount of 0 is accepted: the lower bound is checked as minimum 0 instead of 0.01.",
)

AMOUNT_MAXIMUM_OFF_BY_ONE = _fault(
    "amount_maximum_off_by_one",
    hook="spec.bounds",
    description="An invoice amount of 100000000 is accepted: the upper bound is one kopeck too high.",
)

DESCRIPTION_MAX_LENGTH_OFF_BY_ONE = _fault(
    "description_max_length_off_by_one",
    hook="spec.bounds",
    description="An invoice description of 501 characters is accepted (the limit is checked as ``<= 501``).",
)

PER_PAGE_MAXIMUM_OFF_BY_ONE = _fault(
    "per_page_maximum_off_by_one",
    hook="spec.bounds",
    description="``per_page=101`` is accepted by the lists instead of answering 422.",
)

CART_COUNT_MINIMUM_ZERO = _fault(
    "cart_count_minimum_zero",
    hook="spec.bounds",
    description="A cart line with ``count: 0`` is accepted and adds nothing to the amount.",
)


_S = ("components", "schemas")
_SPEC_EDITS: dict[Fault, tuple[tuple[str, ...], str, object]] = {
    AMOUNT_MINIMUM_ZERO: ((*_S, "AmountInput"), "minimum", 0),
    AMOUNT_MAXIMUM_OFF_BY_ONE: ((*_S, "AmountInput"), "maximum", 100000000),
    DESCRIPTION_MAX_LENGTH_OFF_BY_ONE: ((*_S, "CreateInvoiceRequest", "properties", "description"), "maxLength", 501),
    PER_PAGE_MAXIMUM_OFF_BY_ONE: (("components", "parameters", "PerPage", "schema"), "maximum", 101),
    CART_COUNT_MINIMUM_ZERO: ((*_S, "CartItemInput", "properties", "count"), "minimum", 0),
}
"""Where each ``spec.bounds`` fault moves a bound: (path in the spec, keyword, the wrong value)."""


# -- forbidden transitions: one fault per (action, status) pair the mock's own rules forbid ----------


_TRANSITIONS: dict[tuple[Action, str], Fault] = {
    (action, status): _fault(
        allowed_fault(action.name, status), hook=action.hook, description=action.fault_sentence(status)
    )
    for action, status in forbidden_pairs()
}
"""The family, generated from the rules' one declaration so no pair is forgotten and none is written twice."""


def transition_fault(action: Action, status: str) -> Fault:
    """The fault that lets ``action`` through from ``status``, a status the rules forbid it from."""
    return _TRANSITIONS[action, status]


CANCEL_STUCK_CANCELLING = _fault(
    "cancel_stuck_cancelling",
    hook="invoice.cancel.settle",
    description="An async cancel is never completed: the invoice stays ``cancelling`` however long one waits.",
)


# -- money -------------------------------------------------------------------------------------------


REFUND_ROUNDING_TRUNCATED = _fault(
    "refund_rounding_truncated",
    hook="refund.amount",
    description="A refund's kopecks are dropped: a refund of 2500.75 is recorded as 2500.00.",
)

FULL_REFUND_STATUS_PARTIAL = _fault(
    "full_refund_status_partial",
    hook="refund.status",
    description="Refunds that add up to the whole amount leave the invoice ``partially_refunded`` instead of "
    "``refunded``.",
)

AVAILABLE_FOR_REFUND_STALE = _fault(
    "available_for_refund_stale",
    hook="refund.answer",
    description="The refund answer's ``available_for_refund`` is the value from before the refund was recorded.",
)

CART_AMOUNT_IGNORES_COUNT = _fault(
    "cart_amount_ignores_count",
    hook="invoice.create",
    description="A cart invoice's amount adds up the item prices without multiplying by their counts.",
)


# -- response shape ----------------------------------------------------------------------------------


INVOICE_ID_AS_STRING = _fault(
    "invoice_id_as_string",
    hook="invoice.render",
    description='``GET /invoices/{id}`` returns the id as a string (``"42"``) instead of an integer.',
)

CREATED_AT_MISSING = _fault(
    "created_at_missing",
    hook="invoice.render",
    description="``GET /invoices/{id}`` leaves out the required ``created_at`` field.",
)

TOTAL_REFUNDED_NULL = _fault(
    "total_refunded_null",
    hook="invoice.render",
    description='``GET /invoices/{id}`` shows ``total_refunded: null`` until the first refund instead of ``"0.00"``.',
)

MONEY_TRAILING_ZEROS_DROPPED = _fault(
    "money_trailing_zeros_dropped",
    hook="invoice.render",
    description='``GET /invoices/{id}`` renders money without its two decimals (``"10000"``, ``"1500.5"``).',
)

CART_SNAPSHOT_LIVE = _fault(
    "cart_snapshot_live",
    hook="invoice.render",
    description="A cart invoice's items show the catalog's current price, not the snapshot taken at creation.",
)


# -- auth and tenancy --------------------------------------------------------------------------------


UNVERIFIED_ORG_ALLOWED = _fault(
    "unverified_org_allowed",
    hook="auth.verified",
    description="A key of an unverified organization is served as if verified instead of answering 403.",
)

TENANT_LEAK_LIST = _fault(
    "tenant_leak_list",
    hook="invoice.list.tenancy",
    description="``GET /invoices`` lists every organization's invoices, not only the caller's.",
)

TENANT_LEAK_REFUND_TOTALS = _fault(
    "tenant_leak_refund_totals",
    hook="refund.totals.tenancy",
    description="``GET /invoices/{id}/refunds`` shows another organization's refund totals instead of 404.",
)

TENANT_LEAK_CANCEL = _fault(
    "tenant_leak_cancel",
    hook="invoice.tenancy",
    description="``POST /invoices/{id}/cancel`` cancels another organization's invoice instead of answering 404.",
)

TENANT_LEAK_REFUND = _fault(
    "tenant_leak_refund",
    hook="invoice.tenancy",
    description="``POST /invoices/{id}/refund`` refunds another organization's paid invoice instead of answering 404.",
)

TENANT_LEAK_REFUND_LIST = _fault(
    "tenant_leak_refund_list",
    hook="refund.list.tenancy",
    description="``GET /refunds`` lists every organization's refunds, not only the caller's.",
)

TENANT_LEAK_STATUS_CHECK = _fault(
    "tenant_leak_status_check",
    hook="invoice.status_check.tenancy",
    description="``POST /invoices/status/check`` reports every organization's pending invoices, not only the caller's.",
)

TENANT_LEAK_WEBHOOK_ID = _fault(
    "tenant_leak_webhook_id",
    hook="invoice.create.webhook",
    description="``POST /invoices`` accepts another organization's ``webhook_id``, so the invoice's events go to "
    "its URL.",
)

TENANT_LEAK_CART_ITEM = _fault(
    "tenant_leak_cart_item",
    hook="invoice.create.cart",
    description="A cart invoice may take another organization's catalog item, at that organization's price.",
)

TENANT_LEAK_CATALOG_LIST = _fault(
    "tenant_leak_catalog_list",
    hook="catalog.list.tenancy",
    description="``GET /catalog`` lists every organization's catalog items, not only the caller's.",
)

TENANT_LEAK_CATALOG_UPDATE = _fault(
    "tenant_leak_catalog_update",
    hook="catalog.item.tenancy",
    description="``PATCH /catalog/{id}`` changes another organization's catalog item instead of answering 404.",
)

TENANT_LEAK_CATALOG_DELETE = _fault(
    "tenant_leak_catalog_delete",
    hook="catalog.item.tenancy",
    description="``DELETE /catalog/{id}`` deletes another organization's catalog item instead of answering 404.",
)


# -- lists -------------------------------------------------------------------------------------------


LIST_LAST_PAGE_OFF_BY_ONE = _fault(
    "list_last_page_off_by_one",
    hook="invoice.list.page",
    description="``meta.last_page`` is computed as ``total // per_page + 1``, one too many when total is a multiple.",
)

LIST_DATE_TO_EXCLUSIVE = _fault(
    "list_date_to_exclusive",
    hook="invoice.list.filter",
    description="``date_to`` is treated as exclusive, so invoices created on that day are left out.",
)

LIST_SEARCH_IGNORES_ORDER_ID = _fault(
    "list_search_ignores_order_id",
    hook="invoice.list.filter",
    description="``search`` looks only in the description, not in ``external_order_id``.",
)

LIST_SORT_AMOUNT_AS_TEXT = _fault(
    "list_sort_amount_as_text",
    hook="invoice.list.sort",
    description='``sort_by=amount`` sorts amounts as text, so ``"9.00"`` comes after ``"10.00"``.',
)

REFUND_LIST_INVOICE_FILTER_IGNORED = _fault(
    "refund_list_invoice_filter_ignored",
    hook="refund.list.filter",
    description="``GET /refunds`` ignores ``invoice_id`` and lists the refunds of every invoice.",
)


# -- webhooks ----------------------------------------------------------------------------------------


WEBHOOK_MISSING_ON_CANCEL = _fault(
    "webhook_missing_on_cancel",
    hook="webhook.notify",
    description="No ``invoice.status_changed`` webhook is sent when an invoice becomes cancelled.",
)

WEBHOOK_ON_REFUSED_CANCEL = _fault(
    "webhook_on_refused_cancel",
    hook="webhook.notify",
    description="A refused cancel (the invoice is no longer pending) still sends ``invoice.status_changed`` "
    "saying cancelled.",
)

WEBHOOK_REFUND_TOTAL_STALE = _fault(
    "webhook_refund_total_stale",
    hook="webhook.notify",
    description="The ``invoice.refunded`` webhook carries ``total_refunded`` from before the refund it announces.",
)


# -- robustness and rate limit -----------------------------------------------------------------------


SERVER_ERROR_ON_NUL_BYTE = _fault(
    "server_error_on_nul_byte",
    hook="invoice.create",
    description="A NUL character in an invoice's description or external_order_id crashes the database write: 500.",
)

SERVER_ERROR_PAST_LAST_PAGE = _fault(
    "server_error_past_last_page",
    hook="invoice.list.page",
    description="``GET /invoices`` with a page past the last one answers 500 instead of an empty ``data`` list.",
)

RATELIMIT_HEADER_MISSING_ON_ERRORS = _fault(
    "ratelimit_header_missing_on_errors",
    hook="ratelimit.header",
    description="``X-RateLimit-Remaining`` is sent on 2xx answers only, not on 4xx ones.",
)

RATELIMIT_BODY_WITHOUT_RETRY_AFTER = _fault(
    "ratelimit_body_without_retry_after",
    hook="ratelimit.body",
    description="A 429 answer's body leaves out ``retry_after``.",
)


class Faults:
    """The set of faults a mock runs with."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._active = frozenset(FAULTS.named(names))

    def on(self, fault: Fault) -> bool:
        """Whether ``fault`` (a constant of this module, never its name) is switched on."""
        if not isinstance(fault, Fault):
            raise TypeError(f"ask by a Fault constant of apipay_harness.mock.faults, not {fault!r}")
        return fault in self._active

    @property
    def names(self) -> tuple[str, ...]:
        """The active faults' names, sorted."""
        return tuple(sorted(fault.name for fault in self._active))

    def edit_spec(self, spec: dict[str, Any]) -> dict[str, Any]:
        """The spec the validators are compiled from, with the active ``spec.bounds`` faults' bounds moved."""
        edits = [edit for fault, edit in _SPEC_EDITS.items() if fault in self._active]
        if not edits:
            return spec
        spec = copy.deepcopy(spec)
        for path, keyword, value in edits:
            node: Any = spec
            for part in path:
                node = node[part]
            node[keyword] = value
        return spec

    def reshape(self, body: dict[str, Any], *, prices: Mapping[int, Decimal]) -> dict[str, Any]:
        """An invoice body as the active ``invoice.render`` faults show it (``prices``: the catalog's today)."""
        if self.on(INVOICE_ID_AS_STRING):
            body["id"] = str(body["id"])
        if self.on(CREATED_AT_MISSING):
            body.pop("created_at", None)
        if self.on(TOTAL_REFUNDED_NULL) and body.get("total_refunded") == "0.00":
            body["total_refunded"] = None
        if self.on(MONEY_TRAILING_ZEROS_DROPPED):
            for key in ("amount", "total_refunded", "available_for_refund"):
                if isinstance(body.get(key), str):
                    body[key] = format(Decimal(body[key]).normalize(), "f")
        if self.on(CART_SNAPSHOT_LIVE):
            for item in body.get("items") or []:
                if item.get("catalog_item_id") in prices:
                    item["price"] = money(prices[item["catalog_item_id"]])
        return body
