"""Auth and tenancy suite: who may call what, and who may see whose invoices.

Every operation that needs a key answers 401 without one or with a wrong one, and 403 to
an unverified organization's key. With the second organization's key, the first
organization's invoice is 404 on get, cancel, refund and refunds, and shows up in none of
its lists, totals, refund lists or status checks. What else an organization owns stays its
own: the second organization cannot list, change, delete or put in a cart the first one's
catalog items, and (where the version's create takes a ``webhook_id``) the first cannot name the
second one's webhook on its invoice. Where the docs name no status for such a refusal, any 4xx the
operation documents is accepted.

What differs between versions is read from the spec: the invoices are made from the create's own
example (so their amount keeps the version's step: whole tenge on 2.1), a fresh invoice that starts
in a status payment cannot come from (2.1's ``processing``) is waited out on the target's clock, the
status check sends the ids when its request documents a body, and a list's rows, total and page size
are where its 200 answer (and ``x-pagination``) puts them; pages are walked until one comes back short.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from apipay_harness.core.checks import (
    FOREIGN_CATALOG_ITEM_NOT_LISTED,
    FOREIGN_INVOICE_NOT_FOUND,
    FOREIGN_INVOICE_NOT_IN_TOTALS,
    FOREIGN_INVOICE_NOT_LISTED,
    FOREIGN_REFUND_NOT_LISTED,
    FOREIGN_RESOURCE_REFUSED,
    FOREIGN_WEBHOOK_REFUSED,
    UNAUTHENTICATED_REJECTED,
    UNVERIFIED_FORBIDDEN,
)
from apipay_harness.core.spec import operations, resolve
from apipay_harness.core.target import Target
from apipay_harness.core.types import JSONObject
from apipay_harness.core.webhook_inbox import webhook_inbox
from contracts.checks import CheckContext, Judge
from contracts.checks import tenancy as judges
from contracts.checks.sample import flat_invoice, needs_key, sample_request
from contracts.client import ApiClient
from contracts.control import Control
from contracts.version import active_spec

_SPEC = active_spec()
_KEYED = [op for op in operations(_SPEC) if needs_key(_SPEC, op)]
_IDS = [op.label for op in _KEYED]
WRONG_KEY = "not-a-key-" + "0" * 8
_MAX_PAGES = 20
"""Pages of a list read at most while looking for another organization's rows."""
_SETTLE_STEPS = (1, 2, 4, 8, 16, 32)
"""Clock seconds advanced, one step after another, while a fresh invoice leaves a status it cannot be paid from."""
_TRANSITIONS = resolve(_SPEC, _SPEC["components"]["schemas"]["InvoiceStatus"])["x-status-transitions"]
_INITIAL = str(_TRANSITIONS["initial"])
_UNPAYABLE_START = "paid" not in _TRANSITIONS["statuses"][_INITIAL]["successors"]
"""Whether a fresh invoice starts in a status payment cannot come from (2.1's ``processing``), to be waited out."""


def _run(judge: Judge, operation: str, response: Any, case: Any) -> None:
    judge(CheckContext(spec=_SPEC, operation=operation), response, case)


@pytest.mark.contract(check=UNAUTHENTICATED_REJECTED)
@pytest.mark.parametrize("op", _KEYED, ids=_IDS)
@pytest.mark.parametrize("key", [None, WRONG_KEY], ids=["no-key", "wrong-key"])
def test_auth_without_valid_key_is_401(op: Any, key: str | None, client_for: Callable[[str | None], ApiClient]) -> None:
    """No key or a wrong key: 401 on every operation that needs one."""
    method, path, kwargs = sample_request(_SPEC, op)
    response = client_for(key).request(method, path, **kwargs)
    _run(judges.unauthenticated_rejected, op.label, response, "no key" if key is None else "a wrong key")


