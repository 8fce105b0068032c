"""The variant catalog: other behaviours the provider's documents allow, switched on by name.

Variants are the dual of the fault catalog (``faults.py``): a fault is a server that breaks the
contract, which the suites must catch; a variant is another correct server, which the suites
must pass. Each variant rests on a sentence or example of the provider's documents of
2026-02-13 (or on what they leave unsaid), quoted in its entry with the file it comes from.

Each entry is a ``Variant`` bound to a module-level constant. The mock asks
``store.variants.on(CONSTANT)`` where it behaves differently, so a misspelt variant fails at
import, never as a string that silently matches nothing. Names typed by a user are checked by
``select()``: an unknown name (``VARIANTS.named``, which checks fault names the same way) or two
variants that cannot both hold is a ``UsageError`` (exit 2) that lists the valid names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from apipay_harness.core.errors import UsageError
from apipay_harness.mock.registry import Registry

__all__ = [
    "AMOUNT_WINS_OVER_CART",
    "AVAILABLE_BEFORE_PAYMENT",
    "CANCEL_DELAYS_VARY",
    "CANCEL_SYNCHRONOUS",
    "CART_AMOUNT_VALIDATED",
    "CREATE_ANSWER_OMITS_UNSET",
    "DATES_IN_ALMATY",
    "DOCS_VERSION",
    "ERROR_KEYS_BRACKETED",
    "EXTRA_PROPERTIES",
    "FAILED_REFUNDS_STILL_COUNT",
    "IDS_SPARSE_UNORDERED",
    "INVOICES_EXPIRE_SOONER",
    "MESSAGES_REWORDED",
    "OPTIONAL_FIELDS_ABSENT",
    "OVER_REFUND_REFUSED_400",
    "RATELIMIT_OTHER_BUDGET",
    "REFUNDS_PASS_THROUGH_PROCESSING",
    "REFUND_ANSWER_AS_DOCUMENTED",
    "REFUNDS_SOMETIMES_FAIL",
    "REFUND_DELAYS_VARY",
    "SEARCH_CASE_SENSITIVE",
    "SEARCH_MATCHES_IDS",
    "STATUS_CHECK_LISTS_NONE",
    "TIMESTAMPS_LONG_FORM",
    "UNSTATED_ORDERS_REVERSED",
    "VARIANTS",
    "WEBHOOKS_DELAYED",
    "WEBHOOK_DUPLICATES",
    "WEBHOOK_SOURCE_API",
    "Variant",
    "Variants",
    "compatible_groups",
    "select",
]

DOCS_VERSION = "2026-02-13"
"""The provider's documents every ``Variant.source`` is a path in (``shared/provider/<DOCS_VERSION>/``)."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One other behaviour the documents allow, and the words it rests on."""

    name: str
    description: str
    """One sentence: what the mock does differently with this variant on."""
    source: str
    """The document, as a path under the provider's ``DOCS_VERSION`` folder (``docs/en/refunds.md``)."""
    section: str
    """Where in that document (a heading or the operation)."""
    quote: str
    """The words of the document the variant rests on, verbatim (runs of whitespace written as one space)."""
    conflicts: tuple[Variant, ...] = ()
    """Variants that cannot hold at the same time as this one (declared on one side, checked both ways)."""
    versions: tuple[str, ...] = (DOCS_VERSION,)
    """The API versions whose mock has this variant (each version's catalog holds its own)."""
    docs: str = DOCS_VERSION
    """The provider's folder ``source`` is a path in (``shared/provider/<docs>/``)."""

    def conflicts_with(self, other: Variant) -> bool:
        """Whether this variant and ``other`` cannot both be on."""
        return other in self.conflicts or self in other.conflicts


VARIANTS: Registry[Variant] = Registry("variant", list_sorted=False)
"""Every variant by name, in catalog order."""


def _variant(
    name: str, *, description: str, source: str, section: str, quote: str, conflicts: Sequence[Variant] = ()
) -> Variant:
    return VARIANTS.add(Variant(name, description, source, section, quote, tuple(conflicts)))


# -- the shape of answers -----------------------------------------------------------------------------------------

