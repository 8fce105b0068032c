"""Every bound the spec writes down (its x-invalid-examples) is enforced with a 422 keyed by the field's name."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from apipay_harness.core.spec import BoundedField, bounded_fields, load_spec
from tests.mock.helpers import paid

SPEC = load_spec()
BASE_BODIES: dict[str, dict[str, Any]] = {
    "createCatalogItems": {"items": [{"name": "x", "selling_price": 1, "unit_id": 1}]},
    "updateCatalogItem": {},
    "refundInvoice": {},
}
QUERY_OPS = {"listInvoices": "/invoices", "listRefunds": "/refunds", "listCatalogItems": "/catalog"}


def _fields(location: str, ops: set[str]) -> list[BoundedField]:
    return [f for f in bounded_fields(SPEC) if f.location == location and f.operation.operation_id in ops]


def _set(body: dict[str, Any], name: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    node: Any = body
    for part in name[:-1]:
        node = node[part]
    node[name[-1]] = value
    return body


def _params(fields: list[BoundedField], key: str) -> list[Any]:
    return [
        pytest.param(f, value, id=f"{f.operation.operation_id}:{f.field_name}={str(value)[:12]}")
        for f in fields
        for value in f.schema.get(key, [])
    ]


def _query(field: BoundedField, value: Any) -> str:
    name = str(field.name[0])
    return f"{name}={value}"


@pytest.mark.parametrize(("field", "value"), _params(_fields("query", set(QUERY_OPS)), "x-invalid-examples"))
def test_query_bound_violation_is_422_keyed_by_field(api: httpx.Client, field: BoundedField, value: Any) -> None:
    response = api.get(f"{QUERY_OPS[field.operation.operation_id]}?{_query(field, value)}")
    assert response.status_code == 422
    assert field.field_name in response.json()["errors"]


@pytest.mark.parametrize(("field", "value"), _params(_fields("query", set(QUERY_OPS)), "examples"))
def test_query_bound_edge_is_accepted(api: httpx.Client, field: BoundedField, value: Any) -> None:
    response = api.get(f"{QUERY_OPS[field.operation.operation_id]}?{_query(field, value)}")
    assert response.status_code == 200


def _path(api: httpx.Client, control: httpx.Client, operation_id: str) -> tuple[str, str]:
    if operation_id == "refundInvoice":
        return "POST", f"/invoices/{paid(api, control)['id']}/refund"
    if operation_id == "updateCatalogItem":
        # An item of the test's own: the catalog outlives a reset, and the shared items' prices are other tests' data.
        created = api.post("/catalog", json=BASE_BODIES["createCatalogItems"])
        assert created.status_code == 201, created.text
        return "PATCH", f"/catalog/{created.json()['items'][0]['id']}"
    return "POST", "/catalog"


@pytest.mark.parametrize(("field", "value"), _params(_fields("body", set(BASE_BODIES)), "x-invalid-examples"))
def test_body_bound_violation_is_422_keyed_by_field(
    api: httpx.Client, control: httpx.Client, field: BoundedField, value: Any
) -> None:
    method, path = _path(api, control, field.operation.operation_id)
    body = _set(BASE_BODIES[field.operation.operation_id], field.name, value)
    response = api.request(method, path, json=body)
    assert response.status_code == 422
    assert field.field_name in response.json()["errors"]


@pytest.mark.parametrize(
    ("field", "value"), _params(_fields("body", {"createCatalogItems", "updateCatalogItem"}), "examples")
)
def test_catalog_body_bound_edge_is_accepted(
    api: httpx.Client, control: httpx.Client, field: BoundedField, value: Any
) -> None:
    method, path = _path(api, control, field.operation.operation_id)
    body = _set(BASE_BODIES[field.operation.operation_id], field.name, value)
    response = api.request(method, path, json=body)
    assert response.is_success, response.text