@pytest.mark.contract(check=UNVERIFIED_FORBIDDEN)
@pytest.mark.parametrize("op", _KEYED, ids=_IDS)
def test_auth_unverified_organization_is_403(
    op: Any, target: Target, client_for: Callable[[str | None], ApiClient]
) -> None:
    """An unverified organization's key: 403 on every operation that needs a key."""
    if not target.unverified_key:
        pytest.skip("no key of an unverified organization given (--unverified-key)")
    method, path, kwargs = sample_request(_SPEC, op)
    response = client_for(target.unverified_key).request(method, path, **kwargs)
    _run(judges.unverified_forbidden, op.label, response, "the unverified organization's key")


@pytest.fixture(scope="session")
def other(target: Target, client_for: Callable[[str | None], ApiClient]) -> ApiClient:
    """The second organization's client; skips tenancy when no second key is given."""
    if not target.api_key_2:
        pytest.skip("no second organization's key given (--api-key-2 / APIPAY_API_KEY_2)")
    return client_for(target.api_key_2)


def _create(api: ApiClient, marker: str) -> JSONObject:
    body = {**flat_invoice(_SPEC), "description": marker, "external_order_id": marker}
    response = api.post("/invoices", json=body)
    assert response.status_code == 201, f"setup: creating organization 1's invoice answered {response.status_code}"
    # The marker is kept as sent: a create answer may leave external_order_id out (getting-started.md's does).
    invoice: JSONObject = {**response.json(), "_marker": marker}
    return invoice


def _payable(api: ApiClient, control: Control, invoice: JSONObject) -> None:
    """Wait out, on the target's clock, a fresh invoice's start in a status payment cannot come from."""
    status = invoice.get("status")
    for step in _SETTLE_STEPS:
        if not _UNPAYABLE_START or status != _INITIAL:
            return
        control.advance(step)
        read = api.get(f"/invoices/{invoice['id']}")
        assert read.status_code == 200, f"setup: reading organization 1's invoice answered {read.status_code}"
        status = read.json().get("status")
    assert status != _INITIAL, f"setup: organization 1's invoice is still {_INITIAL} after {sum(_SETTLE_STEPS)} s"


def _pay(api: ApiClient, control: Control, invoice: JSONObject) -> None:
    _payable(api, control, invoice)
    assert control.pay(int(invoice["id"])).status_code == 200, "setup: paying organization 1's invoice failed"


def _per_page(path: str) -> int:
    """The largest page the list documents (its ``per_page`` maximum)."""
    for param in _SPEC["paths"][path]["get"].get("parameters", []):
        param = resolve(_SPEC, param)
        if param.get("name") == "per_page":
            return int(resolve(_SPEC, param["schema"])["maximum"])
    raise LookupError(f"GET {path} documents no per_page")


def _pages(api: ApiClient, path: str, **params: Any) -> Iterator[httpx.Response]:
    """Each page of ``GET path`` (the largest documented), up to the first short one or ``_MAX_PAGES``."""
    per_page = _per_page(path)
    for page in range(1, _MAX_PAGES + 1):
        response = api.get(path, params={**params, "page": page, "per_page": per_page})
        yield response
        try:
            rows = judges.list_rows(_SPEC, f"GET {path}", response.json()) if response.status_code == 200 else None
        except ValueError:
            rows = None
        if rows is None or len(rows) < per_page:
            return


def _total(path: str, body: Any) -> int:
    """A list's total: ``x-pagination``'s ``total_field``, else the ``total`` of the object beside the rows.

    A body without the total where the spec puts it fails the check (the target broke the page's shape).
    """
    operation = _SPEC["paths"][path]["get"]
    field = (operation.get("x-pagination") or {}).get("total_field")
    where: tuple[str, ...] | None = (field,) if field is not None else None
    schema = resolve(_SPEC, resolve(_SPEC, operation["responses"]["200"])["content"]["application/json"]["schema"])
    for name, prop in (schema.get("properties") or {}).items():
        if where is None and "total" in (resolve(_SPEC, prop).get("properties") or {}):
            where = (name, "total")
    if where is None:
        raise LookupError(f"GET {path} documents no total")
    value: Any = body
    for key in where:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise AssertionError(
            f"GET {path} answered a page without its documented total\n"
            f"Expected: an integer at {'.'.join(where)}\n"
            f"Received: a body with the members {sorted(body) if isinstance(body, dict) else type(body).__name__}"
        )
    return value


