from __future__ import annotations

import json
from pathlib import Path

from apipay_harness.loadrun.locust_options import RunSettings
from apipay_harness.loadrun.records import Event
from apipay_harness.loadrun.run_file import run_record, write_run
from apipay_harness.loadrun.thresholds import EndpointStats, Thresholds, evaluate


def _record(*, workers: tuple[int, int]) -> dict[str, object]:
    settings = RunSettings(thresholds=Thresholds(max_p95_ms=5), max_requests=10, run_file="r", cancel_deadline=30.0)
    endpoint = EndpointStats(method="POST", name="/invoices", requests=10, failures=0, p95_ms=12.0, rps=2.0)
    total = EndpointStats(method="", name="Aggregated", requests=10, failures=0, p95_ms=12.0, rps=2.0)
    events = [Event(invoice_id=1, kind="created", at=1.0).to_wire()]
    return run_record(
        events=events, settings=settings, endpoints=[endpoint], total=total,
        breaches=evaluate(settings.thresholds, [endpoint], total), exceptions=0, control=True, cap_reached=True,
        workers=workers, span=(100.0, 160.0),
    )  # fmt: skip


def test_run_file_says_records_are_incomplete_when_a_worker_never_flushed() -> None:
    assert _record(workers=(1, 2))["records_complete"] is False
    assert _record(workers=(2, 2))["records_complete"] is True


def test_run_file_round_trips_what_the_runner_reads_back(tmp_path: Path) -> None:
    write_run(tmp_path / "run.json", _record(workers=(0, 0)))
    run = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert [Event.from_wire(e).kind for e in run["events"]] == ["created"]
    assert run["breaches"][0]["threshold"] == "max_p95_ms" and run["thresholds"]["max_p95_ms"] == 5
    total = {"method": "", "name": "Aggregated", "requests": 10, "failures": 0, "p95_ms": 12.0, "rps": 2.0}
    assert run["total"] == total
    assert (run["max_requests"], run["cap_reached"], run["started_at"], run["ended_at"]) == (10, True, 100.0, 160.0)
