"""Against a mock that breaks one documented rule, ``apipay-harness contract`` exits 1 and its report names the rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apipay_harness.mock import MockProcess
from tests.contract.conftest import undeclared

# (fault, the suite that must catch it, the rule the report must name)
CAUGHT = [
    pytest.param("phone_pattern_off_by_one", "test_bounds", "#/components/schemas/PhoneNumber/pattern", id="bound"),
    pytest.param("tenant_leak_get", "test_tenancy", "#/paths/~1invoices~1{id}/get/responses/404", id="tenant-leak"),
    pytest.param(
        "unverified_org_allowed", "test_auth_unverified", "#/paths/~1invoices/get/responses/403", id="unverified"
    ),
    pytest.param(
        "invoice_id_as_string",
        "test_schema_operation_conforms and invoices",
        "#/paths/~1invoices~1{id}/get/responses/200/content/application~1json/schema",
        id="response-schema",
    ),
]


@pytest.mark.parametrize(("fault_mock", "suite", "rule"), CAUGHT, indirect=["fault_mock"])
def test_contract_fault_exits_1_and_names_the_rule(
    fault_mock: MockProcess, suite: str, rule: str, tmp_path: Path, cli: Any, args_for: Any
) -> None:
    done = cli(["contract", "--quick", *args_for(fault_mock), "-k", suite], cwd=tmp_path)
    assert done.code == 1, done.stdout + done.stderr[-2000:]
    results = json.loads((tmp_path / "reports" / "conformance.json").read_text())["checks"]
    assert undeclared(results) == []
    assert rule in {r["rule"] for r in results if r["verdict"] == "failed"}
    assert rule in (tmp_path / "reports" / "conformance.md").read_text()


@pytest.mark.parametrize("fault_mock", ["server_error_past_last_page"], indirect=True)
def test_contract_server_error_failure_names_the_status_that_came_back(
    fault_mock: MockProcess, tmp_path: Path, cli: Any, args_for: Any
) -> None:
    k = "test_schema_operation_conforms and invoices and not id and not refund"
    done = cli(["contract", "--quick", "--seed", "3", *args_for(fault_mock), "-k", k], cwd=tmp_path)
    assert done.code == 1, done.stdout + done.stderr[-2000:]
    results = json.loads((tmp_path / "reports" / "conformance.json").read_text())["checks"]
    assert undeclared(results) == []
    failed = [r for r in results if r["check"] == "not_a_server_error" and r["verdict"] == "failed"]
    assert failed and all(r["message"].startswith("Received: 5") for r in failed), failed
    assert "Received: 500 from GET /invoices" in {r["message"] for r in failed}


# A fault that breaks the lists and webhooks data build (the refund answer's totals), and one check of each suite
# that has nothing to do with refund totals: selecting it alone must still fail, never skip into a green run.
BUILD_BREAKER = "available_for_refund_stale"
ONE_CHECK = [
    pytest.param("test_lists_status_filter_with_several_values", id="lists-status-filter"),
    pytest.param("test_webhooks_signature_is_hmac_of_raw_body", id="webhooks-signature"),
]


@pytest.mark.parametrize("fault_mock", [BUILD_BREAKER], indirect=True, ids=[BUILD_BREAKER])
@pytest.mark.parametrize("selected", ONE_CHECK)
def test_contract_k_selecting_one_check_reports_a_broken_build(
    fault_mock: MockProcess, selected: str, tmp_path: Path, cli: Any, args_for: Any
) -> None:
    done = cli(["contract", "--quick", *args_for(fault_mock), "-k", selected], cwd=tmp_path)
    assert done.code == 1, done.stdout + done.stderr[-2000:]
    failed = [r for r in json.loads((tmp_path / "reports" / "conformance.json").read_text())["checks"] if r["failures"]]
    assert len(failed) == 1, failed
    assert "broke a rule" in failed[0]["title"] and "available_for_refund" in failed[0]["title"]