def _refused_as_unknown(response: httpx.Response, operation: str) -> bool:
    """Whether a filter naming another organization's invoice was refused as naming none: a documented 404 or 422.

    2.1's ``invoice_id`` filter must name an invoice that exists, and another organization's does not
    exist for this key; such a refusal shows nothing of it.
    """
    method, path = operation.split(" ", 1)
    documented = _SPEC["paths"][path][method.lower()]["responses"]
    return response.status_code in (404, 422) and str(response.status_code) in documented


def _status_check_body(ids: list[int]) -> JSONObject | None:
    """The status check's request: its example with every list of ids replaced by ``ids`` (None: it takes no body)."""
    request = _SPEC["paths"]["/invoices/status/check"]["post"].get("requestBody")
    if request is None:
        return None
    example = next(iter(request["content"]["application/json"]["examples"].values()))
    value = resolve(_SPEC, example)["value"]
    return {k: list(ids) if isinstance(v, list) and all(isinstance(i, int) for i in v) else v for k, v in value.items()}


@pytest.fixture(scope="session")
def foreign_invoice(api: ApiClient) -> JSONObject:
    """A pending invoice of organization 1, with a marker that is searchable."""
    return _create(api, f"tenancy-{uuid.uuid4().hex[:12]}")


@pytest.mark.contract(check=FOREIGN_INVOICE_NOT_FOUND, operation="GET /invoices/{id}")
def test_tenancy_foreign_invoice_get_is_404(other: ApiClient, foreign_invoice: JSONObject) -> None:
    """Organization 2 cannot read organization 1's invoice."""
    response = other.get(f"/invoices/{foreign_invoice['id']}")
    _run(judges.foreign_invoice_not_found, "GET /invoices/{id}", response, foreign_invoice["id"])


@pytest.mark.contract(check=FOREIGN_INVOICE_NOT_FOUND, operation="GET /invoices/{id}/refunds")
def test_tenancy_foreign_invoice_refunds_is_404(other: ApiClient, foreign_invoice: JSONObject) -> None:
    """Organization 2 cannot read organization 1's refund totals."""
    response = other.get(f"/invoices/{foreign_invoice['id']}/refunds")
    _run(judges.foreign_invoice_not_found, "GET /invoices/{id}/refunds", response, foreign_invoice["id"])


@pytest.mark.contract(check=FOREIGN_INVOICE_NOT_FOUND, operation="POST /invoices/{id}/refund")
def test_tenancy_foreign_invoice_refund_is_404(
    api: ApiClient, other: ApiClient, target: Target, request: pytest.FixtureRequest
) -> None:
    """Organization 2 cannot refund organization 1's invoice (paid, when the target lets us pay it)."""
    invoice = _create(api, f"tenancy-refund-{uuid.uuid4().hex[:8]}")
    if target.has_control:
        _pay(api, request.getfixturevalue("control"), invoice)
    response = other.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1, "reason": "tenancy"})
    _run(judges.foreign_invoice_not_found, "POST /invoices/{id}/refund", response, invoice["id"])


@pytest.mark.contract(check=FOREIGN_INVOICE_NOT_FOUND, operation="POST /invoices/{id}/cancel")
def test_tenancy_foreign_invoice_cancel_is_404(api: ApiClient, other: ApiClient) -> None:
    """Organization 2 cannot cancel organization 1's invoice."""
    invoice = _create(api, f"tenancy-cancel-{uuid.uuid4().hex[:8]}")
    response = other.post(f"/invoices/{invoice['id']}/cancel")
    _run(judges.foreign_invoice_not_found, "POST /invoices/{id}/cancel", response, invoice["id"])


