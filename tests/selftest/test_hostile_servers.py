"""The harness against hostile servers: HTML, truncated JSON, an empty body, a reset connection, a 10-second
stall, a 1 GiB Content-Length, 200 MB chunked and close-delimited bodies, a body dripping one byte every 3 s,
a server echoing the key across the places where text is cut, and a ``/status`` that is huge, endless or
dripping. Each contract run must end as reported violations (exit 1, a report on disk) or as exit 2 with one
clear line — within the deadline, under 400 MB resident, with no traceback and no piece of the key (8 or more
characters of it) in anything written or printed.

The runs of one batch go at once (each its own server and ``apipay-harness contract`` process, measured by
``measured.py``) to keep the suite short, and leave out the bounds suite: its ~100 edge cases go through the
same client as the auth and tenancy checks and would only triple the time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.selftest.hostile import BOUND_MODES, MODES, STATUS_MODES, hostile_server

DEADLINE = 120.0
"""Wall seconds all runs of one batch together may take; past it the harness hangs."""
PEAK_MB = 400.0
"""The most resident memory a run may use, whatever the server sends."""
API_KEY = "hk-7d41c0a9e35b2f68c1d04e9a"
FRAGMENT = 8
"""A piece of the key this long or longer counts as a leak."""
_MEASURED = Path(__file__).with_name("measured.py")
_BROKEN_ANSWERS = (
    "html",
    "truncated_json",
    "empty_body",
    "reset",
    "stall",
    "huge",
    "chunked",
    "close_delimited",
    "drip",
)


@dataclass(frozen=True)
class Ended:
    """How one contract run against a hostile server ended."""

    code: int | None
    output: str
    cwd: Path
    report_dir: Path
    seconds: float
    peak_mb: float
    killed: bool


def _run_batch(root: Path, modes: tuple[str, ...]) -> dict[str, Ended]:
    """Run ``apipay-harness contract --quick`` against one hostile server per mode, all at once."""
    results: dict[str, Ended] = {}
    with ExitStack() as stack:
        started = time.monotonic()
        processes: dict[str, tuple[subprocess.Popen[str], Path]] = {}
        for mode in modes:
            url = stack.enter_context(hostile_server(mode))
            cwd = root / mode
            cwd.mkdir()
            cmd = [sys.executable, str(_MEASURED), str(root / f"{mode}.json"), str(PEAK_MB), "--"]
            cmd += [sys.executable, "-m", "apipay_harness", "contract", "--base-url", url, "--api-key", API_KEY]
            cmd += ["--no-control", "--quick", "--seed", "1", "-k", "not test_bounds", "--report-dir", "reports"]
            popen = subprocess.Popen(
                cmd,
                cwd=cwd,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                start_new_session=True,  # so a hung run is killed with everything it started
            )
            processes[mode] = (popen, cwd)
        for mode, (process, cwd) in processes.items():
            left = max(0.1, DEADLINE - (time.monotonic() - started))
            try:
                output, _ = process.communicate(timeout=left)
                code: int | None = process.returncode
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate()
                code = None
            measured = root / f"{mode}.json"
            facts = json.loads(measured.read_text()) if measured.is_file() else {"peak_mb": -1.0, "killed": False}
            seconds = round(time.monotonic() - started, 1)
            results[mode] = Ended(
                code, output, cwd, cwd / "reports", seconds, float(facts["peak_mb"]), bool(facts["killed"])
            )
    return results


@pytest.fixture(scope="module")
def ended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Ended]]:
    """Every mode's run in two batches: the broken API answers, then the quick /status modes with the echo one."""
    root = tmp_path_factory.mktemp("hostile")
    first = MODES + tuple(m for m in BOUND_MODES if m != "echo")
    yield {**_run_batch(root, first), **_run_batch(root, (*STATUS_MODES, "echo"))}


ALL_MODES = MODES + BOUND_MODES + STATUS_MODES
pytestmark = pytest.mark.timeout(2 * DEADLINE + 120)  # two batches, each bounded by DEADLINE, plus start-up


@pytest.mark.parametrize("mode", ALL_MODES)
def test_hostile_server_run_ends_before_the_deadline(ended: dict[str, Ended], mode: str) -> None:
    run = ended[mode]
    assert run.code is not None, f"{mode}: the contract run hung past {DEADLINE:g}s:\n{run.output[-2000:]}"


@pytest.mark.parametrize("mode", ALL_MODES)
def test_hostile_server_run_stays_under_the_memory_bound(ended: dict[str, Ended], mode: str) -> None:
    run = ended[mode]
    assert not run.killed and 0 < run.peak_mb <= PEAK_MB, f"{mode}: peak {run.peak_mb} MB (killed: {run.killed})"


@pytest.mark.parametrize("mode", ALL_MODES)
def test_hostile_server_run_prints_no_traceback(ended: dict[str, Ended], mode: str) -> None:
    assert "Traceback (most recent call last)" not in ended[mode].output, ended[mode].output[-3000:]


@pytest.mark.parametrize("mode", ALL_MODES)
def test_hostile_server_run_leaks_no_piece_of_the_key(ended: dict[str, Ended], mode: str) -> None:
    run = ended[mode]
    pieces = {API_KEY[i : i + FRAGMENT] for i in range(len(API_KEY) - FRAGMENT + 1)}
    texts = {"the output": run.output}
    texts.update(
        {str(p.relative_to(run.cwd)): p.read_text(errors="replace") for p in run.cwd.rglob("*") if p.is_file()}
    )
    leaks = sorted({name for name, text in texts.items() for piece in pieces if piece in text})
    assert not leaks, f"{mode}: a piece of the key appears in {leaks}"


@pytest.mark.parametrize("mode", [*MODES, *(m for m in BOUND_MODES if m != "echo"), *STATUS_MODES])
def test_hostile_server_is_reported_as_violation_or_exit_2(ended: dict[str, Ended], mode: str) -> None:
    run = ended[mode]
    assert run.code in (1, 2), f"{mode}: exit {run.code}\n{run.output[-2000:]}"
    if run.code == 2:
        errors = [line for line in run.output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and len(errors[0]) < 400, run.output[-2000:]
        return
    report = json.loads((run.report_dir / "conformance.json").read_text(encoding="utf-8"))
    verdicts = {check["verdict"] for check in report["checks"]}
    assert verdicts & {"failed", "error"}, f"{mode}: exit 1 but the report names no failure"
    assert "passed" not in verdicts, f"{mode}: a check passed against a server that never answers properly"


def test_echoing_server_is_reported_as_violations(ended: dict[str, Ended]) -> None:
    run = ended["echo"]
    assert run.code == 1, run.output[-2000:]
    report = json.loads((run.report_dir / "conformance.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "failed"
    assert "[redacted]" in (run.report_dir / "conformance.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("mode", ALL_MODES)
def test_hostile_server_report_never_says_passed(ended: dict[str, Ended], mode: str) -> None:
    run = ended[mode]
    path = run.report_dir / "conformance.json"
    if path.is_file():
        assert json.loads(path.read_text(encoding="utf-8"))["verdict"] != "passed", mode
