"""Bounds suite: every bounded field's exact edges are accepted, the first values outside refused.

How a refusal looks is the spec's (``contracts.checks.bounds.refusal_of``): a 422 naming the field, or the
bound's ``x-error-codes`` code, or, for the items of a batch under ``x-outside-bounds-answer``, the item listed
as refused in a successful answer. The fields, their bounds and both sides' values come from
``apipay_harness.core.spec.bounded_fields`` and ``contracts.checks.edges``; each value is sent inside an
otherwise valid request built from the operation's own documented example, so the request breaks no rule but
the one judged: idempotency keys (``x-idempotency``) are fresh for every request, and a cart under the spec's
``x-cart-total`` is made to total what that rule allows. Where an inside edge cannot help breaking another rule
(the largest cart price is never a whole-tenge total; the largest refund is more than any invoice holds), that
rule's documented refusal is accepted as well (``OtherRule``).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import httpx
import pytest

from apipay_harness.contract.guard import is_destructive
from apipay_harness.contract.run import ResultSink
from apipay_harness.core.checks import BOUNDS_EDGE_VALUE, EDGE_ACCEPTED, OUTSIDE_REJECTED
from apipay_harness.core.spec import Operation, bounded_fields, operations, resolve, status_transitions
from apipay_harness.core.target import Target
from apipay_harness.core.types import JSONObject
from contracts.checks import CheckContext
from contracts.checks.bounds import EdgeCase, OtherRule, edge_accepted, outside_rejected, refusal_of
from contracts.checks.edges import Edge, edges_of
from contracts.client import ApiClient
from contracts.control import Control
from contracts.invoice_amounts import AmountRule
from contracts.version import active_spec
from contracts.violations import Violation

_SPEC = active_spec()
_EDGES = [edge for field in bounded_fields(_SPEC) for edge in edges_of(field)]
_DECIMAL = re.compile(r'"__decimal__(-?[0-9.]+)__"')
_NOT_STATE_RULES = {401, 403, 404, 409, 422, 429}
"""Client-error statuses that are about the key, the lookup, validation or pace, not about what state allows."""


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


def _operation(method: str, path: str) -> Operation:
    return next(op for op in operations(_SPEC) if op.method == method and op.path == path)


def _request_schema(operation: Operation) -> JSONObject:
    body = resolve(_SPEC, operation.definition.get("requestBody") or {})
    schema = ((body.get("content") or {}).get("application/json") or {}).get("schema") or {}
    resolved: JSONObject = resolve(_SPEC, schema)
    return resolved


def _example_body(operation: Operation, top: str) -> JSONObject:
    """The operation's documented request example that carries field ``top`` (else its first one)."""
    body = resolve(_SPEC, operation.definition.get("requestBody") or {})
    media = (body.get("content") or {}).get("application/json") or {}
    examples = [resolve(_SPEC, e).get("value") for e in (media.get("examples") or {}).values()]
    examples = [e for e in examples if isinstance(e, dict)]
    chosen = next((e for e in examples if top in e), examples[0] if examples else {})
    copy: JSONObject = json.loads(json.dumps(chosen), parse_float=Decimal)
    return copy


def _place(body: JSONObject, name: tuple[str | int, ...], value: Any) -> JSONObject:
    """Set ``value`` at ``name`` inside ``body`` (lists are taken from the example, so index 0 exists)."""
    node: Any = body
    for part in name[:-1]:
        node = node[part]
    node[name[-1]] = value
    return body


def _fit_alternative(op: Operation, body: JSONObject, name: tuple[str | int, ...]) -> None:
    """Drop what the ``oneOf`` branch requiring the judged field forbids beside it, so one branch holds.

    A return line names ``count`` or ``amount``, never both: judging ``amount`` drops the example's ``count``.
    """
    schema: Any = _request_schema(op)
    node: Any = body
    for part in name[:-1]:
        schema = resolve(_SPEC, schema)
        schema = (schema.get("items") if isinstance(part, int) else (schema.get("properties") or {}).get(part)) or {}
        node = node[part]
    schema = resolve(_SPEC, schema)
    for branch in schema.get("oneOf") or []:
        branch = resolve(_SPEC, branch)
        if name[-1] in (branch.get("required") or []) and isinstance(node, dict):
            for other in (branch.get("not") or {}).get("required") or []:
                node.pop(other, None)