@pytest.mark.contract(check=FOREIGN_INVOICE_NOT_LISTED, operation="GET /invoices")
def test_tenancy_foreign_invoice_not_in_lists(other: ApiClient, foreign_invoice: JSONObject) -> None:
    """Neither a search for its marker nor any page of organization 2's list shows organization 1's invoice."""
    marker = foreign_invoice["_marker"]
    _run(
        judges.foreign_invoice_not_listed,
        "GET /invoices",
        other.get("/invoices", params={"search": marker}),
        [foreign_invoice["id"]],
    )
    for response in _pages(other, "/invoices", sort_by="id", sort_order="desc"):
        _run(judges.foreign_invoice_not_listed, "GET /invoices", response, [foreign_invoice["id"]])


@pytest.mark.contract(check=FOREIGN_INVOICE_NOT_IN_TOTALS, operation="GET /invoices")
def test_tenancy_foreign_invoice_not_in_totals(api: ApiClient, other: ApiClient) -> None:
    """Organization 1 creating an invoice leaves organization 2's list total as it was."""
    before = other.get("/invoices", params={"per_page": 1})
    _create(api, f"tenancy-total-{uuid.uuid4().hex[:8]}")
    after = other.get("/invoices", params={"per_page": 1})
    assert before.status_code == after.status_code == 200, "organization 2's list could not be read"
    totals = (_total("/invoices", before.json()), _total("/invoices", after.json()))
    assert totals[0] == totals[1], (
        f"organization 2's invoice total changed when organization 1 created one\n"
        f"Expected: {totals[0]}\nReceived: {totals[1]}"
    )


@pytest.mark.contract(check=FOREIGN_INVOICE_NOT_LISTED, operation="POST /invoices/status/check")
def test_tenancy_foreign_invoice_not_status_checked(api: ApiClient, other: ApiClient) -> None:
    """Organization 2's status check reports none of organization 1's invoices (named, where it takes ids)."""
    pending = _create(api, f"tenancy-check-{uuid.uuid4().hex[:8]}")
    body = _status_check_body([int(pending["id"])])
    response = other.post("/invoices/status/check", json=body) if body else other.post("/invoices/status/check")
    _run(judges.foreign_invoice_not_listed, "POST /invoices/status/check", response, [pending["id"]])


@pytest.mark.contract(check=FOREIGN_REFUND_NOT_LISTED, operation="GET /refunds")
def test_tenancy_foreign_refunds_not_listed(api: ApiClient, other: ApiClient, control: Control) -> None:
    """Organization 1's refund shows up in none of organization 2's refund lists."""
    invoice = _create(api, f"tenancy-refunds-{uuid.uuid4().hex[:8]}")
    _pay(api, control, invoice)
    refunded = api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1, "reason": "tenancy"})
    assert refunded.status_code == 201, f"setup: organization 1's refund answered {refunded.status_code}"
    by_invoice = other.get("/refunds", params={"invoice_id": invoice["id"]})
    lists = [*([] if _refused_as_unknown(by_invoice, "GET /refunds") else [by_invoice]), *_pages(other, "/refunds")]
    for response in lists:
        _run(judges.foreign_invoice_not_listed, "GET /refunds", response, [invoice["id"]])


# -- what else an organization owns: catalog items and webhooks ----------------------------------------------------


def _catalog(api: ApiClient, who: str) -> list[JSONObject]:
    """Every item of the organization's catalog (all pages); skips when its catalog is off."""
    items: list[JSONObject] = []
    for response in _pages(api, "/catalog"):
        if response.status_code == 400:
            pytest.skip(f"{who}'s catalog is off (GET /catalog answered 400): no catalog item to judge")
        assert response.status_code == 200, f"setup: {who}'s GET /catalog answered {response.status_code}"
        items.extend(judges.list_rows(_SPEC, "GET /catalog", response.json()) or ())
    return items


def _own_item(api: ApiClient) -> JSONObject:
    items = _catalog(api, "organization 1")
    if not items:
        pytest.skip("organization 1's catalog is empty: no catalog item to judge")
    return items[0]


