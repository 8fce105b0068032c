"""Helpers shared by the mock's tests: the spec's response schemas and a few request shortcuts."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import jsonschema

from apipay_harness.core.spec import load_spec

PHONE = "87001234567"


@functools.cache
def _spec() -> dict[str, Any]:
    return load_spec()


def assert_schema(body: Any, schema_name: str) -> None:
    """Validate ``body`` against ``components/schemas/<schema_name>`` of the spec.

    A mismatch is an ``AssertionError`` like any other failed check, so a test that kills a fault this
    way is told from one that crashed on the answer.
    """
    spec = _spec()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is not None:
        raise AssertionError(f"not a {schema_name}: {error.message} at {error.json_path}")


def create(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    """Create a flat invoice (amount 10000 unless given) and return its body."""
    body = {"amount": 10000, "phone_number": PHONE, **fields}
    response = api.post("/invoices", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def paid(api: httpx.Client, control: httpx.Client, **fields: Any) -> dict[str, Any]:
    """Create an invoice and have the customer pay it."""
    invoice = create(api, **fields)
    response = control.post(f"/invoices/{invoice['id']}/pay", json={"client_name": "Aigerim"})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def start_of_minute(control: httpx.Client) -> None:
    """Advance the mock's clock into the first second of a new minute, so a rate-limit window has ~59 s left."""
    now = datetime.fromisoformat(control.get("/clock").json()["now"])
    control.post("/clock/advance", json={"seconds": 60 - now.second}).raise_for_status()


def wait_for(condition: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.02) -> Any:
    """Poll ``condition`` until it returns something truthy, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
