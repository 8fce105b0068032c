"""Auth and tenancy suite: who may call what, and who may see whose invoices.

Every operation that needs a key answers 401 without one or with a wrong one, and 403 to
an unverified organization's key. With the second organization's key, the first
organization's invoice is 404 on get, cancel, refund and refunds, and shows up in none of
its lists or totals.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from apipay_harness.spec import load_spec, operations
from apipay_harness.target import Target
from apipay_harness.types import JSONObject
from contracts.checks import REGISTRY, CheckContext
from contracts.checks import tenancy as _tenancy  # noqa: F401  (registers the tenancy checks)
from contracts.checks.sample import needs_key, sample_request
from contracts.client import ApiClient
from contracts.control import Control

_SPEC = load_spec()
_KEYED = [op for op in operations(_SPEC) if needs_key(_SPEC, op)]
_IDS = [op.label for op in _KEYED]
WRONG_KEY = "not-a-key-" + "0" * 8


def _run(name: str, operation: str, response: Any, case: Any) -> None:
    REGISTRY[name](CheckContext(spec=_SPEC, operation=operation), response, case)


@pytest.mark.contract(suite="auth", check="unauthenticated_rejected")
@pytest.mark.parametrize("op", _KEYED, ids=_IDS)
@pytest.mark.parametrize("key", [None, WRONG_KEY], ids=["no-key", "wrong-key"])
def test_auth_without_valid_key_is_401(op: Any, key: str | None, client_for: Callable[[str | None], ApiClient]) -> None:
    """No key or a wrong key: 401 on every operation that needs one."""
    method, path, kwargs = sample_request(_SPEC, op)
    response = client_for(key).request(method, path, **kwargs)
    _run("unauthenticated_rejected", op.label, response, "no key" if key is None else "a wrong key")


@pytest.mark.contract(suite="auth", check="unverified_forbidden")
@pytest.mark.parametrize("op", _KEYED, ids=_IDS)
def test_auth_unverified_organization_is_403(
    op: Any, target: Target, client_for: Callable[[str | None], ApiClient]
) -> None:
    """An unverified organization's key: 403 on every operation that needs a key."""
    if not target.unverified_key:
        pytest.skip("no key of an unverified organization given (--unverified-key)")
    method, path, kwargs = sample_request(_SPEC, op)
    response = client_for(target.unverified_key).request(method, path, **kwargs)
    _run("unverified_forbidden", op.label, response, "the unverified organization's key")


@pytest.fixture(scope="session")
def other(target: Target, client_for: Callable[[str | None], ApiClient]) -> ApiClient:
    """The second organization's client; skips tenancy when no second key is given."""
    if not target.api_key_2:
        pytest.skip("no second organization's key given (--api-key-2 / APIPAY_API_KEY_2)")
    return client_for(target.api_key_2)


def _create(api: ApiClient, marker: str) -> JSONObject:
    body = {"amount": 1500.5, "phone_number": "87001234567", "description": marker, "external_order_id": marker}
    response = api.post("/invoices", json=body)
    assert response.status_code == 201, f"setup: creating organization 1's invoice answered {response.status_code}"
    # The marker is kept as sent: a create answer may leave external_order_id out (getting-started.md's does).
    invoice: JSONObject = {**response.json(), "_marker": marker}
    return invoice


@pytest.fixture(scope="session")
def foreign_invoice(api: ApiClient) -> JSONObject:
    """A pending invoice of organization 1, with a marker that is searchable."""
    return _create(api, f"tenancy-{uuid.uuid4().hex[:12]}")


@pytest.mark.contract(suite="auth", check="foreign_invoice_not_found", operation="GET /invoices/{id}")
def test_tenancy_foreign_invoice_get_is_404(other: ApiClient, foreign_invoice: JSONObject) -> None:
    """Organization 2 cannot read organization 1's invoice."""
    response = other.get(f"/invoices/{foreign_invoice['id']}")
    _run("foreign_invoice_not_found", "GET /invoices/{id}", response, foreign_invoice["id"])


@pytest.mark.contract(suite="auth", check="foreign_invoice_not_found", operation="GET /invoices/{id}/refunds")
def test_tenancy_foreign_invoice_refunds_is_404(other: ApiClient, foreign_invoice: JSONObject) -> None:
    """Organization 2 cannot read organization 1's refund totals."""
    response = other.get(f"/invoices/{foreign_invoice['id']}/refunds")
    _run("foreign_invoice_not_found", "GET /invoices/{id}/refunds", response, foreign_invoice["id"])