def _map_catalog(body: JSONObject, catalog_ids: list[int]) -> None:
    """Cart and return lines name catalog items the target has (the example's ids are the docs')."""
    for key in ("cart_items", "return_items"):
        for item in body.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("catalog_item_id"), int) and catalog_ids:
                if item["catalog_item_id"] not in catalog_ids:
                    item["catalog_item_id"] = catalog_ids[0]


@pytest.fixture(scope="session")
def catalog_prices(api: ApiClient) -> dict[int, Decimal]:
    """The target's catalog items and their prices, for cart lines that must exist and add up."""
    response = api.get("/catalog", params={"per_page": 200})
    if response.status_code != 200:
        return {}
    rows = response.json().get("data", [])
    return {
        int(i["id"]): Decimal(str(i.get("selling_price")))
        for i in rows
        if isinstance(i.get("id"), int) and isinstance(i.get("selling_price"), int | float | str)
    }


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


_AMOUNTS = AmountRule.of(_SPEC)


# -- what a request needs beside the edge value ---------------------------------------------------------------


@dataclass
class _Request:
    """One request of the suite: where it goes, what it carries, and another rule it may break."""

    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: JSONObject | None = None
    other_rule: OtherRule | None = None


def _fresh_keys(op: Operation, request: _Request, edge: Edge) -> None:
    """Give every idempotency key the request carries (``x-idempotency``) a value no other request used.

    Reusing the example's key would make every request after the first a duplicate (409) or a replay; the
    key's own edges keep their values, and the documented duplicate answer is accepted for them.
    """
    rule = op.definition.get("x-idempotency")
    if not isinstance(rule, dict):
        return
    judged = str(edge.field.name[0])
    body_key, header = rule.get("field"), rule.get("header")
    if request.body is not None and body_key and body_key != judged and request.body.get(body_key):
        request.body[body_key] = f"bounds-{uuid.uuid4().hex}"
    if header and header != judged and header in request.headers:
        request.headers[header] = f"bounds-{uuid.uuid4().hex}"
    if judged in (body_key, header) and edge.accepted:
        answer = rule.get("duplicate") or rule.get("conflict") or {}
        code = answer.get("error") or answer.get("error_code")
        if "status" in answer:
            request.other_rule = OtherRule(
                int(answer["status"]), frozenset([str(code)] if code else []), "the key was used before (x-idempotency)"
            )


def _whole_cart(op: Operation, body: JSONObject, edge: Edge, prices: dict[int, Decimal]) -> OtherRule | None:
    """Make a cart total what ``x-cart-total`` allows, changing only what the edge does not judge.

    The discount goes and the judged line stands alone with the fewest pieces that make its total whole.
    When no count makes it allowed (the largest price), that rule's refusal is what the answer may be.
    """
    rule = _request_schema(op).get("x-cart-total")
    lines = body.get("cart_items")
    if not isinstance(rule, dict) or not isinstance(lines, list) or not lines or not edge.accepted:
        return None
    step = Fraction(str(rule.get("multipleOf", 1)))
    least = Fraction(str(rule.get("minimum", 0)))
    judged = str(edge.field.name[0])
    if _cart_total(body, prices, step, least) is not None:
        return None
    if judged != "discount_percentage":
        body.pop("discount_percentage", None)
    line = lines[0]
    body["cart_items"] = [line]
    price = _line_price(line, prices)
    if price is not None and edge.field.name != ("cart_items", 0, "count"):
        line["count"] = max(int(line.get("count") or 1), (price / step).denominator)
    total = _cart_total(body, prices, step, least)
    if total is not None and total <= _AMOUNTS.maximum:
        return None
    line["count"] = 1 if edge.field.name != ("cart_items", 0, "count") else line["count"]
    code = rule.get("error_code")
    return OtherRule(422, frozenset([str(code)] if code else []), "the cart total is not what x-cart-total allows")


