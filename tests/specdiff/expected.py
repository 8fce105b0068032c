"""The breaking changes ``../shared/provider/CHANGES.md`` marks (**BREAK**) for our operations, as diff expectations.

Each entry names the operation, the part of it and the field where the diff must report a breaking
change. Both pairs must show every entry: the provider's own files (2026-02-13, or 2026-04-08 where
CHANGES.md says the break is "vs April": the February spec documents no list envelope at all) against
2.1.0, and our seed spec against our 2.1 form of it.
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
    provider_old: str = "2026-02-13"
    """The provider's dated folder whose spec shows this break against 2.1.0."""

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
]
