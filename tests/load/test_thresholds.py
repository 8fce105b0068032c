from __future__ import annotations

import pytest

from apipay_harness.loadrun.thresholds import EndpointStats, Thresholds, evaluate


def _row(
    name: str, *, requests: int = 100, failures: int = 0, p95_ms: float = 10.0, rps: float = 50.0
) -> EndpointStats:
    return EndpointStats(method="POST", name=name, requests=requests, failures=failures, p95_ms=p95_ms, rps=rps)


def test_thresholds_hold_when_every_limit_is_met() -> None:
    rows = [_row("/invoices", p95_ms=40), _row("/invoices/{id}/refund", p95_ms=50)]
    total = _row("Aggregated", requests=200, failures=1, p95_ms=50, rps=100)
    assert evaluate(Thresholds(max_p95_ms=50, max_fail_ratio=0.01, min_rps=100), rows, total) == []


def test_thresholds_name_each_endpoint_over_p95_and_by_how_much() -> None:
    rows = [_row("/invoices", p95_ms=12), _row("/invoices/{id}", p95_ms=3), _row("/invoices/{id}/cancel", p95_ms=7)]
    breaches = evaluate(Thresholds(max_p95_ms=5), rows, _row("Aggregated", requests=300))
    assert [(b.threshold, b.subject) for b in breaches] == [
        ("max_p95_ms", "POST /invoices"),
        ("max_p95_ms", "POST /invoices/{id}/cancel"),
    ]
    assert "p95 of POST /invoices is 12 ms, above --max-p95-ms 5 by 7 ms" == breaches[0].message


def test_thresholds_ignore_p95_of_endpoints_without_requests() -> None:
    breaches = evaluate(Thresholds(max_p95_ms=1), [_row("/refunds", requests=0, p95_ms=99)], _row("Aggregated"))
    assert breaches == []


def test_thresholds_report_failure_ratio_above_limit() -> None:
    total = _row("Aggregated", requests=1000, failures=25)
    [breach] = evaluate(Thresholds(max_fail_ratio=0.01), [], total)
    assert breach.threshold == "max_fail_ratio"
    assert breach.observed == pytest.approx(0.025)
    assert "(25/1000)" in breach.message and "by 0.0150" in breach.message


def test_thresholds_report_throughput_below_minimum() -> None:
    [breach] = evaluate(Thresholds(min_rps=200), [], _row("Aggregated", rps=150.0))
    assert breach.threshold == "min_rps"
    assert breach.message == "throughput is 150.0 requests/s, below --min-rps 200 by 50.0"


def test_thresholds_count_unhandled_user_exceptions_as_a_breach() -> None:
    [breach] = evaluate(Thresholds(), [], _row("Aggregated"), exceptions=3)
    assert breach.threshold == "exceptions" and breach.observed == 3


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"max_p95_ms": 0}, id="p95-zero"),
        pytest.param({"max_fail_ratio": 1.5}, id="ratio-above-one"),
        pytest.param({"min_rps": -1}, id="rps-negative"),
    ],
)
def test_thresholds_reject_impossible_limits(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Thresholds(**kwargs)