@pytest.mark.contract(check=FOREIGN_CATALOG_ITEM_NOT_LISTED, operation="GET /catalog")
def test_tenancy_foreign_catalog_items_not_listed(api: ApiClient, other: ApiClient) -> None:
    """No page of organization 2's catalog shows one of organization 1's items."""
    mine = [int(item["id"]) for item in _catalog(api, "organization 1")]
    if not mine:
        pytest.skip("organization 1's catalog is empty: no catalog item to look for")
    _catalog(other, "organization 2")  # skips when organization 2 has no catalog to look in
    for response in _pages(other, "/catalog"):
        _run(judges.foreign_catalog_item_not_listed, "GET /catalog", response, mine)


@pytest.mark.contract(check=FOREIGN_RESOURCE_REFUSED, operation="PATCH /catalog/{id}")
def test_tenancy_foreign_catalog_item_cannot_be_changed(api: ApiClient, other: ApiClient) -> None:
    """Organization 2's PATCH of organization 1's item is refused (it sends the item's own name: harmless if not)."""
    item = _own_item(api)
    response = other.patch(f"/catalog/{item['id']}", json={"name": item["name"]})
    _run(judges.foreign_resource_refused, "PATCH /catalog/{id}", response, "a PATCH of another organization's item")


@pytest.mark.contract(check=FOREIGN_RESOURCE_REFUSED, operation="DELETE /catalog/{id}")
def test_tenancy_foreign_catalog_item_cannot_be_deleted(api: ApiClient, other: ApiClient) -> None:
    """Organization 2's DELETE of an item organization 1 made for this check is refused; organization 1 removes it."""
    _own_item(api)  # skips when organization 1 has no catalog
    units = api.get("/catalog/units")
    assert units.status_code == 200 and units.json()["data"], "setup: GET /catalog/units gave no unit"
    name = f"tenancy-{uuid.uuid4().hex[:12]}"
    line = {"name": name, "selling_price": 1, "unit_id": units.json()["data"][0]["id"]}
    created = api.post("/catalog", json={"items": [line]})
    assert created.status_code in (201, 202), f"setup: creating a catalog item answered {created.status_code}"
    found = [item for item in _catalog(api, "organization 1") if item.get("name") == name]
    if not found and created.status_code == 202:
        pytest.skip("the catalog item made for this check is not listed yet (its creation was queued: 202)")
    assert found, f"setup: the catalog item created with 201 ({name}) is not in organization 1's GET /catalog"
    try:
        response = other.delete(f"/catalog/{found[0]['id']}")
        refused = judges.foreign_resource_refused
        _run(refused, "DELETE /catalog/{id}", response, "a DELETE of another organization's item")
    finally:
        api.delete(f"/catalog/{found[0]['id']}")


@pytest.mark.contract(check=FOREIGN_RESOURCE_REFUSED, operation="POST /invoices")
def test_tenancy_foreign_catalog_item_not_in_cart(api: ApiClient, other: ApiClient) -> None:
    """Organization 2 cannot put one of organization 1's catalog items in its cart."""
    item = _own_item(api)
    body = {"phone_number": "87001234567", "cart_items": [{"catalog_item_id": item["id"], "count": 1}]}
    response = other.post("/invoices", json=body)
    _run(judges.foreign_resource_refused, "POST /invoices", response, "a cart with another organization's catalog item")


@pytest.mark.contract(check=FOREIGN_WEBHOOK_REFUSED, operation="POST /invoices")
def test_tenancy_foreign_webhook_id_refused(api: ApiClient, other: ApiClient, target: Target, control: Control) -> None:
    """Organization 1's invoice cannot name organization 2's webhook: its events would go to another's URL."""
    with webhook_inbox() as receiver:
        hook = control.register_webhook(url=receiver.url, secret=secrets.token_hex(16), api_key=target.api_key_2 or "")
        response = api.post("/invoices", json={**flat_invoice(_SPEC), "webhook_id": hook})
    refused = judges.foreign_webhook_refused
    _run(refused, "POST /invoices", response, "an invoice with another organization's webhook_id")
