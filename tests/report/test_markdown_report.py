from __future__ import annotations

import re

from apipay_harness.core.results import CheckResult, RunInfo
from apipay_harness.report.markdown import MAX_CHARS, render_markdown
from apipay_harness.report.summary import Summary


def _table_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| suite"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def test_markdown_report_opens_with_the_verdict(write_report, sample_results: list[CheckResult]) -> None:
    text = (write_report(sample_results) / "conformance.md").read_text()
    first = text.splitlines()[0]
    assert first.startswith("## ") and "**FAILED**" in first
    assert "9 checks: 4 passed, 2 failed, 1 error, 2 skipped · 517 cases run" in text
    assert "seed `1234`" in text and "mode `quick`" in text


def test_markdown_report_matrix_counts_each_suite(write_report, sample_results: list[CheckResult]) -> None:
    rows = _table_rows((write_report(sample_results) / "conformance.md").read_text())
    assert rows["schema"] == ["2", "0", "0", "0", "430"]
    assert rows["lifecycle"] == ["1", "**1**", "0", "0", "80"]
    assert rows["concurrency"] == ["0", "0", "1", "0", "0"]
    assert rows["webhooks"] == ["0", "0", "0", "2", "0"]


def test_markdown_report_shows_each_failure_with_rule_and_reproducer(
    write_report, sample_results: list[CheckResult]
) -> None:
    text = (write_report(sample_results) / "conformance.md").read_text()
    section = text.split("### Failures (3)", 1)[1].split("### Skipped", 1)[0]
    assert "`refunds_add_up_to_amount`" in section
    assert "**Rule:** `#/components/schemas/InvoiceStatus/x-status-transitions`" in section
    assert re.search(r"```bash\ncurl -sS -i -X POST http://127.0.0.1:8080/api/v1/invoices/42/refund \\\n", section)
    assert "`parallel_refunds`" in section


def test_markdown_report_lists_each_skip_reason_once(write_report, sample_results: list[CheckResult]) -> None:
    text = (write_report(sample_results) / "conformance.md").read_text()
    skipped = text.split("### Skipped", 1)[1]
    assert skipped.count("needs the control API (--no-control)") == 1
    assert "`webhooks` (2 checks)" in skipped


def test_markdown_report_fence_survives_backticks_in_message(run_info: RunInfo) -> None:
    result = CheckResult("errors", "*", "body", "failed", message="Received:\n```\nnot closed early\n```")
    text = render_markdown(Summary.build(run_info, [result]))
    assert "````text\nReceived:\n```\nnot closed early\n```\n````" in text


def test_markdown_report_table_cell_escapes_pipes(run_info: RunInfo) -> None:
    result = CheckResult("odd|suite", "*", "c", "passed")
    assert "| odd\\|suite | 1 |" in render_markdown(Summary.build(run_info, [result]))


def test_markdown_report_fits_a_pr_comment_when_failures_are_many(run_info: RunInfo) -> None:
    results = [
        CheckResult(
            "schema",
            f"GET /invoices/{i}",
            "response_schema_conformance",
            "failed",
            message="Expected: x\nReceived: " + "y" * 9_000,
            reproducer="curl http://h/" + "z" * 3_000,
        )
        for i in range(200)
    ]
    text = render_markdown(Summary.build(run_info, results))
    assert len(text) <= MAX_CHARS
    assert re.search(r"_… \d+ more failures not shown to fit a PR comment", text)
    assert "more characters in conformance.html" in text
    assert text.rstrip().endswith("junit.xml_")


def test_markdown_report_fences_a_step_program_as_text(run_info: RunInfo) -> None:
    program = "state = InvoiceLifecycle()\nstate.pay(invoice=invoices_0)\ncurl -sS http://h/x"
    result = CheckResult("lifecycle", "*", "model", "failed", reproducer=program)
    assert f"```text\n{program}\n```" in render_markdown(Summary.build(run_info, [result]))
