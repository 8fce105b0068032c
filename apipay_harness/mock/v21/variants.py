"""The variants of API 2.1: other answers the provider's sources allow where they disagree with the 2.1.0 spec.

Each rests on the words of one source (quoted, with its file under ``shared/provider/<docs>/``) and, where
the 2.1 spec records the disagreement, names its ``x-provider-disagreements`` id: the spec follows 2.1.0
and accepts this other reading, and the variant is the mock that gives it.
"""

from __future__ import annotations

from collections.abc import Iterable

from apipay_harness.mock.registry import Registry
from apipay_harness.mock.variants import Variant

__all__ = [
    "BUSINESS_ERRORS_WITHOUT_ERROR_CODE",
    "CANCEL_QUEUED_CANCELLING",
    "CREATE_ANSWER_PHONE_NUMBER",
    "DISAGREEMENTS",
    "NOT_FOUND_MESSAGE_ONLY",
    "REFUND_WEBHOOK_AVAILABLE_AS_STRING",
    "STATUS_CHECK_LOCAL_OFFSET",
    "UNAUTHORIZED_MESSAGE_ONLY",
    "VALIDATION_MESSAGE_LARAVEL",
    "VARIANTS_21",
    "WEBHOOK_DISCOUNT_AS_STRING",
    "Variants21",
]

_VERSION = "2.1"
_SPEC_DOCS = "2026-08-24"
_APRIL_DOCS = "2026-04-08"

VARIANTS_21: Registry[Variant] = Registry("variant", list_sorted=False)
"""Every 2.1 variant by name, in catalog order."""
DISAGREEMENTS: dict[Variant, str] = {}
"""The ``x-provider-disagreements`` id each variant gives the other reading of (where the spec records one)."""


def _variant(
    name: str, *, description: str, docs: str, source: str, section: str, quote: str, disagreement: str | None
) -> Variant:
    variant = VARIANTS_21.add(Variant(name, description, source, section, quote, versions=(_VERSION,), docs=docs))
    if disagreement is not None:
        DISAGREEMENTS[variant] = disagreement
    return variant


NOT_FOUND_MESSAGE_ONLY = _variant(
    "not_found_message_only",
    description='A 404 body is {"message": "Invoice not found"}, without error.',
    docs=_SPEC_DOCS,
    source="llms.txt",
    section="Error Response Format → not_found (404)",
    quote='"message": "Invoice not found"',
    disagreement="not-found-body",
)
UNAUTHORIZED_MESSAGE_ONLY = _variant(
    "unauthorized_message_only",
    description='A 401 body is {"message": "Invalid or missing API key"}, without error.',
    docs=_SPEC_DOCS,
    source="llms.txt",
    section="Error Response Format → unauthorized (401)",
    quote='"message": "Invalid or missing API key"',
    disagreement="unauthorized-body",
)
VALIDATION_MESSAGE_LARAVEL = _variant(
    "validation_message_laravel",
    description='A 422 with errors says "The given data was invalid." instead of "Validation failed".',
    docs=_SPEC_DOCS,
    source="llms.txt",
    section="Error Response Format → validation (422)",
    quote='"message": "The given data was invalid.",',
    disagreement="validation-message",
)
REFUND_WEBHOOK_AVAILABLE_AS_STRING = _variant(
    "refund_webhook_available_as_string",
    description='invoice.refunded writes available_for_refund as a money string ("5000.00"), not a number.',
    docs=_SPEC_DOCS,
    source="llms.txt",
    section="Webhook Payload Example: invoice.refunded (failed)",
    quote='"available_for_refund": "5000.00",',
    disagreement="available-for-refund-type-webhook",
)
WEBHOOK_DISCOUNT_AS_STRING = _variant(
    "webhook_discount_as_string",
    description='invoice.status_changed writes discount_percentage as a string ("10"), not an integer.',
    docs=_SPEC_DOCS,
    source="llms.txt",
    section="Webhook Payload Example: invoice.status_changed",
    quote='"discount_percentage": "10",',
    disagreement="discount-percentage-type-webhook",
)
CREATE_ANSWER_PHONE_NUMBER = _variant(
    "create_answer_phone_number",
    description="The create answer names the payer's phone phone_number, not phone.",
    docs=_APRIL_DOCS,
    source="docs/en/invoices.md",
    section="Create Invoice → Response",
    quote='"status": "processing", "description": "Payment for order #123", "external_order_id": "order_123", '
    '"phone_number": "87001234567",',
    disagreement="invoice-created-phone-key",
)
STATUS_CHECK_LOCAL_OFFSET = _variant(
    "status_check_local_offset",
    description="The status check writes updated_at with the server's +06:00 offset instead of UTC.",
    docs=_APRIL_DOCS,
    source="docs/en/invoices.md",
    section="Check Invoice Status → Response",
    quote='"updated_at": "2026-02-26T10:30:00+06:00"',
    disagreement="status-check-updated-at-zone",
)
CANCEL_QUEUED_CANCELLING = _variant(
    "cancel_queued_cancelling",
    description="A cancel of a pending invoice answers 202 {message, invoice_id} and shows cancelling until it is "
    "cancelled after --cancel-delay clock seconds, as production does.",
    docs=_SPEC_DOCS,
    source="openapi.yaml",
    section="cancelInvoice → 202 (production)",
    quote="example: Invoice cancellation queued",
    disagreement=None,
)


BUSINESS_ERRORS_WITHOUT_ERROR_CODE = _variant(
    "business_errors_without_error_code",
    description="A business error carries its code only in error ({error, message}), without error_code, as "
    "several of the 2.1.0 spec's own examples do.",
    docs=_SPEC_DOCS,
    source="openapi.yaml",
    section="createInvoice → 400 kaspi_session_not_configured",
    quote='{error: "kaspi_session_not_configured", message: "Kaspi session is not configured. '
    'Please contact support."}',
    disagreement="error-code-presence",
)


class Variants21:
    """The 2.1 variants a mock runs with."""

    def __init__(self, variants: Iterable[Variant] = ()) -> None:
        self._active = frozenset(variants)

    def on(self, variant: Variant) -> bool:
        """Whether ``variant`` (a constant of this module, never its name) is switched on."""
        if not isinstance(variant, Variant):
            raise TypeError(f"ask by a Variant constant of apipay_harness.mock.v21.variants, not {variant!r}")
        return variant in self._active

    @property
    def names(self) -> tuple[str, ...]:
        """The active variants' names, in catalog order."""
        return tuple(name for name, variant in VARIANTS_21.items() if variant in self._active)
