"""Shared fixtures: one mock per test session on a free loopback port, reset before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from apipay_harness.mock import MockProcess, running_mock


@pytest.fixture(scope="session")
def mock_server() -> Iterator[MockProcess]:
    """A clean mock (async cancel, no enforced rate limit) shared by the whole session."""
    with running_mock() as mock:
        yield mock


@pytest.fixture
def mock(mock_server: MockProcess) -> MockProcess:
    """The session's mock after ``POST /_control/reset`` (no invoices, real time)."""
    httpx.post(f"{mock_server.control_url}/reset", timeout=10).raise_for_status()
    return mock_server


@pytest.fixture
def api(mock: MockProcess) -> Iterator[httpx.Client]:
    """A client of the reset mock's API authenticated as organization 1 (``test-key``)."""
    with httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key"}, timeout=10) as client:
        yield client


@pytest.fixture
def api2(mock: MockProcess) -> Iterator[httpx.Client]:
    """A client of the reset mock's API authenticated as organization 2 (``test-key-2``)."""
    with httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key-2"}, timeout=10) as client:
        yield client


@pytest.fixture
def control(mock: MockProcess) -> Iterator[httpx.Client]:
    """A client of the reset mock's control API."""
    with httpx.Client(base_url=mock.control_url, timeout=10) as client:
        yield client
