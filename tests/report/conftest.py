"""Result streams shaped like a real contract run, and a helper that writes a report from them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from apipay_harness.core.results import CheckResult, RunInfo
from apipay_harness.report import writers_for

WriteReport = Callable[[Iterable[CheckResult]], Path]

REFUND_REPRODUCER = (
    "curl -sS -i -X POST http://127.0.0.1:8080/api/v1/invoices/42/refund \\\n"
    "  -H 'X-API-Key: [redacted]' \\\n"
    "  -H 'Content-Type: application/json' \\\n"
    '  --data-raw \'{"amount":"6000.00"}\''
)


@pytest.fixture
def run_info() -> RunInfo:
    return RunInfo(
        target="http://127.0.0.1:8080/api/v1",
        spec_version="1.2.0",
        mode="quick",
        seed=1234,
        started_at="2026-11-25T19:00:00+00:00",
    )


@pytest.fixture
def sample_results() -> list[CheckResult]:
    """Passed, failed (with rule and reproducer), error and skipped results over several suites."""
    return [
        CheckResult("schema", "POST /invoices", "not_a_server_error", "passed", cases=250, seconds=3.5),
        CheckResult("schema", "GET /invoices", "response_schema_conformance", "passed", cases=180, seconds=2.1),
        CheckResult(
            "bounds",
            "POST /invoices",
            "amount_bounds",
            "failed",
            cases=6,
            failures=1,
            title="amount above the maximum accepted",
            message="Expected: 422 with an errors entry for amount\nReceived: 201",
            rule="#/components/schemas/CreateInvoiceRequest/properties/amount/maximum",
            reproducer="curl -sS -i -X POST http://127.0.0.1:8080/api/v1/invoices \\\n  -H 'X-API-Key: [redacted]'",
            seconds=0.4,
        ),
        CheckResult(
            "lifecycle",
            "POST /invoices/{id}/refund",
            "refunds_add_up_to_amount",
            "failed",
            cases=40,
            failures=1,
            title="refund above the available amount was accepted",
            message='Expected: 422\nReceived: 200 {"note": "<script>window.__pwned = 1</script>", "amount": "6000.00"}',
            rule="#/components/schemas/InvoiceStatus/x-status-transitions",
            reproducer=REFUND_REPRODUCER,
            seconds=5.0,
        ),
        CheckResult("lifecycle", "*", "invoice_matches_model", "passed", cases=40, seconds=5.0),
        CheckResult(
            "concurrency",
            "POST /invoices/{id}/refund",
            "parallel_refunds",
            "error",
            title="ConnectError",
            message="the target closed the connection",
        ),
        CheckResult("auth", "GET /invoices/{id}", "other_org_is_404", "passed", cases=1),
        CheckResult(
            "webhooks", "*", "signature_over_raw_body", "skipped", message="needs the control API (--no-control)"
        ),
        CheckResult(
            "webhooks", "*", "one_event_per_transition", "skipped", message="needs the control API (--no-control)"
        ),
    ]


@pytest.fixture
def write_report(tmp_path: Path, run_info: RunInfo) -> WriteReport:
    """Feed results through every writer and return the report directory."""

    def write(results: Iterable[CheckResult]) -> Path:
        report_dir = tmp_path / "report"
        writers = writers_for(report_dir)
        for writer in writers:
            writer.start(run_info)
        for result in results:
            for writer in writers:
                writer.handle(result)
        for writer in writers:
            writer.finish()
        return report_dir

    return write
