from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from apipay_harness.core.errors import HarnessError
from apipay_harness.mock import MockProcess, running_mock
from tests.mock.helpers import assert_schema


def test_running_mock_serves_status_at_reported_url(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.base_url}/status")
    assert response.status_code == 200
    assert_schema(response.json(), "ServiceStatus")
    assert mock.target.base_url == mock.base_url
    assert mock.target.control_url == mock.control_url


def test_running_mock_unknown_fault_raises_one_line_error() -> None:
    with pytest.raises(HarnessError, match="unknown fault"), running_mock(faults=["no_such_fault"]):
        pass


def test_running_mock_stop_ends_the_process() -> None:
    with running_mock() as mock:
        pid = mock.pid
        mock.stop()
        assert mock.process.poll() is not None
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{mock.base_url}/status", timeout=2)
    assert pid > 0


def test_cli_mock_unknown_fault_exits_2_listing_valid_names() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "apipay_harness", "mock", "--port", "0", "--fault", "bogus"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "bogus" in result.stderr and "tenant_leak_get" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_mock_first_line_names_api_and_control_urls() -> None:
    with running_mock() as mock:
        assert mock.root_url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{mock.control_url}/clock").status_code == 200


def test_cli_mock_busy_port_exits_2_with_one_line(mock: MockProcess) -> None:
    port = mock.root_url.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "apipay_harness", "mock", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot listen" in result.stderr


def test_mock_modules_export_what_they_define() -> None:
    import importlib
    import pkgutil

    import apipay_harness.mock as package

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"apipay_harness.mock.{info.name}")
        assert module.__all__, info.name
        for name in module.__all__:
            assert hasattr(module, name), f"{info.name}.{name}"
    assert {"create_app", "running_mock", "MockProcess"} <= set(package.__all__)
