"""The prose rules of the provider's spec 2.1.0 (2026-08-24) and its llms.txt."""

from __future__ import annotations

from contracts.dialect import RELEASED, Dialect, frozen_map

__all__ = ["DIALECT"]

DIALECT = Dialect(
    version="2.1",
    # -- invoices and refunds ---------------------------------------------------------------------------------------
    # createInvoice: "the answer is 201 with status processing ... the invoice settles to pending or error later";
    # cancelInvoice (production): cancelling "until the outcome arrives by webhook: cancelled, or error ...; if
    # Kaspi refuses ... it quietly returns to pending".
    settles=frozen_map({"processing": {"pending", "error"}, "cancelling": {"cancelled", "error", "pending"}}),
    # InvoiceStatus: expired after the payment timeout; error: "reconciliation may bring it back to pending"
    # (llms.txt, Webhooks: error -> pending is a legitimate sequence).
    drifts=frozen_map({"pending": {"expired"}, "error": {"pending"}}),
    # createRefund: "201 means queued (pending); the outcome arrives by the invoice.refunded webhook".
    refunds_queued=True,
    # llms.txt, "Webhook Payload Example: invoice.refunded (failed)": the failed 2000.00 of a 5000.00 invoice
    # leaves total_refunded 0.00 and available_for_refund 5000.00, so a failed refund gives its amount back.
    failed_refund_readings=frozenset({RELEASED}),
    # createRefund: "A full refund does not change the invoice's status; the first partial refund moves paid to
    # partially_refunded" (InvoiceStatus has no refunded).
    full_refund_status=None,
    # x-provider-disagreements invoice-list-phone-format: the April spec writes a list row's phone 7XXXXXXXXXX.
    row_phone_prefixes=("7",),
    # -- the schema suite -------------------------------------------------------------------------------------------
    # `contract --quick --api-version 2.1` is a CI gate meant to finish within 15 s; the coverage phase was two
    # thirds of the schema suite's cases and repeats what the bounds suite sends from the same bounds.
    quick_schema_phases=("examples", "fuzzing"),
)