REFUND_ANSWER_AS_DOCUMENTED = _variant(
    "refund_answer_as_documented",
    description="The refund answer's invoice has exactly the example's fields: no is_fully_refunded.",
    source="docs/en/refunds.md",
    section="Create Refund → Response",
    quote='"invoice": { "id": 42, "amount": "10000.00", "status": "partially_refunded", '
    '"total_refunded": "5000.00", "available_for_refund": "5000.00" }',
)

CREATE_ANSWER_OMITS_UNSET = _variant(
    "create_answer_omits_unset",
    description="The create answer and list rows leave out description and external_order_id when not given.",
    source="docs/en/getting-started.md",
    section="Your First Invoice → Response (to a request with neither)",
    quote='"status": "pending", "phone_number": "87001234567", "created_at": "2025-01-15T10:00:00Z"',
)

OPTIONAL_FIELDS_ABSENT = _variant(
    "optional_fields_absent",
    description="Every property the spec does not require is left out of every invoice and refund answer.",
    source="docs/en/invoices.md",
    section="Create Invoice → Response (seven fields; the details of an invoice are not shown)",
    quote='"id": 124, "amount": "10000.00", "status": "pending", "description": "Payment for order #123", '
    '"external_order_id": "order_123", "phone_number": "87001234567", "created_at": "2025-01-31T12:00:00Z"',
)

EXTRA_PROPERTIES = _variant(
    "extra_properties",
    description="Every object of every answer and webhook payload carries a property no document mentions.",
    source="openapi.yaml",
    section="createRefund → 201 → invoice: a field refunds.md's example does not show",
    quote="pending_refund_amount: type: number",
)

TIMESTAMPS_LONG_FORM = _variant(
    "timestamps_long_form",
    description="Date-times carry microseconds and a +00:00 offset (2025-01-31T12:00:00.000000+00:00), not Z.",
    source="openapi.yaml",
    section="every created_at and paid_at: RFC 3339 date-times, no particular form",
    quote="format: date-time",
)

WEBHOOK_SOURCE_API = _variant(
    "webhook_source_api",
    description='The invoice.status_changed payload says "source": "api", as the docs\' example does.',
    source="docs/en/webhooks.md",
    section="Events → invoice.status_changed",
    quote='"paid_at": "2025-12-25T14:35:00Z" }, "source": "api",',
)

MESSAGES_REWORDED = _variant(
    "messages_reworded",
    description="Every message, of errors, validation details and accepted requests alike, is worded differently.",
    source="docs/en/errors.md",
    section="Common Errors → 422 (free text, unlike Laravel's own wording)",
    quote='"phone_number": ["Phone number must be in format 8XXXXXXXXXX"], '
    '"amount": ["Amount must be between 0.01 and 99999999.99"]',
)

ERROR_KEYS_BRACKETED = _variant(
    "error_keys_bracketed",
    description="A 422 names a nested field with brackets (cart_items[0][count]) instead of dots.",
    source="docs/en/errors.md",
    section="Error Response Format (how a nested field is named is not stated)",
    quote='"errors": { "field_name": ["Specific error detail"] }',
)

AVAILABLE_BEFORE_PAYMENT = _variant(
    "available_for_refund_before_payment",
    description="A pending or cancelling invoice shows its whole amount as available_for_refund, not 0.00.",
    source="docs/en/refunds.md",
    section="Refund Rules (the value before payment is not stated)",
    quote="**Amount validation** — Cannot exceed `available_for_refund`",
)

# -- invoices -------------------------------------------------------------------------------------------------------

CART_AMOUNT_VALIDATED = _variant(
    "cart_amount_validated",
    description="An amount sent beside cart_items is held to its bounds (422 outside them) instead of ignored.",
    source="docs/en/invoices.md",
    section="Create Invoice → Parameters",
    quote="| `amount` | number | Yes* | Amount in KZT (0.01 - 99,999,999.99). *Not required with cart_items. |",
)

AMOUNT_WINS_OVER_CART = _variant(
    "amount_wins_over_cart",
    description="With both amount and cart_items, the invoice is for the amount (bounds held) and the cart is ignored.",
    source="openapi.yaml",
    section="createInvoice → cart_items: ignored when amount is present",
    quote="Товары корзины (только для организаций с каталогом). При наличии amount игнорируется.",
)

IDS_SPARSE_UNORDERED = _variant(
    "ids_sparse_unordered",
    description="Invoice, refund and cart-item ids start above five billion and jump about, out of creation order.",
    source="docs/en/invoices.md",
    section="Create Invoice → Response (an id is an example; how ids are chosen is not stated)",
    quote='"id": 124,',
)