@pytest.mark.contract(suite="auth", check="foreign_invoice_not_found", operation="POST /invoices/{id}/refund")
def test_tenancy_foreign_invoice_refund_is_404(
    api: ApiClient, other: ApiClient, target: Target, request: pytest.FixtureRequest
) -> None:
    """Organization 2 cannot refund organization 1's invoice (paid, when the target lets us pay it)."""
    invoice = _create(api, f"tenancy-refund-{uuid.uuid4().hex[:8]}")
    if target.has_control:
        control: Control = request.getfixturevalue("control")
        assert control.pay(int(invoice["id"])).status_code == 200, "setup: paying organization 1's invoice failed"
    response = other.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1, "reason": "tenancy"})
    _run("foreign_invoice_not_found", "POST /invoices/{id}/refund", response, invoice["id"])


@pytest.mark.contract(suite="auth", check="foreign_invoice_not_found", operation="POST /invoices/{id}/cancel")
def test_tenancy_foreign_invoice_cancel_is_404(api: ApiClient, other: ApiClient) -> None:
    """Organization 2 cannot cancel organization 1's invoice."""
    invoice = _create(api, f"tenancy-cancel-{uuid.uuid4().hex[:8]}")
    response = other.post(f"/invoices/{invoice['id']}/cancel")
    _run("foreign_invoice_not_found", "POST /invoices/{id}/cancel", response, invoice["id"])


@pytest.mark.contract(suite="auth", check="foreign_invoice_not_listed", operation="GET /invoices")
def test_tenancy_foreign_invoice_not_in_lists(other: ApiClient, foreign_invoice: JSONObject) -> None:
    """Neither a search for its marker nor any page of organization 2's list shows organization 1's invoice."""
    marker = foreign_invoice["_marker"]
    _run(
        "foreign_invoice_not_listed",
        "GET /invoices",
        other.get("/invoices", params={"search": marker}),
        [foreign_invoice["id"]],
    )
    for page in range(1, 21):
        response = other.get("/invoices", params={"page": page, "per_page": 100, "sort_by": "id", "sort_order": "desc"})
        _run("foreign_invoice_not_listed", "GET /invoices", response, [foreign_invoice["id"]])
        meta = response.json().get("meta") or {}
        if page >= int(meta.get("last_page", page)):
            break


@pytest.mark.contract(suite="auth", check="foreign_invoice_not_in_totals", operation="GET /invoices")
def test_tenancy_foreign_invoice_not_in_totals(api: ApiClient, other: ApiClient) -> None:
    """Organization 1 creating an invoice leaves organization 2's list total as it was."""
    before = other.get("/invoices", params={"per_page": 1})
    _create(api, f"tenancy-total-{uuid.uuid4().hex[:8]}")
    after = other.get("/invoices", params={"per_page": 1})
    assert before.status_code == after.status_code == 200, "organization 2's list could not be read"
    totals = (before.json()["meta"]["total"], after.json()["meta"]["total"])
    assert totals[0] == totals[1], (
        f"organization 2's invoice total changed when organization 1 created one\n"
        f"Expected: {totals[0]}\nReceived: {totals[1]}"
    )


@pytest.mark.contract(suite="auth", check="foreign_invoice_not_listed", operation="POST /invoices/status/check")
def test_tenancy_foreign_invoice_not_status_checked(other: ApiClient, foreign_invoice: JSONObject) -> None:
    """Organization 2's status check covers only its own pending invoices."""
    response = other.post("/invoices/status/check")
    _run("foreign_invoice_not_listed", "POST /invoices/status/check", response, [foreign_invoice["id"]])


@pytest.mark.contract(suite="auth", check="foreign_refund_not_listed", operation="GET /refunds")
def test_tenancy_foreign_refunds_not_listed(api: ApiClient, other: ApiClient, control: Control) -> None:
    """Organization 1's refund shows up in none of organization 2's refund lists."""
    invoice = _create(api, f"tenancy-refunds-{uuid.uuid4().hex[:8]}")
    assert control.pay(int(invoice["id"])).status_code == 200, "setup: paying organization 1's invoice failed"
    refunded = api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1, "reason": "tenancy"})
    assert refunded.status_code == 201, f"setup: organization 1's refund answered {refunded.status_code}"
    for params in ({"invoice_id": invoice["id"]}, {"per_page": 100}):
        _run("foreign_invoice_not_listed", "GET /refunds", other.get("/refunds", params=params), [invoice["id"]])
