"""Our seed spec with CHANGES.md's breaking changes applied by hand, in the seed's own style.

It stands in for our 2.1 spec where a test needs a realistic pair written the way our specs are
(``$ref``s, ``allOf`` details, ``oneOf`` nullables, ``x-status-transitions``): every edit below is one
BREAK of ``../shared/provider/CHANGES.md``, named in the comment above it.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from apipay_harness.core.versions import get_version
from apipay_harness.specdiff import Document, load_document

__all__ = ["seed", "seed_with_breaks"]

JSON = "application/json"
INT = {"type": "integer"}
STRING = {"type": "string"}


def seed() -> Document:
    """The shipped seed spec."""
    return load_document(get_version().spec_path)


def _flat(items_ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["current_page", "data", "total"],
        "properties": {
            "current_page": INT,
            "data": {"type": "array", "items": {"$ref": items_ref}},
            "total": INT,
        },
    }


def _json(schema: dict[str, Any], description: str = "answer") -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def seed_with_breaks() -> Document:
    """A copy of the seed spec with the BREAKs of CHANGES.md for our operations applied."""
    original = seed()
    data = copy.deepcopy(original.data)
    schemas, paths = data["components"]["schemas"], data["paths"]

    # POST /invoices answers 201 with status processing (and `phone`, not `phone_number`).
    schemas["InvoiceCreated"] = {
        "type": "object",
        "required": ["id", "amount", "status", "created_at"],
        "properties": {
            "id": INT,
            "amount": {"$ref": "#/components/schemas/Money"},
            "status": {"enum": ["processing"]},
            "phone": STRING,
            "created_at": {"$ref": "#/components/schemas/DateTime"},
        },
    }
    paths["/invoices"]["post"]["responses"]["201"]["content"][JSON]["schema"] = {
        "$ref": "#/components/schemas/InvoiceCreated"
    }
    # Amounts of phone invoices are whole tenge, at least 1.
    schemas["CreateInvoiceRequest"]["properties"]["amount"] = {
        "type": ["number", "null"],
        "minimum": 1,
        "maximum": Decimal("99999999.99"),
        "multipleOf": 1,
    }
    # No `refunded` status; `processing` and `error` exist; cancelled/expired -> paid and error -> pending are legal.
    status = schemas["InvoiceStatus"]
    status["enum"] = [
        "processing",
        "pending",
        "cancelling",
        "paid",
        "cancelled",
        "expired",
        "error",
        "partially_refunded",
    ]
    machine = status["x-status-transitions"]
    machine["initial"] = "processing"
    table = machine["statuses"]
    del table["refunded"]
    table["processing"] = {"can_cancel": True, "can_refund": False, "successors": ["pending", "error", "cancelling"]}
    table["error"] = {"can_cancel": False, "can_refund": False, "successors": ["pending"]}
    table["cancelled"]["successors"] = ["paid"]
    table["expired"]["successors"] = ["paid"]
    table["paid"]["successors"] = ["partially_refunded"]
    table["partially_refunded"]["successors"] = ["partially_refunded"]
    table["cancelling"]["successors"] = ["cancelled", "pending", "error"]
    machine["webhooks"] = {
        "invoice.status_changed": ["pending", "paid", "cancelled", "expired", "error", "partially_refunded"],
        "invoice.refunded": ["paid", "partially_refunded"],
    }
    # `client_comment` is gone from the invoice.
    del schemas["InvoiceSummary"]["properties"]["client_comment"]
    detail_required = schemas["InvoiceDetail"]["allOf"][1]["required"]
    detail_required.remove("client_comment")
    # Lists are flat {current_page, data, total}.
    schemas["InvoicePage"] = _flat("#/components/schemas/InvoiceSummary")
    schemas["RefundPage"] = _flat("#/components/schemas/Refund")
    # A synchronous cancel answers {message, invoice}; the queued one stays 202.
    paths["/invoices/{id}/cancel"]["post"]["responses"]["200"]["content"][JSON]["schema"] = {
        "type": "object",
        "required": ["message", "invoice"],
        "properties": {"message": STRING, "invoice": {"$ref": "#/components/schemas/InvoiceDetail"}},
    }
    # The status check takes the invoice ids.
    paths["/invoices/status/check"]["post"]["requestBody"] = {
        "required": True,
        "content": {
            JSON: {
                "schema": {
                    "type": "object",
                    "required": ["invoice_ids"],
                    "properties": {"invoice_ids": {"type": "array", "items": INT, "maxItems": 100}},
                }
            }
        },
    }
    # available_for_refund is a number in the refund answer.
    schemas["RefundTotals"]["properties"]["available_for_refund"] = {"type": "number"}
    # Catalog writes are asynchronous: 202 {data, rejected}, and an idempotent replay answers 200.
    created = paths["/catalog"]["post"]["responses"]
    del created["201"]
    batch = {
        "type": "object",
        "required": ["data", "rejected"],
        "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/CatalogItem"}},
            "rejected": {"type": "array", "items": {"type": "object"}},
        },
    }
    created["202"]["content"][JSON]["schema"] = batch
    created["200"] = _json(batch, "idempotent replay")
    paths["/catalog/{id}"]["patch"]["responses"]["202"] = _json(
        {"type": "object", "properties": {"message": STRING, "catalog_item_id": INT}}, "queued (production item)"
    )
    # A 429 carries retry_after_seconds, not retry_after.
    schemas["RateLimitError"]["allOf"][1] = {
        "type": "object",
        "required": ["retry_after_seconds"],
        "properties": {"retry_after_seconds": {"type": "integer", "minimum": 0}},
    }
    return Document(path="seed-with-breaks (in memory)", data=data, openapi=original.openapi)
