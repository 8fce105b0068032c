"""``apipay-harness contract --api-version 2.1`` end to end against the embedded mock speaking 2.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apipay_harness.core.checks import CHECKS, SUITE_ORDER
from tests.contract.conftest import undeclared


@pytest.fixture(scope="module")
def run_21(tmp_path_factory: pytest.TempPathFactory, cli: Any) -> tuple[Any, dict[str, Any]]:
    """One quick 2.1 run against the embedded mock, and its JSON report."""
    cwd = tmp_path_factory.mktemp("v21")
    done = cli(["contract", "--quick", "--api-version", "2.1", "--report-dir", "out"], cwd=cwd)
    report_file = Path(cwd) / "out" / "conformance.json"
    return done, json.loads(report_file.read_text()) if report_file.exists() else {}


def test_the_embedded_21_mock_conforms(run_21: tuple[Any, dict[str, Any]]) -> None:
    done, report = run_21
    failed = [
        f"{r['check']} {r['operation']}: {r['message'][:300]}"
        for r in report.get("checks", [])
        if r["verdict"] in ("failed", "error")
    ]
    assert done.code == 0, "\n".join(failed) or done.stderr[-3000:]
    assert report["complete"] and report["api_version"] == "2.1" and report["spec_version"].startswith("2.1")


def test_every_suite_judges_21_and_only_checks_of_21_ran(run_21: tuple[Any, dict[str, Any]]) -> None:
    _, report = run_21
    results = report["checks"]
    assert undeclared(results) == []
    assert {r["suite"] for r in results if r["verdict"] == "passed"} == set(SUITE_ORDER)
    left_out = {check.id for check in CHECKS.values() if not check.applies_to("2.1")}
    assert set(report["not_applicable"]) == left_out
    assert not {r["check"].split("[")[0] for r in results} & left_out


def test_the_replay_command_names_the_version(run_21: tuple[Any, dict[str, Any]]) -> None:
    done, report = run_21
    assert "--api-version 2.1" in report["replay"] and "--api-version 2.1" in done.stdout
