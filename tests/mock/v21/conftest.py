"""The 2.1 mock for the tests of this folder: the names of tests/conftest.py, served by ``--api-version 2.1``.

Overriding ``mock_server`` and ``_session_clients`` here gives every test below ``mock``, ``api``, ``api2``
and ``control`` of a 2.1 mock (one per session, reset before each test), as the seed's tests get theirs.
Every answer ``api`` and ``api2`` receive is checked against the 2.1 spec (``documented.py``): its status
is one its operation documents, its body that status's schema, its required headers present.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from apipay_harness.mock import MockProcess, running_mock
from tests.mock.v21.documented import check_documented

API_VERSION = "2.1"


@pytest.fixture(scope="session")
def mock_server() -> Iterator[MockProcess]:
    """A clean 2.1 mock shared by the session's 2.1 tests."""
    with running_mock(api_version=API_VERSION) as mock:
        yield mock


@pytest.fixture(scope="session")
def _session_clients(mock_server: MockProcess) -> Iterator[dict[str, httpx.Client]]:
    checked = {"response": [check_documented]}
    clients = {
        "api": httpx.Client(
            base_url=mock_server.base_url, headers={"X-API-Key": "test-key"}, timeout=10, event_hooks=checked
        ),
        "api2": httpx.Client(
            base_url=mock_server.base_url, headers={"X-API-Key": "test-key-2"}, timeout=10, event_hooks=checked
        ),
        "control": httpx.Client(base_url=mock_server.control_url, timeout=10),
    }
    yield clients
    for client in clients.values():
        client.close()