INVOICES_EXPIRE_SOONER = _variant(
    "invoices_expire_sooner",
    description="A pending invoice expires after 5 clock minutes instead of an hour.",
    source="docs/en/invoices.md",
    section="Invoice Statuses (the timeout's length is not stated)",
    quote="| `expired` | Payment timeout | No | No |",
)

# -- cancel (the two ways an accepted cancel may go exclude each other) ---------------------------------------------

CANCEL_DELAYS_VARY = _variant(
    "cancel_delays_vary",
    description="A queued cancel completes at once, after 1 or after 45 clock seconds, by invoice, instead of 2.",
    source="docs/en/invoices.md",
    section="Cancel Invoice (how long cancelling lasts is not stated)",
    quote="May return `202 Accepted` with status `cancelling` for async processing.",
)

CANCEL_SYNCHRONOUS = _variant(
    "cancel_synchronous",
    description="A cancel answers 200 with the cancelled invoice; no invoice is ever cancelling.",
    source="docs/en/invoices.md",
    section="Cancel Invoice (may, so may not)",
    quote="May return `202 Accepted` with status `cancelling` for async processing.",
    conflicts=(CANCEL_DELAYS_VARY,),
)

# -- refunds --------------------------------------------------------------------------------------------------------

REFUND_DELAYS_VARY = _variant(
    "refund_delays_vary",
    description="Refunds complete at once, after 1 s, 45 s or two clock hours, by refund, instead of after 5 s.",
    source="docs/en/refunds.md",
    section="Refund Statuses (how long a refund waits is not stated)",
    quote="| `pending` | Refund initiated, waiting to be processed |",
)

OVER_REFUND_REFUSED_400 = _variant(
    "over_refund_refused_400",
    description="A refund above available_for_refund is refused with 400 instead of 422.",
    source="docs/en/refunds.md",
    section="Refund Rules (the status of the refusal is not stated)",
    quote="**Amount validation** — Cannot exceed `available_for_refund`",
)

REFUNDS_PASS_THROUGH_PROCESSING = _variant(
    "refunds_pass_through_processing",
    description="A refund is processing for the second half of its wait before it is completed.",
    source="docs/en/refunds.md",
    section="Refund Statuses",
    quote="| `processing` | Being processed by Kaspi |",
)

REFUNDS_SOMETIMES_FAIL = _variant(
    "refunds_sometimes_fail",
    description="An invoice's first refund fails when it falls due if the invoice is still partially refunded; "
    "a failed refund no longer counts in total_refunded.",
    source="docs/en/refunds.md",
    section="Refund Statuses (whether a failed refund still counts against available_for_refund is not stated)",
    quote="| `failed` | Failed (e.g., Kaspi rejection) |",
)

FAILED_REFUNDS_STILL_COUNT = _variant(
    "failed_refunds_still_count",
    description="Refunds fail as with refunds_sometimes_fail, but a failed refund still counts in total_refunded "
    "and against available_for_refund.",
    source="docs/en/refunds.md",
    section="Refund Rules (whether a failed refund's amount comes back is not stated)",
    quote="**Amount validation** — Cannot exceed `available_for_refund`",
)

# -- lists ----------------------------------------------------------------------------------------------------------

UNSTATED_ORDERS_REVERSED = _variant(
    "unstated_orders_reversed",
    description="Orders the docs leave open are reversed: refund lists, status check, catalog, ties of sort_by.",
    source="openapi.yaml",
    section="listRefunds: pagination and filtering, no sorting (listInvoices adds sorting)",
    quote="Возвращает список всех возвратов с пагинацией и фильтрацией",
)

SEARCH_MATCHES_IDS = _variant(
    "search_matches_ids",
    description="search also finds invoices whose id contains the text, besides description and order id.",
    source="openapi.yaml",
    section="listInvoices → search",
    quote="Поиск по ID или описанию",
)

SEARCH_CASE_SENSITIVE = _variant(
    "search_case_sensitive",
    description="search matches with case: ORDER_123 does not find order_123.",
    source="docs/en/invoices.md",
    section="List Invoices → Query Parameters (case is not mentioned)",
    quote="| `search` | string | — | Search in description/order ID |",
)

