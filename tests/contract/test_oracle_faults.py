"""The oracle-backed suites catch a mock breaking business rules: exit 1, and the report names each rule broken."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apipay_harness.mock import running_mock
from tests.contract.conftest import undeclared

_REFUND_SUM = "#/paths/~1invoices~1{id}~1refund/post/description"
_PAID_CANNOT_CANCEL = "#/components/schemas/InvoiceStatus/x-status-transitions/statuses/paid/can_cancel"
_STATUS_FILTER = "#/paths/~1invoices/get/parameters/3/description"
_SIGNATURE = "#/components/parameters/WebhookSignature"

# Two faults per mock (chosen so that neither hides the other), each with the suite test that must catch it and
# the rule the report must name: one run per pair keeps this file's cost to two contract runs.
CAUGHT = [
    pytest.param(
        {
            "refund_sum_unchecked": ("test_lifecycle_refund_over_available_is_refused", _REFUND_SUM),
            "cancel_paid_allowed": ("test_lifecycle_cancel_of_paid_invoice_is_refused", _PAID_CANNOT_CANCEL),
        },
        id="refund-sum+transition",
    ),
    pytest.param(
        {
            "list_status_filter_ignored": ("test_lists_status_filter_with_several_values", _STATUS_FILTER),
            "webhook_signature_wrong": ("test_webhooks_signature_is_hmac_of_raw_body", _SIGNATURE),
        },
        id="list-filter+webhook-signature",
    ),
]


@pytest.mark.parametrize("faults", CAUGHT)
def test_oracle_suites_faults_exit_1_and_name_the_rules(
    faults: dict[str, tuple[str, str]], tmp_path: Path, cli: Any, args_for: Any
) -> None:
    selection = " or ".join(test for test, _ in faults.values())
    with running_mock(faults=list(faults)) as mock:
        done = cli(["contract", "--quick", *args_for(mock), "-k", selection], cwd=tmp_path)
    assert done.code == 1, done.stdout + done.stderr[-2000:]
    results = json.loads((tmp_path / "reports" / "conformance.json").read_text())["checks"]
    assert undeclared(results) == []
    failed = {r["rule"] for r in results if r["verdict"] == "failed"}
    markdown = (tmp_path / "reports" / "conformance.md").read_text()
    for _, rule in faults.values():
        assert rule in failed, results
        assert rule in markdown
