"""Where the documents allow two readings, the spec's request schema accepts both (no false alarm either way)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from apipay_harness.core.spec import load_spec

SPEC = load_spec()
CART = [{"catalog_item_id": 101, "count": 2}]


def _valid(body: dict[str, Any]) -> bool:
    schema = {"$ref": "#/components/schemas/CreateInvoiceRequest", "components": SPEC["components"]}
    return jsonschema.Draft202012Validator(schema).is_valid(body)


@pytest.mark.parametrize("amount", [0, -1, 100000000, None, 10], ids=["zero", "negative", "above-max", "null", "ok"])
def test_amount_beside_cart_items_is_left_open(amount: Any) -> None:
    """ "ignored when cart_items is present": a server may ignore it or validate it, so the schema bounds neither."""
    assert _valid({"phone_number": "87001234567", "cart_items": CART, "amount": amount})


@pytest.mark.parametrize("amount", [0, 100000000, None, "10"], ids=["zero", "above-max", "null", "string"])
def test_flat_amount_keeps_its_bounds(amount: Any) -> None:
    assert not _valid({"phone_number": "87001234567", "amount": amount})


def test_flat_amount_inside_bounds_is_valid() -> None:
    assert _valid({"phone_number": "87001234567", "amount": 0.01})


def test_amount_beside_cart_must_still_be_a_number() -> None:
    assert not _valid({"phone_number": "87001234567", "cart_items": CART, "amount": "10"})


def _response_valid(schema_name: str, body: dict[str, Any]) -> bool:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": SPEC["components"]}
    return jsonschema.Draft202012Validator(schema).is_valid(body)


def test_create_answer_as_getting_started_shows_it_is_valid() -> None:
    """The answer to a request with neither text: getting-started.md's example leaves both out."""
    example = {
        "id": 124,
        "amount": "10000.00",
        "status": "pending",
        "phone_number": "87001234567",
        "created_at": "2025-01-15T10:00:00Z",
    }
    assert _response_valid("Invoice", example)
    assert not _response_valid("InvoiceDetail", example)  # the details of an invoice carry every field
