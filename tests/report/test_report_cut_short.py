"""A run cut short (Ctrl-C, a target out of bounds, -x) is never reported as PASSED, in any format; every report
records the seed and the command that replays the run, and never says ``seed: none``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from apipay_harness.core.results import CheckResult, RunEnd, RunInfo
from apipay_harness.report import writers_for
from apipay_harness.report.summary import Summary

CUT = RunEnd(cut_short="interrupted (Ctrl-C)", planned=40, finished=12)
REPLAY = "apipay-harness contract --seed 1234 --quick -k 'test_errors or test_auth'"


def _write(tmp_path: Path, info: RunInfo, results: list[CheckResult], end: RunEnd | None) -> dict[str, str]:
    writers = writers_for(tmp_path)
    for writer in writers:
        writer.start(info)
    for result in results:
        for writer in writers:
            writer.handle(result)
    for writer in writers:
        writer.finish(end)
    return {path.name: path.read_text(encoding="utf-8") for path in tmp_path.iterdir()}


@pytest.fixture
def passed_only() -> list[CheckResult]:
    return [CheckResult("auth", "GET /invoices", "unauthenticated_rejected", "passed", cases=3, seconds=0.2)]


def test_summary_of_a_run_cut_short_with_only_passes_is_interrupted(run_info: RunInfo, passed_only: list) -> None:
    assert Summary.build(run_info, passed_only, end=CUT).verdict == "interrupted"
    assert Summary.build(run_info, passed_only).verdict == "passed"


def test_summary_of_a_run_cut_short_with_a_failure_stays_failed(run_info: RunInfo) -> None:
    failed = [CheckResult("auth", "GET /invoices", "unauthenticated_rejected", "failed", cases=1, failures=1)]
    assert Summary.build(run_info, failed, end=CUT).verdict == "failed"


def test_no_report_of_a_run_cut_short_says_passed(tmp_path: Path, run_info: RunInfo, passed_only: list) -> None:
    files = _write(tmp_path, run_info, passed_only, CUT)
    data = json.loads(files["conformance.json"])
    assert (data["verdict"], data["complete"], data["tests_planned"], data["tests_finished"]) == (
        "interrupted",
        False,
        40,
        12,
    )
    assert "**PASSED**" not in files["conformance.md"] and "**INTERRUPTED**" in files["conformance.md"]
    assert "Cut short after 12 of 40 selected contract tests: interrupted (Ctrl-C)" in files["conformance.md"]
    assert ">PASSED" not in files["conformance.html"] and 'id="cut-short"' in files["conformance.html"]
    junit = ET.fromstring(files["junit.xml"])
    error = junit.find(".//testsuite[@name='run']/testcase/error")
    assert error is not None and "interrupted (Ctrl-C)" in (error.get("message") or "")
    assert junit.get("errors") == "1"


def test_a_complete_run_has_no_cut_short_notice(tmp_path: Path, run_info: RunInfo, passed_only: list) -> None:
    files = _write(tmp_path, run_info, passed_only, None)
    assert json.loads(files["conformance.json"])["complete"] is True
    assert "Cut short" not in files["conformance.md"] + files["conformance.html"] + files["junit.xml"]


def test_every_report_records_the_seed_and_the_replay_command(
    tmp_path: Path, run_info: RunInfo, passed_only: list
) -> None:
    files = _write(tmp_path, replace(run_info, replay=REPLAY), passed_only, None)
    data = json.loads(files["conformance.json"])
    assert (data["seed"], data["replay"]) == (1234, REPLAY)
    assert "seed `1234`" in files["conformance.md"] and REPLAY in files["conformance.md"]
    assert "<dd>1234</dd>" in files["conformance.html"] and "--seed 1234 --quick" in files["conformance.html"]
    props = {p.get("name"): p.get("value") for p in ET.fromstring(files["junit.xml"]).iter("property")}
    assert (props["seed"], props["replay"]) == ("1234", REPLAY)
    for name, text in files.items():
        assert "seed: none" not in text.lower() and "seed `none`" not in text, name
