from __future__ import annotations

import json
from pathlib import Path

import pytest

from apipay_harness.core.results import CheckResult, RunInfo
from apipay_harness.report import REPORT_FILES, writers_for
from apipay_harness.report.json_writer import SCHEMA_VERSION


def test_writers_for_creates_the_dir_and_one_writer_per_file(tmp_path: Path) -> None:
    report_dir = tmp_path / "a" / "b"
    writers = writers_for(report_dir)
    assert report_dir.is_dir()
    assert [w.path.name for w in writers] == list(REPORT_FILES)  # type: ignore[attr-defined]


def test_report_writes_all_four_files(write_report, sample_results: list[CheckResult]) -> None:
    report_dir = write_report(sample_results)
    assert sorted(p.name for p in report_dir.iterdir()) == sorted(REPORT_FILES)


def test_json_report_carries_run_facts_and_totals(write_report, sample_results: list[CheckResult]) -> None:
    data = json.loads((write_report(sample_results) / "conformance.json").read_text())
    assert data["schema_version"] == SCHEMA_VERSION == 1
    assert (data["target"], data["spec_version"], data["mode"], data["seed"]) == (
        "http://127.0.0.1:8080/api/v1",
        "1.2.0",
        "quick",
        1234,
    )
    assert data["verdict"] == "failed"
    assert data["totals"] == {
        "passed": 4,
        "failed": 2,
        "skipped": 2,
        "error": 1,
        "checks": 9,
        "cases": 517,
        "failures": 2,
    }
    assert data["suites"]["webhooks"]["skipped"] == 2
    assert data["started_at"] == "2026-11-25T19:00:00+00:00" and data["finished_at"]


def test_json_report_has_one_entry_per_operation_and_check(write_report, sample_results: list[CheckResult]) -> None:
    data = json.loads((write_report(sample_results) / "conformance.json").read_text())
    entries = {(c["suite"], c["operation"], c["check"]): c for c in data["checks"]}
    assert len(entries) == len(sample_results)
    refund = entries[("lifecycle", "POST /invoices/{id}/refund", "refunds_add_up_to_amount")]
    assert refund["verdict"] == "failed"
    assert (refund["cases"], refund["failures"]) == (40, 1)
    assert refund["rule"] == "#/components/schemas/InvoiceStatus/x-status-transitions"
    assert refund["reproducer"].startswith("curl -sS -i -X POST http://127.0.0.1:8080/api/v1/invoices/42/refund")
    assert refund["message"].startswith("Expected: 422\nReceived: 200")


def test_json_report_orders_checks_by_suite_reading_order(write_report, sample_results: list[CheckResult]) -> None:
    data = json.loads((write_report(list(reversed(sample_results))) / "conformance.json").read_text())
    suites = [c["suite"] for c in data["checks"]]
    assert suites == [
        "schema",
        "schema",
        "bounds",
        "lifecycle",
        "lifecycle",
        "auth",
        "webhooks",
        "webhooks",
        "concurrency",
    ]


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        pytest.param(["passed", "skipped"], "passed", id="passed"),
        pytest.param(["skipped", "skipped"], "skipped", id="nothing-ran"),
        pytest.param(["passed", "error"], "error", id="error"),
        pytest.param(["error", "failed"], "failed", id="failed-wins"),
    ],
)
def test_json_report_overall_verdict(write_report, verdicts: list[str], expected: str) -> None:
    results = [CheckResult("schema", "GET /status", f"c{i}", v) for i, v in enumerate(verdicts)]  # type: ignore[arg-type]
    assert json.loads((write_report(results) / "conformance.json").read_text())["verdict"] == expected


def test_json_report_writes_decimal_extra_as_string(write_report) -> None:
    from decimal import Decimal

    result = CheckResult("lifecycle", "*", "money", "passed", extra={"total_refunded": Decimal("5000.10")})
    data = json.loads((write_report([result]) / "conformance.json").read_text())
    assert data["checks"][0]["extra"] == {"total_refunded": "5000.10"}


def test_writer_finish_before_start_is_an_error(tmp_path: Path) -> None:
    writer = writers_for(tmp_path)[0]
    with pytest.raises(RuntimeError, match="before start"):
        writer.finish()


def test_writer_start_forgets_an_earlier_run(tmp_path: Path, run_info: RunInfo) -> None:
    writer = writers_for(tmp_path)[0]
    writer.start(run_info)
    writer.handle(CheckResult("schema", "GET /status", "old", "failed"))
    writer.start(run_info)
    writer.handle(CheckResult("schema", "GET /status", "new", "passed"))
    writer.finish()
    data = json.loads((tmp_path / "conformance.json").read_text())
    assert [c["check"] for c in data["checks"]] == ["new"]


def test_json_report_never_writes_money_in_exponent_form(write_report) -> None:
    from decimal import Decimal

    result = CheckResult("lifecycle", "*", "money", "passed", extra={"amount": Decimal("1E+2")})
    data = json.loads((write_report([result]) / "conformance.json").read_text())
    assert data["checks"][0]["extra"] == {"amount": "100"}