STATUS_CHECK_LISTS_NONE = _variant(
    "status_check_lists_none",
    description="POST /invoices/status/check only starts the check and answers with an empty invoices list.",
    source="openapi.yaml",
    section="checkInvoiceStatuses → 200",
    quote="Проверка запущена",
)

DATES_IN_ALMATY = _variant(
    "dates_in_almaty",
    description="date_from and date_to are Asia/Almaty (UTC+5) calendar days, though every timestamp is written "
    "in UTC; the provider's spec 2.1.0 of 2026-08-24 says so.",
    source="docs/en/invoices.md",
    section="List Invoices → Query Parameters (the time zone of a date is not stated)",
    quote="| `date_from` | string | — | Start date (YYYY-MM-DD) |",
)

# -- webhooks and rate limit ------------------------------------------------------------------------------------------

WEBHOOKS_DELAYED = _variant(
    "webhooks_delayed",
    description="Webhooks go out up to 1.5 s late, by a delay that differs per invoice, so invoices interleave.",
    source="docs/en/invoices.md",
    section="Check Invoice Status",
    quote="Useful when webhooks are delayed.",
)

WEBHOOK_DUPLICATES = _variant(
    "webhook_duplicates",
    description="Every invoice webhook is delivered twice: at once, and again 0.4 to 1.2 s later, "
    "interleaved with the events that follow.",
    source="docs/en/webhooks.md",
    section="Response Requirements (a receiver must expect the same event more than once)",
    quote="Be **idempotent** — handle duplicate deliveries",
)

RATELIMIT_OTHER_BUDGET = _variant(
    "ratelimit_other_budget",
    description="X-RateLimit-Remaining counts a budget of 1000 requests per key per clock hour, not the minute's.",
    source="docs/en/errors.md",
    section="Rate Limiting (which budget the header counts is not stated)",
    quote="**Header:** `X-RateLimit-Remaining` shows remaining requests",
)


def select(names: Iterable[str]) -> tuple[Variant, ...]:
    """The variants one mock runs with (``VARIANTS.named``); two that exclude each other are a ``UsageError`` too."""
    chosen = VARIANTS.named(names)
    for index, first in enumerate(chosen):
        for second in chosen[index + 1 :]:
            if first.conflicts_with(second):
                raise UsageError(f"variants {first.name} and {second.name} cannot both be on; pick one of them")
    return chosen


def compatible_groups(variants: Sequence[Variant]) -> list[tuple[Variant, ...]]:
    """The maximal sets of ``variants`` that can all be on at once, each in catalog order.

    With no conflicts that is one set of them all; every pair that conflicts splits the sets.
    """
    order = list(dict.fromkeys(variants))
    groups: list[tuple[Variant, ...]] = []

    def fits(a: Variant, b: Variant) -> bool:
        return a is not b and not a.conflicts_with(b) and not b.conflicts_with(a)

    def extend(chosen: list[Variant], candidates: list[Variant], excluded: list[Variant]) -> None:
        # Bron-Kerbosch with a pivot: branching only on what the pivot does not fit with keeps a catalog
        # where most variants get along to a handful of branches instead of every subset of it.
        if not candidates and not excluded:
            groups.append(tuple(chosen))
            return
        pivot = max(candidates + excluded, key=lambda u: sum(fits(u, v) for v in candidates))
        for variant in [v for v in candidates if not fits(pivot, v)]:
            extend(
                [*chosen, variant],
                [v for v in candidates if fits(v, variant)],
                [v for v in excluded if fits(v, variant)],
            )
            candidates.remove(variant)
            excluded.append(variant)

    extend([], list(order), [])
    position = {variant: index for index, variant in enumerate(order)}
    return sorted((tuple(sorted(g, key=position.__getitem__)) for g in groups), key=lambda g: [position[v] for v in g])


class Variants:
    """The set of variants a mock runs with."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._active = frozenset(select(names))

    def on(self, variant: Variant) -> bool:
        """Whether ``variant`` (a constant of this module, never its name) is switched on."""
        if not isinstance(variant, Variant):
            raise TypeError(f"ask by a Variant constant of apipay_harness.mock.variants, not {variant!r}")
        return variant in self._active

    @property
    def names(self) -> tuple[str, ...]:
        """The active variants' names, in catalog order."""
        return tuple(name for name, variant in VARIANTS.items() if variant in self._active)
