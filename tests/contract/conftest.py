"""Helpers for the contract-command tests: run the CLI in a child process, and a recording control proxy."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from apipay_harness.core.checks import lookup
from apipay_harness.mock import MockProcess, running_mock
from tests.cli_run import Done, harness
from tests.forwarding_proxy import ForwardingProxy, forwarding_proxy

REPORT_FILES = ("conformance.json", "conformance.md", "conformance.html", "junit.xml")
MOCK_KEYS = ("test-key", "test-key-2", "unverified-key", "limited-key")


def run_probe(probe: Path, *args: str) -> str:
    """Run a collection probe beside this file in a child process (a fresh pytest) and return what it printed."""
    done = subprocess.run(
        [sys.executable, str(probe), *args],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
    return done.stdout


def undeclared(results: list[dict[str, object]]) -> list[tuple[object, object]]:
    """The (suite, check) pairs of a report's results whose check the registry does not declare for that suite."""
    wrong = []
    for result in results:
        declared = lookup(str(result["check"]))
        if declared is None or declared.suite != result["suite"]:
            wrong.append((result["suite"], result["check"]))
    return wrong


def target_args(mock: MockProcess, *, control: str | None = None) -> list[str]:
    """The flags that point the command at ``mock`` with all its keys."""
    return [
        "--base-url",
        mock.base_url,
        "--control-url",
        control or mock.control_url,
        "--api-key",
        "test-key",
        "--api-key-2",
        "test-key-2",
        "--unverified-key",
        "unverified-key",
        "--rate-limited-key",
        "limited-key",
    ]


@pytest.fixture
def fault_mock(request: pytest.FixtureRequest) -> Iterator[MockProcess]:
    """A mock started with the fault named by the test's ``fault`` parameter."""
    with running_mock(faults=[request.param]) as mock:
        yield mock


@pytest.fixture(scope="session")
def cli() -> Callable[..., Done]:
    """Run ``python -m apipay_harness ARGS`` in a directory: ``cli(args, cwd=path)``."""
    return harness


@pytest.fixture(scope="session")
def args_for() -> Callable[..., list[str]]:
    """The flags pointing the command at a mock: ``args_for(mock, control=None)``."""
    return target_args


@pytest.fixture(scope="session")
def control_recorder() -> Callable[[str], AbstractContextManager[ForwardingProxy]]:
    """``with control_recorder(control_url) as proxy`` records what the run sends to the control API."""
    return forwarding_proxy
