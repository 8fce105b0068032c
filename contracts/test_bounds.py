"""Bounds suite: every bounded field's exact edges are accepted, the first values outside rejected (422).

A rejection must carry an ``errors`` entry naming the field. The fields, their bounds and both sides'
values come from ``apipay_harness.core.spec.bounded_fields`` and ``contracts.checks.edges``; each value is
sent inside an otherwise valid request built from the operation's own documented example.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from apipay_harness.contract.guard import is_destructive
from apipay_harness.contract.run import ResultSink
from apipay_harness.core.checks import BOUNDS_EDGE_VALUE, EDGE_ACCEPTED, OUTSIDE_REJECTED
from apipay_harness.core.spec import bounded_fields, operations, resolve
from apipay_harness.core.target import Target
from apipay_harness.core.types import JSONObject
from contracts.checks import CheckContext
from contracts.checks.bounds import edge_accepted, outside_rejected
from contracts.checks.edges import Edge, edges_of
from contracts.client import ApiClient
from contracts.control import Control
from contracts.version import active_spec
from contracts.violations import Violation

_SPEC = active_spec()
_EDGES = [edge for field in bounded_fields(_SPEC) for edge in edges_of(field)]
_DECIMAL = re.compile(r'"__decimal__(-?[0-9.]+)__"')


def _dumps(body: Any) -> bytes:
    """JSON with Decimals written as exact number literals (never through float)."""

    def mark(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"__decimal__{value}__"
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    return _DECIMAL.sub(r"\1", json.dumps(mark(body))).encode()


def _example_body(operation: Any, top: str) -> JSONObject:
    """The operation's documented request example that carries field ``top`` (else its first one)."""
    body = resolve(_SPEC, operation.definition.get("requestBody") or {})
    media = (body.get("content") or {}).get("application/json") or {}
    examples = [resolve(_SPEC, e).get("value") for e in (media.get("examples") or {}).values()]
    examples = [e for e in examples if isinstance(e, dict)]
    chosen = next((e for e in examples if top in e), examples[0] if examples else {})
    copy: JSONObject = json.loads(json.dumps(chosen))
    return copy


def _place(body: JSONObject, name: tuple[str | int, ...], value: Any) -> JSONObject:
    """Set ``value`` at ``name`` inside ``body`` (lists are taken from the example, so index 0 exists)."""
    node: Any = body
    for part in name[:-1]:
        node = node[part]
    node[name[-1]] = value
    return body


def _map_catalog(body: JSONObject, catalog_ids: list[int]) -> None:
    for item in body.get("cart_items") or []:
        if isinstance(item, dict) and isinstance(item.get("catalog_item_id"), int) and catalog_ids:
            if item["catalog_item_id"] not in catalog_ids:
                item["catalog_item_id"] = catalog_ids[0]


@pytest.fixture(scope="session")
def catalog_ids(api: ApiClient) -> list[int]:
    """The target's catalog item ids, for cart items that must exist."""
    response = api.get("/catalog", params={"per_page": 200})
    if response.status_code != 200:
        return []
    return [int(i["id"]) for i in response.json().get("data", []) if isinstance(i.get("id"), int)]


@pytest.fixture(scope="session")
def own_catalog_item(api: ApiClient) -> Callable[[], int]:
    """Create (once) a catalog item of our own to PATCH, so the shared items 101/205 stay as they are."""
    made: list[int] = []

    def get() -> int:
        if made:
            return made[0]
        name = f"bounds-{uuid.uuid4().hex[:10]}"
        created = api.post("/catalog", json={"items": [{"name": name, "selling_price": 1, "unit_id": 1}]})
        if not created.is_success:
            pytest.skip(f"could not create a catalog item to change (POST /catalog answered {created.status_code})")
        found = api.get("/catalog", params={"search": name, "per_page": 200}).json().get("data", [])
        ids = [int(i["id"]) for i in found if i.get("name") == name]
        if not ids:
            pytest.skip("the catalog item created for PATCH does not show up in GET /catalog")
        made.append(ids[0])
        return ids[0]

    return get


def _paid_invoice(api: ApiClient, control: Control, amount: Any) -> int:
    body = _example_body(_operation("post", "/invoices"), "amount")
    body["amount"] = amount
    created = api.request("POST", "/invoices", content=_dumps(body), headers={"Content-Type": "application/json"})
    assert created.status_code == 201, f"setup: creating an invoice to refund answered {created.status_code}"
    invoice_id = int(created.json()["id"])
    paid = control.pay(invoice_id)
    assert paid.status_code == 200, f"setup: paying invoice {invoice_id} answered {paid.status_code}"
    return invoice_id


def _operation(method: str, path: str) -> Any:
    return next(op for op in operations(_SPEC) if op.method == method and op.path == path)


def _send(edge: Edge, *, api: ApiClient, request: pytest.FixtureRequest, catalog_ids: list[int]) -> httpx.Response:
    op = edge.field.operation
    path = op.path
    if "{id}" in path:
        if path.startswith("/catalog"):
            path = path.replace("{id}", str(request.getfixturevalue("own_catalog_item")()))
        else:
            control: Control = request.getfixturevalue("control")
            amount = edge.value if edge.accepted and edge.field.field_name == "amount" else None
            invoice_amount = amount if amount is not None else _example_body(op, "amount").get("amount", 10000)
            path = path.replace("{id}", str(_paid_invoice(api, control, invoice_amount)))
    if edge.field.location == "query":
        name = str(edge.field.name[0])
        return api.request(op.method.upper(), path, params={name: str(edge.value)})
    body = _example_body(op, str(edge.field.name[0]))
    _place(body, edge.field.name, edge.value)
    _map_catalog(body, catalog_ids)
    if str(edge.field.name[0]) == "cart_items" and not catalog_ids:
        pytest.skip("the target's catalog is empty or off: cart items cannot be priced")
    return api.request(op.method.upper(), path, content=_dumps(body), headers={"Content-Type": "application/json"})


@pytest.mark.contract(check=BOUNDS_EDGE_VALUE)
@pytest.mark.parametrize("edge", _EDGES, ids=[e.id for e in _EDGES])
def test_bounds_edge_value(
    edge: Edge,
    api: ApiClient,
    target: Target,
    catalog_ids: list[int],
    request: pytest.FixtureRequest,
    contract_results: ResultSink,
) -> None:
    """Inside the bound: accepted; just outside: 422 naming the field."""
    op = edge.field.operation
    if target.profile == "production" and is_destructive(op.method, op.path):
        pytest.skip(f"--profile production: {op.label} would change a real account")
    declared, judge = (EDGE_ACCEPTED, edge_accepted) if edge.accepted else (OUTSIDE_REJECTED, outside_rejected)
    check = declared.instance(f"{edge.field.location}.{edge.field.field_name} {edge.label}")
    response = _send(edge, api=api, request=request, catalog_ids=catalog_ids)
    ctx = CheckContext(spec=_SPEC, operation=edge.field.operation.label)
    try:
        judge(ctx, response, edge)
    except Violation as violation:
        contract_results.add(
            operation=ctx.operation,
            check=check,
            verdict="failed",
            cases=1,
            failures=1,
            title=violation.title,
            message=violation.message,
            rule=violation.rule,
        )
        raise
    contract_results.add(operation=ctx.operation, check=check, verdict="passed", cases=1)
