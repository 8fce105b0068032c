"""The oracle-backed suites catch a mock breaking one business rule: exit 1, and the report names the rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apipay_harness.mock import MockProcess

# (fault, -k selection of the suite test that must catch it, the rule the report must name)
CAUGHT = [
    pytest.param(
        "refund_sum_unchecked",
        "test_lifecycle_refund_over_available_is_refused",
        "#/paths/~1invoices~1{id}~1refund/post/description",
        id="refund-sum",
    ),
    pytest.param(
        "cancel_paid_allowed",
        "test_lifecycle_cancel_of_paid_invoice_is_refused",
        "#/components/schemas/InvoiceStatus/x-status-transitions/statuses/paid/can_cancel",
        id="transition",
    ),
    pytest.param(
        "list_status_filter_ignored",
        "test_lists_status_filter_with_several_values",
        "#/paths/~1invoices/get/parameters/3/description",
        id="list-filter",
    ),
    pytest.param(
        "webhook_signature_wrong",
        "test_webhooks_signature_is_hmac_of_raw_body",
        "#/components/parameters/WebhookSignature",
        id="webhook-signature",
    ),
]


@pytest.mark.parametrize(("fault_mock", "selection", "rule"), CAUGHT, indirect=["fault_mock"])
def test_oracle_suites_fault_exits_1_and_names_the_rule(
    fault_mock: MockProcess, selection: str, rule: str, tmp_path: Path, cli: Any, args_for: Any
) -> None:
    done = cli(["contract", "--quick", *args_for(fault_mock), "-k", selection], cwd=tmp_path)
    assert done.code == 1, done.stdout + done.stderr[-2000:]
    results = json.loads((tmp_path / "reports" / "conformance.json").read_text())["checks"]
    failed = [r for r in results if r["verdict"] == "failed"]
    assert rule in {r["rule"] for r in failed}, failed
    assert rule in (tmp_path / "reports" / "conformance.md").read_text()
