"""The judges of the errors and auth suites read each version's spec: headers a response marks required, list rows."""

from __future__ import annotations

import httpx
import pytest

from apipay_harness.core.checks import DOCUMENTED_HEADERS_SENT
from apipay_harness.core.spec import load_spec
from contracts.checks import CheckContext
from contracts.checks.sample import flat_invoice
from contracts.checks.schema import documented_headers, documented_headers_sent
from contracts.checks.tenancy import list_rows
from contracts.violations import Violation

SPEC_21 = load_spec(version="2.1")
SEED = load_spec()
LIMITED = {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1787572800"}


def _answer(status: int, headers: dict[str, str]) -> httpx.Response:
    return httpx.Response(status, headers=headers, json={"message": "Too Many Attempts."})


def test_a_21_429_must_say_when_to_retry() -> None:
    ctx = CheckContext(spec=SPEC_21, operation="GET /invoices")
    assert {"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"} <= set(
        documented_headers(SPEC_21, "GET /invoices", 429)
    )
    documented_headers_sent(ctx, _answer(429, {**LIMITED, "Retry-After": "37"}), "429")
    with pytest.raises(Violation) as caught:
        documented_headers_sent(ctx, _answer(429, LIMITED), "429")
    assert caught.value.check == DOCUMENTED_HEADERS_SENT.id and "Retry-After missing" in str(caught.value)


def test_a_header_of_the_wrong_type_is_a_violation_and_the_seed_asks_only_for_its_own_headers() -> None:
    ctx = CheckContext(spec=SPEC_21, operation="GET /invoices")
    with pytest.raises(Violation):
        documented_headers_sent(ctx, _answer(429, {**LIMITED, "Retry-After": "soon"}), "429")
    seed = CheckContext(spec=SEED, operation="GET /invoices")
    documented_headers_sent(seed, _answer(429, {"X-RateLimit-Remaining": "0"}), "429")
    with pytest.raises(Violation):
        documented_headers_sent(seed, _answer(429, {}), "429")


def test_list_rows_are_found_in_either_version_and_through_the_catalog_modes() -> None:
    assert list_rows(SEED, "GET /invoices", {"data": [{"id": 1}], "meta": {"total": 1}}) == [{"id": 1}]
    assert list_rows(SPEC_21, "GET /invoices", {"current_page": 1, "data": [], "total": 0}) == []
    assert list_rows(SPEC_21, "GET /catalog", {"data": [{"id": 101}]}) == [{"id": 101}]
    assert list_rows(SPEC_21, "GET /catalog", {"items": []}) is None


def test_the_flat_invoice_of_each_version_keeps_its_amount_step() -> None:
    assert flat_invoice(SPEC_21)["amount"] % 1 == 0
    assert set(flat_invoice(SEED)) == {"amount", "phone_number"}


def test_an_answer_of_an_undocumented_status_is_not_passed_unjudged() -> None:
    ctx = CheckContext(spec=SPEC_21, operation="POST /invoices")
    with pytest.raises(Violation, match="not documented"):
        documented_headers_sent(ctx, httpx.Response(200, headers=LIMITED, text="<html></html>"), "422-invalid-phone")
