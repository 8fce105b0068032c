"""A failure in the Markdown and HTML reports says what its check expects of the target, from the registry."""

from __future__ import annotations

from apipay_harness.core.checks import REFUND_NEEDS_PAYMENT
from apipay_harness.core.results import CheckResult


def _failed(check: str) -> CheckResult:
    return CheckResult(
        "lifecycle",
        "POST /invoices/{id}/refund",
        check,
        "failed",
        cases=1,
        failures=1,
        title="a refund of a pending invoice was accepted",
        message="Expected: 400\nReceived: 201",
        rule="#/components/schemas/InvoiceStatus/x-status-transitions/statuses/pending/can_refund",
    )


def test_a_failure_of_a_declared_check_carries_its_description(write_report) -> None:  # type: ignore[no-untyped-def]
    reports = write_report([_failed(REFUND_NEEDS_PAYMENT.id)])
    markdown = (reports / "conformance.md").read_text()
    html = (reports / "conformance.html").read_text()
    assert f"**Expected of the target:** {REFUND_NEEDS_PAYMENT.description}" in markdown
    assert f"Expected of the target</span> {REFUND_NEEDS_PAYMENT.description}</p>" in html


def test_a_failure_of_an_unknown_check_is_shown_without_a_description(write_report) -> None:  # type: ignore[no-untyped-def]
    reports = write_report([_failed("an_integrators_own_check")])
    assert "Expected of the target" not in (reports / "conformance.md").read_text()
    assert "Expected of the target" not in (reports / "conformance.html").read_text()