def _line_price(line: Any, prices: dict[int, Decimal]) -> Fraction | None:
    if not isinstance(line, dict):
        return None
    price = line.get("price")
    if price is None:
        catalog = prices.get(int(line.get("catalog_item_id") or 0))
        return None if catalog is None else Fraction(catalog)
    return Fraction(str(price)) if isinstance(price, int | float | Decimal) and not isinstance(price, bool) else None


def _cart_total(body: JSONObject, prices: dict[int, Decimal], step: Fraction, least: Fraction) -> Fraction | None:
    """The cart's total, line by line less the discount, when it is a whole number of steps and at least ``least``."""
    percent = body.get("discount_percentage") or 0
    if isinstance(percent, bool) or not isinstance(percent, int | float | Decimal):
        return None
    total = Fraction(0)
    for line in body.get("cart_items") or []:
        price = _line_price(line, prices)
        count = line.get("count") if isinstance(line, dict) else None
        if price is None or isinstance(count, bool) or not isinstance(count, int):
            return None
        total += price * count * (1 - Fraction(str(percent)) / 100)
    return total if (total / step).denominator == 1 and total >= least else None


def _cart_for_returns(lines: list[Any]) -> list[JSONObject]:
    """Cart lines that hold every returned piece and amount of ``lines`` (by catalog item), at whole prices."""
    wanted: dict[int, tuple[int, Decimal]] = {}
    for line in lines:
        if not isinstance(line, dict) or not isinstance(line.get("catalog_item_id"), int):
            continue
        count, amount = wanted.get(line["catalog_item_id"], (0, Decimal(0)))
        pieces = line["count"] if isinstance(line.get("count"), int) else 1
        money = line.get("amount") if isinstance(line.get("amount"), int | Decimal) else 0
        wanted[line["catalog_item_id"]] = (count + max(int(pieces), 1), amount + Decimal(str(money)))
    return [
        {"catalog_item_id": item, "count": count, "price": max(1, math.ceil(amount / count))}
        for item, (count, amount) in wanted.items()
    ]


def _invoice(api: ApiClient, control: Control, body: JSONObject, *, paid: bool) -> int:
    """Create an invoice from ``body`` and bring it to where it can be paid (a created one may not be yet)."""
    created = api.request("POST", "/invoices", content=_dumps(body), headers={"Content-Type": "application/json"})
    assert created.status_code == 201, f"setup: creating an invoice answered {created.status_code}"
    invoice_id = int(created.json()["id"])
    statuses = status_transitions(_SPEC)["statuses"]
    status = str(created.json().get("status"))
    if "paid" not in (statuses.get(status) or {}).get("successors", ["paid"]):
        settled = control.settle(invoice_id)
        assert settled.status_code == 200, f"setup: settling invoice {invoice_id} answered {settled.status_code}"
    if paid:
        answer = control.pay(invoice_id)
        assert answer.status_code == 200, f"setup: paying invoice {invoice_id} answered {answer.status_code}"
    return invoice_id


def _simulated_rule(op: Operation, body: JSONObject, edge: Edge) -> OtherRule | None:
    """A simulated status that needs another kind of invoice than the suite's phone invoices (``qr_only``)."""
    qr_only = (op.definition.get("x-status-effect") or {}).get("qr_only") or {}
    if not edge.accepted or body.get("status") not in (qr_only.get("statuses") or []):
        return None
    refused = qr_only["refused"]
    return OtherRule(int(refused["status"]), frozenset([str(refused["error"])]), "the status is for QR invoices only")


