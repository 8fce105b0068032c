"""End-to-end load runs through the CLI in a subprocess (Locust and gevent never enter the pytest process)."""

from __future__ import annotations

import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from apipay_harness.mock import running_mock

_LOCUST_SIDE = {"locust_plugin"}
"""The package's only modules that import locust (and gevent); they run only inside Locust processes."""


def _load(*args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APIPAY_")}
    return subprocess.run(
        [sys.executable, "-m", "apipay_harness", "load", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def _summary(report_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((report_dir / "load-summary.json").read_text(encoding="utf-8"))
    return data


def test_load_short_run_with_a_worker_passes_with_reports_and_a_clean_audit(tmp_path: Path) -> None:
    result = _load("--run-time", "8s", "--users", "10", "--workers", "1", "--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("locust-report.html", "locust_stats.csv", "locust_stats_history.csv", "load-summary.md"):
        assert (tmp_path / name).is_file(), name
    summary = _summary(tmp_path)
    assert summary["verdict"] == "passed"
    run = json.loads((tmp_path / "locust-run.json").read_text(encoding="utf-8"))
    assert run["workers_flushed"] == run["workers_expected"] == 1  # a real worker process shipped its records
    assert summary["audit"]["clean"] and summary["audit"]["checked"] > 10
    names = {row["name"] for row in summary["endpoints"]}
    assert {"/invoices", "/invoices/{id}", "/invoices/{id}/refund", "/invoices/{id}/cancel"} <= names
    assert "xychart-beta" in (tmp_path / "load-summary.md").read_text(encoding="utf-8")
    assert "test-key" not in (tmp_path / "load-summary.json").read_text(encoding="utf-8")


def test_load_exits_1_naming_the_p95_threshold_it_broke(tmp_path: Path) -> None:
    result = _load(
        "--run-time", "4s", "--users", "5", "--workers", "0", "--max-p95-ms", "0.001", "--report-dir", str(tmp_path)
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "threshold broken: p95 of " in result.stdout
    assert "above --max-p95-ms 0.001" in result.stdout
    assert _summary(tmp_path)["audit"]["clean"]


def test_load_audit_catches_the_double_refund_race(tmp_path: Path) -> None:
    with running_mock(faults=["refund_race_double_refund"]) as mock:
        result = _load(
            "--base-url", mock.base_url, "--api-key", "test-key", "--scenario", "lifecycle",
            "--run-time", "5s", "--users", "8", "--workers", "0", "--report-dir", str(tmp_path),
        )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    audit = _summary(tmp_path)["audit"]
    assert audit["violation_counts"].get("over_refund", 0) > 0
    assert "audit:" in result.stdout and "over_refund" in result.stdout


def test_load_against_a_mock_that_evicted_invoices_cannot_be_judged(tmp_path: Path) -> None:
    """Past its --max-invoices the mock forgets settled invoices: their 404 is no loss, so the run is exit 2."""
    with running_mock(extra_args=["--max-invoices", "20"]) as mock:
        result = _load(
            "--base-url", mock.base_url, "--api-key", "test-key", "--control-url", mock.control_url,
            "--scenario", "lifecycle", "--run-time", "4s", "--users", "6", "--workers", "0",
            "--report-dir", str(tmp_path),
        )  # fmt: skip
        evicted = httpx.get(f"{mock.control_url}/stats").json()["evicted_invoices"]
    assert evicted > 0, "the run created more invoices than the cap"
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]  # besides progress lines
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert f"forgot {evicted} invoice(s) past its store's cap" in errors[0]


def test_load_without_control_gives_payments_way_to_cancels_and_says_so(tmp_path: Path) -> None:
    result = _load(
        "--no-control", "--scenario", "lifecycle", "--run-time", "3s", "--users", "4", "--workers", "0",
        "--report-dir", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    summary = _summary(tmp_path)
    assert summary["control"] is False and any("no control API" in note for note in summary["notes"])
    names = {row["name"] for row in summary["endpoints"]}
    assert "/invoices/{id}/cancel" in names
    assert not any("refund" in name or "_control" in name for name in names)
    assert summary["audit"]["clean"] and summary["audit"]["checked"] > 0


def test_load_stops_at_the_hard_request_cap_shared_by_its_workers(tmp_path: Path) -> None:
    result = _load(
        "--run-time", "5m", "--max-requests", "151", "--users", "6", "--workers", "2", "--report-dir", str(tmp_path),
        timeout=90,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    summary = _summary(tmp_path)
    assert summary["cap_reached"] and summary["totals"]["requests"] == 151
    assert summary["audit"]["clean"]
    run = json.loads((tmp_path / "locust-run.json").read_text(encoding="utf-8"))
    assert run["workers_flushed"] == run["workers_expected"] == 2  # a master and two workers
    assert (tmp_path / "locust-worker-2.log").is_file()


def test_load_refuses_the_production_profile_in_one_line() -> None:
    result = _load("--profile", "production")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "production" in result.stderr


def test_load_says_an_unreachable_target_in_one_line(tmp_path: Path) -> None:
    result = _load(
        "--base-url", "http://127.0.0.1:9/api/v1", "--api-key", "k", "--report-dir", str(tmp_path), timeout=30
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: target http://127.0.0.1:9/api/v1 is unreachable")


def test_load_says_a_rejected_api_key_in_one_line(tmp_path: Path) -> None:
    with running_mock() as mock:
        result = _load("--base-url", mock.base_url, "--api-key", "not-a-key", "--report-dir", str(tmp_path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: the target refused --api-key (APIPAY_API_KEY) as unknown (401")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_load_shows_a_progress_line_per_interval_while_it_runs(tmp_path: Path) -> None:
    result = _load(
        "--run-time", "8s", "--users", "2", "--workers", "0", "--progress-every", "1", "--report-dir", str(tmp_path)
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    running = [
        line for line in result.stderr.splitlines() if re.match(r"^load: \d+s of 8s, 2 users, \d+ requests", line)
    ]
    assert running, result.stderr
    assert result.stderr.splitlines()[0].startswith("load: ")  # from the start, not only at the end


def test_load_on_a_terminal_shows_one_live_progress_line(tmp_path: Path) -> None:
    import shutil

    script = shutil.which("script")
    assert script, "util-linux `script` (Debian bsdutils) is needed to give the command a terminal"
    command = f"{sys.executable} -m apipay_harness load --run-time 12s --users 2 --workers 0 --report-dir r"
    subprocess.run([script, "-qec", command, str(tmp_path / "typescript")], cwd=tmp_path, timeout=120, check=True)
    screen = (tmp_path / "typescript").read_text(errors="replace")
    assert re.search(r"load: \d+s of 12s, 2 users", screen) and "verdict: passed" in screen


def test_load_rejects_a_malformed_run_time() -> None:
    result = _load("--run-time", "soon")
    assert result.returncode == 2 and "--run-time" in result.stderr


def test_load_modules_never_import_gevent_into_the_caller() -> None:
    import apipay_harness.loadrun as package

    pure = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name not in _LOCUST_SIDE)
    assert {"calls", "collector", "flows", "locust_options", "run_file", "runner", "scenarios", "steps"} <= set(pure)
    code = (
        f"import importlib, sys; [importlib.import_module('apipay_harness.loadrun.' + m) for m in {pure!r}];"
        "sys.exit(1 if 'gevent' in sys.modules or 'locust' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_load_locust_plugin_is_the_module_that_brings_locust() -> None:
    code = (
        "import sys, apipay_harness.loadrun.locust_plugin;"
        "sys.exit(0 if 'gevent' in sys.modules and 'locust' in sys.modules else 1)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_load_package_exports_what_it_lists() -> None:
    import apipay_harness.loadrun as package

    assert sorted(package.__all__) == sorted(name for name in package.__all__ if hasattr(package, name))
    assert {"audit", "build_ledgers", "evaluate", "Thresholds"} <= set(package.__all__)


def test_load_on_api_2_1_against_the_embedded_2_1_mock_passes_with_a_clean_audit(tmp_path: Path) -> None:
    result = _load(
        "--api-version", "2.1", "--run-time", "6s", "--users", "8", "--workers", "1", "--report-dir", str(tmp_path)
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    summary = _summary(tmp_path)
    assert summary["verdict"] == "passed" and summary["api_version"] == "2.1"
    assert summary["audit"]["clean"] and summary["audit"]["checked"] > 10
    names = {row["name"] for row in summary["endpoints"]}
    assert {
        "/invoices",
        "/_control/invoices/{id}/settle",
        "/invoices/{id}/simulate-status",
        "/invoices/{id}/refund",
        "/_control/refunds/{id}/finish",
        "/invoices/{id}/cancel",
        "/invoices?status[]",
    } <= names
    assert "API 2.1" in (tmp_path / "load-summary.md").read_text(encoding="utf-8")


def test_load_on_api_2_1_audit_catches_a_full_refund_that_sets_refunded(tmp_path: Path) -> None:
    with running_mock(api_version="2.1", faults=["full_refund_sets_refunded"]) as mock:
        result = _load(
            "--base-url", mock.base_url, "--api-key", "test-key", "--api-version", "2.1", "--scenario", "lifecycle",
            "--run-time", "4s", "--users", "6", "--workers", "0", "--report-dir", str(tmp_path),
        )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    audit = _summary(tmp_path)["audit"]
    assert audit["violation_counts"].get("status_mismatch", 0) > 0
    assert any(v["message"].endswith("Received: status refunded") for v in audit["violations"])
    assert "audit:" in result.stdout and "status_mismatch" in result.stdout


def test_load_on_api_2_1_without_control_pays_through_simulate_status_and_waits(tmp_path: Path) -> None:
    with running_mock(api_version="2.1", extra_args=["--no-control-api", "--refund-delay", "0.5"]) as mock:
        result = _load(
            "--base-url", mock.base_url, "--api-key", "test-key", "--api-version", "2.1", "--no-control",
            "--scenario", "lifecycle", "--run-time", "6s", "--users", "4", "--workers", "0",
            "--report-dir", str(tmp_path),
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    summary = _summary(tmp_path)
    assert any("simulate-status" in note for note in summary["notes"])
    names = {row["name"] for row in summary["endpoints"]}
    assert {"/invoices/{id}/simulate-status", "/invoices/{id}/refunds", "/invoices/{id}/refund"} <= names
    assert not any("_control" in name for name in names)
    assert summary["audit"]["clean"] and summary["audit"]["checked"] > 0


def test_load_on_api_2_1_the_seed_rules_would_flag_the_clean_2_1_mock(tmp_path: Path) -> None:
    """The version matters: the seed's users send kopecks, which 2.1 refuses (whole tenge), and fail inline."""
    with running_mock(api_version="2.1") as mock:
        result = _load(
            "--base-url", mock.base_url, "--api-key", "test-key", "--scenario", "lifecycle",
            "--run-time", "3s", "--users", "2", "--workers", "0", "--report-dir", str(tmp_path),
        )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    failures = (tmp_path / "locust_failures.csv").read_text(encoding="utf-8")
    assert "answered 422, expected 201" in failures and "whole tenge" in failures
