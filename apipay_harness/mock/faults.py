"""The fault catalog: realistic ways a server breaks the contract, switched on by name.

Each entry is one function registered with ``@fault(hook=...)``; its docstring says what
breaks and ``hook`` names the point in the mock's code that consults it. The code asks
``faults.on("name")`` at that point, so adding a fault is one entry here plus one ``if``
at its hook. One family is generated instead of written: a fault per (action, status)
pair that the mock's own rules (``mock/rules.py``) forbid, named ``<action>_<status>_allowed``,
each consulted by that action's guard. ``apipay-harness mock --fault NAME`` checks names
against this registry.

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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apipay_harness.core.errors import UsageError
from apipay_harness.mock.money import money
from apipay_harness.mock.rules import allowed_fault, forbidden_pairs

__all__ = ["FAULTS", "Fault", "Faults", "fault"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One named way to break the contract."""

    name: str
    description: str
    hook: str


FAULTS: dict[str, Fault] = {}


def fault(*, hook: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register the decorated function's name and docstring as a fault at ``hook``."""

    def register(func: Callable[[], None]) -> Callable[[], None]:
        _register(func.__name__, (func.__doc__ or "").strip(), hook)
        return func

    return register


def _register(name: str, description: str, hook: str) -> None:
    if name in FAULTS:
        raise ValueError(f"fault {name!r} is registered twice")
    FAULTS[name] = Fault(name, description, hook)


class Faults:
    """The set of faults a mock runs with."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        names = tuple(names)
        unknown = [n for n in names if n not in FAULTS]
        if unknown:
            raise UsageError(f"unknown fault(s) {', '.join(unknown)}; valid names: {', '.join(sorted(FAULTS))}")
        self._active = frozenset(names)

    def on(self, name: str) -> bool:
        """Whether fault ``name`` is switched on."""
        return name in self._active

    @property
    def names(self) -> tuple[str, ...]:
        """The active faults, sorted."""
        return tuple(sorted(self._active))

    def edit_spec(self, spec: dict[str, Any]) -> dict[str, Any]:
        """The spec the validators are compiled from, with the active ``spec.bounds`` faults' bounds moved."""
        edits = [edit for name, edit in _SPEC_EDITS.items() if name in self._active]
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
        if self.on("invoice_id_as_string"):
            body["id"] = str(body["id"])
        if self.on("created_at_missing"):
            body.pop("created_at", None)
        if self.on("total_refunded_null") and body.get("total_refunded") == "0.00":
            body["total_refunded"] = None
        if self.on("money_trailing_zeros_dropped"):
            for key in ("amount", "total_refunded", "available_for_refund"):
                if isinstance(body.get(key), str):
                    body[key] = format(Decimal(body[key]).normalize(), "f")
        if self.on("cart_snapshot_live"):
            for item in body.get("items") or []:
                if item.get("catalog_item_id") in prices:
                    item["price"] = money(prices[item["catalog_item_id"]])
        return body


@fault(hook="spec.phone_pattern")
def phone_pattern_off_by_one() -> None:
    """Phone numbers with 9 or 11 digits after the leading 8 are accepted (the pattern's count is off by one)."""


@fault(hook="refund.availability")
def refund_sum_unchecked() -> None:
    """A refund larger than available_for_refund is accepted, so refunds can add up past the invoice amount."""


@fault(hook="refund.record")
def refund_race_double_refund() -> None:
    """Refunds await a simulated Kaspi call between the availability check and the write, so parallel ones overshoot."""


@fault(hook="invoice.get.tenancy")
def tenant_leak_get() -> None:
    """GET /invoices/{id} returns another organization's invoice instead of 404."""


@fault(hook="invoice.list.status")
def list_status_filter_ignored() -> None:
    """GET /invoices ignores its status[] filter and lists invoices of every status."""


@fault(hook="webhook.sign")
def webhook_signature_wrong() -> None:
    """Webhook signatures are computed over a re-serialized body rather than the exact bytes sent."""


_S = ("components", "schemas")
_SPEC_EDITS: dict[str, tuple[tuple[str, ...], str, object]] = {
    "amount_minimum_zero": ((*_S, "AmountInput"), "minimum", 0),
    "amount_maximum_off_by_one": ((*_S, "AmountInput"), "maximum", 100000000),
    "description_max_length_off_by_one": ((*_S, "CreateInvoiceRequest", "properties", "description"), "maxLength", 501),
    "per_page_maximum_off_by_one": (("components", "parameters", "PerPage", "schema"), "maximum", 101),
    "cart_count_minimum_zero": ((*_S, "CartItemInput", "properties", "count"), "minimum", 0),
}
"""Where each ``spec.bounds`` fault moves a bound: (path in the spec, keyword, the wrong value)."""


# -- bounds ------------------------------------------------------------------------------------------


@fault(hook="spec.bounds")
def amount_minimum_zero() -> None:
    """An invoice amount of 0 is accepted: the lower bound is checked as minimum 0 instead of 0.01."""


@fault(hook="spec.bounds")
def amount_maximum_off_by_one() -> None:
    """An invoice amount of 100000000 is accepted: the upper bound is one kopeck too high."""


@fault(hook="spec.bounds")
def description_max_length_off_by_one() -> None:
    """An invoice description of 501 characters is accepted (the limit is checked as ``<= 501``)."""


@fault(hook="spec.bounds")
def per_page_maximum_off_by_one() -> None:
    """``per_page=101`` is accepted by the lists instead of answering 422."""


@fault(hook="spec.bounds")
def cart_count_minimum_zero() -> None:
    """A cart line with ``count: 0`` is accepted and adds nothing to the amount."""


# -- forbidden transitions: one fault per (action, status) pair the mock's own rules forbid ----------


def _register_transition_faults() -> None:
    """Generate the family from the rules' one declaration, so no pair is forgotten and none is written twice."""
    for action, status in forbidden_pairs():
        _register(allowed_fault(action.name, status), action.fault_sentence(status), action.hook)


_register_transition_faults()


@fault(hook="invoice.cancel.settle")
def cancel_stuck_cancelling() -> None:
    """An async cancel is never completed: the invoice stays ``cancelling`` however long one waits."""


# -- money -------------------------------------------------------------------------------------------


@fault(hook="refund.amount")
def refund_rounding_truncated() -> None:
    """A refund's kopecks are dropped: a refund of 2500.75 is recorded as 2500.00."""


@fault(hook="refund.status")
def full_refund_status_partial() -> None:
    """Refunds that add up to the whole amount leave the invoice ``partially_refunded`` instead of ``refunded``."""


@fault(hook="refund.answer")
def available_for_refund_stale() -> None:
    """The refund answer's ``available_for_refund`` is the value from before the refund was recorded."""


@fault(hook="invoice.create")
def cart_amount_ignores_count() -> None:
    """A cart invoice's amount adds up the item prices without multiplying by their counts."""


# -- response shape ----------------------------------------------------------------------------------


@fault(hook="invoice.render")
def invoice_id_as_string() -> None:
    """``GET /invoices/{id}`` returns the id as a string (``"42"``) instead of an integer."""


@fault(hook="invoice.render")
def created_at_missing() -> None:
    """``GET /invoices/{id}`` leaves out the required ``created_at`` field."""


@fault(hook="invoice.render")
def total_refunded_null() -> None:
    """``GET /invoices/{id}`` shows ``total_refunded: null`` until the first refund instead of ``"0.00"``."""


@fault(hook="invoice.render")
def money_trailing_zeros_dropped() -> None:
    """``GET /invoices/{id}`` renders money without its two decimals (``"10000"``, ``"1500.5"``)."""


@fault(hook="invoice.render")
def cart_snapshot_live() -> None:
    """A cart invoice's items show the catalog's current price, not the snapshot taken at creation."""


# -- auth and tenancy --------------------------------------------------------------------------------


@fault(hook="auth.verified")
def unverified_org_allowed() -> None:
    """A key of an unverified organization is served as if verified instead of answering 403."""


@fault(hook="invoice.list.tenancy")
def tenant_leak_list() -> None:
    """``GET /invoices`` lists every organization's invoices, not only the caller's."""


@fault(hook="refund.totals.tenancy")
def tenant_leak_refund_totals() -> None:
    """``GET /invoices/{id}/refunds`` shows another organization's refund totals instead of 404."""


@fault(hook="invoice.tenancy")
def tenant_leak_cancel() -> None:
    """``POST /invoices/{id}/cancel`` cancels another organization's invoice instead of answering 404."""


@fault(hook="invoice.tenancy")
def tenant_leak_refund() -> None:
    """``POST /invoices/{id}/refund`` refunds another organization's paid invoice instead of answering 404."""


@fault(hook="refund.list.tenancy")
def tenant_leak_refund_list() -> None:
    """``GET /refunds`` lists every organization's refunds, not only the caller's."""


@fault(hook="invoice.status_check.tenancy")
def tenant_leak_status_check() -> None:
    """``POST /invoices/status/check`` reports every organization's pending invoices, not only the caller's."""


@fault(hook="invoice.create.webhook")
def tenant_leak_webhook_id() -> None:
    """``POST /invoices`` accepts another organization's ``webhook_id``, so the invoice's events go to its URL."""


@fault(hook="invoice.create.cart")
def tenant_leak_cart_item() -> None:
    """A cart invoice may take another organization's catalog item, at that organization's price."""


@fault(hook="catalog.list.tenancy")
def tenant_leak_catalog_list() -> None:
    """``GET /catalog`` lists every organization's catalog items, not only the caller's."""


@fault(hook="catalog.item.tenancy")
def tenant_leak_catalog_update() -> None:
    """``PATCH /catalog/{id}`` changes another organization's catalog item instead of answering 404."""


@fault(hook="catalog.item.tenancy")
def tenant_leak_catalog_delete() -> None:
    """``DELETE /catalog/{id}`` deletes another organization's catalog item instead of answering 404."""


# -- lists -------------------------------------------------------------------------------------------


@fault(hook="invoice.list.page")
def list_last_page_off_by_one() -> None:
    """``meta.last_page`` is computed as ``total // per_page + 1``, one too many when total is a multiple."""


@fault(hook="invoice.list.filter")
def list_date_to_exclusive() -> None:
    """``date_to`` is treated as exclusive, so invoices created on that day are left out."""


@fault(hook="invoice.list.filter")
def list_search_ignores_order_id() -> None:
    """``search`` looks only in the description, not in ``external_order_id``."""


@fault(hook="invoice.list.sort")
def list_sort_amount_as_text() -> None:
    """``sort_by=amount`` sorts amounts as text, so ``"9.00"`` comes after ``"10.00"``."""


@fault(hook="refund.list.filter")
def refund_list_invoice_filter_ignored() -> None:
    """``GET /refunds`` ignores ``invoice_id`` and lists the refunds of every invoice."""


# -- webhooks ----------------------------------------------------------------------------------------


@fault(hook="webhook.notify")
def webhook_missing_on_cancel() -> None:
    """No ``invoice.status_changed`` webhook is sent when an invoice becomes cancelled."""


@fault(hook="webhook.notify")
def webhook_on_refused_cancel() -> None:
    """A refused cancel (the invoice is no longer pending) still sends ``invoice.status_changed`` saying cancelled."""


@fault(hook="webhook.notify")
def webhook_refund_total_stale() -> None:
    """The ``invoice.refunded`` webhook carries ``total_refunded`` from before the refund it announces."""


# -- robustness and rate limit -----------------------------------------------------------------------


@fault(hook="invoice.create")
def server_error_on_nul_byte() -> None:
    """A NUL character in an invoice's description or external_order_id crashes the database write: 500."""


@fault(hook="invoice.list.page")
def server_error_past_last_page() -> None:
    """``GET /invoices`` with a page past the last one answers 500 instead of an empty ``data`` list."""


@fault(hook="ratelimit.header")
def ratelimit_header_missing_on_errors() -> None:
    """``X-RateLimit-Remaining`` is sent on 2xx answers only, not on 4xx ones."""


@fault(hook="ratelimit.body")
def ratelimit_body_without_retry_after() -> None:
    """A 429 answer's body leaves out ``retry_after``."""
