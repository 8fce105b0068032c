"""The harness against hostile servers: HTML, truncated JSON, an empty body, a reset connection, a 10-second
stall and a 1 GiB Content-Length. Each contract run must end as reported violations (exit 1, a report on disk)
or as exit 2 with one clear line — never a traceback, never a hang past the deadline.

All six runs go at once (each its own server and ``apipay-harness contract`` process) to keep the suite short,
and leave out the bounds suite: its ~100 edge cases go through the same client as the auth and tenancy checks
and would only triple the time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.selftest.hostile import MODES, hostile_server

DEADLINE = 120.0
"""Wall seconds all six runs together may take; past it the harness hangs."""
API_KEY = "hostile-test-key-7d41c0"


@dataclass(frozen=True)
class Ended:
    """How one contract run against a hostile server ended."""

    code: int | None
    output: str
    report_dir: Path
    seconds: float


@pytest.fixture(scope="module")
def ended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Ended]]:
    """Run ``apipay-harness contract --quick`` against every hostile server at once."""
    root = tmp_path_factory.mktemp("hostile")
    results: dict[str, Ended] = {}
    with ExitStack() as stack:
        started = time.monotonic()
        processes: dict[str, tuple[subprocess.Popen[str], Path]] = {}
        for mode in MODES:
            url = stack.enter_context(hostile_server(mode))
            report_dir = root / mode
            cmd = [sys.executable, "-m", "apipay_harness", "contract", "--base-url", url, "--api-key", API_KEY]
            cmd += ["--no-control", "--quick", "--seed", "1", "-k", "not test_bounds", "--report-dir", str(report_dir)]
            processes[mode] = (
                subprocess.Popen(
                    cmd,
                    cwd=root,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    text=True,
                ),
                report_dir,
            )
        for mode, (process, report_dir) in processes.items():
            left = max(0.1, DEADLINE - (time.monotonic() - started))
            try:
                output, _ = process.communicate(timeout=left)
                code: int | None = process.returncode
            except subprocess.TimeoutExpired:
                process.kill()
                output, _ = process.communicate()
                code = None
            results[mode] = Ended(code, output, report_dir, round(time.monotonic() - started, 1))
        yield results


@pytest.mark.parametrize("mode", MODES)
def test_hostile_server_run_ends_before_the_deadline(ended: dict[str, Ended], mode: str) -> None:
    run = ended[mode]
    assert run.code is not None, f"{mode}: the contract run hung past {DEADLINE:g}s:\n{run.output[-2000:]}"


@pytest.mark.parametrize("mode", MODES)
def test_hostile_server_run_prints_no_traceback(ended: dict[str, Ended], mode: str) -> None:
    assert "Traceback (most recent call last)" not in ended[mode].output, ended[mode].output[-3000:]


@pytest.mark.parametrize("mode", MODES)
def test_hostile_server_is_reported_as_violation_or_exit_2(ended: dict[str, Ended], mode: str) -> None:
    run = ended[mode]
    assert run.code in (1, 2), f"{mode}: exit {run.code}\n{run.output[-2000:]}"
    if run.code == 2:
        errors = [line for line in run.output.splitlines() if line.startswith("error:")]
        assert errors and len(errors[0]) < 400, run.output[-2000:]
        return
    report = json.loads((run.report_dir / "conformance.json").read_text(encoding="utf-8"))
    verdicts = {check["verdict"] for check in report["checks"]}
    assert verdicts & {"failed", "error"}, f"{mode}: exit 1 but the report names no failure"
    assert "passed" not in verdicts, f"{mode}: a check passed against a server that never answers properly"