def _invoice_target(op: Operation, body: JSONObject, edge: Edge, api: ApiClient, control: Control) -> _Request:
    """The invoice an ``/invoices/{id}/...`` request acts on.

    Simulate-status gets one it may move (``x-status-effect``), a refund a paid one holding what the refund asks
    for (a cart for returned items).
    """
    create = _example_body(_operation("post", "/invoices"), "amount")
    create.pop("external_order_id_idempotency", None)
    if "x-status-effect" in op.definition:
        invoice_id = _invoice(api, control, create, paid=False)
        return _Request("POST", op.path.replace("{id}", str(invoice_id)), other_rule=_simulated_rule(op, body, edge))
    other: OtherRule | None = None
    if isinstance(body.get("return_items"), list) and body["return_items"]:
        create.pop("amount", None)
        create["cart_items"] = _cart_for_returns(body["return_items"])
    else:
        judged = edge.accepted and edge.field.name == ("amount",)
        refund = body.get("amount") if judged else _example_body(op, "amount").get("amount")
        wanted = Decimal(str(refund)) if isinstance(refund, int | Decimal) and not isinstance(refund, bool) else None
        create["amount"] = _AMOUNTS.at_least(wanted) if wanted is not None else create.get("amount")
        if wanted is not None and wanted > _AMOUNTS.maximum:
            statuses = [int(s) for s in op.definition.get("responses", {}) if str(s).startswith("4")]
            state = [s for s in statuses if s not in _NOT_STATE_RULES]
            if state:
                other = OtherRule(state[0], frozenset(), "the refund is more than any invoice can hold")
    invoice_id = _invoice(api, control, create, paid=True)
    return _Request("POST", op.path.replace("{id}", str(invoice_id)), other_rule=other)


def _build(edge: Edge, *, api: ApiClient, request: pytest.FixtureRequest, prices: dict[int, Decimal]) -> _Request:
    op = edge.field.operation
    catalog_ids = list(prices)
    top = str(edge.field.name[0])
    body = _example_body(op, top) if op.definition.get("requestBody") else None
    if body is not None and edge.field.location == "body":
        _place(body, edge.field.name, edge.value)
        _fit_alternative(op, body, edge.field.name)
        if top in ("cart_items", "return_items") and not catalog_ids:
            pytest.skip("the target's catalog is empty or off: cart items cannot be priced")
    if body is not None:
        _map_catalog(body, catalog_ids)
    built = _Request(op.method.upper(), op.path, body=body)
    if "{id}" in op.path:
        if op.path.startswith("/catalog"):
            built.path = op.path.replace("{id}", str(request.getfixturevalue("own_catalog_item")()))
        else:
            control: Control = request.getfixturevalue("control")
            target = _invoice_target(op, body or {}, edge, api, control)
            built.path, built.other_rule = target.path, target.other_rule
    if edge.field.location == "query":
        value = edge.value
        built.params[top] = [str(v) for v in value] if isinstance(value, list) else str(value)
    elif edge.field.location == "header":
        built.headers[top] = str(edge.value)
    _fresh_keys(op, built, edge)
    if body is not None:
        built.other_rule = _whole_cart(op, body, edge, prices) or built.other_rule
    return built


def _send(api: ApiClient, built: _Request) -> httpx.Response:
    if built.body is None:
        return api.request(built.method, built.path, params=built.params, headers=built.headers)
    headers = {**built.headers, "Content-Type": "application/json"}
    return api.request(built.method, built.path, params=built.params, content=_dumps(built.body), headers=headers)


@pytest.mark.contract(check=BOUNDS_EDGE_VALUE)
@pytest.mark.parametrize("edge", _EDGES, ids=[e.id for e in _EDGES])
def test_bounds_edge_value(
    edge: Edge,
    api: ApiClient,
    target: Target,
    catalog_prices: dict[int, Decimal],
    request: pytest.FixtureRequest,
    contract_results: ResultSink,
) -> None:
    """Inside the bound: accepted; just outside: refused as the spec says, naming the field."""
    op = edge.field.operation
    if target.profile == "production" and is_destructive(op.method, op.path):
        pytest.skip(f"--profile production: {op.label} would change a real account")
    declared, judge = (EDGE_ACCEPTED, edge_accepted) if edge.accepted else (OUTSIDE_REJECTED, outside_rejected)
    check = declared.instance(f"{edge.field.location}.{edge.field.field_name} {edge.label}")
    built = _build(edge, api=api, request=request, prices=catalog_prices)
    response = _send(api, built)
    case = EdgeCase(edge, refusal_of(_SPEC, edge.field, edge.keyword), built.other_rule)
    ctx = CheckContext(spec=_SPEC, operation=op.label)
    try:
        judge(ctx, response, case)
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
