from __future__ import annotations

from pathlib import Path

from apipay_harness.loadrun.audit import AuditReport, Violation
from apipay_harness.loadrun.summary import HistoryPoint, LoadSummary, read_history, write_summary
from apipay_harness.loadrun.thresholds import Breach, Thresholds

HEADER = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,95%\n"


def _summary(
    *, control: bool = True, breaches: list[Breach] | None = None, audit: AuditReport | None = None
) -> LoadSummary:
    return LoadSummary(
        target="http://127.0.0.1:1/api/v1",
        scenario="mixed",
        users=4,
        workers=2,
        run_time="10s",
        thresholds=Thresholds(),
        breaches=breaches or [],
        audit=audit or AuditReport(checked=3),
        run={"control": control, "total": {"requests": 10, "failures": 0, "rps": 5.0}, "endpoints": []},
    )


def test_summary_history_keeps_aggregated_rows_from_the_first_user(tmp_path: Path) -> None:
    csv = tmp_path / "h.csv"
    csv.write_text(
        HEADER
        + "100,0,,Aggregated,0,0,N/A,N/A\n"
        + "101,4,POST,/invoices,9,0,3,7\n"
        + "101,4,,Aggregated,12.5,0,2,8\n"
        + "103,4,,Aggregated,20,0,3,N/A\n",
        encoding="utf-8",
    )
    assert read_history(csv) == [
        HistoryPoint(second=0, rps=12.5, p95_ms=8.0),
        HistoryPoint(second=2, rps=20.0, p95_ms=0.0),
    ]


def test_summary_markdown_draws_rps_and_p95_as_mermaid_xycharts(tmp_path: Path) -> None:
    history = [HistoryPoint(second=s, rps=10.0 + s, p95_ms=3.0) for s in range(100)]
    _, md = write_summary(tmp_path, _summary(), history)
    text = md.read_text(encoding="utf-8")
    assert text.count("```mermaid\nxychart-beta") == 2
    assert 'title "Requests per second"' in text and 'title "p95 response time (ms)"' in text
    x_axis = next(line for line in text.splitlines() if line.strip().startswith("x-axis"))
    assert len(x_axis.split("[")[1].split(",")) <= 40  # long runs are thinned so the chart stays readable


def test_summary_says_when_the_target_had_no_control_api(tmp_path: Path) -> None:
    json_path, md = write_summary(tmp_path, _summary(control=False), [])
    assert "no control API" in md.read_text(encoding="utf-8")
    assert '"control": false' in json_path.read_text(encoding="utf-8")


def test_summary_verdict_fails_on_an_audit_violation(tmp_path: Path) -> None:
    audit = AuditReport(checked=1, violations=[Violation(invoice_id=9, kind="over_refund", message="total 2 > 1")])
    json_path, md = write_summary(tmp_path, _summary(audit=audit), [])
    assert '"verdict": "failed"' in json_path.read_text(encoding="utf-8")
    assert "| 9 | over_refund | total 2 > 1 |" in md.read_text(encoding="utf-8")


def test_summary_lists_each_broken_threshold(tmp_path: Path) -> None:
    breach = Breach(threshold="min_rps", subject="all requests", limit=100, observed=5, message="throughput is 5.0")
    _, md = write_summary(tmp_path, _summary(breaches=[breach]), [])
    text = md.read_text(encoding="utf-8")
    assert "| min_rps | 1 | broken |" in text and "- throughput is 5.0" in text
