"""Collect the contract suites as ``apipay-harness contract`` does and print each test's marker, as JSON.

Run as a child process (``python tests/contract/check_probe.py``) so that the collection gets a fresh
pytest: the suites' conftest sets hypothesis' seed for its whole process. Each printed item is
``[nodeid, suite, check]`` as the report would name the test's own result.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pytest

from apipay_harness.contract.command import pytest_args
from apipay_harness.contract.outcomes import identity_of
from apipay_harness.contract.run import RunOptions


class _Recorder:
    """Keeps every collected test's identity."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, str]] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            ident = identity_of(item)
            self.items.append((item.nodeid, ident.suite, ident.check) if ident else (item.nodeid, "", ""))


def collect() -> list[tuple[str, str, str]]:
    """Every contract test's (node id, suite, check); nothing is sent to the target."""
    options = RunOptions(base_url="http://127.0.0.1:9/api/v1", api_key="k", quick=True)
    recorder = _Recorder()
    with tempfile.TemporaryDirectory() as report_dir:
        args = pytest_args(options, keyword=None, report_dir=Path(report_dir))
        code = pytest.main([*args, "--collect-only"], plugins=[recorder])
    if code != 0:
        raise SystemExit(f"collection exited {int(code)}")
    return recorder.items


if __name__ == "__main__":
    sys.stdout.write(json.dumps(collect()) + "\n")
