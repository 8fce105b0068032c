"""The breaking changes ``../shared/provider/CHANGES.md`` marks (**BREAK**) for our operations, as diff expectations.

Each entry names the operation, the part of it and the field where the diff must report a breaking
change. Our two specs (``openapi/apipay.yaml`` -> ``openapi/apipay-2.1.yaml``) must show every entry. The
provider's own files must show it too (2026-02-13, or 2026-04-08 where CHANGES.md says the break is "vs
April": the February spec documents no list envelope at all) unless ``provider_old`` is None: then the
provider's files state that break only in prose, or not at all, and ``why`` says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apipay_harness.specdiff import Change
from apipay_harness.specdiff.surface import operation_key

__all__ = ["BREAKS", "Expected"]


@dataclass(frozen=True)
class Expected:
    """One BREAK of CHANGES.md: where the diff must report it."""

    name: str
    operation: str
    """``METHOD /path`` with parameters erased, as :func:`operation_key` writes it."""
    where: str
    """A regular expression the change's ``where`` matches in full."""
    path: str | None
    """The field, or None for the part as a whole."""
    kind: str | None = None
    """The kind of change, when only one kind says it."""
    provider_old: str | None = "2026-02-13"
    """The provider's dated folder whose spec shows this break against 2.1.0; None if none can."""
    why: str = ""
    """Why the provider's files cannot show it, when they cannot."""

    def found_in(self, changes: tuple[Change, ...]) -> list[Change]:
        """The breaking changes that report this entry."""
        return [
            c
            for c in changes
            if c.breaking
            and operation_key(*c.operation.split(" ", 1)) == self.operation
            and re.fullmatch(self.where, c.where)
            and (self.path is None or c.path == self.path)
            and (self.kind is None or c.kind.name == self.kind)
        ]


BREAKS = [
    Expected("createInvoice answers 201 processing", "POST /invoices", r"response 201 body", "status"),
    Expected("createInvoice takes whole tenge", "POST /invoices", r"request body", "amount", "request-bound-narrowed"),
    Expected(
        "listInvoices is a flat {current_page, data, total}",
        "GET /invoices",
        r"response 200 body",
        "",
        "pagination-envelope-changed",
        "2026-04-08",
    ),
    Expected(
        "listInvoices status[] has no refunded",
        "GET /invoices",
        r"query parameter status\[\]",
        "[]",
        "request-enum-value-removed",
    ),
    Expected(
        "getInvoice status has no refunded",
        "GET /invoices/{}",
        r"response 200 body",
        "status",
        "response-enum-value-removed",
    ),
    Expected(
        "getInvoice has no client_comment",
        "GET /invoices/{}",
        r"response 200 body",
        "client_comment",
        "response-field-removed",
    ),
    Expected("cancelInvoice may answer 202 cancelling", "POST /invoices/{}/cancel", r"response 2\d\d( body)?", None),
    Expected(
        "bulkCheckInvoiceStatus requires invoice_ids",
        "POST /invoices/status/check",
        r"request body",
        "",
        "request-body-added-required",
    ),
    Expected(
        "createRefund available_for_refund is a number",
        "POST /invoices/{}/refund",
        r"response 201 body",
        "invoice.available_for_refund",
        "response-type-widened",
    ),
    Expected(
        "listRefunds is a flat {current_page, data, total}",
        "GET /refunds",
        r"response 200 body",
        "",
        "pagination-envelope-changed",
        "2026-04-08",
    ),
    Expected("createCatalogItems answers 202", "POST /catalog", r"response 2\d\d( body)?", None),
    Expected("updateCatalogItem may answer 202", "PATCH /catalog/{}", r"response 2\d\d( body)?", None),
    Expected(
        "listCatalogItems lists only active items by default",
        "GET /catalog",
        r"query parameter statuses\[\]",
        "",
        "parameter-added-filtering",
        None,
        "the provider's spec says so only in the operation's description",
    ),
    Expected(
        "uploadCatalogImage takes JPEG and PNG only",
        "POST /catalog/upload-image",
        r"request body",
        "image",
        "request-media-type-removed",
        None,
        "the provider's specs name the image types only in descriptions",
    ),
    Expected(
        "a 429 carries retry_after_seconds, not retry_after",
        "GET /invoices/{}",
        r"response 429 body",
        "retry_after",
        "response-field-removed",
        None,
        "the February provider spec documents no 429",
    ),
    Expected(
        "invoice.status_changed is also sent for pending, error and partially_refunded",
        "WEBHOOK invoice.status_changed",
        r"payload",
        "invoice.status",
        "response-enum-value-added",
        None,
        "the February provider spec has no webhooks",
    ),
    Expected(
        "invoice.refunded is also sent for failed refunds",
        "STATUSES RefundStatus",
        r"status machine",
        "invoice.refunded",
        "webhook-status-added",
        None,
        "the provider's specs carry no status machine as data",
    ),
    Expected(
        "cancelled and expired invoices may still become paid",
        "STATUSES InvoiceStatus",
        r"status machine",
        "cancelled -> paid",
        "transition-added",
        None,
        "the provider's specs carry no status machine as data",
    ),
    Expected(
        "webhooks are retried",
        "WEBHOOKS delivery",
        r"x-webhook-delivery",
        "retries",
        "delivery-retries-started",
        None,
        "the provider's 2.1.0 spec says so in a YAML comment on x-webhooks",
    ),
]
