"""Collect the contract suites the way ``apipay-harness contract`` does and print the order, one JSON list per run.

Run as a child process (``python tests/contract/order_probe.py '[[extra args], ...]'``) so that each
collection gets a fresh pytest and the test process's own plugins (pytest-randomly among them) play no part.
Each printed item is ``[nodeid, line, suite, check]``: the line its test function is defined on, and the
suite and check its own result would be reported under.
"""

from __future__ import annotations

import json
import sys

import pytest

from apipay_harness.contract.command import pytest_args
from apipay_harness.contract.options import RunOptions
from apipay_harness.contract.outcomes import identity_of

Collected = tuple[str, int, str, str]


class _Recorder:
    """Keeps the collected items' node ids and definition lines, in the order pytest will run them."""

    def __init__(self) -> None:
        self.items: list[Collected] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            ident = identity_of(item)
            suite, check = (ident.suite, ident.check) if ident is not None else ("", "")
            self.items.append((item.nodeid, item.location[1] or 0, suite, check))


def collect(extra: list[str]) -> list[Collected]:
    """The order of a contract run's checks with ``extra`` pytest arguments (nothing is sent to the target)."""
    options = RunOptions(base_url="http://127.0.0.1:9/api/v1", api_key="k", quick=True)
    recorder = _Recorder()
    code = pytest.main([*pytest_args(options), "--collect-only", *extra], plugins=[recorder])
    if code != 0:
        raise SystemExit(f"collection exited {int(code)} with {extra}")
    return recorder.items


if __name__ == "__main__":
    for extra in json.loads(sys.argv[1]):
        sys.stdout.write(json.dumps(collect(extra)) + "\n")
