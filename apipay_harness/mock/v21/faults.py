"""The faults of API 2.1: one broken 2.1 rule each, declared once here, asked for by constant.

They are the 2.1 mock's own catalog (the seed's faults speak of the 2026-02-13 rules and do not apply to
2.1): ``apipay-harness mock --api-version 2.1 --fault NAME`` takes these names and no others, and each is
killed by a test of ``tests/mock/v21`` (``tests/mock/v21/killers.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from apipay_harness.mock.faults import Fault
from apipay_harness.mock.registry import Registry

__all__ = [
    "AMOUNT_FRACTION_ACCEPTED",
    "CANCEL_PROCESSING_REFUSED",
    "CREATE_ANSWERS_PENDING",
    "FAILED_REFUND_KEEPS_COUNTING",
    "FAULTS_21",
    "FULL_REFUND_SETS_REFUNDED",
    "IDEMPOTENCY_KEY_IGNORED",
    "IDEMPOTENCY_KEY_NEVER_FREED",
    "LATE_PAYMENT_REFUSED",
    "LIST_NESTED_META",
    "PARTIAL_REFUND_KEEPS_PAID",
    "PROCESSING_SETTLES_TO_PAID",
    "RATELIMIT_429_WITHOUT_RETRY_AFTER",
    "RATELIMIT_LIMIT_HEADER_MISSING",
    "REFUND_COUNTED_AT_ONCE",
    "REFUND_EVENT_WITHOUT_REFUND",
    "REFUND_TOTALS_AS_STRINGS",
    "SIMULATE_SENDS_NO_WEBHOOK",
    "SIMULATE_STATUS_FROM_ANY_STATUS",
    "STATUS_CHECK_SHOWS_FOREIGN",
    "VERSION",
    "WEBHOOK_NOT_RETRIED_AFTER_500",
    "WEBHOOK_ON_PROCESSING",
    "Faults21",
]

VERSION = "2.1"


FAULTS_21: Registry[Fault] = Registry("fault", list_sorted=True)
"""Every 2.1 fault by name; ``FAULTS_21.named`` checks the names a user types (the seed's registry class)."""


def _fault(name: str, *, hook: str, description: str) -> Fault:
    return FAULTS_21.add(Fault(name, description, hook, versions=(VERSION,)))


CREATE_ANSWERS_PENDING = _fault(
    "create_answers_pending",
    hook="invoice21.create.status",
    description="POST /invoices answers 201 with status pending (the February answer) instead of processing.",
)
IDEMPOTENCY_KEY_IGNORED = _fault(
    "idempotency_key_ignored",
    hook="invoice21.create.idempotency",
    description="A create with the external_order_id_idempotency of a live invoice makes a second invoice "
    "instead of answering 409 duplicate_idempotency_key.",
)
FULL_REFUND_SETS_REFUNDED = _fault(
    "full_refund_sets_refunded",
    hook="refund21.finish",
    description="A completed refund that leaves nothing to refund sets the invoice to refunded, a status 2.1 "
    "does not have (it stays paid or partially_refunded with is_fully_refunded).",
)
WEBHOOK_NOT_RETRIED_AFTER_500 = _fault(
    "webhook_not_retried_after_500",
    hook="webhook21.retry",
    description="A webhook delivery answered 5xx (or 429, or not at all) is never retried.",
)
RATELIMIT_429_WITHOUT_RETRY_AFTER = _fault(
    "ratelimit_429_without_retry_after",
    hook="ratelimit21.refuse",
    description="A 429 carries no Retry-After header.",
)
SIMULATE_STATUS_FROM_ANY_STATUS = _fault(
    "simulate_status_from_any_status",
    hook="invoice21.simulate.guard",
    description="simulate-status moves an invoice from any status (a paid one to cancelled, say) instead of "
    "answering 400 invalid_status_transition when it is not pending.",
)

REFUND_COUNTED_AT_ONCE = _fault(
    "refund_counted_at_once",
    hook="refund21.queue",
    description="A queued refund counts in total_refunded as soon as it is accepted (the February answer), and "
    "pending_refund_amount leaves it out.",
)
FAILED_REFUND_KEEPS_COUNTING = _fault(
    "failed_refund_keeps_counting",
    hook="refund21.fail",
    description="A failed refund keeps holding its amount: available_for_refund does not get it back.",
)
PARTIAL_REFUND_KEEPS_PAID = _fault(
    "partial_refund_keeps_paid",
    hook="refund21.finish.status",
    description="A completed partial refund leaves the invoice paid instead of moving it to partially_refunded.",
)
AMOUNT_FRACTION_ACCEPTED = _fault(
    "amount_fraction_accepted",
    hook="invoice21.create.whole_tenge",
    description="A phone invoice with a fractional amount (10.5) is created instead of refused with 422 "
    "amount_must_be_whole_tenge: whole tenge are not enforced.",
)
LIST_NESTED_META = _fault(
    "list_nested_meta",
    hook="list21.page",
    description="GET /invoices and GET /refunds answer the April shape {data, meta: {current_page, last_page, "
    "per_page, total}} instead of the flat {current_page, data, total}.",
)
PROCESSING_SETTLES_TO_PAID = _fault(
    "processing_settles_to_paid",
    hook="invoice21.settle",
    description="A processing invoice Kaspi accepts settles straight to paid, with no payment, instead of to pending.",
)
WEBHOOK_ON_PROCESSING = _fault(
    "webhook_on_processing",
    hook="webhook21.create",
    description="Creating an invoice sends invoice.status_changed for processing, a technical status that sends none.",
)

IDEMPOTENCY_KEY_NEVER_FREED = _fault(
    "idempotency_key_never_freed",
    hook="invoice21.create.idempotency",
    description="An idempotency key stays taken after its invoice ended (cancelled, expired or error): a new "
    "create with it is 409 instead of a new invoice.",
)
CANCEL_PROCESSING_REFUSED = _fault(
    "cancel_processing_refused",
    hook="invoice21.cancel.guard",
    description="A cancel of a processing invoice is refused with 400, though processing may be cancelled.",
)
LATE_PAYMENT_REFUSED = _fault(
    "late_payment_refused",
    hook="invoice21.pay.guard",
    description="A late payment of a cancelled or expired invoice is refused (409) instead of reopening it as paid.",
)
REFUND_EVENT_WITHOUT_REFUND = _fault(
    "refund_event_without_refund",
    hook="webhook21.refund",
    description="invoice.refunded carries the invoice's totals but not the refund it reports.",
)
REFUND_TOTALS_AS_STRINGS = _fault(
    "refund_totals_as_strings",
    hook="refund21.answer",
    description='The refund answer writes available_for_refund and pending_refund_amount as money strings ("5000.00"), '
    "not numbers.",
)
STATUS_CHECK_SHOWS_FOREIGN = _fault(
    "status_check_shows_foreign",
    hook="invoice21.status_check.tenancy",
    description="POST /invoices/status/check answers the listed invoices of other organizations too.",
)
RATELIMIT_LIMIT_HEADER_MISSING = _fault(
    "ratelimit_limit_header_missing",
    hook="ratelimit21.headers",
    description="Answers carry X-RateLimit-Remaining but not X-RateLimit-Limit.",
)
SIMULATE_SENDS_NO_WEBHOOK = _fault(
    "simulate_sends_no_webhook",
    hook="invoice21.simulate.notify",
    description="simulate-status moves the invoice without sending the invoice.status_changed its new status sends.",
)


class Faults21:
    """The 2.1 faults a mock runs with."""

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self._active = frozenset(faults)

    def on(self, fault: Fault) -> bool:
        """Whether ``fault`` (a constant of this module, never its name) is switched on."""
        if not isinstance(fault, Fault):
            raise TypeError(f"ask by a Fault constant of apipay_harness.mock.v21.faults, not {fault!r}")
        return fault in self._active

    @property
    def names(self) -> tuple[str, ...]:
        """The active faults' names, sorted."""
        return tuple(sorted(f.name for f in self._active))
