"""``contract --control sandbox``: the lifecycle judged through the API's own simulate-status, with no control API.

The embedded mock then serves no ``/_control`` at all, so an invoice that got paid (and refunded) was paid
through ``POST /invoices/{id}/simulate-status``; a mock whose simulate-status moves any invoice fails the run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apipay_harness.mock import running_mock
from tests.cli_run import Done

_CHECKS = (
    "terminal_statuses_final",
    "refunds_add_up_to_amount",
    "simulate_status_only_from_pending",
    "new_invoice_settles",
)
"""Lifecycle checks that pay, expire and refund invoices: under the sandbox only simulate-status can pay one."""
_KEYS = ["--api-key", "test-key", "--api-key-2", "test-key-2", "--unverified-key", "unverified-key"]


def _report(where: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((where / "conformance.json").read_text(encoding="utf-8"))
    return report


def _verdicts(report: dict[str, Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for check in report["checks"]:
        found.setdefault(str(check["check"]), set()).add(str(check["verdict"]))
    return found


def test_sandbox_control_judges_the_lifecycle_through_simulate_status(cli: Callable[..., Done], tmp_path: Path) -> None:
    selection = " or ".join(_CHECKS)
    args = ["contract", "--api-version", "2.1", "--control", "sandbox", "--quick", "--seed", "3", "-k", selection]
    done = cli([*args, "--report-dir", str(tmp_path / "r")], cwd=tmp_path, timeout=300)
    assert done.code == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = _report(tmp_path / "r")
    assert report["control_mode"] == "sandbox" and report["api_version"] == "2.1" and report["complete"]
    verdicts = _verdicts(report)
    for check in _CHECKS:
        assert "passed" in verdicts.get(check, set()), (check, verdicts)
    assert "failed" not in set().union(*verdicts.values())
    skipped = [c for c in report["checks"] if c["verdict"] == "skipped"]
    assert all("control API" in str(c["message"]) for c in skipped), skipped  # one reason: a capability it lacks


def test_sandbox_control_catches_simulate_status_from_any_status(cli: Callable[..., Done], tmp_path: Path) -> None:
    with running_mock(
        api_version="2.1", faults=["simulate_status_from_any_status"], extra_args=["--no-control-api"]
    ) as mock:
        args = ["contract", "--api-version", "2.1", "--control", "sandbox", "--base-url", mock.base_url, *_KEYS]
        args += ["--quick", "--seed", "3", "-k", "terminal_statuses_final", "--report-dir", str(tmp_path / "r")]
        done = cli(args, cwd=tmp_path, timeout=300)
    assert done.code == 1, done.stdout[-2000:] + done.stderr[-2000:]
    report = _report(tmp_path / "r")
    failed = [c for c in report["checks"] if c["verdict"] == "failed"]
    assert [c["check"] for c in failed] == ["terminal_statuses_final"]
    assert "simulate-status" in failed[0]["operation"]
