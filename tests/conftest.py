"""Shared fixtures: one mock per test session on a free loopback port, reset before each test that uses it.

The tests run in a random order (pytest-randomly, from the ``test`` extras), so none may lean on
another having run first; the summary's last line names the seed that replays a failing order.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from apipay_harness.mock import MockProcess, running_mock


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Print the shuffle's seed at the end too (pytest-randomly's header line is hidden by ``-q``)."""
    if not config.pluginmanager.hasplugin("randomly") or not config.getoption("randomly_reorganize", False):
        return
    seed = config.getoption("randomly_seed", None)
    terminalreporter.write_line(
        f"tests ran in random order, seed {seed}: replay it with --randomly-seed={seed} (file order: -p no:randomly)"
    )


@pytest.fixture(scope="session")
def mock_server() -> Iterator[MockProcess]:
    """A clean mock (async cancel, no enforced rate limit) shared by the whole session."""
    with running_mock() as mock:
        yield mock


def _client(base_url: str, key: str | None = None) -> httpx.Client:
    # Plain http on loopback: verify=False only spares loading a CA bundle for every client.
    headers = {"X-API-Key": key} if key else {}
    return httpx.Client(base_url=base_url, headers=headers, timeout=10, verify=False)


@pytest.fixture(scope="session")
def _session_clients(mock_server: MockProcess) -> Iterator[dict[str, httpx.Client]]:
    clients = {
        "api": _client(mock_server.base_url, "test-key"),
        "api2": _client(mock_server.base_url, "test-key-2"),
        "control": _client(mock_server.control_url),
    }
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture
def mock(mock_server: MockProcess, _session_clients: dict[str, httpx.Client]) -> MockProcess:
    """The session's mock after ``POST /_control/reset`` (no invoices, real time)."""
    _session_clients["control"].post("/reset").raise_for_status()
    return mock_server


@pytest.fixture
def api(mock: MockProcess, _session_clients: dict[str, httpx.Client]) -> httpx.Client:
    """A client of the reset mock's API authenticated as organization 1 (``test-key``)."""
    return _session_clients["api"]


@pytest.fixture
def api2(mock: MockProcess, _session_clients: dict[str, httpx.Client]) -> httpx.Client:
    """A client of the reset mock's API authenticated as organization 2 (``test-key-2``)."""
    return _session_clients["api2"]


@pytest.fixture
def control(mock: MockProcess, _session_clients: dict[str, httpx.Client]) -> httpx.Client:
    """A client of the reset mock's control API."""
    return _session_clients["control"]
