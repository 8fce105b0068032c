"""Helpers of the 2.1 mock's tests: the 2.1 spec's schemas, and invoices brought to a status through the API."""

from __future__ import annotations

import functools
from typing import Any

import httpx
import jsonschema

from apipay_harness.core.spec import load_spec
from apipay_harness.mock.store import DEFAULT_REFUND_DELAY
from apipay_harness.mock.v21.store import SETTLE_DELAY

PHONE = "87001234567"
SECRET = "whsec-21"


@functools.cache
def spec21() -> dict[str, Any]:
    """The shipped 2.1 spec."""
    return load_spec(version="2.1")


def assert_schema(body: Any, schema_name: str) -> None:
    """Validate ``body`` against ``components/schemas/<schema_name>`` of the 2.1 spec (an AssertionError if not)."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec21()["components"]}
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is not None:
        raise AssertionError(f"not a {schema_name}: {error.message} at {error.json_path}: {body}")


def create(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    """Create a flat invoice (5000 unless given); it is ``processing``."""
    response = api.post("/invoices", json={"amount": 5000, "phone_number": PHONE, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def settle(control: httpx.Client) -> None:
    """Move the clock past the delivery to Kaspi: every ``processing`` invoice is ``pending``."""
    control.post("/clock/advance", json={"seconds": SETTLE_DELAY}).raise_for_status()


def finish_refunds(control: httpx.Client) -> None:
    """Move the clock past the refund delay: every queued refund completes."""
    control.post("/clock/advance", json={"seconds": DEFAULT_REFUND_DELAY}).raise_for_status()


def pending(api: httpx.Client, control: httpx.Client, **fields: Any) -> dict[str, Any]:
    """A new invoice, settled to ``pending``."""
    invoice = create(api, **fields)
    settle(control)
    return invoice


def paid(api: httpx.Client, control: httpx.Client, **fields: Any) -> dict[str, Any]:
    """A new invoice the customer paid (control API)."""
    invoice = pending(api, control, **fields)
    response = control.post(f"/invoices/{invoice['id']}/pay", json={"client_name": "Aigerim"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def get(api: httpx.Client, invoice_id: int) -> dict[str, Any]:
    """GET /invoices/{id}, checked against the 2.1 Invoice schema."""
    response = api.get(f"/invoices/{invoice_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert_schema(body, "Invoice")
    return body


def register(control: httpx.Client, url: str, key: str = "test-key") -> None:
    """Register a webhook for the key's organization."""
    response = control.post("/webhooks", json={"url": url, "secret": SECRET}, headers={"X-API-Key": key})
    assert response.status_code == 201, response.text
